"""The staff side of disclosure in the Wagtail admin: applications for disclosure
(the unit's queue, one application with the steps that may be taken on it), the
report of policy documents without an interpretation, and the button that drafts a
unit's annual report. Thin faces: every POST calls one service and reports its
message; who may do what is the services' rule (``applications.may_handle`` …)."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from wagtail.models import Site

from orgs.errors import DomainError
from orgs.models import SiteRecord
from orgs.queries import visible_units

from . import applications, catalogue, files, queries
from .formbuilder import id_number_masked
from .models import AnswerDocument, AnswerKind, AppStatus, RefusalReason

PER_PAGE = 50


def has_application_role(user):
    return user.is_authenticated and visible_units(user, roles=applications.READER_ROLES).exists()


def staff_view(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_application_role(request.user):
            raise PermissionDenied("您没有办理政府信息公开申请的岗位。")
        return view(request, *args, **kwargs)

    return wrapper


# --- The queue ------------------------------------------------------------------------------

TABS = [("open", "办理中"), ("clarification", "待补正"), ("overdue", "超期"), ("answered", "已答复"), ("all", "全部")]


@staff_view
def queue(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in dict(TABS) else "open"
    apps = applications.readable_applications(request.user).select_related("unit")
    today = timezone.localdate()
    chosen = {
        "open": apps.filter(status__in=(AppStatus.RECEIVED, AppStatus.HANDLING)).order_by("due_on", "id"),
        "clarification": apps.filter(status=AppStatus.CLARIFICATION),
        "overdue": apps.filter(status__in=(AppStatus.RECEIVED, AppStatus.HANDLING), due_on__lt=today),
        "answered": apps.filter(status=AppStatus.ANSWERED).order_by("-answered_at"),
        "all": apps,
    }[tab]
    page = Paginator(chosen, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "disclosure/admin/queue.html", {
        "tabs": TABS, "tab": tab, "tab_label": dict(TABS)[tab], "page_obj": page, "today": today,
    })


# --- One application ---------------------------------------------------------------------------

class ClarifyForm(forms.Form):
    title, submit_label, action = "要求补正", "发出补正要求(暂停计时)", "clarify"
    request_text = forms.CharField(label="需要补正的内容", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ExtendForm(forms.Form):
    title, submit_label, action = "延长答复期限(20个工作日,限一次)", "延长答复期限", "extend"
    reason = forms.CharField(label="延期理由(告知申请人)", max_length=300, required=False)


class NoteForm(forms.Form):
    title, submit_label, action = "内部备注", "记录", "note"
    text = forms.CharField(label="备注", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AnswerForm(forms.Form):
    title, submit_label, action = "答复", "发出答复", "answer"
    kind = forms.ChoiceField(label="答复类型", choices=[("", "请选择")] + AnswerKind.choices, required=False)
    refusal_reason = forms.ChoiceField(label="不予公开的理由(不予公开、部分公开时必选)",
                                       choices=[("", "—")] + RefusalReason.choices, required=False)
    holder_unit = forms.CharField(label="掌握该信息的机关(不属于本机关公开、且知道由谁掌握时填写)", max_length=100,
                                  required=False)
    text = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 6}), required=False)
    uploads = True  # the template adds the documents' file input (answer-documents, several files)


FORMS = {f.action: f for f in (ClarifyForm, ExtendForm, NoteForm, AnswerForm)}


def _forms_for(user, app, bound=None):
    shown = []
    if app.status in (AppStatus.RECEIVED, AppStatus.HANDLING):
        if applications.may_handle(user, app):
            if not app.clarification_request:
                shown.append(ClarifyForm)
            shown.append(AnswerForm)
        if applications.may_extend(user, app) and not app.extension_days:
            shown.append(ExtendForm)
    if app.is_open and (applications.may_handle(user, app) or applications.may_extend(user, app)):
        shown.append(NoteForm)
    return [bound if bound is not None and isinstance(bound, f) else f(prefix=f.action) for f in shown]


@staff_view
def detail(request, pk):
    app = get_object_or_404(applications.readable_applications(request.user).select_related("unit"), pk=pk)
    bound = None
    if request.method == "POST":
        form_class = FORMS.get(request.POST.get("action"))
        if form_class is None:
            raise PermissionDenied
        bound = form_class(request.POST, request.FILES, prefix=form_class.action)
        if bound.is_valid():
            try:
                _act(request, app, bound)
            except DomainError as exc:
                for field, message in exc.field_errors.items():
                    if field in bound.fields:
                        bound.add_error(field, message)
                if not exc.field_errors:
                    bound.add_error(None, exc.message)
            else:
                return redirect("disclosure_xxgk:detail", pk=app.pk)
    # The applicant's ID number in full for the unit's own people; masked for those
    # who read every unit's applications to supervise them (docs/decisions.md).
    own = applications.may_read_as_unit(request.user, app)
    return render(request, "disclosure/admin/detail.html", {
        "application": app, "events": app.events.select_related("actor"), "documents": app.documents.all(),
        "id_number_shown": app.id_number if own else id_number_masked(app.id_number),
        "deadline": applications.deadline_explanation(app), "overdue": applications.is_overdue(app),
        "forms": _forms_for(request.user, app, bound),
    }, status=400 if bound is not None else 200)


def _act(request, app, form):
    data, user, version = form.cleaned_data, request.user, request.POST.get("version")
    if form.action == "clarify":
        applications.clarification_request(application=app, request_text=data["request_text"], actor=user,
                                           version=version)
        messages.success(request, "已发出补正要求,答复期限暂停计算。")
    elif form.action == "extend":
        app = applications.extension_grant(application=app, reason=data["reason"], actor=user, version=version)
        messages.success(request, f"答复期限已延长至 {app.due_on:%Y-%m-%d}。")
    elif form.action == "note":
        applications.application_note(application=app, text=data["text"], actor=user, version=version)
        messages.success(request, "备注已记录。")
    elif form.action == "answer":
        documents = [(f.name, f.read()) for f in request.FILES.getlist("answer-documents")]
        applications.application_answer(application=app, kind=data["kind"], text=data["text"], actor=user,
                                        version=version, refusal_reason=data["refusal_reason"],
                                        holder_unit=data["holder_unit"], documents=documents)
        messages.success(request, "已答复,申请人可凭查询码查看答复。")


@staff_view
def document_download(request, pk, document_id):
    app = get_object_or_404(applications.readable_applications(request.user), pk=pk)
    item = get_object_or_404(AnswerDocument, pk=document_id, application=app)
    return files.serve(applications.document_for_staff(application=app, document=item, viewer=request.user))


# --- Interpretations -------------------------------------------------------------------------------

def _reader(user):
    return user.is_authenticated and visible_units(user).exists()


def missing_interpretations(request):
    """Policy documents of the units the user sees that no interpretation is linked to."""
    if not _reader(request.user):
        raise PermissionDenied
    units = visible_units(request.user)
    docs = queries.policy_documents_without_interpretation(units).select_related("parent_column")
    page = Paginator(docs.only("id", "title", "pub_date", "document_number", "issuing_organ", "parent_column__title",
                               "url_path", "path", "depth", "slug"), PER_PAGE).get_page(request.GET.get("page"))
    total, interpreted = queries.interpretation_ratio(units)
    return render(request, "disclosure/admin/missing_interpretations.html", {
        "page_obj": page, "total": total, "interpreted": interpreted,
    })


# --- Annual reports ---------------------------------------------------------------------------------

class DraftForm(forms.Form):
    site = forms.ModelChoiceField(label="网站", queryset=Site.objects.none())
    year = forms.IntegerField(label="报告年度", min_value=2008)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        records = SiteRecord.objects.filter(unit__in=visible_units(user), site__isnull=False)
        self.fields["site"].queryset = Site.objects.filter(pk__in=records.values("site_id")).order_by("site_name")
        self.fields["year"].initial = timezone.localdate().year - 1


def annual_report_draft(request):
    """Draft a unit's annual report now (the January task does it for every site)."""
    if not _reader(request.user):
        raise PermissionDenied
    form = DraftForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        home = form.cleaned_data["site"].root_page.specific
        try:
            page, created = catalogue.annual_report_draft(home=home, year=form.cleaned_data["year"],
                                                          actor=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已生成年度报告草稿,请补充正文后提交审核。" if created else "该年度的报告已存在。")
            return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    return render(request, "disclosure/admin/annual_report_draft.html", {"form": form})


urlpatterns = [
    path("applications/", queue, name="queue"),
    path("applications/<int:pk>/", detail, name="detail"),
    path("applications/<int:pk>/documents/<int:document_id>/", document_download, name="document"),
    path("interpretations/missing/", missing_interpretations, name="missing_interpretations"),
    path("annual-reports/draft/", annual_report_draft, name="annual_report_draft"),
]
