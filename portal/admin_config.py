"""The admin page of column kinds (栏目类型): data the management centre edits, each
save through ``services.column_kind_save`` with a revision and an audit entry."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from orgs.adminfaces import ConfigViewSet, ServiceModelForm

from .models import ColumnKind, UpdatePeriod
from .services import column_kind_save

FIELDS = ("code", "name", "category", "update_period", "approval")


class ColumnKindForm(ServiceModelForm):
    """The update period starts unchosen on a new kind: a kind without one is refused
    by the service, so nobody gets "不要求" by not looking."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["update_period"]
        field.required = False
        field.choices = [("", _("请选择"))] + list(UpdatePeriod.choices)
        if self.instance.pk is None and not self.is_bound:
            self.initial["update_period"] = ""


class ColumnKindViewSet(ConfigViewSet):
    model = ColumnKind
    unit_field = None  # the platform's: the management centre only
    icon = "list-ul"
    menu_label = _("栏目类型")
    menu_name = "column_kinds"
    add_to_settings_menu = True
    list_display = ["name", "code", "category", "update_period"]
    list_filter = ["category", "update_period"]
    search_fields = ["name", "code"]
    panels = [FieldPanel(name) for name in FIELDS]
    base_form_class = ColumnKindForm
    save_service = staticmethod(column_kind_save)
    service_fields = FIELDS


column_kind_viewset = ColumnKindViewSet("column_kinds", url_prefix="column-kinds")
