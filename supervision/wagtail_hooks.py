"""The supervision work in the admin.

Two sections, kept apart: the indicator rules (settings menu, admin_rules.py) and the
supervisors' pages (dashboard, scorecards, notices, the A2 division; admin_views.py)."""

# --- Indicator rules (admin_rules.py) -------------------------------------------------
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from guard import audit

RULESET_ACTIONS = (
    ("supervision.ruleset.create", _("新建检查指标版本"), _("保存了检查指标的新版本")),
    ("supervision.ruleset.update", _("修改检查指标"), _("修改了检查指标草稿")),
    ("supervision.ruleset.copy", _("复制检查指标"), _("复制检查指标为新版本")),
    ("supervision.ruleset.activate", _("启用检查指标"), _("启用了检查指标版本")),
    ("supervision.ruleset.retire", _("停用检查指标"), _("停用了检查指标版本")),
)


@hooks.register("register_log_actions")
def register_ruleset_actions(actions):
    for action, label, message in RULESET_ACTIONS:
        audit.register_action(actions, action, label, message)


@hooks.register("register_admin_viewset")
def register_ruleset_viewset():
    from .admin_rules import ruleset_viewset

    return ruleset_viewset


# --- Supervisors' pages (admin_views.py) ----------------------------------------------

from django.urls import include as _include
from django.urls import path as _path
from django.urls import reverse as _reverse
from wagtail import hooks as _hooks
from wagtail.admin.menu import Menu as _Menu
from wagtail.admin.menu import MenuItem as _MenuItem
from wagtail.admin.menu import SubmenuMenuItem as _SubmenuMenuItem

from guard import audit as _audit


class SupervisionMenuItem(_MenuItem):
    """Shown to supervisors of every site and to anyone who works for a unit (who
    sees their own unit's sites there)."""

    def is_shown(self, request):
        from .queries import may_use_supervision_pages

        return may_use_supervision_pages(request.user)


@_hooks.register("register_admin_urls")
def register_supervision_pages():
    from . import admin_views

    return [_path("supervision/", _include((admin_views.urlpatterns, "supervision_outputs"),
                                           namespace="supervision_outputs"))]


@_hooks.register("register_admin_viewset")
def register_assignment_viewset():
    from .admin_views import assignment_viewset

    return assignment_viewset


@_hooks.register("register_admin_menu_item")
def register_supervision_menu():
    menu = _Menu(items=[
        SupervisionMenuItem("监管总览", _reverse("supervision_outputs:dashboard"), name="supervision-dashboard",
                            icon_name="view", order=100),
        SupervisionMenuItem("整改通知", _reverse("supervision_outputs:notices"), name="supervision-notices",
                            icon_name="warning", order=200),
        SupervisionMenuItem("内容保障分工", _reverse("supervision_outputs:flags"), name="supervision-columns",
                            icon_name="list-ul", order=300),
    ])
    return _SubmenuMenuItem("网站监管", menu, name="supervision", icon_name="site", order=860)


@_hooks.register("register_log_actions")
def register_output_actions(actions):
    from .outputs import LOG_ACTIONS

    for action, label, message in LOG_ACTIONS:
        _audit.register_action(actions, action, label, message)
