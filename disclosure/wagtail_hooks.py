from django.contrib import messages
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from guard import audit
from portal.hooks import BEFORE_PAGE_CREATE, COLUMN_CONTEXT, HOME_CONTEXT, IMAGE_IS_PUBLIC
from portal.models import ColumnCategory

from . import admin_catalogue, admin_submissions, admin_views, home, profiles, queries, views
from .admin_catalogue_config import VIEWSETS as CATALOGUE_VIEWSETS
from .admin_catalogue_config import node_viewset, template_viewset
from .admin_config import VIEWSETS as GUIDE_CONFIG_VIEWSETS
from .admin_config import life_event_viewset, phrase_viewset, theme_viewset
from .admin_profiles import VIEWSETS, department_viewset, person_viewset, phone_viewset, profile_viewset
from .guides import GuideIncomplete, directory_context, refuse_incomplete, submission_refusal
from .models import GovDocumentPage, ServiceGuidePage
from .services import document_copy_renumber, index_number_assign


@hooks.register("register_log_actions")
def register_disclosure_actions(actions):
    audit.register_action(actions, "disclosure.index_number.allocate", _("分配索引号"), _("为政府文件分配了索引号"))
    audit.register_action(actions, "disclosure.theme.create", _("新增办事主题"), _("新增了办事主题"))
    audit.register_action(actions, "disclosure.theme.update", _("修改办事主题"), _("修改了办事主题"))
    audit.register_action(actions, "disclosure.life_event.create", _("新增人生事件"), _("新增了人生事件"))
    audit.register_action(actions, "disclosure.life_event.update", _("修改人生事件"), _("修改了人生事件"))
    audit.register_action(actions, "disclosure.catch_all_phrase.create", _("新增兜底性表述"),
                          _("新增了办事指南检查的兜底性表述"))
    audit.register_action(actions, "disclosure.catch_all_phrase.update", _("修改兜底性表述"),
                          _("修改了办事指南检查的兜底性表述"))


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


@hooks.register("after_copy_page")
def give_a_copied_document_its_own_index_number(request, page, new_page):
    """The admin's 复制 does not pass the create hook above: the copy would carry the
    original's 索引号."""
    new_page = new_page.specific
    if isinstance(new_page, GovDocumentPage):
        document_copy_renumber(page=new_page)
    return None


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
    return SubmenuMenuItem("网上预受理", menu, name="online-applications", icon_name="form", order=870)


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


@hooks.register(IMAGE_IS_PUBLIC)
def a_leaders_photo_is_public(*, image):
    """A leader's or post-responsible person's photo shows on the public 领导信息 page
    (profiles are published when saved)."""
    return profiles.photo_is_shown(image)


@hooks.register(HOME_CONTEXT)
def home_sections(*, home_page, columns, request):
    """政务公开, 办事服务 and 机构概况 on every site's home page."""
    return home.home_sections(home_page=home_page, columns=columns)


SUBMIT_ACTIONS = ("action-submit", "action-restart-workflow")


def _submits_an_incomplete_guide(request, candidate, parent):
    """The guide as the posted form would save it, when the form asks to send it for
    review: the message naming what it lacks, or None (not a submission, not a guide,
    complete, or a form with errors of its own, which the view shows)."""
    if request.method != "POST" or not any(request.POST.get(a) for a in SUBMIT_ACTIONS):
        return None
    form_class = type(candidate).get_edit_handler().get_form_class()
    form = form_class(request.POST, request.FILES, instance=candidate, parent_page=parent, for_user=request.user)
    if not form.is_valid():
        return None
    return submission_refusal(form.save(commit=False))


def _save_instead_of_submitting(request, message):
    """Let the editor's view go on as a plain save: the draft is kept, nothing goes to
    the reviewers (no workflow is started, no one is notified)."""
    data = request.POST.copy()
    for action in SUBMIT_ACTIONS:
        data.pop(action, None)
    data._mutable = False
    request.POST = data
    request.guide_not_submitted = message


@hooks.register("after_edit_page")
@hooks.register("after_create_page")
def say_the_guide_was_saved_not_submitted(request, page):
    """After the plain save above: the view's own "updated"/"created" message would
    contradict the refusal; the person reads one message, saying both."""
    message = getattr(request, "guide_not_submitted", None)
    if message:
        storage = messages.get_messages(request)
        storage._queued_messages = [m for m in storage._queued_messages if m.level != messages.SUCCESS]
        messages.error(request, message)
    return None


@hooks.register("before_edit_page")
def submit_only_a_complete_guide(request, page):
    """Sending a guide for review is refused while it lacks any of the ten elements:
    the reviewers would only be able to send it back (their last approval is refused
    as well, ``before_publish_page`` below)."""
    if not issubclass(page.specific_class or type(page), ServiceGuidePage):
        return None
    candidate = page.specific.get_latest_revision_as_object()
    message = _submits_an_incomplete_guide(request, candidate, page.get_parent())
    if message:
        _save_instead_of_submitting(request, message)
    return None


@hooks.register("before_create_page")
def submit_only_a_complete_new_guide(request, parent_page, page_class):
    if not issubclass(page_class, ServiceGuidePage):
        return None
    message = _submits_an_incomplete_guide(request, page_class(), parent_page)
    if message:
        _save_instead_of_submitting(request, message)
    return None


@hooks.register("before_publish_page")
def refuse_to_publish_an_incomplete_guide(request, page):
    """The editor's publish button (create and edit views) runs Wagtail's publish
    action without the page's ``publish()``: the same rule here. The draft the view
    has just saved stays, with its flags in the editor."""
    if not isinstance(page, ServiceGuidePage):
        return None
    try:
        refuse_incomplete(page)
    except GuideIncomplete as exc:
        messages.error(request, exc.message)
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register(COLUMN_CONTEXT)
def services_column_directory(*, column, request):
    """A 办事服务 column lists matters: its unit's on a unit's site, the whole city's on
    the portal, with filters by audience, theme, life event (and unit on the portal)
    and a search by name."""
    if column.kind.category != ColumnCategory.SERVICES:
        return None
    context = directory_context(home=column.home, params=request.GET, page_number=request.GET.get("page"))
    context["column_body_template"] = "disclosure/includes/services_directory.html"
    return context


@hooks.register("register_admin_urls")
def register_urls():
    return [path("disclosure/", include((admin_views.urlpatterns, "disclosure_admin"), namespace="disclosure_admin"))]


@hooks.register("register_admin_viewset")
def register_config_viewsets():
    return list(GUIDE_CONFIG_VIEWSETS)


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_see_report(request.user)


class ConfigMenuItem(MenuItem):
    def __init__(self, *args, viewset, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewset = viewset

    def is_shown(self, request):
        return self.viewset.permission_policy.user_has_any_permission(request.user, ["add", "change"])


@hooks.register("register_reports_menu_item")
def register_report_menu_item():
    return ReportMenuItem(_("办事指南检查"), reverse("disclosure_admin:guide_report"), name="guide-report",
                          icon_name="doc-full", order=300)


@hooks.register("register_settings_menu_item")
def register_theme_menu_item():
    return ConfigMenuItem(_("办事主题"), reverse(theme_viewset.get_url_name("index")), name="guide-themes",
                          icon_name="folder-open-inverse", order=610, viewset=theme_viewset)


@hooks.register("register_settings_menu_item")
def register_life_event_menu_item():
    return ConfigMenuItem(_("人生事件"), reverse(life_event_viewset.get_url_name("index")), name="guide-life-events",
                          icon_name="calendar-alt", order=611, viewset=life_event_viewset)


@hooks.register("register_settings_menu_item")
def register_phrase_menu_item():
    return ConfigMenuItem(_("兜底性表述"), reverse(phrase_viewset.get_url_name("index")), name="guide-catch-all",
                          icon_name="warning", order=612, viewset=phrase_viewset)


# --- The catalogue (政府信息公开) and applications for disclosure (依申请公开) ----------------------

CATALOGUE_LOG_ACTIONS = [
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
def register_catalogue_actions(actions):
    for action, label, message in CATALOGUE_LOG_ACTIONS:
        audit.register_action(actions, action, label, message)


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
def register_catalogue_urls():
    return [path("xxgk/", include((admin_catalogue.urlpatterns, "disclosure_xxgk"), namespace="disclosure_xxgk"))]


@hooks.register("register_admin_viewset")
def register_catalogue_viewsets():
    return list(CATALOGUE_VIEWSETS)


class DisclosureApplicationsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_catalogue.has_application_role(request.user)


class CatalogueReaderMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_catalogue._reader(request.user)


class CatalogueConfigMenuItem(MenuItem):
    def __init__(self, *args, viewset, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewset = viewset

    def is_shown(self, request):
        return self.viewset.permission_policy.user_has_any_permission(request.user, ["change"])


@hooks.register("register_admin_menu_item")
def register_catalogue_menu():
    menu = Menu(items=[
        DisclosureApplicationsMenuItem(_("依申请公开"), reverse("disclosure_xxgk:queue"), name="disclosure-applications",
                                       icon_name="doc-full", order=100),
        CatalogueReaderMenuItem(_("缺少解读的政策文件"), reverse("disclosure_xxgk:missing_interpretations"),
                                name="disclosure-missing-interpretations", icon_name="warning", order=200),
        CatalogueReaderMenuItem(_("生成年度报告草稿"), reverse("disclosure_xxgk:annual_report_draft"),
                                name="disclosure-annual-report", icon_name="doc-full", order=300),
        CatalogueConfigMenuItem(_("本网站公开目录"), reverse(node_viewset.get_url_name("index")), name="disclosure-nodes",
                                icon_name="list-ul", order=400, viewset=node_viewset),
        CatalogueConfigMenuItem(_("公开目录模板"), reverse(template_viewset.get_url_name("index")),
                                name="disclosure-template", icon_name="list-ul", order=500, viewset=template_viewset),
    ])
    return SubmenuMenuItem(_("政府信息公开"), menu, name="disclosure", icon_name="doc-full", order=860)
