"""人员与角色 in the admin: the people of the units a user manages, and their roles.

A unit's site administrator creates accounts for their unit's people (with an initial
password they hand over; the person changes it in their account settings), edits
names and e-mail addresses, deactivates accounts, and grants or revokes the roles of
their unit; the management centre does so for every unit and alone grants the roles
of site administrator and supervisor (see ``orgs.services``). Accounts are not
deleted: deactivating one keeps its history and roles.

Roles granted here are the only way into a Wagtail group (``orgs.groups``).
"""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.models import ModelLogEntry

from .adminfaces import (ScopedHistoryView, ScopedIndexView, ServiceCreateView, ServiceViewSet, managed_units,
                         manages_every_unit)
from .models import Membership, Role, Unit
from .services import (CENTRE_ROLES, membership_grant, membership_revoke, person_create, person_deactivate,
                       person_update)

User = get_user_model()


def _describe(membership):
    return f"{membership.unit.short_name or membership.unit.name} · {membership.get_role_display()}"


class _PersonForm(WagtailAdminModelForm):
    """What the create and edit forms share: the person's name, and a unit with the
    roles to grant there (offered: the units the user manages; any unit is accepted
    here, so that the service, not the form, answers a unit the user cannot manage)."""

    full_name = forms.CharField(label=_("姓名"), max_length=60, help_text=_("姓在前,例如:张晓明、欧阳文静。"))
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.all(), required=False)
    roles = forms.MultipleChoiceField(label=_("授予角色"), choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # keeps ``for_user``: the person using the form
        managed = list(managed_units(self.for_user)) if self.for_user is not None else []
        self.fields["unit"].widget.choices = [("", "---------")] + [(unit.pk, unit.name) for unit in managed]
        if len(managed) == 1:
            self.fields["unit"].initial = managed[0].pk
        if not manages_every_unit(self.for_user):  # (the service refuses them too, with its reason)
            self.fields["roles"].widget.choices = [(v, label) for v, label in Role.choices if v not in CENTRE_ROLES]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("roles") and not cleaned.get("unit"):
            self.add_error("unit", _("请选择授予角色的单位。"))
        return cleaned


class PersonCreateForm(_PersonForm):
    password1 = forms.CharField(label=_("初始密码"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("请当面或经单位内部渠道告知本人,并提醒其登录后在“账号设置”中修改。"))
    password2 = forms.CharField(label=_("再次输入初始密码"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    class Meta:
        model = User
        fields = ["username", "email"]

    field_order = ["username", "full_name", "email", "password1", "password2", "unit", "roles"]

    def clean_password2(self):
        if self.cleaned_data.get("password1") != self.cleaned_data.get("password2"):
            raise forms.ValidationError(_("两次输入的密码不一致。"))
        return self.cleaned_data.get("password2")


class PersonEditForm(_PersonForm):
    keep = forms.MultipleChoiceField(label=_("现有角色"), required=False, widget=forms.CheckboxSelectMultiple,
                                     help_text=_("取消勾选即撤销该角色。"))

    class Meta:
        model = User
        fields = ["email", "is_active"]
        labels = {"is_active": _("账号有效")}
        help_texts = {"is_active": _("取消勾选即停用账号:此人不能再登录,角色和历史记录保留。")}

    field_order = ["full_name", "email", "is_active", "keep", "unit", "roles"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].initial = self.instance.get_full_name()
        self.fields["unit"].label = _("在此单位")
        managed = set(managed_units(self.for_user).values_list("pk", flat=True)) if self.for_user else set()
        memberships = list(self.instance.memberships.select_related("unit").order_by("unit__sort_order", "role"))
        self.revocable = {str(m.pk): m for m in memberships if m.unit_id in managed}
        self.fields["keep"].choices = [(pk, _describe(m)) for pk, m in self.revocable.items()]
        self.fields["keep"].initial = list(self.revocable)
        others = [_describe(m) for m in memberships if m.unit_id not in managed]
        if others:
            self.fields["keep"].help_text = _("取消勾选即撤销该角色。其他单位的角色(由门户网站管理中心管理):%(roles)s") % {
                "roles": "、".join(others)}

    def revoked(self):
        kept = set(self.cleaned_data.get("keep") or ())
        return [membership for pk, membership in self.revocable.items() if pk not in kept]


def _roles_of(person):
    return "、".join(_describe(m) for m in person.memberships.all()) or "—"


class PeopleIndexView(ScopedIndexView):
    page_title = _("人员与角色")
    add_item_label = _("新建人员")

    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("memberships__unit")


class PersonCreateView(ServiceCreateView):
    page_subtitle = _("人员")


class PersonHistoryView(ScopedHistoryView):
    """A person's history: changes of the account, and the roles granted and revoked
    (those entries are filed under the unit, naming the person)."""

    def get_base_queryset(self):
        return ModelLogEntry.objects.filter(
            Q(content_type__app_label=User._meta.app_label, content_type__model=User._meta.model_name,
              object_id=str(self.object.pk))
            | Q(action__in=["orgs.role.grant", "orgs.role.revoke"], data__user_id=self.object.pk)
        ).select_related("user", "content_type").order_by("-timestamp", "-pk")


class PeopleViewSet(ServiceViewSet):
    model = User
    unit_field = "memberships__unit"
    icon = "user"
    menu_label = _("人员与角色")
    menu_name = "people"
    menu_order = 200
    index_view_class = PeopleIndexView
    add_view_class = PersonCreateView
    history_view_class = PersonHistoryView
    ordering = ["username"]
    list_filter = ["is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]

    @property
    def list_display(self):
        return [
            "username",
            Column("full_name", label=_("姓名"), accessor=lambda person: person.get_full_name()),
            Column("roles", label=_("角色"), accessor=_roles_of),
            "email",
            StatusTagColumn("is_active", label=_("状态"), accessor=lambda p: _("有效") if p.is_active else _("已停用"),
                            primary=lambda p: p.is_active),
        ]

    def get_form_class(self, for_update=False):
        return PersonEditForm if for_update else PersonCreateForm

    def get_form_class_for(self, user, *, for_update, instance=None):
        return self.get_form_class(for_update=for_update)

    def create_instance(self, *, actor, data, form):
        return person_create(username=data["username"], password=data["password1"], full_name=data["full_name"],
                             email=data.get("email") or "", unit=data.get("unit"), roles=data.get("roles") or (),
                             actor=actor)

    def update_instance(self, *, instance, actor, data, form):
        person = person_update(person=instance, actor=actor, full_name=data["full_name"], email=data["email"] or "")
        if instance.is_active and not data["is_active"]:
            person = person_deactivate(person=person, actor=actor)
        elif not instance.is_active and data["is_active"]:
            person = person_update(person=person, actor=actor, is_active=True)
        for membership in form.revoked():
            membership_revoke(user=person, unit=membership.unit, role=membership.role, actor=actor)
        for role in data.get("roles") or ():
            if not Membership.objects.filter(user=person, unit=data["unit"], role=role).exists():
                membership_grant(user=person, unit=data["unit"], role=role, actor=actor)
        return person
