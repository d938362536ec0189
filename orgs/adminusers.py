"""Wagtail's own user and group admin (Settings → Users, Groups), kept from drifting
away from memberships.

Memberships are the only source of Wagtail group membership (``orgs.groups``): roles
are granted in 人员与角色 (``orgs.admin_people``). So Wagtail's user forms show a
person's groups but do not change them, its "assign role" bulk action is refused,
and a unit's role groups (``<code>:<role>``) cannot be renamed or deleted in the
group admin (a renamed group would no longer be found by its unit; a deleted one
would take its members with it). The user and group viewsets are swapped in by
``orgs.userapp.PlatformUsersConfig``, which replaces ``wagtail.users`` in settings.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.users.forms import GroupForm, UserCreationForm, UserEditForm
from wagtail.users.views.groups import DeleteView as GroupDeleteView
from wagtail.users.views.groups import GroupViewSet
from wagtail.users.views.users import UserViewSet

from .models import Role, Unit

ROLES_NOTE = _("权限组由人员在各单位的角色决定,请在「人员与角色」中授予或撤销角色。")


def _shown_groups(form):
    """Groups as a read-only field: what the person has, changed nowhere here."""
    user = form.instance
    queryset = user.groups.order_by("name") if user.pk else Group.objects.none()
    form.fields["groups"] = forms.ModelMultipleChoiceField(
        label=_("权限组"), queryset=queryset, required=False, disabled=True, widget=forms.CheckboxSelectMultiple,
        initial=list(queryset.values_list("pk", flat=True)), help_text=ROLES_NOTE)


class PlatformUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = sorted(UserCreationForm.Meta.fields - {"groups"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _shown_groups(self)


class PlatformUserEditForm(UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = sorted(UserEditForm.Meta.fields - {"groups"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _shown_groups(self)


class PlatformUserViewSet(UserViewSet):
    def get_form_class(self, for_update=False):
        return PlatformUserEditForm if for_update else PlatformUserCreationForm


def is_role_group(group):
    code, _sep, role = (group.name or "").rpartition(":")
    return role in Role.values and Unit.objects.filter(code=code).exists()


class PlatformGroupForm(GroupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and is_role_group(self.instance):
            self.fields["name"].disabled = True
            self.fields["name"].help_text = _("单位角色的权限组:名称由单位代码和角色而来,不能修改。")


class PlatformGroupDeleteView(GroupDeleteView):
    def dispatch(self, request, *args, **kwargs):
        if is_role_group(self.object):
            messages.error(request, _("单位角色的权限组不能删除:其成员由人员的角色决定。"))
            return redirect("wagtailusers_groups:edit", self.object.pk)
        return super().dispatch(request, *args, **kwargs)


class PlatformGroupViewSet(GroupViewSet):
    delete_view_class = PlatformGroupDeleteView

    def get_form_class(self, for_update=False):
        return PlatformGroupForm


def refuse_assigning_roles(request, action_type, objects, action_class_instance):
    """The ``before_bulk_action`` hook: Wagtail's "assign role" adds users to a group
    directly, bypassing memberships."""
    if action_type == "assign_role" and action_class_instance.model is get_user_model():
        messages.error(request, str(ROLES_NOTE))
        return redirect(action_class_instance.next_url)
    return None
