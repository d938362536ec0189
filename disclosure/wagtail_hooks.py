from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from guard import audit
from portal.hooks import BEFORE_PAGE_CREATE

from . import admin_submissions
from .models import GovDocumentPage
from .services import index_number_assign


@hooks.register("register_log_actions")
def register_disclosure_actions(actions):
    audit.register_action(actions, "disclosure.index_number.allocate", _("分配索引号"), _("为政府文件分配了索引号"))


@hooks.register(BEFORE_PAGE_CREATE)
def give_a_new_document_its_index_number(*, parent, page):
    if isinstance(page, GovDocumentPage):
        index_number_assign(page=page, parent=parent)


# --- Online forms and pre-acceptance (网上填表预受理) ---------------------------------------------

APPLICATION_ACTIONS = [
    ("disclosure.submission.submit", _("网上提交办事申请"), _("申请人网上提交了办事申请")),
    ("disclosure.submission.resubmit", _("补正后重新提交"), _("申请人补正后重新提交了办事申请")),
    ("disclosure.submission.ask_correction", _("要求补正"), _("要求申请人补正办事申请")),
    ("disclosure.submission.pre_accept", _("预受理"), _("预受理了办事申请")),
    ("disclosure.submission.not_accept", _("不予受理办事申请"), _("对办事申请作不予受理处理")),
    ("disclosure.submission.complete", _("办结"), _("将办事申请标记为办结")),
    ("disclosure.submission.warn", _("即将到期提醒"), _("办事申请即将到期,系统提醒")),
    ("disclosure.submission.remind", _("超期催办"), _("办事申请超过答复期限,系统催办")),
    ("disclosure.submission.material_view", _("下载申请材料"), _("下载了申请人上传的材料")),
    ("disclosure.answer_limit.create", _("新建预受理答复时限"), _("新建了预受理答复时限")),
    ("disclosure.answer_limit.update", _("修改预受理答复时限"), _("修改了预受理答复时限")),
]


@hooks.register("register_log_actions")
def register_application_actions(actions):
    for action, label, message in APPLICATION_ACTIONS:
        audit.register_action(actions, action, label, message)


@hooks.register("register_admin_urls")
def register_application_urls():
    return [path("banshi/", include((admin_submissions.urlpatterns, "disclosure_submissions"),
                                    namespace="disclosure_submissions"))]


@hooks.register("register_admin_viewset")
def register_answer_limit_viewset():
    return admin_submissions.answer_limit_viewset


class SubmissionsMenuItem(MenuItem):
    """Shown to the units' reviewers and leaders, the management centre and supervisors."""

    def is_shown(self, request):
        return admin_submissions.has_access(request.user)


class AnswerLimitMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_submissions.answer_limit_viewset.permission_policy.user_has_any_permission(
            request.user, ["add", "change"])


@hooks.register("register_admin_menu_item")
def register_applications_menu():
    menu = Menu(items=[
        SubmissionsMenuItem("申请队列", reverse("disclosure_submissions:queue"), name="submissions-queue",
                             icon_name="form", order=100),
        AnswerLimitMenuItem(_("预受理答复时限"), reverse(admin_submissions.answer_limit_viewset.get_url_name("index")),
                            name="applications-answer-limits", icon_name="time", order=200),
    ])
    return SubmenuMenuItem("网上预受理", menu, name="online-applications", icon_name="form", order=860)
