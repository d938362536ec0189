"""The pattern of every configuration page in the admin: a Wagtail model viewset
whose saves go through the app's services, scoped to the units the user manages.

- :class:`ServiceViewSet` is a ``ModelViewSet`` whose create, edit and delete views
  call the viewset's ``create_instance``, ``update_instance`` and ``delete_instance``
  (which call the app's service with ``actor=request.user``). A ``DomainError`` from
  the service becomes an error on the form (its ``field``, or the whole form), in one
  transaction, so nothing is stored. The service writes the audit entry; the
  viewset's history view shows it.
- :class:`UnitScopedPolicy` decides who sees and changes the records: the portal
  management centre (a superuser, or a site administrator of a unit that sees every
  unit) everything; a unit's site administrator the records of their own unit
  (``unit_field``); nobody else. The service checks the same rule again: the policy
  only decides what the pages offer.

Every view of the viewset (list, create, edit, delete, history, usage) asks the
viewset's own policy and reaches only records of units the user manages (any other
answers 404). Wagtail 8 looks policies up in a registry by model; the viewset does not
register its policy there, because the same model may have other faces with other
rules (people are Wagtail's users too).

Records are not deleted from the admin unless the viewset says how (it overrides
``delete_instance``); otherwise nobody is offered deletion.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from .authority import MANAGER_ROLES, managed_units, manages_every_unit  # noqa: F401 (pages import them from here)
from .errors import DomainError
from .models import Membership

ACTIONS = ("add", "change", "delete", "view")


class UnitScopedPolicy(BasePermissionPolicy):
    """See the module's docstring. ``unit_field`` is the lookup from a record to its
    unit ("unit", "mailbox__unit", or "pk" for units themselves); None means the
    records belong to the whole platform (only the management centre manages them).

    ``centre_actions`` are the actions only the management centre may take (e.g.
    ``("add",)`` where only the centre creates records); an action not in
    ``actions`` is offered to nobody (the viewset leaves "delete" out unless it says
    how to delete)."""

    def __init__(self, model, unit_field="unit", *, centre_actions=(), actions=ACTIONS):
        super().__init__(model)
        self.unit_field = unit_field
        self.centre_actions = frozenset(centre_actions)
        self.actions = frozenset(actions)

    def _unit_admin_may(self, action):
        return action in self.actions and action not in self.centre_actions and self.unit_field is not None

    def user_has_permission(self, user, action):
        if action not in self.actions:
            return False
        if manages_every_unit(user):
            return True
        if not self._unit_admin_may(action) or not (user.is_authenticated and user.is_active):
            return False
        return Membership.objects.filter(user=user, role__in=MANAGER_ROLES).exists()

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action in self.actions]
        if not actions:
            return get_user_model().objects.none()
        managers = Membership.objects.filter(role__in=MANAGER_ROLES)
        if not any(self._unit_admin_may(action) for action in actions):
            managers = managers.filter(unit__sees_all_units=True)
        return get_user_model().objects.filter(
            Q(is_superuser=True) | Q(pk__in=managers.values("user_id")), is_active=True)

    def instances_user_has_any_permission_for(self, user, actions):
        records = self.model._default_manager.all()
        actions = [action for action in actions if action in self.actions]
        if not actions:
            return records.none()
        if manages_every_unit(user):
            return records
        if not any(self._unit_admin_may(action) for action in actions):
            return records.none()
        return records.filter(**{f"{self.unit_field}__in": managed_units(user)})

    def user_has_permission_for_instance(self, user, action, instance):
        return self.instances_user_has_any_permission_for(user, [action]).filter(pk=instance.pk).exists()

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.instances_user_has_any_permission_for(user, actions).filter(pk=instance.pk).exists()


class _ViewsetPolicy:
    """Views ask the viewset's policy (not Wagtail's registry), once per action per
    request: a list asks for every row."""

    viewset = None

    @cached_property
    def permission_policy(self):
        return self.viewset.permission_policy

    def user_has_permission(self, permission):
        answers = self.__dict__.setdefault("_permission_answers", {})
        if permission not in answers:
            answers[permission] = self.permission_policy.user_has_permission(self.request.user, permission)
        return answers[permission]


def _scoped(view, queryset):
    records = view.permission_policy.instances_user_has_any_permission_for(view.request.user, ["change"])
    return queryset.filter(pk__in=records.values("pk"))


class ScopedIndexView(_ViewsetPolicy, generic.IndexView):
    """The list shows only the records of units the user manages."""

    def get_base_queryset(self):
        return _scoped(self, super().get_base_queryset())


class _ScopedObjectMixin(_ViewsetPolicy):
    """A record of a unit the user does not manage answers 404, as if absent."""

    def get_object(self, queryset=None):
        if getattr(self, "object", None):
            return self.object
        queryset = queryset if queryset is not None else self.model._default_manager.all()
        return super().get_object(_scoped(self, queryset))


class _ServiceFormMixin:
    viewset = None

    def get_form_class(self):
        return self.viewset.get_form_class_for(self.request.user, for_update=self.for_update,
                                               instance=getattr(self, "object", None) if self.for_update else None)

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except DomainError as exc:
            placed = False
            for field, message in exc.field_errors.items():
                if field in form.fields:
                    form.add_error(field, message)
                    placed = True
            if not placed:
                form.add_error(None, exc.message)
            self.produced_error_code = exc.code
            self.produced_error_message = exc.message
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response


class ServiceCreateView(_ViewsetPolicy, _ServiceFormMixin, generic.CreateView):
    for_update = False

    def save_instance(self):
        return self.viewset.create_instance(actor=self.request.user, data=self.form.cleaned_data, form=self.form)


class ServiceEditView(_ScopedObjectMixin, _ServiceFormMixin, generic.EditView):
    for_update = True

    def save_instance(self):
        # Validating a model form has already written the posted values into the form's
        # instance (``self.object``): the service is given the record as stored, so the
        # before/after it records is the real change.
        stored = self.model._default_manager.get(pk=self.object.pk)
        return self.viewset.update_instance(instance=stored, actor=self.request.user,
                                            data=self.form.cleaned_data, form=self.form)


class ServiceDeleteView(_ScopedObjectMixin, generic.DeleteView):
    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.viewset.delete_instance(instance=self.object, actor=self.request.user)
        except DomainError as exc:
            messages.error(self.request, exc.message)
            return redirect(self.get_success_url())
        messages.success(self.request, self.get_success_message())
        return redirect(self.get_success_url())


class _ScopedObjectPageMixin(_ViewsetPolicy):
    """For views that load their record in ``setup`` (before the permission check of
    ``dispatch``): refuse the user without any permission first, as the other pages
    do, then answer 404 for a record of a unit they do not manage."""

    def setup(self, request, *args, **kwargs):
        self.request = request
        if self.any_permission_required and not self.user_has_any_permission(self.any_permission_required):
            raise PermissionDenied
        if self.permission_required and not self.user_has_permission(self.permission_required):
            raise PermissionDenied
        super().setup(request, *args, **kwargs)

    def get_base_object_queryset(self):
        return _scoped(self, super().get_base_object_queryset())


class ScopedHistoryView(_ScopedObjectPageMixin, HistoryView):
    """The audit entries of one record, for those who manage its unit."""


class ScopedUsageView(_ScopedObjectPageMixin, UsageView):
    pass


class ServiceViewSet(ModelViewSet):
    """A model viewset whose writes go through services (see the module's docstring).
    Subclasses set ``model``, ``form_fields`` or ``panels`` (or override
    ``get_form_class_for`` to give each user the fields they may change), and
    ``unit_field`` (and ``centre_actions``) for the permission policy, and implement
    ``create_instance``/``update_instance`` (and ``delete_instance`` where records
    may be deleted)."""

    index_view_class = ScopedIndexView
    add_view_class = ServiceCreateView
    edit_view_class = ServiceEditView
    delete_view_class = ServiceDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    unit_field = "unit"
    centre_actions = ()

    @property
    def deletes(self):
        """Deletion is offered only by a viewset that says how to delete."""
        return type(self).delete_instance is not ServiceViewSet.delete_instance

    @cached_property
    def permission_policy(self):
        actions = tuple(action for action in ACTIONS if action != "delete" or self.deletes)
        return UnitScopedPolicy(self.model, unit_field=self.unit_field, centre_actions=self.centre_actions,
                                actions=actions)

    def register_permissions(self):
        # Nothing to register: the policy is the viewset's own (see the module's
        # docstring), and Django's model permissions, which a group page would offer,
        # mean nothing to it.
        pass

    @cached_property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem

        viewset = self

        class ScopedMenuItem(MenuItem):
            def is_shown(self, request):
                return viewset.permission_policy.user_has_any_permission(
                    request.user, viewset.index_view_class.any_permission_required)

        return ScopedMenuItem

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(viewset=self, **kwargs)

    def get_form_class_for(self, user, *, for_update, instance=None):
        """The form ``user`` fills to create (or update ``instance``)."""
        return self.get_form_class(for_update=for_update)

    def create_instance(self, *, actor, data, form):
        raise NotImplementedError

    def update_instance(self, *, instance, actor, data, form):
        raise NotImplementedError

    def delete_instance(self, *, instance, actor):
        raise DomainError(_("此类记录不能删除:请改为停用,历史记录因此保留。"))


class ServiceModelForm(WagtailAdminModelForm):
    """The form of a configuration page checks only what was typed (types, required
    fields); every rule is the service's. Django's model form would otherwise validate
    the model itself, refusing in its own words what the service may allow (moving the
    mayor's mailbox trips the one-mayor constraint before the service can move it)."""

    def _post_clean(self):
        # No model validation and no copying into ``self.instance``: the service does both.
        pass


class ConfigViewSet(ServiceViewSet):
    """A :class:`ServiceViewSet` for a configuration record (column kinds, mailboxes,
    letter types, not-accepted reasons, lexicons): a :class:`ServiceModelForm`, and
    nothing deleted (records are deactivated, so history and old letters keep their
    meaning). Subclasses set ``model``, ``unit_field``, ``form_fields`` or ``panels``,
    and ``centre_actions`` (actions only the management centre takes)."""

    base_form_class = ServiceModelForm
    #: The one service that creates a record (no ``instance``) or changes one, called
    #: as ``save_service(actor=…, instance=…, **fields)`` with ``service_fields`` from
    #: the form; a page whose records are created and changed by two services
    #: overrides ``create_instance`` and ``update_instance`` instead.
    save_service = None
    service_fields = ()

    def _service_data(self, data):
        return {name: data.get(name) for name in self.service_fields}

    def create_instance(self, *, actor, data, form):
        return self.save_service(actor=actor, **self._service_data(data))

    def update_instance(self, *, instance, actor, data, form):
        return self.save_service(actor=actor, instance=instance, **self._service_data(data))

    def get_edit_handler(self):
        panels = getattr(self, "panels", None) or [FieldPanel(name) for name in self.form_fields]
        return ObjectList(panels, base_form_class=self.base_form_class).bind_to_model(self.model)
