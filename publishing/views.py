from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages as admin_messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.views.pages.workflow import WorkflowActionView

from orgs.errors import DomainError
from orgs.models import Unit
from orgs.queries import visible_units

from . import intake, queries
from .models import ApiClient
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


# --- The publish API in the admin: business systems and withdrawal requests -------

class ApiClientCreateForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.order_by("sort_order", "id"), label="单位")
    name = forms.CharField(max_length=100, label="系统名称", help_text="例如:东区公文交换系统。")

    def __init__(self, *args, **kwargs):
        kwargs.pop("instance", None)
        kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)


class ApiClientEditForm(WagtailAdminModelForm):
    class Meta:
        model = ApiClient
        fields = ["name", "active", "columns"]
        widgets = {"columns": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        columns = queries.unit_columns(self.instance.unit).order_by("path")
        self.fields["columns"].queryset = columns
        trails = queries.column_trails(list(columns))
        self.fields["columns"].label_from_instance = lambda column: trails.get(column.pk, column.title)


def _api_clients_url(name, *args):
    return reverse(f"publishing_api_clients:{name}", args=args)


def _token_page(request, client, token, heading):
    """The one time a token is shown: only its HMAC is kept."""
    return TemplateResponse(request, "publishing/api_client_token.html", {
        "client": client, "token": token, "heading": heading, "index_url": _api_clients_url("index"),
    })


class ApiClientIndexView(generic.IndexView):
    def get_queryset(self):
        return super().get_queryset().select_related("unit", "user")


class ApiClientCreateView(generic.CreateView):
    def form_valid(self, form):
        try:
            client, token = intake.api_client_create(unit=form.cleaned_data["unit"], name=form.cleaned_data["name"],
                                                       actor=self.request.user)
        except DomainError as exc:
            form.add_error("name" if exc.field == "name" else None, exc.message)
            return self.form_invalid(form)
        return _token_page(self.request, client, token, "发布接口已登记")


class ApiClientEditView(generic.EditView):
    def form_valid(self, form):
        try:
            self.object = intake.api_client_update(
                client=self.object, name=form.cleaned_data["name"], active=form.cleaned_data["active"],
                columns=list(form.cleaned_data["columns"]), actor=self.request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"已保存:{self.object}")
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rotate_url"] = _api_clients_url("rotate", self.object.pk)
        return context


class ApiClientDeleteView(generic.DeleteView):
    """Clients are never deleted (the register points at them): "delete" stops one."""

    page_title = "停用"

    @property
    def confirmation_message(self):
        return f"停用「{self.object}」?停用后它的令牌一律被拒绝,已提交的内容和登记不受影响。"

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        intake.api_client_update(client=self.object, name=self.object.name, active=False,
                                   columns=list(self.object.columns.all()), actor=request.user)
        messages.success(request, f"已停用:{self.object}")
        return redirect(self.get_success_url())


@require_http_methods(["GET", "POST"])
def api_client_rotate(request, pk):
    if not request.user.has_perm("publishing.change_apiclient"):
        raise PermissionDenied
    client = get_object_or_404(ApiClient.objects.select_related("unit"), pk=pk)
    if request.method == "POST":
        token = intake.api_client_rotate_token(client=client, actor=request.user)
        return _token_page(request, client, token, "已更换令牌")
    return render(request, "publishing/api_client_rotate.html", {"client": client,
                                                                  "index_url": _api_clients_url("index")})


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
