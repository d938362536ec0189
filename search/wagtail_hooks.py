"""The search dictionary in the admin (设置 → 搜索词典), and the audit labels."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel

from guard import audit
from orgs.adminfaces import ConfigViewSet

from . import services
from .models import Term


class TermViewSet(ConfigViewSet):
    model = Term
    unit_field = None
    icon = "search"
    menu_label = _("搜索词典")
    add_to_settings_menu = True
    list_display = ["word", "frequency", "note", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["word", "note"]
    panels = [FieldPanel(name) for name in services.TERM_FIELDS]
    save_service = staticmethod(services.term_save)
    service_fields = services.TERM_FIELDS


term_viewset = TermViewSet("search_terms", url_prefix="search/terms")


@hooks.register("register_admin_viewset")
def register_term_viewset():
    return term_viewset


@hooks.register("register_log_actions")
def register_search_actions(actions):
    audit.register_action(actions, "search.term.create", _("新增搜索词"), _("在搜索词典中新增了词语"))
    audit.register_action(actions, "search.term.edit", _("修改搜索词"), _("修改了搜索词典中的词语"))
