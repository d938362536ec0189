from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.permissions import policy_registry

from . import admin_views
from .admin_config import VIEWSETS, letter_type_viewset, mailbox_viewset, reason_viewset


class MailboxMenuItem(MenuItem):
    """Shown only to people with a mailbox role (信箱办理人, 分管领导, 监督人员) and superusers."""

    def is_shown(self, request):
        return admin_views.has_mailbox_role(request.user)


class CalendarMenuItem(MenuItem):
    """Shown to people with a mailbox role and to the management centre, who keeps the calendar too."""

    def is_shown(self, request):
        return admin_views.may_see_calendar(request.user)


class ConfigMenuItem(MenuItem):
    """A configuration page, shown to those its permission policy lets in."""

    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model

    def is_shown(self, request):
        return policy_registry.get_by_type(self.model).user_has_any_permission(request.user, ["add", "change"])


@hooks.register("register_admin_urls")
def register_urls():
    return [path("letters/", include((admin_views.urlpatterns, "letters_admin"), namespace="letters_admin"))]


@hooks.register("register_admin_viewset")
def register_config_viewsets():
    return list(VIEWSETS)


@hooks.register("register_admin_menu_item")
def register_menu_item():
    menu = Menu(items=[
        MailboxMenuItem("来信队列", reverse("letters_admin:queue"), name="letters-queue", icon_name="mail", order=100),
        CalendarMenuItem("工作日历", reverse("letters_admin:calendar"), name="letters-calendar", icon_name="calendar",
                         order=200),
        MailboxMenuItem("办理统计", reverse("letters_admin:stats"), name="letters-stats", icon_name="table", order=300),
        ConfigMenuItem(_("信箱设置"), reverse(mailbox_viewset.get_url_name("index")), name="letters-mailboxes",
                       icon_name="mail", order=400, model=mailbox_viewset.model),
        ConfigMenuItem(_("来信类型"), reverse(letter_type_viewset.get_url_name("index")), name="letters-types",
                       icon_name="tag", order=500, model=letter_type_viewset.model),
        ConfigMenuItem(_("不予受理理由"), reverse(reason_viewset.get_url_name("index")), name="letters-reasons",
                       icon_name="cross", order=600, model=reason_viewset.model),
    ])
    return SubmenuMenuItem("公开信箱", menu, name="letters", icon_name="mail", order=850)


@hooks.register("register_log_actions")
def register_config_actions(actions):
    actions.register_action("letters.mailbox.create", _("新建信箱"), _("新建了信箱"))
    actions.register_action("letters.mailbox.update", _("修改信箱"), _("修改了信箱设置"))
    actions.register_action("letters.letter_type.create", _("新建来信类型"), _("新建了来信类型"))
    actions.register_action("letters.letter_type.update", _("修改来信类型"), _("修改了来信类型"))
    actions.register_action("letters.not_accepted_reason.create", _("新建不予受理理由"), _("新建了不予受理理由"))
    actions.register_action("letters.not_accepted_reason.update", _("修改不予受理理由"), _("修改了不予受理理由"))
    actions.register_action("letters.calendar.remove", _("删除工作日调整"), _("删除了工作日历的一条调整"))
