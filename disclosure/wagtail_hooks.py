from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from guard import audit
from portal.hooks import BEFORE_PAGE_CREATE, COLUMN_CONTEXT, HOME_CONTEXT

from . import home, profiles
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
