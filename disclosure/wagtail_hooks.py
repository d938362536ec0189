from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from guard import audit
from portal.hooks import BEFORE_PAGE_CREATE, COLUMN_CONTEXT

from . import admin_views, queries, views
from .admin_config import VIEWSETS, node_viewset, template_viewset
from .models import GovDocumentPage
from .services import index_number_assign

LOG_ACTIONS = [
    ("disclosure.index_number.allocate", _("分配索引号"), _("为政府文件分配了索引号")),
    ("disclosure.catalogue_template.create", _("新增公开目录模板"), _("在公开目录模板中新增了目录")),
    ("disclosure.catalogue_template.update", _("修改公开目录模板"), _("修改了公开目录模板")),
    ("disclosure.catalogue_node.update", _("修改网站公开目录"), _("修改了本网站的公开目录")),
    ("disclosure.annual_report.draft", _("生成年度报告草稿"), _("根据平台数据生成了政府信息公开年度报告草稿")),
    ("disclosure.application.submit", _("提交公开申请"), _("申请人提交了政府信息公开申请")),
    ("disclosure.application.clarify", _("要求补正"), _("要求申请人补正,答复期限暂停计算")),
    ("disclosure.application.clarified", _("申请人补正"), _("申请人补正了申请,答复期限继续计算")),
    ("disclosure.application.extend", _("延长答复期限"), _("延长了政府信息公开申请的答复期限")),
    ("disclosure.application.note", _("申请办理备注"), _("在政府信息公开申请上记录了备注")),
    ("disclosure.application.answer", _("答复公开申请"), _("答复了政府信息公开申请")),
    ("disclosure.application.remind", _("申请到期提醒"), _("政府信息公开申请即将到期,系统提醒")),
    ("disclosure.application.overdue", _("申请超期"), _("政府信息公开申请超过答复期限")),
    ("disclosure.application.abandon", _("视为放弃申请"), _("申请人逾期未补正,视为放弃申请")),
    ("disclosure.application.document_view", _("查看答复文件"), _("下载了政府信息公开申请的答复文件")),
]


@hooks.register("register_log_actions")
def register_disclosure_actions(actions):
    for action, label, message in LOG_ACTIONS:
        audit.register_action(actions, action, label, message)


@hooks.register(BEFORE_PAGE_CREATE)
def give_a_new_document_its_index_number(*, parent, page):
    if isinstance(page, GovDocumentPage):
        index_number_assign(page=page, parent=parent)


@hooks.register(COLUMN_CONTEXT)
def catalogue_and_application_columns(*, column, request):
    """A site's 政府信息公开 column shows the catalogue; its 依申请公开 column the way to apply."""
    code = column.kind.code
    if code == queries.CATALOGUE_KIND:
        return views.catalogue_context(column=column, request=request)
    if code == queries.APPLY_KIND:
        return views.apply_context(column=column, request=request)
    return None


@hooks.register("register_admin_urls")
def register_urls():
    return [path("disclosure/", include((admin_views.urlpatterns, "disclosure_admin"), namespace="disclosure_admin"))]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return list(VIEWSETS)


class ApplicationsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.has_application_role(request.user)


class ReaderMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views._reader(request.user)


class ConfigMenuItem(MenuItem):
    def __init__(self, *args, viewset, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewset = viewset

    def is_shown(self, request):
        return self.viewset.permission_policy.user_has_any_permission(request.user, ["change"])


@hooks.register("register_admin_menu_item")
def register_menu_item():
    menu = Menu(items=[
        ApplicationsMenuItem(_("依申请公开"), reverse("disclosure_admin:queue"), name="disclosure-applications",
                             icon_name="doc-full", order=100),
        ReaderMenuItem(_("缺少解读的政策文件"), reverse("disclosure_admin:missing_interpretations"),
                       name="disclosure-missing-interpretations", icon_name="warning", order=200),
        ReaderMenuItem(_("生成年度报告草稿"), reverse("disclosure_admin:annual_report_draft"),
                       name="disclosure-annual-report", icon_name="doc-full", order=300),
        ConfigMenuItem(_("本网站公开目录"), reverse(node_viewset.get_url_name("index")), name="disclosure-nodes",
                       icon_name="list-ul", order=400, viewset=node_viewset),
        ConfigMenuItem(_("公开目录模板"), reverse(template_viewset.get_url_name("index")), name="disclosure-template",
                       icon_name="list-ul", order=500, viewset=template_viewset),
    ])
    return SubmenuMenuItem(_("政府信息公开"), menu, name="disclosure", icon_name="doc-full", order=860)
