from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import LexiconTerm


class LexiconTermViewSet(SnippetViewSet):
    model = LexiconTerm
    icon = "warning"
    menu_label = "筛查词库"
    menu_order = 800
    add_to_admin_menu = True
    list_display = ["term", "kind", "correct_form", "reason", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["term", "reason"]


register_snippet(LexiconTermViewSet)
