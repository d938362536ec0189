from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from orgs.adminfaces import ConfigViewSet

from . import audit
from .models import LexiconTerm
from .services import lexicon_term_save

FIELDS = ("term", "kind", "correct_form", "reason", "active", "lawful_contexts", "lawful_window")


class LexiconTermViewSet(ConfigViewSet):
    """The screening lexicon: the management centre's (see docs/decisions.md), every
    save through ``lexicon_term_save`` with a revision; a term is deactivated, never
    deleted, so what a past screening found stays explainable."""

    model = LexiconTerm
    unit_field = None
    icon = "warning"
    menu_label = _("筛查词库")
    menu_name = "lexicon"
    menu_order = 800
    add_to_admin_menu = True
    list_display = ["term", "kind", "correct_form", "reason", "lawful_contexts", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["term", "reason"]
    panels = [
        FieldPanel("term"),
        FieldPanel("kind"),
        FieldPanel("correct_form"),
        FieldPanel("reason"),
        FieldPanel("active"),
        MultiFieldPanel([FieldPanel("lawful_contexts"), FieldPanel("lawful_window")], heading=_("合法语境")),
    ]
    save_service = staticmethod(lexicon_term_save)
    service_fields = FIELDS


lexicon_viewset = LexiconTermViewSet("lexicon", url_prefix="lexicon")


@hooks.register("register_admin_viewset")
def register_lexicon():
    return lexicon_viewset


@hooks.register("register_log_actions")
def register_guard_actions(actions):
    audit.register_action(actions, "guard.lexicon.create", _("新增筛查词条"), _("新增了筛查词条"))
    audit.register_action(actions, "guard.lexicon.update", _("修改筛查词条"), _("修改了筛查词条"))
