"""The admin pages of the mailbox's configuration: mailboxes, letter types and
not-accepted reasons. Thin faces: every save calls ``letters.configuration``, which
checks who may, validates and records the change (each page's history lists it).

Mailboxes belong to units: the management centre sees and changes every mailbox and
opens new ones; a unit's site administrator sees their unit's mailboxes and changes
only their public text (the other fields are shown, not editable). Letter types and
reasons are the platform's: the management centre's alone.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from orgs.adminfaces import ConfigViewSet, ServiceModelForm, manages_every_unit

from . import configuration
from .models import LetterType, Mailbox, NotAcceptedReason


def _data(data, fields):
    return {name: data.get(name) for name in fields}


# --- Mailboxes ------------------------------------------------------------------------------

class MailboxForm(ServiceModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service says why a mailbox needs a unit, beside the field.
        self.fields["unit"].required = False
        if not (self.for_user and manages_every_unit(self.for_user)):
            for name, field in self.fields.items():
                if name not in configuration.UNIT_MAILBOX_FIELDS:
                    field.disabled = True
                    field.help_text = _("由门户网站管理中心设置。")


class MailboxViewSet(ConfigViewSet):
    model = Mailbox
    unit_field = "unit"
    centre_actions = ("add",)
    icon = "mail"
    list_display = ["name", "unit", "code", "email", "is_mayor", "active"]
    list_filter = ["is_mayor", "active"]
    search_fields = ["name", "code", "email"]
    panels = [FieldPanel(name) for name in configuration.MAILBOX_FIELDS]
    base_form_class = MailboxForm

    def create_instance(self, *, actor, data, form):
        return configuration.mailbox_create(actor=actor, **_data(data, configuration.MAILBOX_FIELDS))

    def update_instance(self, *, instance, actor, data, form):
        return configuration.mailbox_update(mailbox=instance, actor=actor, **_data(data, configuration.MAILBOX_FIELDS))


# --- Letter types and not-accepted reasons -------------------------------------------------------

class FixedCodeForm(ServiceModelForm):
    """Letters, the API and the e-mail intake name these records by code: it is
    typed once, when the record is created."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["code"].disabled = True


class LetterTypeViewSet(ConfigViewSet):
    model = LetterType
    unit_field = None
    icon = "tag"
    list_display = ["name", "code", "time_limit", "active"]
    list_filter = ["active"]
    panels = [FieldPanel(name) for name in configuration.LETTER_TYPE_FIELDS]
    base_form_class = FixedCodeForm
    save_service = staticmethod(configuration.letter_type_save)
    service_fields = configuration.LETTER_TYPE_FIELDS


class NotAcceptedReasonViewSet(ConfigViewSet):
    model = NotAcceptedReason
    unit_field = None
    icon = "cross"
    list_display = ["label", "code", "active", "sort_order"]
    list_filter = ["active"]
    panels = [FieldPanel(name) for name in configuration.REASON_FIELDS]
    base_form_class = FixedCodeForm
    save_service = staticmethod(configuration.not_accepted_reason_save)
    service_fields = configuration.REASON_FIELDS


mailbox_viewset = MailboxViewSet("letters_mailboxes", url_prefix="letters/mailboxes")
letter_type_viewset = LetterTypeViewSet("letters_letter_types", url_prefix="letters/letter-types")
reason_viewset = NotAcceptedReasonViewSet("letters_not_accepted_reasons", url_prefix="letters/not-accepted-reasons")
VIEWSETS = (mailbox_viewset, letter_type_viewset, reason_viewset)
