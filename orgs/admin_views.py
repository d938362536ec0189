"""The admin face of machine clients: list, register (the token shown once), edit the
name, scopes and expiry, rotate the token, revoke. Every save goes through
``orgs.clients``; who sees which client is ``orgs.authority.machine_clients_managed_by``.

Apps add their own pages for a client (the publish API's columns) through the
``register_machine_client_links`` hook: ``fn(request, client)`` returns
``[(label, url), …]``, shown on the client's edit page and in the listing's menu.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.widgets import AdminDateTimeInput, Button
from wagtail.permission_policies.base import BasePermissionPolicy

from . import authority, clients
from . import scopes as scope_registry
from .errors import DomainError
from .models import MachineClient

LINKS_HOOK = "register_machine_client_links"
GRACE_CHOICES = [(0, gettext_lazy("立即失效")), (1, gettext_lazy("1小时后失效")), (24, gettext_lazy("24小时后失效")),
                 (clients.MAX_GRACE_HOURS, gettext_lazy("72小时后失效"))]


class MachineClientPermissionPolicy(BasePermissionPolicy):
    """The management centre manages every client; a unit's site administrator its own
    unit's. Nobody deletes one (the register points at it): it is revoked instead."""

    ACTIONS = {"add", "change", "view"}

    @staticmethod
    def _unit_ids(user):
        # Asked for every row of a listing and every menu item: once per request's user.
        if not hasattr(user, "_machine_client_unit_ids"):
            user._machine_client_unit_ids = set(authority.managed_units(user).values_list("pk", flat=True))
        return user._machine_client_unit_ids

    def user_has_permission(self, user, action):
        return action in self.ACTIONS and bool(self._unit_ids(user))

    def user_has_permission_for_instance(self, user, action, instance):
        return action in self.ACTIONS and instance.unit_id in self._unit_ids(user)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.ACTIONS & set(actions):
            return MachineClient.objects.none()
        return authority.machine_clients_managed_by(user)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model
        from django.db.models import Q

        if not self.ACTIONS & set(actions):
            return get_user_model().objects.none()
        return get_user_model().objects.filter(
            Q(is_superuser=True) | Q(memberships__role="site_admin"), is_active=True
        ).distinct()


def extra_links(request, client):
    links = []
    for fn in hooks.get_hooks(LINKS_HOOK):
        links.extend(fn(request, client) or [])
    return links


def client_buttons(request, client):
    """Rotate and revoke (while the client stands), and the links other apps add: in
    the list's row and on the client's page alike."""
    buttons = []
    if client.revoked_at is None:
        buttons.append(Button(_("更换令牌"), url=reverse("machine_clients:rotate", args=[client.pk]),
                              icon_name="key", priority=40))
        buttons.append(Button(_("吊销"), url=reverse("machine_clients:revoke", args=[client.pk]),
                              icon_name="cross", priority=50))
    buttons += [Button(label, url=url, icon_name="link", priority=60) for label, url in extra_links(request, client)]
    return buttons


def _aware(value):
    return timezone.make_aware(value) if value is not None and timezone.is_naive(value) else value


class ClientFields(forms.Form):
    name = forms.CharField(label=gettext_lazy("系统名称"), max_length=100,
                           help_text=gettext_lazy("例如:东区公文交换系统、12345热线转办系统。"))
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("权限范围"), widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("令牌只能调用这里选中的接口。"),
    )
    expires_at = forms.DateTimeField(
        label=gettext_lazy("有效期至"), required=False, widget=AdminDateTimeInput,
        help_text=gettext_lazy("到期后令牌一律被拒绝;留空为长期有效(不建议)。"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.pop("instance", None)
        kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = scope_registry.scope_choices()

    def service_error(self, exc):
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class MachineClientCreateForm(ClientFields):
    unit = forms.ModelChoiceField(queryset=None, label=gettext_lazy("单位"))
    field_order = ["unit", "name", "scopes", "expires_at"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = authority.managed_units(user).order_by("sort_order", "id")
        if not self.is_bound:
            self.initial.setdefault("expires_at", timezone.localtime(clients.default_expiry()).replace(second=0,
                                                                                                       microsecond=0))


class MachineClientEditForm(ClientFields):
    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        if instance is not None and not self.is_bound:
            self.initial.update(name=instance.name, scopes=list(instance.scopes),
                                expires_at=timezone.localtime(instance.expires_at) if instance.expires_at else None)


def _token_page(request, client, token, heading):
    """The one time a token is shown: only its HMAC is kept."""
    return TemplateResponse(request, "orgs/machine_client_token.html", {
        "client": client, "token": token, "heading": heading, "index_url": reverse("machine_clients:index"),
        "edit_url": reverse("machine_clients:edit", args=[client.pk]), "links": extra_links(request, client),
    })


class MachineClientIndexView(generic.IndexView):
    def get_base_queryset(self):
        return authority.machine_clients_managed_by(self.request.user)

    def get_list_more_buttons(self, instance):
        return super().get_list_more_buttons(instance) + client_buttons(self.request, instance)


class MachineClientCreateView(generic.CreateView):
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            client, token = clients.machine_client_create(
                unit=data["unit"], name=data["name"], scopes=data["scopes"], expires_at=_aware(data["expires_at"]),
                actor=self.request.user,
            )
        except DomainError as exc:
            form.service_error(exc)
            self.produced_error_message = exc.message
            return self.form_invalid(form)
        return _token_page(self.request, client, token, _("接口客户端已登记"))


class MachineClientEditView(generic.EditView):
    template_name = "orgs/machine_client_edit.html"

    def get_queryset(self):
        return authority.machine_clients_managed_by(self.request.user)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            self.object = clients.machine_client_update(
                client=self.object, name=data["name"], scopes=data["scopes"], expires_at=_aware(data["expires_at"]),
                actor=self.request.user,
            )
        except DomainError as exc:
            form.service_error(exc)
            self.produced_error_message = exc.message
            return self.form_invalid(form)
        messages.success(self.request, _("已保存:%(client)s") % {"client": self.object})
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["client_links"] = extra_links(self.request, self.object)
        context["recent_uses"] = list(self.object.uses.all()[:14])
        return context

    @property
    def header_more_buttons(self):
        return list(super().header_more_buttons) + client_buttons(self.request, self.object)


def _managed_client(request, pk):
    return get_object_or_404(authority.machine_clients_managed_by(request.user), pk=pk)


class RotateForm(forms.Form):
    grace_hours = forms.TypedChoiceField(label=gettext_lazy("旧令牌"), choices=GRACE_CHOICES, coerce=int,
                                         initial=0, widget=forms.RadioSelect)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("吊销原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("例如:系统已停用、令牌疑似泄露。记入操作日志。"))


@require_http_methods(["GET", "POST"])
def machine_client_rotate(request, pk):
    client = _managed_client(request, pk)
    form = RotateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token = clients.machine_client_rotate_token(client=client, grace_hours=form.cleaned_data["grace_hours"],
                                                        actor=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return _token_page(request, client, token, _("已更换令牌"))
    return render(request, "orgs/machine_client_rotate.html", {
        "client": client, "form": form, "index_url": reverse("machine_clients:index"),
    })


@require_http_methods(["GET", "POST"])
def machine_client_revoke(request, pk):
    client = _managed_client(request, pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            clients.machine_client_revoke(client=client, reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            messages.success(request, _("已吊销:%(client)s。它的令牌从现在起一律被拒绝。") % {"client": client})
            return redirect("machine_clients:index")
    return render(request, "orgs/machine_client_revoke.html", {
        "client": client, "form": form, "index_url": reverse("machine_clients:index"),
    })
