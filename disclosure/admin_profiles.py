"""The admin pages of unit profiles (机构概况): the overview and duties, internal
departments, leaders and post-responsible persons, contact phones.

Thin faces on ``disclosure.profiles``: every save calls its service, which checks
who may, validates, screens and records the change. A unit's site administrators
and editors see and change their own unit's records; the management centre every
unit's (``ProfilePolicy``: orgs' unit-scoped policy with the editors let in).
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from orgs.adminfaces import ConfigViewSet, ServiceModelForm, UnitScopedPolicy, manages_every_unit
from orgs.models import Membership

from . import profiles
from .models import ContactPhone, InternalDepartment, UnitPerson, UnitProfile


class ProfilePolicy(UnitScopedPolicy):
    """As ``UnitScopedPolicy``, with a unit's editors beside its site administrators."""

    def user_has_permission(self, user, action):
        if action not in self.actions:
            return False
        if manages_every_unit(user):
            return True
        if not self._unit_admin_may(action) or not (user.is_authenticated and user.is_active):
            return False
        return Membership.objects.filter(user=user, role__in=profiles.PROFILE_ROLES).exists()

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action in self.actions]
        if not actions:
            return get_user_model().objects.none()
        people = Membership.objects.filter(role__in=profiles.PROFILE_ROLES)
        return get_user_model().objects.filter(Q(is_superuser=True) | Q(pk__in=people.values("user_id")), is_active=True)

    def instances_user_has_any_permission_for(self, user, actions):
        records = self.model._default_manager.all()
        actions = [action for action in actions if action in self.actions]
        if not actions:
            return records.none()
        if manages_every_unit(user):
            return records
        return records.filter(unit__in=profiles.profile_units(user))


class ProfileForm(ServiceModelForm):
    """The unit field offers only the units the person edits; it is fixed once saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("unit")
        if field is not None:
            field.queryset = profiles.profile_units(self.for_user) if self.for_user else field.queryset.none()
            if self.instance.pk is not None:
                field.disabled = True
        matters = self.fields.get("matters")
        if matters is not None:
            unit = self.instance.unit if self.instance.pk else None
            matters.queryset = (profiles.guides_of_unit(unit) if unit is not None else matters.queryset.none())
            matters.help_text = _("本单位已发布的办事指南;新建后保存一次即可选择。")


class _ProfileViewSet(ConfigViewSet):
    base_form_class = ProfileForm
    unit_field = "unit"
    icon = "user"
    fields = ()
    service = None
    remove = None

    @property
    def permission_policy(self):
        if "_policy" not in self.__dict__:
            actions = ("add", "change", "view") + (("delete",) if self.remove else ())
            self.__dict__["_policy"] = ProfilePolicy(self.model, unit_field="unit", actions=actions)
        return self.__dict__["_policy"]

    @property
    def panels(self):
        return [FieldPanel("unit")] + [FieldPanel(name) for name in self.fields]

    def _data(self, data):
        return {name: data.get(name) for name in self.fields}

    def create_instance(self, *, actor, data, form):
        return type(self).service(actor=actor, unit=data.get("unit"), **self._data(data))

    def update_instance(self, *, instance, actor, data, form):
        return type(self).service(actor=actor, instance=instance, **self._data(data))

    def delete_instance(self, *, instance, actor):
        return type(self).remove(instance=instance, actor=actor)


class UnitProfileViewSet(_ProfileViewSet):
    model = UnitProfile
    icon = "home"
    menu_label = _("机构概况")
    list_display = ["unit", "address", "office_hours", "updated_at"]
    search_fields = ["unit__name", "intro"]
    fields = profiles.PROFILE_FIELDS
    service = staticmethod(profiles.profile_save)


class DepartmentViewSet(_ProfileViewSet):
    model = InternalDepartment
    icon = "group"
    list_display = ["name", "unit", "phone", "sort_order"]
    list_filter = ["unit"]
    search_fields = ["name", "duties"]
    fields = profiles.DEPARTMENT_FIELDS
    service = staticmethod(profiles.department_save)
    remove = staticmethod(profiles.department_delete)


class PersonViewSet(_ProfileViewSet):
    model = UnitPerson
    icon = "user"
    list_display = ["name", "title", "kind", "unit", "sort_order"]
    list_filter = ["kind", "unit"]
    search_fields = ["name", "title", "in_charge"]
    fields = profiles.PERSON_FIELDS + ("matters",)
    service = staticmethod(profiles.person_save)
    remove = staticmethod(profiles.person_delete)


class PhoneViewSet(_ProfileViewSet):
    model = ContactPhone
    icon = "mobile-alt"
    list_display = ["name", "number", "hours", "unit", "sort_order"]
    list_filter = ["unit"]
    search_fields = ["name", "number"]
    fields = profiles.PHONE_FIELDS
    service = staticmethod(profiles.phone_save)
    remove = staticmethod(profiles.phone_delete)


profile_viewset = UnitProfileViewSet("disclosure_profiles", url_prefix="disclosure/profiles")
department_viewset = DepartmentViewSet("disclosure_departments", url_prefix="disclosure/departments")
person_viewset = PersonViewSet("disclosure_people", url_prefix="disclosure/people")
phone_viewset = PhoneViewSet("disclosure_phones", url_prefix="disclosure/phones")
VIEWSETS = (profile_viewset, department_viewset, person_viewset, phone_viewset)
