"""What the configuration pages (column kinds, mailboxes, letter types, not-accepted
reasons, lexicons) needed beyond :mod:`orgs.adminfaces`. Kept in a module of its own
while that one is being proven in parallel; fold it in when merging.

- :class:`ServiceModelForm`: the form checks only what was typed (types, required
  fields); every rule is the service's. Django's model form would otherwise validate
  the model itself, which (a) refuses in its own words what the service may allow
  (moving the mayor's mailbox to another mailbox trips the one-mayor constraint
  before the service can move it) and (b) writes the typed values into the record
  the edit view holds, so the service would read the "after" as the "before" and
  the audit entry would show no change.
- A ``DomainError`` with ``field_errors`` shows each message beside its field and the
  whole reason in the page's error banner.
- :class:`ConfigPolicy`: no record is deleted from these pages (they are deactivated,
  so history and old letters keep their meaning), and some actions (adding a
  mailbox) stay with the management centre even where a unit's administrator may
  edit.
- :class:`ScopedHistoryView`: a record's history is shown only to those who may edit it.
- The policy is registered for the model (Wagtail 8 deprecates taking it from the
  viewset's ``permission_policy`` property, with a warning at start-up).
"""

from django.db import transaction
from django.utils.functional import cached_property
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic.history import HistoryView
from wagtail.permissions import policy_registry, register_permission_policy

from .adminfaces import ServiceCreateView, ServiceEditView, ServiceViewSet, UnitScopedPolicy, manages_every_unit
from .errors import DomainError


class ServiceModelForm(WagtailAdminModelForm):
    """A form of a configuration page: see the module's docstring."""

    def _post_clean(self):
        # No model validation and no copying into ``self.instance``: the service does both.
        pass


class ConfigPolicy(UnitScopedPolicy):
    """:class:`UnitScopedPolicy` without deleting, and with ``centre_only`` actions
    that only the management centre may take."""

    def __init__(self, model, unit_field="unit", centre_only=()):
        super().__init__(model, unit_field=unit_field)
        self.centre_only = frozenset(centre_only)

    def _refused(self, user, action):
        return action == "delete" or (action in self.centre_only and not manages_every_unit(user))

    def user_has_permission(self, user, action):
        return not self._refused(user, action) and super().user_has_permission(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        actions = [action for action in actions if not self._refused(user, action)]
        if not actions:
            return self.model._default_manager.none()
        return super().instances_user_has_any_permission_for(user, actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return not self._refused(user, action) and super().user_has_permission_for_instance(user, action, instance)


class _DomainErrorsBesideFields:
    """Replaces the pattern's form_valid: every field's message beside its field."""

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except DomainError as exc:
            placed = False
            for name, message in (exc.field_errors or {}).items():
                if name in form.fields and name not in form.errors:
                    form.add_error(name, message)
                    placed = True
            if not placed:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            self.produced_error_message = exc.message
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response


class ConfigCreateView(_DomainErrorsBesideFields, ServiceCreateView):
    pass


class ConfigEditView(_DomainErrorsBesideFields, ServiceEditView):
    pass


class ScopedHistoryView(HistoryView):
    """A record of a unit the user does not manage answers 404 here too."""

    def get_base_object_queryset(self):
        policy = policy_registry.get_by_type(self.model)
        return policy.instances_user_has_any_permission_for(self.request.user, ["change"])


class ConfigViewSet(ServiceViewSet):
    """A :class:`~orgs.adminfaces.ServiceViewSet` for a configuration record.
    Subclasses set ``model``, ``unit_field``, ``form_fields`` or ``panels``, and
    ``centre_only`` (actions only the management centre takes)."""

    add_view_class = ConfigCreateView
    edit_view_class = ConfigEditView
    history_view_class = ScopedHistoryView
    base_form_class = ServiceModelForm
    centre_only = ()

    def make_policy(self):
        return ConfigPolicy(self.model, unit_field=self.unit_field, centre_only=self.centre_only)

    def on_register(self):
        if policy_registry.get_by_type(self.model, fallback=False) is None:
            register_permission_policy(self.model, self.make_policy(), exact_class=True)
        super().on_register()

    @cached_property
    def permission_policy(self):
        return policy_registry.get_by_type(self.model)

    def get_edit_handler(self):
        panels = getattr(self, "panels", None) or [FieldPanel(name) for name in self.form_fields]
        return ObjectList(panels, base_form_class=self.base_form_class).bind_to_model(self.model)
