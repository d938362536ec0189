"""The indicators in the admin (settings menu, 检查指标): the versions, each edited
with its categories and rules inline, copied to a new version and activated.

A thin face over ``rules``: every save goes through ``rules.ruleset_save`` (a version
that has been active is kept and the change becomes a new draft), copy and activate
through their services; an invalid ruleset is refused with the service's reasons
shown on the form. Only superusers and the supervisors of a unit that sees every
unit (督查室) reach these pages (``rules.may_edit_rules``).
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import Button
from wagtail.permission_policies.base import BasePermissionPolicy

from orgs.adminfaces import ScopedIndexView, ServiceEditView, ServiceModelForm, ServiceViewSet
from orgs.errors import DomainError

from . import rules
from .models import Ruleset, RulesetStatus

ACTIONS = ("add", "change", "view")


class RulesPolicy(BasePermissionPolicy):
    """Everything for those who may edit the indicators, nothing for anyone else."""

    def user_has_permission(self, user, action):
        return action in ACTIONS and rules.may_edit_rules(user)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model
        from django.db.models import Q

        from orgs.models import Membership, Role

        centre = Membership.objects.filter(role=Role.SUPERVISOR, unit__sees_all_units=True).values("user_id")
        return get_user_model().objects.filter(Q(is_superuser=True) | Q(pk__in=centre), is_active=True)

    def instances_user_has_any_permission_for(self, user, actions):
        if any(a in ACTIONS for a in actions) and rules.may_edit_rules(user):
            return Ruleset.objects.all()
        return Ruleset.objects.none()

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission(user, a) for a in actions)


class RulesetForm(ServiceModelForm):
    """Types only; the service checks the rules of a ruleset (and shows every reason)."""


def _data(form, name, fields):
    formset = form.formsets[name]
    rows = []
    for child in formset.forms:
        data = getattr(child, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        rows.append({f: data.get(f) for f in fields})
    return rows


CATEGORY_FIELDS = ("code", "name", "points", "is_services")
RULE_FIELDS = ("code", "name", "kind", "category", "evaluator", "amount", "cap", "params", "enabled")


def spec_from_form(form):
    data = form.cleaned_data
    spec = {name: data.get(name) for name in rules.RULESET_FIELDS if name in data}
    spec["categories"] = _data(form, "categories", CATEGORY_FIELDS)
    spec["rules"] = _data(form, "rules", RULE_FIELDS)
    for rule in spec["rules"]:
        rule["enabled"] = bool(rule.get("enabled"))
        if rule.get("params") is None:
            rule["params"] = {}
    return spec


def ruleset_buttons(ruleset):
    buttons = [Button(_("复制为新版本"), url=reverse("rulesets:copy", args=[ruleset.pk]), icon_name="copy",
                      priority=40)]
    if ruleset.status != RulesetStatus.ACTIVE:
        buttons.append(Button(_("启用"), url=reverse("rulesets:activate", args=[ruleset.pk]), icon_name="tick",
                              priority=50))
    return buttons


class RulesetIndexView(ScopedIndexView):
    def get_list_more_buttons(self, instance):
        return super().get_list_more_buttons(instance) + ruleset_buttons(instance)


class RulesetEditView(ServiceEditView):
    """Saving a version that has been active makes a new draft: say so, not "updated"."""

    def save_instance(self):
        self.edited_pk = self.object.pk
        return super().save_instance()

    def get_success_message(self):
        if getattr(self, "edited_pk", self.object.pk) != self.object.pk:
            return _("现行版本不能修改,已另存为%(saved)s(草稿);启用后生效。") % {"saved": self.object}
        return super().get_success_message()


class RulesetViewSet(ServiceViewSet):
    model = Ruleset
    icon = "tasks"
    menu_label = gettext_lazy("检查指标")
    menu_name = "rulesets"
    add_to_settings_menu = True
    index_view_class = RulesetIndexView
    edit_view_class = RulesetEditView
    list_display = ["__str__", "status", "effective_from", "pass_mark",
                    Column("rules", label=gettext_lazy("指标数"), accessor=lambda r: r.rules.count())]
    list_filter = ["status"]
    base_form_class = RulesetForm
    unit_field = None
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("risk_mark")]),
        FieldRowPanel([FieldPanel("bonus_threshold"), FieldPanel("bonus_cap"), FieldPanel("bonus_site_kinds")]),
        FieldPanel("effective_from"),
        FieldPanel("notes"),
        InlinePanel("categories", heading=gettext_lazy("指标类别"), label=gettext_lazy("类别"),
                    panels=[FieldRowPanel([FieldPanel(name) for name in CATEGORY_FIELDS])]),
        InlinePanel("rules", heading=gettext_lazy("指标"), label=gettext_lazy("指标"),
                    panels=[MultiFieldPanel([FieldRowPanel([FieldPanel("code"), FieldPanel("name"), FieldPanel("kind")]),
                                             FieldRowPanel([FieldPanel("category"), FieldPanel("evaluator")]),
                                             FieldRowPanel([FieldPanel("amount"), FieldPanel("cap"),
                                                            FieldPanel("enabled")]),
                                             FieldPanel("params")])]),
    ]

    @property
    def permission_policy(self):
        return RulesPolicy(Ruleset)

    @property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem

        class RulesMenuItem(MenuItem):
            def is_shown(self, request):
                return rules.may_edit_rules(request.user)

        return RulesMenuItem

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=self.base_form_class).bind_to_model(self.model)

    def create_instance(self, *, actor, data, form):
        return rules.ruleset_save(actor=actor, spec=spec_from_form(form))

    def update_instance(self, *, instance, actor, data, form):
        return rules.ruleset_save(actor=actor, spec=spec_from_form(form), instance=instance)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("copy/<int:pk>/", ruleset_copy_view, name="copy"),
            path("activate/<int:pk>/", ruleset_activate_view, name="activate"),
        ]


def _editable(request, pk):
    if not rules.may_edit_rules(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return get_object_or_404(Ruleset, pk=pk)


class ConfirmForm(forms.Form):
    pass


def _confirm(request, ruleset, *, title, question, action, done):
    form = ConfirmForm(request.POST or None)
    if request.method == "POST":
        try:
            result = action()
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done(result))
            return redirect("rulesets:index")
    return render(request, "supervision/ruleset_confirm.html", {
        "ruleset": ruleset, "form": form, "title": title, "question": question,
        "index_url": reverse("rulesets:index"),
    })


@require_http_methods(["GET", "POST"])
def ruleset_copy_view(request, pk):
    ruleset = _editable(request, pk)
    return _confirm(request, ruleset, title=_("复制检查指标"),
                    question=_("把“%(ruleset)s”复制为新的草稿版本?") % {"ruleset": ruleset},
                    action=lambda: rules.ruleset_copy(actor=request.user, ruleset=ruleset),
                    done=lambda copy: _("已复制为%(copy)s(草稿)。") % {"copy": copy})


@require_http_methods(["GET", "POST"])
def ruleset_activate_view(request, pk):
    ruleset = _editable(request, pk)
    return _confirm(request, ruleset, title=_("启用检查指标"),
                    question=_("启用“%(ruleset)s”?此后的评分都按这一版本计算,现行版本随之停用,已有评分表保持原版本。")
                    % {"ruleset": ruleset},
                    action=lambda: rules.ruleset_activate(actor=request.user, ruleset=ruleset),
                    done=lambda active: _("已启用%(ruleset)s。") % {"ruleset": active})


ruleset_viewset = RulesetViewSet("rulesets", url_prefix="supervision/rulesets")
