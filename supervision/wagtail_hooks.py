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
