"""网站登记 in the admin: every site of the cluster, hosted on the platform or run
independently, with the identity items its footer shows.

The management centre lists every record, registers an independent site, creates a
hosted one and edits any record; a unit's site administrator lists their unit's
records and edits their filing numbers and contacts. Edits go through
``orgs.services.site_record_update`` (the record is orgs'); creation through the
site services, called from :func:`create_site` alone.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from orgs.adminfaces import ServiceViewSet
from orgs.authority import manages_every_unit, require_manager
from orgs.models import Hosting, SiteRecord
from orgs.services import SITE_FIELDS, SITE_OWN_FIELDS, site_record_update


def create_site(*, actor, hosting, tagline="", **fields):
    """The one place that creates sites from the admin (the site services are moving
    to ``hosting.services``: this is the line that follows them)."""
    from hosting.sites import site_create, site_register_independent

    # Those services do not check who acts (the system's loaders call them): the
    # centre alone creates sites.
    require_manager(actor, None)
    if hosting == Hosting.INDEPENDENT:
        fields.pop("colour", None)
        address = fields.pop("address", "")
        record = site_register_independent(actor=actor, **fields)
        # Registration takes no address; the record's own service adds it.
        return site_record_update(record=record, actor=actor, address=address) if address else record
    fields.pop("url", None)
    return site_create(actor=actor, tagline=tagline, **fields)


SHOWN_FIELDS = ("unit", "kind", "hosting", "hostname")
ORDER = ("unit", "kind", "hosting", "name", "hostname", "url", "site_id_code", "icp_number", "psb_number", "sponsor",
         "contact_phone", "contact_email", "address", "colour", "sort_order")


class _SiteForm(WagtailAdminModelForm):
    url = forms.URLField(label=_("独立网站地址"), required=False, assume_scheme="https",
                         help_text=_("独立建设的网站填写其地址;托管网站不填,地址由平台生成。"))


class SiteCreateForm(_SiteForm):
    tagline = forms.CharField(label=_("首页标语"), max_length=200, required=False,
                              help_text=_("只用于托管网站的首页。"))

    class Meta:
        model = SiteRecord
        fields = list(ORDER)
        help_texts = {
            "hosting": _("托管:平台建站点、首页和栏目;独立建设:只登记,纳入监测。"),
        }


def site_edit_form(record, *, centre):
    """A form showing ``record``'s items, of which the user changes those they may
    (unit, kind, hosting and host name nobody changes here: that is a migration)."""
    editable = SITE_FIELDS if centre else SITE_OWN_FIELDS
    hosted = record is None or record.hosting == Hosting.HOSTED
    shown = [name for name in ORDER if not (name == "url" and hosted)]

    class SiteEditForm(_SiteForm):
        class Meta:
            model = SiteRecord
            fields = shown

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if hosted:
                del self.fields["url"]  # the platform gives a hosted site its address
            for name in self.fields:
                if name not in editable:
                    self.fields[name].disabled = True
                    self.fields[name].required = False
                    self.fields[name].help_text = _("由门户网站管理中心修改。") if name not in SHOWN_FIELDS else _(
                        "在此不能修改:主办单位、类别、建设方式和域名的变更属于网站迁移。")

    return SiteEditForm


class SiteRecordViewSet(ServiceViewSet):
    model = SiteRecord
    unit_field = "unit"
    centre_actions = ("add",)
    icon = "site"
    menu_label = _("网站登记")
    menu_name = "site_records"
    menu_order = 860
    add_to_admin_menu = True
    list_display = ["name", "unit", "kind", "hosting", "hostname", "url", "icp_number", "psb_number", "sponsor"]
    list_filter = ["hosting", "kind", "unit"]
    search_fields = ["name", "hostname", "sponsor", "icp_number"]

    def get_form_class(self, for_update=False):
        return site_edit_form(None, centre=True) if for_update else SiteCreateForm

    def get_form_class_for(self, user, *, for_update, instance=None):
        if not for_update:
            return SiteCreateForm
        return site_edit_form(instance, centre=manages_every_unit(user))

    def create_instance(self, *, actor, data, form):
        return create_site(actor=actor, **data)

    def update_instance(self, *, instance, actor, data, form):
        changed = {name: value for name, value in data.items() if not form.fields[name].disabled}
        return site_record_update(record=instance, actor=actor, **changed)


site_record_viewset = SiteRecordViewSet("site_records", url_prefix="sites")
