from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from .admin_people import PeopleViewSet
from .admin_units import UnitViewSet
from .adminusers import refuse_assigning_roles


class OrgsViewSetGroup(ViewSetGroup):
    """单位与人员: shown to the management centre and to units' site administrators."""

    menu_label = _("单位与人员")
    menu_icon = "group"
    menu_order = 850
    items = (UnitViewSet("units", url_prefix="units"), PeopleViewSet("people", url_prefix="people"))


@hooks.register("register_admin_viewset")
def register_orgs_viewsets():
    return OrgsViewSetGroup()


hooks.register("before_bulk_action", refuse_assigning_roles)


@hooks.register("register_log_actions")
def register_org_actions(actions):
    actions.register_action("orgs.unit.create", "创建单位", "创建了单位")
    actions.register_action("orgs.unit.update", "修改单位", "修改了单位信息")
    actions.register_action("orgs.role.grant", "授予角色", "授予了角色")
    actions.register_action("orgs.role.revoke", "撤销角色", "撤销了角色")
    actions.register_action("orgs.site.register", "登记网站", "登记了网站")
    actions.register_action("orgs.site.update", "修改网站登记", "修改了网站登记信息")
    actions.register_action("orgs.person.create", "新建人员", "新建了人员账号")
    actions.register_action("orgs.person.update", "修改人员", "修改了人员信息")
    actions.register_action("orgs.person.deactivate", "停用人员", "停用了人员账号")


@hooks.register("construct_main_menu")
def hide_help_menu(request, menu_items):
    # Wagtail's help menu leads to its English guide outside the platform; staff are
    # helped by their unit and the portal management centre instead.
    menu_items[:] = [item for item in menu_items if item.name != "help"]
