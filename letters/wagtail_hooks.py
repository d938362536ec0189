from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from portal.hooks import COLUMN_CONTEXT
from portal.models import ColumnCategory

from . import admin_views
from .queries import mailboxes_for_unit


class MailboxMenuItem(MenuItem):
    """Shown only to people with a mailbox role (信箱办理人, 分管领导, 监督人员) and superusers."""

    def is_shown(self, request):
        return admin_views.has_mailbox_role(request.user)


@hooks.register("register_admin_urls")
def register_urls():
    return [path("letters/", include((admin_views.urlpatterns, "letters_admin"), namespace="letters_admin"))]


@hooks.register("register_admin_menu_item")
def register_menu_item():
    menu = Menu(items=[
        MailboxMenuItem("来信队列", reverse("letters_admin:queue"), name="letters-queue", icon_name="mail", order=100),
        MailboxMenuItem("工作日历", reverse("letters_admin:calendar"), name="letters-calendar", icon_name="calendar",
                        order=200),
        MailboxMenuItem("办理统计", reverse("letters_admin:stats"), name="letters-stats", icon_name="table", order=300),
    ])
    return SubmenuMenuItem("公开信箱", menu, name="letters", icon_name="mail", order=850)


@hooks.register(COLUMN_CONTEXT)
def interaction_column_mailboxes(*, column, request):
    """A site's 互动交流 column offers its unit's mailboxes and the mayor's."""
    if column.kind.category != ColumnCategory.INTERACTION:
        return None
    return {"mailboxes": mailboxes_for_unit(column.home.unit_id)}
