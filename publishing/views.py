from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages as admin_messages
from wagtail.admin.views.pages.workflow import WorkflowActionView

from orgs.errors import DomainError
from orgs.models import Unit
from orgs.authority import machine_clients_managed_by
from orgs.queries import visible_units
from orgs.scopes import PUBLISH
from portal.models import ColumnPage

from . import intake, queries
from .register import register_export_xlsx


def register_xlsx(request, unit_code):
    """Download a unit's publication register; only for people who see that unit."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    unit = get_object_or_404(Unit, code=unit_code)
    if not visible_units(request.user).filter(pk=unit.pk).exists():
        raise PermissionDenied
    response = HttpResponse(
        register_export_xlsx(unit),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"register-{unit.code}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class WorkflowActionWithOutcomeView(WorkflowActionView):
    """Wagtail's approve / request-changes action of the dashboard and the page
    listings, which by itself says nothing: the person sees what the step did."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        self.task_state.refresh_from_db(fields=["status"])
        if self.task_state.status != self.task_state.STATUS_IN_PROGRESS:  # the action was taken
            message = queries.review_outcome_message(page=self.object.specific_deferred, user=request.user)
            if message:
                admin_messages.success(request, message)
        return response


def register_index(request):
    """The units whose publication register this person may read, with counts."""
    from django.db.models import Count, Max

    units = (
        visible_units(request.user)
        .annotate(published=Count("publications"), latest=Max("publications__published_at"))
        .order_by("sort_order", "id")
    )
    return render(request, "publishing/register_index.html", {"units": units})


# --- The publish API in the admin: the columns of each client, withdrawal requests ----

class PublishGrantForm(forms.Form):
    columns = forms.ModelMultipleChoiceField(
        queryset=ColumnPage.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("允许的栏目"), help_text=gettext_lazy("不选则可提交到本单位网站的全部栏目。"),
    )

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        columns = queries.unit_columns(client.unit).order_by("path")
        self.fields["columns"].queryset = columns
        trails = queries.column_trails(list(columns))
        self.fields["columns"].label_from_instance = lambda column: trails.get(column.pk, column.title)


@require_http_methods(["GET", "POST"])
def publish_grants(request, client_id):
    """The columns a machine client may submit to through the publish API, for whoever
    manages the client (the management centre, or its unit's site administrator)."""
    client = get_object_or_404(machine_clients_managed_by(request.user), pk=client_id)
    form = PublishGrantForm(request.POST or None, client=client,
                            initial={"columns": queries.granted_columns(client)})
    if request.method == "POST" and form.is_valid():
        try:
            intake.publish_grant_set(client=client, columns=list(form.cleaned_data["columns"]), actor=request.user)
        except DomainError as exc:
            form.add_error("columns" if exc.field == "columns" else None, exc.message)
        else:
            messages.success(request, _("已保存「%(client)s」可以提交的栏目。") % {"client": client})
            return redirect("machine_clients:edit", client.pk)
    return render(request, "publishing/publish_grants.html", {
        "client": client, "form": form, "has_scope": client.has_scope(PUBLISH),
        "back_url": reverse("machine_clients:edit", args=[client.pk]),
    })


@require_http_methods(["GET", "POST"])
def withdrawal_requests(request):
    """Published items whose business system asks to take them down, for the
    people of the unit who may unpublish (leaders, site admins)."""
    if request.method == "POST":
        submission = get_object_or_404(
            queries.pending_withdrawals(visible_units(request.user)), pk=request.POST.get("submission")
        )
        approve = request.POST.get("decision") == "approve"
        try:
            intake.api_withdrawal_decide(submission=submission, actor=request.user, approve=approve,
                                           comment=request.POST.get("comment", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已撤下《{submission.title}》。" if approve else f"已答复不予撤下《{submission.title}》。")
        return redirect("publishing_withdrawals")
    pending = list(queries.pending_withdrawals(visible_units(request.user)))
    for item in pending:
        page = item.page.specific if item.page else None
        item.public_url = page.get_url() if page and page.live else None
        item.can_decide = bool(page and page.permissions_for_user(request.user).can_unpublish())
    return render(request, "publishing/withdrawal_requests.html", {"pending": pending})
