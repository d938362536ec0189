from django.contrib import messages
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from guard import audit
from portal.hooks import BEFORE_PAGE_CREATE, COLUMN_CONTEXT
from portal.models import ColumnCategory

from . import admin_views
from .admin_config import VIEWSETS, life_event_viewset, phrase_viewset, theme_viewset
from .guides import GuideIncomplete, directory_context, refuse_incomplete
from .models import GovDocumentPage, ServiceGuidePage
from .services import index_number_assign


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


@hooks.register(BEFORE_PAGE_CREATE)
def give_a_new_document_its_index_number(*, parent, page):
    if isinstance(page, GovDocumentPage):
        index_number_assign(page=page, parent=parent)


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
    return list(VIEWSETS)


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
