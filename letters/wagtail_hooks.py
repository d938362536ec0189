from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component

from guard import audit
from portal.hooks import COLUMN_CONTEXT, HOME_CONTEXT
from portal.models import ColumnCategory

from . import admin_views
from .admin_config import VIEWSETS, letter_type_viewset, mailbox_viewset, reason_viewset
from .queries import home_interaction, mailboxes_for_unit


class MailboxMenuItem(MenuItem):
    """Shown only to people with a mailbox role (信箱办理人, 分管领导, 监督人员) and superusers."""

    def is_shown(self, request):
        return admin_views.has_mailbox_role(request.user)


class CalendarMenuItem(MenuItem):
    """Shown to people with a mailbox role and to the management centre, who keeps the calendar too."""

    def is_shown(self, request):
        return admin_views.may_see_calendar(request.user)


class CalendarPromptPanel(Component):
    """On the dashboard of those who keep the calendar: the years whose public holidays
    are not loaded yet (``letters.calendar.years_to_register``)."""

    name = "calendar_prompt"
    order = 50
    template_name = "letters/admin/_calendar_prompt.html"

    def __init__(self, years):
        self.years = years

    def get_context_data(self, parent_context):
        return {"years": self.years}


@hooks.register("construct_homepage_panels")
def calendar_prompt(request, panels):
    from . import permissions
    from .calendar import years_to_register

    if request.user.is_authenticated and permissions.may_change_calendar(request.user):
        years = years_to_register()
        if years:
            panels.append(CalendarPromptPanel(years))


class ConfigMenuItem(MenuItem):
    """A configuration page, shown to those its permission policy lets in."""

    def __init__(self, *args, viewset, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewset = viewset

    def is_shown(self, request):
        return self.viewset.permission_policy.user_has_any_permission(request.user, ["add", "change"])


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
                       icon_name="mail", order=400, viewset=mailbox_viewset),
        ConfigMenuItem(_("来信类型"), reverse(letter_type_viewset.get_url_name("index")), name="letters-types",
                       icon_name="tag", order=500, viewset=letter_type_viewset),
        ConfigMenuItem(_("不予受理理由"), reverse(reason_viewset.get_url_name("index")), name="letters-reasons",
                       icon_name="cross", order=600, viewset=reason_viewset),
    ])
    return SubmenuMenuItem("公开信箱", menu, name="letters", icon_name="mail", order=850)


# The audit trail's actions of the mailbox (guard.audit), as the site history report names them.
LOG_ACTIONS = [
    ("letters.letter.submit", _("提交来信"), _("来信人提交了来信")),
    ("letters.letter.route", _("受理分办"), _("受理来信并分办")),
    ("letters.letter.reject", _("不予受理"), _("对来信作不予受理处理")),
    ("letters.letter.duplicate", _("标为重复来信"), _("将来信标为重复来信,合并办理")),
    ("letters.letter.spam", _("标为垃圾信件"), _("将来信标为垃圾信件")),
    ("letters.letter.assign", _("指定办理人"), _("指定了来信的办理人")),
    ("letters.letter.note", _("办理备注"), _("在来信上记录了备注")),
    ("letters.letter.transfer", _("来信转办"), _("将来信转其他单位办理")),
    ("letters.letter.return", _("退回分办"), _("将来信退回分办人")),
    ("letters.extension.request", _("申请延期"), _("申请延长来信办理期限")),
    ("letters.extension.approve", _("同意延期"), _("同意延长来信办理期限")),
    ("letters.extension.refuse", _("不同意延期"), _("不同意延长来信办理期限")),
    ("letters.reply.draft", _("拟写答复"), _("提交答复稿待领导审签")),
    ("letters.reply.reject", _("退回答复稿"), _("领导退回答复稿")),
    ("letters.reply.approve", _("审签答复"), _("领导审签同意答复")),
    ("letters.letter.publish", _("公开来信"), _("经审签公开来信(个人信息已隐去)")),
    ("letters.letter.not_publish", _("决定不公开"), _("审签时决定来信不公开")),
    ("letters.letter.publication_hold", _("暂不公开"), _("来信含筛查词,暂不公开")),
    ("letters.letter.rate", _("来信人评价"), _("来信人评价了答复")),
    ("letters.letter.remind", _("超期催办"), _("来信超过答复期限,系统催办")),
    ("letters.letter.escalate", _("督办"), _("催办后仍未答复,系统督办")),
    ("letters.calendar.create", _("新增工作日调整"), _("新增了工作日历调整")),
    ("letters.calendar.update", _("修改工作日调整"), _("修改了工作日历调整")),
    ("letters.letter.contact_view", _("查看来信人联系方式"), _("查看了来信人的姓名、电话和电子邮箱")),
    ("letters.letter.attachment_view", _("查看来信附件"), _("下载了来信人的附件")),
]


@hooks.register("register_log_actions")
def register_letter_actions(actions):
    for action, label, message in LOG_ACTIONS:
        audit.register_action(actions, action, label, message)


@hooks.register("register_log_actions")
def register_config_actions(actions):
    audit.register_action(actions, "letters.mailbox.create", _("新建信箱"), _("新建了信箱"))
    audit.register_action(actions, "letters.mailbox.update", _("修改信箱"), _("修改了信箱设置"))
    audit.register_action(actions, "letters.letter_type.create", _("新建来信类型"), _("新建了来信类型"))
    audit.register_action(actions, "letters.letter_type.update", _("修改来信类型"), _("修改了来信类型"))
    audit.register_action(actions, "letters.not_accepted_reason.create", _("新建不予受理理由"), _("新建了不予受理理由"))
    audit.register_action(actions, "letters.not_accepted_reason.update", _("修改不予受理理由"), _("修改了不予受理理由"))
    audit.register_action(actions, "letters.calendar.remove", _("删除工作日调整"), _("删除了工作日历的一条调整"))


@hooks.register(COLUMN_CONTEXT)
def interaction_column_mailboxes(*, column, request):
    """A site's 互动交流 column offers its unit's mailboxes and the mayor's."""
    if column.kind.category != ColumnCategory.INTERACTION:
        return None
    return {"mailboxes": mailboxes_for_unit(column.home.unit_id)}


@hooks.register(HOME_CONTEXT)
def home_interaction_section(*, home_page, columns, request):
    """Every site's home offers 互动交流: write a letter, the latest replies, the figures."""
    column = next((c for c in columns if c.kind.category == ColumnCategory.INTERACTION), None)
    unit_id = None if home_page.site_kind == "portal" else home_page.unit_id
    return {"interaction": dict(home_interaction(unit_id=home_page.unit_id, replies_of=unit_id), column=column,
                                template="letters/includes/home_interaction.html",
                                title=column.title if column else _("互动交流"),
                                claims=[column.pk] if column else [])}
