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

Records are not deleted from the admin unless the viewset says how
(``delete_instance``); the default refuses with a reason.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from .errors import DomainError
from .models import Membership, Role, Unit

MANAGER_ROLES = (Role.SITE_ADMIN,)


def manages_every_unit(user):
    """The portal management centre: a superuser, or a site administrator of a unit
    that sees every unit."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or Membership.objects.filter(
        user=user, role__in=MANAGER_ROLES, unit__sees_all_units=True).exists()


def managed_units(user):
    """Units whose configuration ``user`` manages."""
    if manages_every_unit(user):
        return Unit.objects.all()
    if not (user.is_authenticated and user.is_active):
        return Unit.objects.none()
    return Unit.objects.filter(memberships__user=user, memberships__role__in=MANAGER_ROLES).distinct()


def require_manager(actor, unit):
    """Services call this: ``actor`` may change the configuration of ``unit`` (None:
    of the platform as a whole, for the management centre only)."""
    from .errors import PermissionRefused

    if actor is None:  # the system itself (demo loader, migrations, commands)
        return
    if manages_every_unit(actor):
        return
    if unit is not None and managed_units(actor).filter(pk=unit.pk).exists():
        return
    raise PermissionRefused(_("您不能管理此单位的配置。") if unit is not None else _("只有门户网站管理中心可以修改此项配置。"))


class UnitScopedPolicy(BasePermissionPolicy):
    """See the module's docstring. ``unit_field`` is the lookup from a record to its
    unit ("unit", "mailbox__unit", or "pk" for units themselves); None means the
    records belong to the whole platform (only the management centre manages them)."""

    def __init__(self, model, unit_field="unit"):
        super().__init__(model)
        self.unit_field = unit_field

    def user_has_permission(self, user, action):
        if manages_every_unit(user):
            return True
        if self.unit_field is None or not (user.is_authenticated and user.is_active):
            return False
        return Membership.objects.filter(user=user, role__in=MANAGER_ROLES).exists()

    def users_with_any_permission(self, actions):
        managers = Membership.objects.filter(role__in=MANAGER_ROLES)
        if self.unit_field is None:
            managers = managers.filter(unit__sees_all_units=True)
        return get_user_model().objects.filter(
            Q(is_superuser=True) | Q(pk__in=managers.values("user_id")), is_active=True)

    def instances_user_has_any_permission_for(self, user, actions):
        records = self.model._default_manager.all()
        if manages_every_unit(user):
            return records
        if self.unit_field is None:
            return records.none()
        return records.filter(**{f"{self.unit_field}__in": managed_units(user)})

    def user_has_permission_for_instance(self, user, action, instance):
        return self.instances_user_has_any_permission_for(user, [action]).filter(pk=instance.pk).exists()


def _scoped(view, queryset):
    policy = UnitScopedPolicy(view.model, unit_field=view.viewset.unit_field)
    return queryset.filter(pk__in=policy.instances_user_has_any_permission_for(view.request.user, ["change"])
                           .values("pk"))


class ScopedIndexView(generic.IndexView):
    """The list shows only the records of units the user manages."""

    viewset = None

    def get_base_queryset(self):
        return _scoped(self, super().get_base_queryset())


class _ScopedObjectMixin:
    """A record of a unit the user does not manage answers 404, as if absent."""

    viewset = None

    def get_object(self, queryset=None):
        if getattr(self, "object", None):
            return self.object
        queryset = queryset if queryset is not None else self.model._default_manager.all()
        return super().get_object(_scoped(self, queryset))


class _ServiceFormMixin:
    viewset = None

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response


class ServiceCreateView(_ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        return self.viewset.create_instance(actor=self.request.user, data=self.form.cleaned_data, form=self.form)


class ServiceEditView(_ScopedObjectMixin, _ServiceFormMixin, generic.EditView):
    def save_instance(self):
        return self.viewset.update_instance(instance=self.object, actor=self.request.user,
                                            data=self.form.cleaned_data, form=self.form)


class ServiceDeleteView(_ScopedObjectMixin, generic.DeleteView):
    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.viewset.delete_instance(instance=self.object, actor=self.request.user)
        except DomainError as exc:
            messages.error(self.request, exc.message)
            return redirect(self.get_edit_url() if hasattr(self, "get_edit_url") else self.get_success_url())
        messages.success(self.request, self.get_success_message())
        return redirect(self.get_success_url())


class ServiceViewSet(ModelViewSet):
    """A model viewset whose writes go through services (see the module's docstring).
    Subclasses set ``model``, ``form_fields`` or ``panels``, and ``unit_field`` for
    the permission policy, and implement ``create_instance``/``update_instance``."""

    index_view_class = ScopedIndexView
    add_view_class = ServiceCreateView
    edit_view_class = ServiceEditView
    delete_view_class = ServiceDeleteView
    copy_view_enabled = False
    add_to_reference_index = False
    unit_field = "unit"

    @cached_property
    def permission_policy(self):
        return UnitScopedPolicy(self.model, unit_field=self.unit_field)

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(viewset=self, **kwargs)

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(viewset=self, **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(viewset=self, **kwargs)

    def get_delete_view_kwargs(self, **kwargs):
        return super().get_delete_view_kwargs(viewset=self, **kwargs)

    def create_instance(self, *, actor, data, form):
        raise NotImplementedError

    def update_instance(self, *, instance, actor, data, form):
        raise NotImplementedError

    def delete_instance(self, *, instance, actor):
        raise DomainError(_("此类记录不能删除:请改为停用,历史记录因此保留。"))
