"""单位 in the admin: the management centre lists, creates and edits every unit; a
unit's site administrator sees their own unit and edits its short name and contacts.

Units are not deleted (documents, pages, letters and the audit trail refer to them);
the code, which names the unit's permission groups, is fixed once created. Every save
goes through ``orgs.services`` (``unit_create``/``unit_update``), which checks the
same rules again and records the change; the history page lists those entries.
"""

from django.db.models import Case, IntegerField, Value, When
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import BooleanColumn
from django.utils.translation import gettext_lazy as _

from .adminfaces import ScopedIndexView, ServiceViewSet, manages_every_unit
from .models import Unit
from .services import UNIT_FIELDS, UNIT_OWN_FIELDS, unit_create, unit_update

CREATE_FIELDS = ("name", "short_name", "code", "kind", "sector", "parent", "credit_code", "leader_name",
                 "leader_title", "staff_name", "staff_phone", "sees_all_units", "sort_order")


def unit_form(fields, fixed=()):
    """A form of ``fields``; ``fixed`` ones are shown but not changed."""
    names = [name for name in CREATE_FIELDS if name in fixed or name in fields]

    class UnitForm(WagtailAdminModelForm):
        class Meta:
            model = Unit
            fields = names

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name in fixed:
                self.fields[name].disabled = True
                self.fields[name].required = False
                self.fields[name].help_text = _("由门户网站管理中心修改。") if name != "code" else _("创建后不能修改。")

    return UnitForm


def tree_order():
    """Every unit's primary key, each parent followed by its children (by sort order)."""
    children = {}
    for pk, parent_id in Unit.objects.order_by("sort_order", "id").values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    order, stack = [], list(reversed(children.get(None, [])))
    while stack:
        pk = stack.pop()
        order.append(pk)
        stack.extend(reversed(children.get(pk, [])))
    return order


class UnitIndexView(ScopedIndexView):
    """Units in the order of their tree: a parent, then its children."""

    default_ordering = "tree_position"

    def get_base_queryset(self):
        order = tree_order()
        position = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(order)], default=Value(len(order)),
                        output_field=IntegerField())
        return super().get_base_queryset().select_related("parent").annotate(tree_position=position)


class UnitViewSet(ServiceViewSet):
    model = Unit
    unit_field = "pk"
    centre_actions = ("add",)
    icon = "group"
    menu_label = _("单位")
    menu_name = "units"
    menu_order = 100
    index_view_class = UnitIndexView
    list_display = ["name", "short_name", "code", "kind", "parent", BooleanColumn("sees_all_units", label=_("可查看全部单位"))]
    list_filter = ["kind", "sees_all_units"]
    search_fields = ["name", "short_name", "code"]
    form_fields = CREATE_FIELDS

    def get_form_class_for(self, user, *, for_update, instance=None):
        if not for_update:
            return unit_form(CREATE_FIELDS)
        if manages_every_unit(user):
            return unit_form([name for name in CREATE_FIELDS if name in UNIT_FIELDS], fixed=("code",))
        return unit_form(UNIT_OWN_FIELDS, fixed=("name", "code", "kind", "parent"))

    def create_instance(self, *, actor, data, form):
        return unit_create(actor=actor, **data)

    def update_instance(self, *, instance, actor, data, form):
        changed = {name: value for name, value in data.items() if not form.fields[name].disabled}
        return unit_update(unit=instance, actor=actor, **changed)
