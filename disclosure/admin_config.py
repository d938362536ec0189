"""The admin pages of the city's lists for matters: themes, life events and the
catch-all phrases of the completeness check. The portal management centre's alone;
every save calls ``disclosure.guides`` (check, audit entry)."""

from wagtail.admin.panels import FieldPanel

from orgs.adminfaces import ConfigViewSet

from . import guides
from .models import CatchAllPhrase, LifeEvent, Theme


class ThemeViewSet(ConfigViewSet):
    model = Theme
    unit_field = None
    icon = "folder-open-inverse"
    list_display = ["name", "code", "audience", "sort_order"]
    panels = [FieldPanel(name) for name in guides.THEME_FIELDS]
    save_service = staticmethod(guides.theme_save)
    service_fields = guides.THEME_FIELDS


class LifeEventViewSet(ConfigViewSet):
    model = LifeEvent
    unit_field = None
    icon = "calendar-alt"
    list_display = ["name", "code", "audience", "sort_order"]
    list_filter = ["audience"]
    panels = [FieldPanel(name) for name in guides.LIFE_EVENT_FIELDS]
    save_service = staticmethod(guides.life_event_save)
    service_fields = guides.LIFE_EVENT_FIELDS


class CatchAllPhraseViewSet(ConfigViewSet):
    model = CatchAllPhrase
    unit_field = None
    icon = "warning"
    list_display = ["phrase", "note", "active"]
    list_filter = ["active"]
    panels = [FieldPanel(name) for name in guides.PHRASE_FIELDS]
    save_service = staticmethod(guides.catch_all_phrase_save)
    service_fields = guides.PHRASE_FIELDS


theme_viewset = ThemeViewSet("disclosure_themes", url_prefix="disclosure/themes")
life_event_viewset = LifeEventViewSet("disclosure_life_events", url_prefix="disclosure/life-events")
phrase_viewset = CatchAllPhraseViewSet("disclosure_catch_all", url_prefix="disclosure/catch-all-phrases")
VIEWSETS = (theme_viewset, life_event_viewset, phrase_viewset)
