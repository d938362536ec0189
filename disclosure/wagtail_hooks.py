from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from guard import audit
from portal.hooks import BEFORE_PAGE_CREATE, COLUMN_CONTEXT, HOME_CONTEXT

from . import admin_submissions, home, profiles
from .admin_profiles import VIEWSETS, department_viewset, person_viewset, phone_viewset, profile_viewset
from .models import GovDocumentPage
from .services import index_number_assign


@hooks.register("register_log_actions")
def register_disclosure_actions(actions):
    audit.register_action(actions, "disclosure.index_number.allocate", _("分配索引号"), _("为政府文件分配了索引号"))


# The audit trail's actions of unit profiles (机构概况).
PROFILE_LOG_ACTIONS = [
    ("disclosure.profile.create", _("建立机构概况"), _("建立了单位的机构概况")),
    ("disclosure.profile.update", _("修改机构概况"), _("修改了单位的机构概况或职责")),
    ("disclosure.department.create", _("新增内设机构"), _("新增了内设机构")),
    ("disclosure.department.update", _("修改内设机构"), _("修改了内设机构")),
    ("disclosure.department.delete", _("删除内设机构"), _("删除了内设机构")),
    ("disclosure.person.create", _("新增领导或岗位负责人"), _("新增了领导或岗位负责人")),
    ("disclosure.person.update", _("修改领导或岗位负责人"), _("修改了领导或岗位负责人的信息")),
    ("disclosure.person.delete", _("删除领导或岗位负责人"), _("删除了领导或岗位负责人")),
    ("disclosure.phone.create", _("新增联系电话"), _("新增了联系电话")),
    ("disclosure.phone.update", _("修改联系电话"), _("修改了联系电话")),
    ("disclosure.phone.delete", _("删除联系电话"), _("删除了联系电话")),
]


@hooks.register("register_log_actions")
def register_profile_actions(actions):
    for action, label, message in PROFILE_LOG_ACTIONS:
        audit.register_action(actions, action, label, message)


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


@hooks.register("register_admin_viewset")
def register_profile_viewsets():
    return list(VIEWSETS)


class ProfileMenuItem(MenuItem):
    def is_shown(self, request):
        return profiles.may_edit_profiles(request.user)


@hooks.register("register_admin_menu_item")
def register_profile_menu():
    menu = Menu(items=[
        ProfileMenuItem(_("机构概况与职责"), reverse(profile_viewset.get_url_name("index")), name="profile-overview",
                        icon_name="home", order=100),
        ProfileMenuItem(_("领导和岗位负责人"), reverse(person_viewset.get_url_name("index")), name="profile-people",
                        icon_name="user", order=200),
        ProfileMenuItem(_("内设机构"), reverse(department_viewset.get_url_name("index")), name="profile-departments",
                        icon_name="group", order=300),
        ProfileMenuItem(_("联系电话"), reverse(phone_viewset.get_url_name("index")), name="profile-phones",
                        icon_name="mobile-alt", order=400),
    ])
    return SubmenuMenuItem(_("机构概况"), menu, name="unit-profile", icon_name="home", order=820)


@hooks.register(COLUMN_CONTEXT)
def overview_column_profile(*, column, request):
    """A site's overview column leads with its unit's profile and its sections."""
    return home.overview_column_context(column=column)


@hooks.register(HOME_CONTEXT)
def home_sections(*, home_page, columns, request):
    """政务公开, 办事服务 and 机构概况 on every site's home page."""
    return home.home_sections(home_page=home_page, columns=columns)
