from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from . import admin_views
from guard import audit
from .admin_people import PeopleViewSet
from .adminfaces import ScopedHistoryView, ScopedUsageView
from .admin_units import UnitViewSet
from .adminusers import refuse_assigning_roles
from .models import MachineClient
from .scopes import scope_labels


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
    audit.register_action(actions, "orgs.unit.create", "创建单位", "创建了单位")
    audit.register_action(actions, "orgs.unit.update", "修改单位", "修改了单位信息")
    audit.register_action(actions, "orgs.role.grant", "授予角色", "授予了角色")
    audit.register_action(actions, "orgs.role.revoke", "撤销角色", "撤销了角色")
    audit.register_action(actions, "orgs.person.create", "新建人员", "新建了人员账号")
    audit.register_action(actions, "orgs.machine_client.create", "登记接口客户端", "登记了接口客户端")
    audit.register_action(actions, "orgs.machine_client.update", "修改接口客户端", "修改了接口客户端的名称、权限范围或有效期")
    audit.register_action(actions, "orgs.machine_client.rotate", "更换接口令牌", "更换了接口客户端的令牌")
    audit.register_action(actions, "orgs.machine_client.revoke", "吊销接口客户端", "吊销了接口客户端")
    audit.register_action(actions, "orgs.site.update", "修改网站登记", "修改了网站登记信息")
    audit.register_action(actions, "orgs.person.update", "修改人员", "修改了人员信息")
    audit.register_action(actions, "orgs.person.deactivate", "停用人员", "停用了人员账号")


@hooks.register("construct_main_menu")
def hide_help_menu(request, menu_items):
    # Wagtail's help menu leads to its English guide outside the platform; staff are
    # helped by their unit and the portal management centre instead.
    menu_items[:] = [item for item in menu_items if item.name != "help"]


register_permission_policy(MachineClient, admin_views.MachineClientPermissionPolicy(MachineClient), exact_class=True)


class MachineClientViewSet(ModelViewSet):
    """Business systems that call the open API, and their tokens: the management centre
    manages every unit's, a unit's site administrator its own unit's."""

    model = MachineClient
    icon = "key"
    menu_label = _("接口客户端")
    menu_name = "machine_clients"
    menu_order = 910
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "name",
        "unit",
        Column("scopes", label=_("权限范围"), accessor=lambda client: "、".join(scope_labels(client.scopes))),
        # The date itself: Wagtail's date column says "刚刚" for a time a year ahead.
        Column("expires_at", label=_("有效期至"), accessor=lambda client: (
            timezone.localtime(client.expires_at).strftime("%Y-%m-%d %H:%M") if client.expires_at else _("长期有效"))),
        Column("state", label=_("状态"), accessor="get_state_display"),
        DateColumn("last_used_at", label=_("最近使用")),
    ]
    list_filter = ["unit"]
    search_fields = ["name"]
    index_view_class = admin_views.MachineClientIndexView
    add_view_class = admin_views.MachineClientCreateView
    edit_view_class = admin_views.MachineClientEditView
    # Another unit's client answers 404 on its history and usage pages as on its edit page.
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView

    def get_history_view_kwargs(self, **kwargs):
        return super().get_history_view_kwargs(viewset=self, **kwargs)

    def get_usage_view_kwargs(self, **kwargs):
        return super().get_usage_view_kwargs(viewset=self, **kwargs)

    def get_form_class(self, for_update=False):
        return admin_views.MachineClientEditForm if for_update else admin_views.MachineClientCreateForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("rotate/<int:pk>/", admin_views.machine_client_rotate, name="rotate"),
            path("revoke/<int:pk>/", admin_views.machine_client_revoke, name="revoke"),
        ]


machine_client_viewset = MachineClientViewSet("machine_clients", url_prefix="machine-clients")


@hooks.register("register_admin_viewset")
def register_machine_clients():
    return machine_client_viewset


@hooks.register("register_admin_urls")
def former_api_client_pages():
    # The publish API's client pages moved here with the clients; old bookmarks land on the list.
    return [path("api-clients/", RedirectView.as_view(pattern_name="machine_clients:index"), name="api_clients_moved")]
