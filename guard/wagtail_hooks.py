from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import LexiconTerm


class LexiconTermViewSet(SnippetViewSet):
    model = LexiconTerm
    icon = "warning"
    menu_label = _("筛查词库")
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


register_snippet(LexiconTermViewSet)


@hooks.register("register_log_actions")
def register_guard_actions(actions):
    actions.register_action("guard.lexicon.create", _("新增筛查词条"), _("新增了筛查词条"))
    actions.register_action("guard.lexicon.update", _("修改筛查词条"), _("修改了筛查词条"))
