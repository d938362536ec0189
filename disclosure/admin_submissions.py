"""The staff side of online pre-acceptance, in the Wagtail admin: the queue of a
unit's online applications with their deadlines, one application with its data,
materials and history, and the unit's answers (pre-accept, ask for a correction,
not accept, complete). A thin face over ``applyforms``: who may read and act is
decided there (the unit's reviewers and leaders act; the management centre and
supervisors read every unit's).
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from orgs.errors import DomainError
from orgs.models import Membership

from . import applyforms, files
from .formbuilder import id_number_masked
from .models import SubmissionMaterial, SubmissionStatus, FormSubmission

PER_PAGE = 50
S = SubmissionStatus

EVENT_LABELS = {
    "submitted": "提交申请", "resubmitted": "补正后重新提交", "correction_asked": "要求补正", "pre_accepted": "预受理",
    "not_accepted": "不予受理", "completed": "办结", "warned": "即将到期提醒", "reminded": "超期催办",
}


def has_access(user):
    if not (user.is_authenticated and user.is_active):
        return False
    return (user.is_superuser or applyforms.sees_all_applications(user)
            or Membership.objects.filter(user=user, role__in=applyforms.HANDLER_ROLES).exists())


def staff_view(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_access(request.user):
            raise PermissionDenied("您没有处理网上办事申请的岗位。")
        return view(request, *args, **kwargs)

    return wrapper


# --- The queue ------------------------------------------------------------------------------------

TABS = [("pending", "待预审", (S.PENDING,)), ("overdue", "超期", (S.PENDING,)), ("correction", "待补正", (S.CORRECTION,)),
        ("pre_accepted", "已预受理", (S.PRE_ACCEPTED,)), ("done", "已办结或不予受理", (S.COMPLETED, S.NOT_ACCEPTED)),
        ("all", "全部", None)]


@staff_view
def queue(request):
    visible = applyforms.visible_applications(request.user).order_by("due_on", "submitted_at", "id")
    receipt = (request.GET.get("receipt") or "").strip().upper()
    if receipt:
        found = visible.filter(receipt_number=receipt).first()
        if found is not None:
            return redirect("disclosure_submissions:detail", found.pk)
        messages.error(request, f"没有您可查看的回执号为 {receipt} 的申请。")
    today = timezone.localdate()
    querysets = {}
    for name, _, statuses in TABS:
        qs = visible if statuses is None else visible.filter(status__in=statuses)
        if name == "overdue":
            qs = qs.filter(due_on__lt=today)
        querysets[name] = qs
    counts = {name: qs.count() for name, qs in querysets.items() if name in ("pending", "overdue", "correction")}
    tab = request.GET.get("tab") if request.GET.get("tab") in querysets else "pending"
    objects = querysets[tab]
    if tab in ("done", "all"):
        objects = objects.order_by("-submitted_at", "-id")
    try:
        number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        number = 1
    rows = list(objects[(number - 1) * PER_PAGE:number * PER_PAGE + 1])
    return render(request, "disclosure/admin/submissions_queue.html", {
        "tabs": [(name, label, counts.get(name)) for name, label, _ in TABS], "tab": tab,
        "tab_label": next(label for name, label, _ in TABS if name == tab),
        "rows": [{"application": a, "overdue": applyforms.is_overdue(a, today)} for a in rows[:PER_PAGE]],
        "number": number, "has_next": len(rows) > PER_PAGE, "receipt": receipt,
    })


# --- One application --------------------------------------------------------------------------------

class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PreAcceptForm(VersionForm):
    next_step = forms.CharField(label="下一步(预约时间地点、需携带的原件等)", widget=forms.Textarea(attrs={"rows": 4}),
                                max_length=applyforms.MAX_NEXT_STEP)


class NotAcceptForm(VersionForm):
    reason = forms.CharField(label="不予受理的理由", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=applyforms.MAX_REASON)


class CompleteForm(VersionForm):
    note = forms.CharField(label="办结说明(选填)", required=False, max_length=applyforms.MAX_NOTE)


class CorrectionForm(VersionForm):
    """One checkbox and one note per field or material that may be named."""

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = applyforms.correction_choices(application)
        for index, (target, label) in enumerate(self.targets):
            self.fields[f"pick_{index}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"note_{index}"] = forms.CharField(label=f"「{label}」需要怎样补正", required=False,
                                                           max_length=applyforms.MAX_NOTE)

    def rows(self):
        return [(self[f"pick_{i}"], self[f"note_{i}"]) for i in range(len(self.targets))]

    def items(self):
        data = self.cleaned_data
        return [{"target": target, "note": data.get(f"note_{i}", "")}
                for i, (target, _) in enumerate(self.targets) if data.get(f"pick_{i}")]


ACTIONS = {
    "correction": ("要求补正", CorrectionForm),
    "pre_accept": ("预受理", PreAcceptForm),
    "not_accept": ("不予受理", NotAcceptForm),
    "complete": ("办结", CompleteForm),
}


def _available(user, application):
    if not applyforms.handles(user, application.unit_id):
        return []
    if application.status == S.PENDING:
        return ["pre_accept", "correction", "not_accept"]
    if application.status == S.CORRECTION:
        return ["not_accept"]
    if application.status == S.PRE_ACCEPTED:
        return ["complete"]
    return []


def _form(action, application, data=None):
    kwargs = {"application": application} if action == "correction" else {}
    return ACTIONS[action][1](data, initial={"version": application.version}, prefix=action, **kwargs)


def _perform(action, request, application, form):
    data, user = form.cleaned_data, request.user
    version = data["version"]
    if action == "pre_accept":
        applyforms.submission_pre_accept(application=application, next_step=data["next_step"], actor=user,
                                          version=version)
        return "已预受理,并把下一步告知申请人。"
    if action == "correction":
        applyforms.submission_ask_correction(application=application, items=form.items(), actor=user, version=version)
        return "已要求补正,并告知申请人需要补正的内容。"
    if action == "not_accept":
        applyforms.submission_not_accept(application=application, reason=data["reason"], actor=user, version=version)
        return "已作不予受理处理,并告知申请人理由。"
    if action == "complete":
        applyforms.submission_complete(application=application, note=data.get("note", ""), actor=user, version=version)
        return "已办结。"
    raise AssertionError(action)


def _visible(request, application_id):
    application = get_object_or_404(FormSubmission.objects.select_related("unit", "guide"), pk=application_id)
    if not applyforms.may_view(request.user, application):
        raise PermissionDenied("您无权查看这份申请。")
    return application


@staff_view
def detail(request, application_id):
    application = _visible(request, application_id)
    failed = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in _available(request.user, application):
            form = _form(action, application, request.POST)
            if form.is_valid():
                try:
                    message = _perform(action, request, application, form)
                except DomainError as exc:
                    messages.error(request, exc.message)
                    failed = (action, form)
                else:
                    messages.success(request, message)
                    return redirect("disclosure_submissions:detail", application.pk)
            else:
                messages.error(request, "请按提示修改后再提交。")
                failed = (action, form)
            application = _visible(request, application.pk)
        else:
            messages.error(request, "这份申请的状态已变化,或您不能作这项处理。")
    forms_shown = []
    for action in _available(request.user, application):
        form = failed[1] if failed and failed[0] == action else _form(action, application)
        forms_shown.append({"action": action, "label": ACTIONS[action][0], "form": form})
    versions = list(application.versions.all())
    own = applyforms.handles(request.user, application.unit_id)
    return render(request, "disclosure/admin/submission_detail.html", {
        "application": application,
        # In full for the unit's handlers; masked for supervisors of every unit.
        "id_number_shown": application.id_number if own else id_number_masked(application.id_number),
        "overdue": applyforms.is_overdue(application),
        "deadline": applyforms.deadline_explanation(application),
        "shown_fields": applyforms.shown_fields(application),
        "materials": application.materials.select_related("material").order_by("-current", "material_name", "id"),
        "versions": [{"version": v, "fields": applyforms.shown_fields(application, v)} for v in versions],
        "events": [{"event": e, "label": EVENT_LABELS.get(e.kind, e.kind)}
                   for e in application.events.select_related("actor")],
        "forms": forms_shown,
        "handles": applyforms.handles(request.user, application.unit_id),
    })


def material_download(request, application_id, material_id):
    """Materials are private: only staff who may read the application get them, and
    each read is recorded. Anyone else gets a plain 403 (a file, not a page)."""
    application = get_object_or_404(FormSubmission, pk=application_id)
    if not has_access(request.user) or not applyforms.may_view(request.user, application):
        return HttpResponseForbidden("您无权查看这份申请的材料。", content_type="text/plain; charset=utf-8")
    item = get_object_or_404(SubmissionMaterial, pk=material_id, application=application)
    response = files.serve(item)  # a missing file answers 404 before anything is recorded
    applyforms.material_for_staff(application=application, material=item, viewer=request.user)
    return response


urlpatterns = [
    path("", queue, name="queue"),
    path("<int:application_id>/", detail, name="detail"),
    path("<int:application_id>/materials/<int:material_id>/", material_download, name="material"),
]


# --- The answer limit (configuration) --------------------------------------------------------------------

from orgs.adminfaces import ConfigViewSet  # noqa: E402 (the configuration page below the case pages)

from .models import AnswerLimit  # noqa: E402


class AnswerLimitViewSet(ConfigViewSet):
    """The working days units have to answer: the platform's row (management centre)
    and a unit's own (its site administrator or the centre)."""

    model = AnswerLimit
    unit_field = "unit"
    icon = "time"
    menu_label = "预受理答复时限"
    list_display = ["unit", "days", "note"]
    form_fields = applyforms.ANSWER_LIMIT_FIELDS
    save_service = staticmethod(applyforms.answer_limit_save)
    service_fields = applyforms.ANSWER_LIMIT_FIELDS


answer_limit_viewset = AnswerLimitViewSet("disclosure_answer_limits", url_prefix="banshi/answer-limits")
