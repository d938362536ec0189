"""The admin pages of the catalogue's configuration: the management centre's
template of the statutory content, and each site's own tree (its site
administrator adapts names, filing rules and the unit's own columns). Thin faces:
every save calls ``disclosure.catalogue``, which checks who may, validates and
records the change."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from orgs.adminfaces import ConfigViewSet, ServiceModelForm
from orgs.errors import DomainError
from portal.models import ColumnPage

from . import catalogue
from .models import CatalogueNode, CatalogueTemplateNode

TEMPLATE_FIELDS = ("code", "title", "parent_code", "categories", "doc_types", "sort_order", "active")
NODE_FIELDS = ("title", "categories", "doc_types", "columns", "sort_order", "active")


class TemplateNodeForm(ServiceModelForm):
    """Sites' trees follow the template by code: it is typed once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["code"].disabled = True


class TemplateNodeViewSet(ConfigViewSet):
    model = CatalogueTemplateNode
    unit_field = None
    icon = "list-ul"
    menu_label = _("公开目录模板")
    list_display = ["title", "code", "parent_code", "categories", "doc_types", "sort_order", "active"]
    list_filter = ["active"]
    panels = [FieldPanel(name) for name in TEMPLATE_FIELDS]
    base_form_class = TemplateNodeForm
    save_service = staticmethod(catalogue.template_node_save)
    service_fields = TEMPLATE_FIELDS


class NodeForm(ServiceModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        home = getattr(self.instance, "home", None) if self.instance.pk else None
        columns = ColumnPage.objects.descendant_of(home) if home is not None else ColumnPage.objects.none()
        self.fields["columns"].queryset = columns.order_by("path")


class NodeViewSet(ConfigViewSet):
    model = CatalogueNode
    unit_field = "unit"
    centre_actions = ("add",)
    icon = "list-ul"
    menu_label = _("本网站公开目录")
    list_display = ["title", "code", "unit", "categories", "doc_types", "sort_order", "active"]
    list_filter = ["active"]
    search_fields = ["title", "code"]
    panels = [FieldPanel(name) for name in NODE_FIELDS]
    base_form_class = NodeForm

    def create_instance(self, *, actor, data, form):
        raise DomainError(_("网站的公开目录由公开目录模板生成;请在模板中新增目录,再为网站补建。"))

    def update_instance(self, *, instance, actor, data, form):
        return catalogue.catalogue_node_save(actor=actor, instance=instance,
                                             **{name: data.get(name) for name in NODE_FIELDS})


template_viewset = TemplateNodeViewSet("disclosure_catalogue_template", url_prefix="disclosure/catalogue-template")
node_viewset = NodeViewSet("disclosure_catalogue_nodes", url_prefix="disclosure/catalogue-nodes")
VIEWSETS = (template_viewset, node_viewset)
