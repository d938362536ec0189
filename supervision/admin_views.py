"""The supervisors' pages in the Wagtail admin: every site at a glance, the worst
problems first, trends, a site's scorecard with its evidence, rectification notices,
the content-assurance division (A2), and the reports of a period (XLSX, printable).

Thin faces: who sees what is ``queries`` (a supervisor of a unit that sees every unit
and superusers see every site; anyone else their own unit's sites only, and another
unit's site or notice answers 404); every change is one service of ``outputs``.
Charts are inline SVG drawn here, each with the same figures as a table beside it.
"""

import io
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.panels import FieldPanel
from wagtail.permission_policies.base import BasePermissionPolicy

from guard.sheets import append_row
from orgs.adminfaces import ConfigViewSet, ServiceModelForm
from orgs.errors import DomainError

from . import outputs, queries
from .measures import CHECK_LABELS
from .models import ColumnAssignment, NoticeStatus, Verdict

UNSCORED = Verdict.UNSCORED  # a site without a card reads as one that could not be scored
VERDICT_LABELS = {value: str(label) for value, label in Verdict.choices}
VERDICT_ORDER = sorted(queries.VERDICT_ORDER, key=queries.VERDICT_ORDER.get)
EVENT_LABELS = {"issued": "下发", "reported": "报告整改", "confirmed": "复查通过", "reopened": "复查未通过",
                "overdue": "超期提醒"}


def supervision_view(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not queries.may_use_supervision_pages(request.user):
            raise PermissionDenied("您没有网站监管的岗位。")
        return view(request, *args, **kwargs)

    return wrapper


def _period(request, records):
    """The period asked for (``?period=2026-03``), else the newest with scorecards,
    else this month; and the periods on offer."""
    offered = queries.periods_with_cards(records)
    asked = queries.month_start(request.GET.get("period"))
    if asked is None:
        asked = offered[0] if offered else timezone.localdate().replace(day=1)
    return asked, offered


def _verdict(card):
    return card.verdict if card is not None else UNSCORED


# --- Charts: inline SVG, with a table of the same figures ---------------------------------

CHART_COLOURS = {Verdict.PASS: "#1e7a34", Verdict.AT_RISK: "#a15c00", Verdict.FAIL: "#b3261e"}


def trend_chart(rows, *, width=560, height=220):
    """Stacked bars per period (fail, at risk, pass) as SVG shapes for the template."""
    top = max([row["total"] for row in rows] + [1])
    left, bottom, plot_h = 40, height - 30, height - 50
    slot = (width - left - 10) / max(len(rows), 1)
    bars, labels, ticks = [], [], []
    for index, row in enumerate(rows):
        x = left + index * slot + slot * 0.2
        y = bottom
        for verdict in (Verdict.PASS, Verdict.AT_RISK, Verdict.FAIL):
            count = row.get(verdict, 0)
            if not count:
                continue
            h = plot_h * count / top
            y -= h
            bars.append({"x": round(x, 1), "y": round(y, 1), "w": round(slot * 0.6, 1), "h": round(h, 1),
                         "fill": CHART_COLOURS[verdict], "title": f"{row['period']:%Y-%m} {VERDICT_LABELS[verdict]} {count}"})
        labels.append({"x": round(x + slot * 0.3, 1), "y": bottom + 18, "text": f"{row['period']:%Y-%m}"})
    for value in sorted({0, top // 2, top}):
        ticks.append({"y": round(bottom - plot_h * value / top, 1), "text": value})
    return {"width": width, "height": height, "bars": bars, "labels": labels, "ticks": ticks, "left": left,
            "bottom": bottom, "right": width - 10,
            "legend": [(VERDICT_LABELS[v], CHART_COLOURS[v]) for v in (Verdict.PASS, Verdict.AT_RISK, Verdict.FAIL)]}


def score_chart(cards, *, width=560, height=200):
    """A site's scores over its periods (oldest first) as a polyline with points."""
    cards = [card for card in reversed(cards)]
    left, bottom, plot_h = 40, height - 30, height - 50
    slot = (width - left - 20) / max(len(cards) - 1, 1)
    points = []
    for index, card in enumerate(cards):
        x = left + index * slot if len(cards) > 1 else left + (width - left) / 2
        score = float(card.score) if card.score is not None else 0.0
        points.append({"x": round(x, 1), "y": round(bottom - plot_h * min(score, 100) / 100, 1),
                       "label": f"{card.period_start:%Y-%m}", "score": card.score_label if card.score is None else f"{score:g}",
                       "veto": card.score is None})
    return {"width": width, "height": height, "points": points, "left": left, "bottom": bottom,
            "right": width - 10, "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
            "ticks": [{"y": round(bottom - plot_h * v / 100, 1), "text": v} for v in (0, 60, 100)]}


# --- The dashboard --------------------------------------------------------------------

def _overview(request):
    user = request.user
    records = list(queries.visible_records(user))
    period, offered = _period(request, records)
    cards = queries.cards_of_period(records, period)
    rows = [{"record": record, "card": cards.get(record.pk), "verdict": _verdict(cards.get(record.pk))}
            for record in records]
    rows.sort(key=lambda row: (VERDICT_ORDER.index(row["verdict"]),
                               float(row["card"].score) if row["card"] and row["card"].score is not None else -1,
                               row["record"].sort_order))
    counts = [(VERDICT_LABELS[v], v, sum(1 for row in rows if row["verdict"] == v)) for v in VERDICT_ORDER]
    present = list(cards.values())
    return {"records": records, "period": period, "periods": offered, "rows": rows, "counts": counts,
            "worst": queries.worst_problems(present, limit=15), "ranking": queries.ranked_cards(present),
            "unscored": queries.unscored_cards(present),
            "sees_all": queries.sees_every_site(user)}


@supervision_view
def dashboard(request):
    context = _overview(request)
    trend = queries.trend(context["records"], months=6, until=context["period"])
    assignments = queries.visible_assignments(request.user)
    context.update({
        "trend": trend, "chart": trend_chart(trend), "verdict_labels": VERDICT_LABELS,
        "flags": queries.open_flags(assignments)[:20],
        "open_notices": queries.visible_notices(request.user).exclude(status=NoticeStatus.CONFIRMED)[:20],
        "check_labels": CHECK_LABELS,
    })
    return render(request, "supervision/admin/dashboard.html", context)


# --- A site's scorecard ------------------------------------------------------------------

def _visible_record(request, record_id):
    record = queries.visible_records(request.user).filter(pk=record_id).first()
    if record is None:
        raise Http404("没有这个网站,或者它不归您的单位。")
    return record


@supervision_view
def scorecard(request, record_id):
    record = _visible_record(request, record_id)
    history = queries.site_history(record, months=12)
    asked = queries.month_start(request.GET.get("period"))
    card = next((c for c in history if c.period_start == asked), None) if asked else (history[0] if history else None)
    may_issue = queries.sees_every_site(request.user) and card is not None
    values, field_errors = {}, {}
    if request.method == "POST":
        if not may_issue:
            raise PermissionDenied("只有监督人员可以下发整改通知。")
        values = request.POST
        try:
            notice = outputs.notice_issue(actor=request.user, scorecard=card, items=values.getlist("items"),
                                          message=values.get("message", ""),
                                          deadline_days=values.get("deadline_days") or None,
                                          deadline=values.get("deadline") or None)
        except DomainError as exc:
            field_errors = exc.field_errors or {exc.field or "form": exc.message}
            messages.error(request, exc.message)
        else:
            messages.success(request, f"整改通知 {notice.number} 已下发给{notice.unit.name}。")
            return redirect("supervision_outputs:notice", notice_id=notice.pk)
    measurements = []
    if card is not None:
        for code, measure in sorted((card.measurements or {}).get("measures", {}).items()):
            measurements.append({"code": code, "label": CHECK_LABELS.get(code, code), **measure})
    return render(request, "supervision/admin/scorecard.html", {
        "record": record, "card": card, "history": history, "problems": [dict(item, check_label=CHECK_LABELS.get(item.get("check"), item.get("check") or ""))
                     for item in (queries.card_problems(card) if card else [])],
        "measurements": measurements, "chart": score_chart(history) if history else None,
        "notices": queries.notices_of(record, request.user)[:20], "may_issue": may_issue,
        "values": values, "error_messages": list(field_errors.values()), "check_labels": CHECK_LABELS,
        "verdict_labels": VERDICT_LABELS, "verdict": _verdict(card),
        "default_days": 10,
    }, status=400 if field_errors else 200)


# --- Notices ------------------------------------------------------------------------------

@supervision_view
def notices(request):
    rows = queries.visible_notices(request.user)
    status = request.GET.get("status")
    if status in NoticeStatus.values:
        rows = rows.filter(status=status)
    today = timezone.localdate()
    return render(request, "supervision/admin/notices.html", {
        "notices": [(n, queries.notice_is_overdue(n, today)) for n in rows[:200]], "statuses": NoticeStatus.choices,
        "status": status, "sees_all": queries.sees_every_site(request.user),
    })


@supervision_view
def notice(request, notice_id):
    found = queries.visible_notices(request.user).filter(pk=notice_id).first()
    if found is None:
        raise Http404("没有这份整改通知,或者它不是发给您的单位的。")
    user = request.user
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "report":
                outputs.notice_report(actor=user, notice=found, report=request.POST.get("report", ""),
                                      version=request.POST.get("version"))
                messages.success(request, "整改情况已报告,下次评分后将自动复查。")
            elif action == "review":
                reviewed = outputs.notice_review(notice=found, actor=user, version=request.POST.get("version"))
                if reviewed is None:
                    messages.warning(request, "报告整改后还没有新的评分,暂不能复查。")
                else:
                    messages.success(request, f"复查结果:{reviewed.get_status_display()}。")
            else:
                raise DomainError("未知操作。")
        except DomainError as exc:
            error = exc.message
            messages.error(request, exc.message)
        else:
            return redirect("supervision_outputs:notice", notice_id=found.pk)
    found.refresh_from_db()
    return render(request, "supervision/admin/notice.html", {
        "notice": found, "events": found.events.select_related("actor"), "event_labels": EVENT_LABELS,
        "overdue": queries.notice_is_overdue(found),
        "may_report": queries.may_report_on(user, found) and found.status in (NoticeStatus.ISSUED, NoticeStatus.REOPENED),
        "may_review": queries.sees_every_site(user) and found.status == NoticeStatus.REPORTED,
        "error": error, "values": request.POST if error else {},
    }, status=400 if error else 200)


# --- Reports of a period --------------------------------------------------------------------

def _report_rows(context):
    for row in context["rows"]:
        card = row["card"]
        deducted = sum(float(item.get("points") or 0) for item in (card.deductions if card else []))
        yield row["record"], card, VERDICT_LABELS[row["verdict"]], deducted


@supervision_view
def report_print(request):
    context = _overview(request)
    context["report_rows"] = list(_report_rows(context))
    context["generated_at"] = timezone.localtime()
    return render(request, "supervision/admin/report_print.html", context)


@supervision_view
def report_xlsx(request):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    context = _overview(request)
    book = Workbook()
    sheet = book.active
    sheet.title = "评分汇总"
    append_row(sheet, ["网站", "主办单位", "类别", "结论", "得分", "加分", "否决项", "扣分合计", "评分时间", "指标版本"])
    for record, card, label, deducted in _report_rows(context):
        append_row(sheet, [record.name, record.unit.name, record.get_kind_display(), label,
                           float(card.score) if card and card.score is not None else (card.score_label if card else None),
                           float(card.bonus) if card else None, len(card.vetoes) if card else None,
                           deducted if card else None,
                           timezone.localtime(card.computed_at).strftime("%Y-%m-%d %H:%M") if card else "",
                           str(card.ruleset) if card else ""])
    details = book.create_sheet("问题明细")
    append_row(details, ["网站", "类型", "指标", "检查", "扣分", "情况", "证据"])
    for card, item in queries.worst_problems(list(queries.cards_of_period(context["records"], context["period"]).values()),
                                             limit=10_000):
        evidence = ";".join(" ".join(filter(None, (e.get("what"), e.get("url"), e.get("detail"))))
                            for e in item.get("evidence") or [])
        append_row(details, [card.record.name, "单项否决" if item["kind"] == "veto" else "扣分", item.get("name"),
                             CHECK_LABELS.get(item.get("check"), item.get("check")), float(item.get("points") or 0),
                             item.get("detail"), evidence[:30000]])
    ranking = book.create_sheet("排名")
    append_row(ranking, ["名次", "网站", "得分", "加分", "总分", "结论"])
    for place, card in context["ranking"]:
        append_row(ranking, [place or "—", card.record.name, float(card.score) if card.score is not None else "否决",
                             float(card.bonus), float(card.total) if card.total is not None else None,
                             VERDICT_LABELS[card.verdict]])
    for card in context["unscored"]:
        append_row(ranking, ["—", card.record.name, "未评定", None, None, card.unscored_reason])
    notices_sheet = book.create_sheet("整改通知")
    append_row(notices_sheet, ["编号", "网站", "整改单位", "下发时间", "期限", "状态"])
    for item in queries.visible_notices(request.user).filter(issued_at__date__gte=context["period"]):
        append_row(notices_sheet, [item.number, item.record.name, item.unit.name,
                                   timezone.localtime(item.issued_at).strftime("%Y-%m-%d"), item.deadline.isoformat(),
                                   item.get_status_display()])
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="supervision-{context["period"]:%Y-%m}.xlsx"'
    return response


# --- The content-assurance division (A2): a viewset --------------------------------------

ASSIGNMENT_FIELDS = ("column", "unit", "update_days", "person", "phone", "active")


class AssignmentPolicy(BasePermissionPolicy):
    """Supervisors of every site manage the division; a unit's people see the columns
    assigned to their unit; nobody deletes an assignment (it is deactivated)."""

    def user_has_permission(self, user, action):
        if action in ("add", "change"):
            return queries.sees_every_site(user)
        if action == "view":
            return queries.may_use_supervision_pages(user)
        return False

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(is_superuser=True, is_active=True)

    def instances_user_has_any_permission_for(self, user, actions):
        if not any(self.user_has_permission(user, a) for a in actions) and not queries.may_use_supervision_pages(user):
            return ColumnAssignment.objects.none()
        return queries.visible_assignments(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and \
            queries.visible_assignments(user).filter(pk=instance.pk).exists()

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)


class AssignmentViewSet(ConfigViewSet):
    model = ColumnAssignment
    unit_field = "unit"
    icon = "list-ul"
    menu_label = "内容保障分工"
    list_display = ["column", "unit", "update_days", "person", "phone", "active"]
    list_filter = ["active", "unit"]
    panels = [FieldPanel(name) for name in ASSIGNMENT_FIELDS]
    base_form_class = ServiceModelForm
    save_service = staticmethod(outputs.assignment_save)
    service_fields = ASSIGNMENT_FIELDS

    @cached_property
    def permission_policy(self):
        return AssignmentPolicy(ColumnAssignment)


assignment_viewset = AssignmentViewSet("supervision_assignments", url_prefix="supervision/assignments")


@supervision_view
def flags(request):
    """The columns behind their frequency (A2), each with its unit and how far behind."""
    assignments = queries.visible_assignments(request.user)
    rows = []
    today = timezone.localdate()
    for assignment in assignments.filter(active=True):
        last, days, behind = outputs.assignment_state(assignment, today)
        rows.append({"assignment": assignment, "last": last, "days": days, "behind": behind,
                     "flag": assignment.flags.filter(cleared_at__isnull=True).first()})
    rows.sort(key=lambda row: (not row["behind"], row["assignment"].unit.sort_order))
    return render(request, "supervision/admin/flags.html", {
        "rows": rows, "sees_all": queries.sees_every_site(request.user),
        "add_url": reverse(assignment_viewset.get_url_name("add")),
        "list_url": reverse(assignment_viewset.get_url_name("index")),
    })


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("sites/<int:record_id>/", scorecard, name="scorecard"),
    path("notices/", notices, name="notices"),
    path("notices/<int:notice_id>/", notice, name="notice"),
    path("columns/", flags, name="flags"),
    path("report/", report_print, name="report"),
    path("report.xlsx", report_xlsx, name="report_xlsx"),
]
