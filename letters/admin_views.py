"""The staff side of the public mailbox, in the Wagtail admin: the queue, a letter
with every step that may be taken on it, the working-day calendar and statistics.

A thin face: permissions and state rules live in ``permissions`` and ``services``;
a view reads, shows the forms that fit, calls one service per POST and reports the
service's message. Only people with a mailbox role (信箱办理人, 分管领导, 监督人员)
or superusers reach these pages.
"""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.errors import DomainError
from orgs.models import Role, Unit

from . import calendar, configuration, files, permissions, queries, services
from .admin_forms import (
    ACTION_FORMS, CalendarEntryForm, ContactForm, QueueFilterForm, StatsFilterForm, person_name,
)
from .models import OPEN_STATUSES, Attachment, CalendarEntry, Extension, Letter, Mailbox, Status

PER_PAGE = 50

EVENT_LABELS = {
    "submitted": "来信提交", "routed": "受理分办", "not_accepted": "不予受理", "duplicate": "重复来信", "spam": "垃圾信件",
    "assigned": "指定办理人", "note": "内部备注", "extension_requested": "申请延期", "extended": "批准延期",
    "extension_refused": "不同意延期", "transferred": "转办", "returned": "退回分办", "reply_drafted": "拟写答复",
    "reply_rejected": "答复稿退回", "replied": "答复", "published": "公开", "publication_held": "暂不公开",
    "not_published": "决定不公开",
    "rated": "来信人评价", "reopened": "重新办理", "closed": "办结", "reminded": "催办", "escalated": "督办",
}


# --- Who is asking -----------------------------------------------------------------------

class StaffScope:
    """A person's mailbox roles, read once per request."""

    def __init__(self, user):
        self.user = user
        roles = permissions._roles(user) if user.is_authenticated else set()
        self.handler_units = {unit for unit, role in roles if role == Role.MAILBOX_HANDLER}
        self.leader_units = {unit for unit, role in roles if role == Role.LEADER}
        self.units = self.handler_units | self.leader_units
        self.is_superuser = user.is_authenticated and user.is_superuser
        self.is_supervisor = user.is_authenticated and permissions.is_supervisor(user)
        self.has_access = self.is_superuser or any(role in permissions.MAILBOX_ROLES for _, role in roles)

    @property
    def mayor_dispatcher(self):
        return self.user.is_authenticated and permissions.is_mayor_dispatcher(self.user)

    @property
    def sees_all(self):
        return self.user.is_authenticated and (permissions.sees_all_letters(self.user) or self.mayor_dispatcher)

    def may_view(self, letter):
        if self.sees_all or permissions.is_dispatcher(self.user, letter.mailbox):
            return True
        return bool(self.units & permissions.reached_units(letter))


def has_mailbox_role(user):
    return user.is_authenticated and StaffScope(user).has_access


def staff_view(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        scope = StaffScope(request.user)
        if not scope.has_access:
            raise PermissionDenied("您没有公开信箱的岗位。")
        return view(request, scope, *args, **kwargs)

    return wrapper


# --- Paging without COUNT(*) or OFFSET ------------------------------------------------------

class QueuePage:
    """One page of a queue. A page reads one row more than it shows to know whether
    another follows, so a queue of a million letters is never counted; ``next_query``
    and ``previous_query`` continue from the letters shown (keyset paging), so page
    2,000 costs what page 2 costs."""

    def __init__(self, rows, number, has_previous, has_next, next_query="", previous_query=""):
        self.object_list, self.number = rows, number
        self._has_previous, self._has_next = has_previous, has_next
        self.next_query, self.previous_query = next_query, previous_query

    def has_previous(self):
        return self._has_previous

    def has_next(self):
        return self._has_next

    def start_index(self):
        return (self.number - 1) * PER_PAGE + 1 if self.object_list else 0

    def end_index(self):
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


# A page number past this is no real page; larger ones would overflow the database's OFFSET.
MAX_PAGE = 10**6


def _number(request):
    try:
        return min(max(1, int(request.GET.get("page") or 1)), MAX_PAGE)
    except ValueError:
        return 1


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
MICROSECOND = dt.timedelta(microseconds=1)


def _position(letter):
    """Where a letter stands in the queue's order (newest first): received_at in
    microseconds since the epoch, and its id."""
    return f"{(letter.received_at - EPOCH) // MICROSECOND}.{letter.pk}"


def _parse_position(value):
    try:
        micros, pk = (int(part) for part in (value or "").split("."))
        return EPOCH + micros * MICROSECOND, pk
    except (ValueError, OverflowError):
        return None


def _offset_page(number, objects):
    """Page ``number`` by OFFSET: a page reached by its number alone (a typed or old
    link, and the short list of pending extensions)."""
    bottom = (number - 1) * PER_PAGE
    rows = list(objects[bottom:bottom + PER_PAGE + 1])
    if not rows and number > 1:
        number, rows = 1, list(objects[:PER_PAGE + 1])
    return QueuePage(rows[:PER_PAGE], number, number > 1, len(rows) > PER_PAGE,
                     next_query=f"page={number + 1}", previous_query=f"page={number - 1}")


def _seek_page(request, letters):
    """A page of letters ordered newest first (received_at, id descending), after or
    before a position carried by the pager's links."""
    number = _number(request)
    after, before = _parse_position(request.GET.get("after")), _parse_position(request.GET.get("before"))
    if after is not None and number > 1:
        at, pk = after
        # received_at <= at bounds the index scan; the OR alone would make PostgreSQL
        # filter every row before the position.
        rows = list(letters.filter(received_at__lte=at).filter(Q(received_at__lt=at) | Q(id__lt=pk))[:PER_PAGE + 1])
        has_next, has_previous = len(rows) > PER_PAGE, True
        rows = rows[:PER_PAGE]
    elif before is not None and number > 1:
        at, pk = before
        newer = letters.filter(received_at__gte=at).filter(Q(received_at__gt=at) | Q(id__gt=pk))
        rows = list(newer.order_by("received_at", "id")[:PER_PAGE + 1])
        has_previous, has_next = len(rows) > PER_PAGE, True
        rows = rows[:PER_PAGE][::-1]
        if not has_previous:  # back at the top: the first page, in full
            rows, number = None, 1
    else:
        rows = None
    if not rows:  # no position, or nothing left there (letters moved on): by number
        page = _offset_page(number, letters)
        rows, number, has_previous, has_next = page.object_list, page.number, page.has_previous(), page.has_next()
    return QueuePage(
        rows, number, has_previous, has_next,
        next_query=f"page={number + 1}&after={_position(rows[-1])}" if rows else "",
        previous_query="page=1" if number <= 2 or not rows else f"page={number - 1}&before={_position(rows[0])}",
    )


# --- The queue ------------------------------------------------------------------------------------

TABS = [
    ("screening", "待审查"),
    ("mine", "本单位待办"),
    ("sign", "待我审签"),
    ("overdue", "超期"),
    ("extensions", "延期申请"),
    ("done", "本单位已办"),
    ("all", "全部"),
]


def _letters():
    return Letter.objects.select_related("mailbox", "letter_type", "handling_unit").order_by("-received_at", "-id")


def _tab_querysets(scope):
    """The tabs this person sees, each a queryset filtered on indexed columns."""
    today = timezone.localdate()
    tabs = {}
    if scope.sees_all:
        tabs["screening"] = _letters().filter(status=Status.SCREENING)
    elif scope.handler_units:
        tabs["screening"] = _letters().filter(
            status=Status.SCREENING, mailbox_id__in=Mailbox.objects.filter(unit_id__in=scope.handler_units).values("id")
        )
    if scope.units:
        tabs["mine"] = _letters().filter(handling_unit_id__in=scope.units, status__in=OPEN_STATUSES)
    if scope.is_superuser:
        tabs["sign"] = _letters().filter(status=Status.REPLY_PENDING)
    elif scope.leader_units:
        tabs["sign"] = _letters().filter(status=Status.REPLY_PENDING, handling_unit_id__in=scope.leader_units)
    if scope.units:  # answered or closed by the person's units: found again without typing a serial
        tabs["done"] = _letters().filter(handling_unit_id__in=scope.units).exclude(status__in=OPEN_STATUSES)
    overdue = _letters().filter(status__in=OPEN_STATUSES, due_on__lt=today)
    tabs["overdue"] = overdue if scope.sees_all else overdue.filter(handling_unit_id__in=scope.units)
    if scope.is_supervisor:
        tabs["extensions"] = (
            Extension.objects.filter(approved__isnull=True)
            .select_related("letter__mailbox", "letter__letter_type", "letter__handling_unit", "requested_by")
            .order_by("requested_at", "id")
        )
    if scope.user.is_authenticated and permissions.sees_all_letters(scope.user):  # supervisors among them
        tabs["all"] = _letters()
    return tabs


@staff_view
def queue(request, scope):
    serial = (request.GET.get("serial") or "").strip().upper()
    if serial:
        found = Letter.objects.select_related("mailbox").filter(serial=serial).first()
        if found is not None and scope.may_view(found):
            return redirect("letters_admin:detail", found.pk)
        messages.error(request, f"没有您可查看的编号为 {serial} 的来信。")

    querysets = _tab_querysets(scope)
    # Each count is over one tab's filtered set (indexed), never over the whole table.
    counts = {name: qs.count() for name, qs in querysets.items() if name not in ("all", "done")}
    tab = request.GET.get("tab")
    if tab not in querysets:
        tab = next((name for name, _ in TABS if counts.get(name)), None) or next(n for n, _ in TABS if n in querysets)

    filter_form = None
    objects = querysets[tab]
    if tab != "extensions":
        filter_form = QueueFilterForm(request.GET or None)
        objects = filter_form.apply(objects)
    page = _offset_page(_number(request), objects) if tab == "extensions" else _seek_page(request, objects)

    today = timezone.localdate()
    rows = []
    for item in page.object_list:
        extension = item if isinstance(item, Extension) else None
        letter = extension.letter if extension else item
        rows.append({"letter": letter, "extension": extension, "overdue": services.is_overdue(letter, today)})

    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    query["tab"] = tab
    return render(request, "letters/admin/queue.html", {
        "tabs": [(name, label, counts.get(name)) for name, label in TABS if name in querysets],
        "tab": tab,
        "tab_label": dict(TABS)[tab],
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
        "filter_form": filter_form,
        "serial": serial,
    })


# --- One letter ---------------------------------------------------------------------------------------

def _pending_reply(letter):
    if letter.status != Status.REPLY_PENDING:
        return None
    return letter.replies.filter(approved_at__isnull=True, rejected_reason="").order_by("-drafted_at", "-id").first()


def _pending_extension(letter):
    return letter.extensions.filter(approved__isnull=True).select_related("requested_by").first()


def _available_actions(scope, letter, pending_reply, pending_extension):
    """The steps to offer, in the order shown. The service decides in the end; this
    only spares people forms that would surely be refused."""
    user = scope.user
    screening = letter.status == Status.SCREENING
    is_open = letter.status in OPEN_STATUSES
    dispatcher = permissions.is_dispatcher(user, letter.mailbox)
    handler = bool(letter.handling_unit_id) and permissions.is_handler(user, letter.handling_unit_id)
    overdue = services.is_overdue(letter)
    actions = []
    if screening and dispatcher:
        actions += ["route", "reject", "duplicate", "spam"]
    if pending_reply and permissions.is_leader(user, letter.handling_unit_id):
        actions.append("reply_decide")
    if pending_extension and scope.is_supervisor:
        actions.append("extension_decide")
    if is_open and handler:
        if letter.status != Status.REPLY_PENDING:
            actions.append("reply_draft")
        actions.append("assign")
        if not pending_extension and not overdue:
            actions.append("extension_request")
    if is_open and (handler or scope.is_supervisor):
        actions.append("transfer")
    if is_open and handler and letter.routed_at and calendar.working_days_between(
        timezone.localtime(letter.routed_at).date(), timezone.localdate()
    ) <= services.RETURN_WINDOW:
        actions.append("return")
    if handler or permissions.is_dispatcher(user, letter.mailbox):
        actions.append("note")
    return actions


def _form_kwargs(action, letter, scope, pending_reply, pending_extension, bound):
    kwargs = {"letter": letter, "user": scope.user}
    if action == "route" and not bound:
        kwargs["suggestion"] = services.route_suggestion(letter)
    elif action == "reply_decide":
        kwargs["reply"] = pending_reply
    elif action == "extension_decide":
        kwargs["extension"] = pending_extension
    return kwargs


def _perform(action, request, letter, data):
    """Call the one service for ``action``; return the message to show on success."""
    user, version = request.user, data.get("version")
    if action == "route":
        letter = services.letter_route(letter=letter, unit=data["unit"], actor=user, version=version,
                                       time_limit=data.get("time_limit"), reason=data.get("reason", ""),
                                       citizen_note=data.get("citizen_note", ""))
        return f"已受理,分办给{letter.handling_unit.name},截止 {letter.due_on:%Y-%m-%d}。"
    if action == "reject":
        services.letter_reject(letter=letter, reason_code=data["reason_code"], note=data.get("note", ""), actor=user,
                               version=version)
        return "已作不予受理处理,并告知来信人。"
    if action == "duplicate":
        services.letter_mark_duplicate(letter=letter, original=data["original"], actor=user, version=version)
        return f"已标为与 {data['original'].serial} 重复,合并办理。"
    if action == "spam":
        services.letter_mark_spam(letter=letter, actor=user, version=version)
        return "已标为垃圾信件。"
    if action == "assign":
        services.letter_assign(letter=letter, person=data["person"], actor=user, version=version)
        return f"已指定 {person_name(data['person'])} 办理。"
    if action == "note":
        services.letter_note(letter=letter, text=data["text"], actor=user, version=version)
        return "备注已记录。"
    if action == "extension_request":
        services.extension_request(letter=letter, days=data["days"], reason=data["reason"], actor=user, version=version)
        return "延期申请已提交,等待监督人员审批。"
    if action == "transfer":
        letter = services.letter_transfer(letter=letter, to_unit=data["to_unit"], reason=data["reason"], actor=user,
                                          version=version)
        return f"已转{letter.handling_unit.name}办理。"
    if action == "return":
        services.letter_return(letter=letter, reason=data["reason"], actor=user, version=version)
        return "已退回分办人重新分办。"
    if action == "reply_draft":
        services.reply_draft(letter=letter, body=data["body"], actor=user, version=version)
        return "答复稿已提交领导审签。"
    if action == "reply_decide":
        letter = services.reply_decide(reply=data["reply"], approve=data["approve"], reason=data.get("reason", ""),
                                       actor=user, version=version, publish=data.get("publish", False))
        if not data["approve"]:
            return "答复稿已退回修改。"
        if letter.published:
            return "答复已签发,并告知来信人;来信已按公开版本公开。"
        if data.get("publish"):
            return "答复已签发,并告知来信人;来信含筛查词,暂不公开。"
        return "答复已签发,并告知来信人;来信不公开。"
    if action == "extension_decide":
        services.extension_decide(extension=data["extension"], approve=data["approve"], note=data.get("note", ""),
                                  actor=user, version=version)
        return "已同意延期,截止日期已顺延。" if data["approve"] else "已不同意延期。"
    raise AssertionError(action)


def _visible_letter(scope, letter_id):
    letters = Letter.objects.select_related("mailbox", "letter_type", "handling_unit", "assignee", "duplicate_of")
    letter = get_object_or_404(letters, pk=letter_id)
    if not scope.may_view(letter):
        raise PermissionDenied("您无权查看这封来信。")
    return letter


@staff_view
def letter_detail(request, scope, letter_id):
    letter = _visible_letter(scope, letter_id)
    contact, contact_form, failed = None, ContactForm(), None

    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "contact":
            contact_form = ContactForm(request.POST)
            purpose = contact_form.cleaned_data["purpose"] if contact_form.is_valid() else ""
            try:
                contact = services.contact_view(letter=letter, viewer=request.user, purpose=purpose)
            except DomainError as exc:
                messages.error(request, exc.message)
        elif action in ACTION_FORMS:
            form_class = ACTION_FORMS[action]
            form = form_class(request.POST, **_form_kwargs(action, letter, scope, _pending_reply(letter),
                                                           _pending_extension(letter), bound=True))
            if form.is_valid():
                try:
                    message = _perform(action, request, letter, form.cleaned_data)
                except DomainError as exc:
                    messages.error(request, exc.message)
                    if exc.field in form.fields:
                        form.add_error(exc.field, exc.message)
                    failed = form
                else:
                    messages.success(request, message)
                    return redirect("letters_admin:detail", letter.pk)
            else:
                messages.error(request, "请按提示修改后再提交。")
                failed = form
            # Show the letter as it is now; keep what was typed for another try.
            letter = _visible_letter(scope, letter.pk)
            failed.keep_input_with_version(letter.version)
        else:
            messages.error(request, "未知的操作。")

    pending_reply, pending_extension = _pending_reply(letter), _pending_extension(letter)
    forms = []
    for action in _available_actions(scope, letter, pending_reply, pending_extension):
        if failed is not None and failed.action == action:
            forms.append(failed)
        else:
            forms.append(ACTION_FORMS[action](**_form_kwargs(action, letter, scope, pending_reply, pending_extension,
                                                             bound=False)))
    if failed is not None and failed not in forms:
        messages.info(request, "这封来信的状态已变化,原来的操作不再适用。")

    response = render(request, "letters/admin/detail.html", {
        "letter": letter,
        "overdue": services.is_overdue(letter),
        "deadline_explanation": services.deadline_explanation(letter),
        "events": [
            {"event": e, "label": EVENT_LABELS.get(e.kind, e.kind)}
            for e in letter.events.select_related("actor", "unit").order_by("at", "id")
        ],
        "replies": letter.replies.select_related("unit", "drafted_by", "approved_by").order_by("drafted_at", "id"),
        "extensions": letter.extensions.select_related("requested_by", "decided_by").order_by("requested_at", "id"),
        "attachments": letter.attachments.all(),
        "pending_reply": pending_reply,
        "forms": forms,
        "not_accepted": queries.not_accepted_reason(letter),
        "may_see_contact": permissions.may_see_contact(request.user, letter),
        "contact": contact,
        "contact_form": contact_form,
    })
    return response


def attachment_download(request, letter_id, attachment_id):
    """Attachments are private: served only to staff who may see the letter (the
    units it reached, its mailbox's dispatchers, supervisors). Anyone else gets a
    plain 403, never the admin's redirect: this is a file, not a page."""
    scope = StaffScope(request.user)
    letter = get_object_or_404(Letter.objects.select_related("mailbox"), pk=letter_id)
    if not scope.has_access or not scope.may_view(letter):
        return HttpResponseForbidden("您无权查看这封来信的附件。", content_type="text/plain; charset=utf-8")
    attachment = get_object_or_404(Attachment, pk=attachment_id, letter=letter)
    response = files.serve(attachment)  # a missing file answers 404 before anything is recorded
    services.attachment_for_staff(letter=letter, attachment=attachment, viewer=request.user)
    return response


# --- The working-day calendar ---------------------------------------------------------------------

WEEKDAYS = "一二三四五六日"


def may_see_calendar(user):
    """People with a mailbox role read the calendar; the management centre keeps it
    with the supervisors (``permissions.may_change_calendar``)."""
    return has_mailbox_role(user) or (user.is_authenticated and permissions.may_change_calendar(user))


def calendar_view(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_see_calendar(request.user):
            raise PermissionDenied(_("您没有公开信箱的岗位。"))
        return view(request, *args, **kwargs)

    return wrapper


@calendar_view
def calendar_index(request):
    form = CalendarEntryForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():  # calendar_entry_save refuses anyone but a supervisor or the management centre
            data = form.cleaned_data
            try:
                moved = services.calendar_entry_save(date=data["date"], is_working_day=data["is_working_day"],
                                                     reason=data["reason"], actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
            else:
                kind = "工作日" if data["is_working_day"] else "休息日"
                messages.success(request, f"已将 {data['date']:%Y-%m-%d} 登记为{kind};{moved} 封在办来信的截止日期随之调整。")
                return redirect("letters_admin:calendar")
        else:
            messages.error(request, "请按提示修改后再提交。")

    entries = CalendarEntry.objects.select_related("created_by").order_by("-date")[:200]
    rows = [{"entry": e, "weekday": "星期" + WEEKDAYS[e.date.weekday()]} for e in entries]
    may_change = permissions.may_change_calendar(request.user)
    return render(request, "letters/admin/calendar.html", {
        "rows": rows, "form": form if may_change else None, "may_change": may_change,
        "history": queries.calendar_history(), "years_to_register": calendar.years_to_register(),
    })


@require_POST
@calendar_view
def calendar_remove(request, entry_id):
    entry = get_object_or_404(CalendarEntry, pk=entry_id)
    try:
        moved = configuration.calendar_entry_remove(entry=entry, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除 %(date)s 的调整,这一天按官方日历计算;%(moved)d 封在办来信的截止日期随之调整。")
                         % {"date": f"{entry.date:%Y-%m-%d}", "moved": moved})
    return redirect("letters_admin:calendar")


# --- Statistics ---------------------------------------------------------------------------------------------

STAT_COLUMNS = [
    ("received", "收信"), ("accepted", "受理"), ("not_accepted", "不予受理"), ("duplicates", "重复"), ("spam", "垃圾"),
    ("replied", "已答复"), ("on_time", "按时答复"), ("on_time_rate", "按时率%"), ("open", "在办"),
    ("overdue", "超期"), ("escalated", "督办"), ("avg_working_days_to_reply", "平均答复(工作日)"),
    ("satisfaction", "满意率%"),
]


def _stat_cells(stats):
    return [{"key": key, "value": "—" if stats[key] is None else stats[key]} for key, _ in STAT_COLUMNS]


@staff_view
def stats(request, scope):
    form = StatsFilterForm(request.GET if "since" in request.GET else None,
                           initial={"since": dt.date(timezone.localdate().year, 1, 1)})
    if form.is_bound:
        since_date = form.cleaned_data["since"] if form.is_valid() else None
    else:
        since_date = form.initial["since"]

    snapshot = queries.stats_snapshot(since_date)
    rows = snapshot.rows
    mailboxes = Mailbox.objects.select_related("unit")
    units = Unit.objects.filter(pk__in={row["unit"] for row in rows if row["unit"] is not None}).order_by("sort_order", "id")
    criticism = snapshot.criticism
    if not scope.sees_all:
        mailboxes = mailboxes.filter(unit_id__in=scope.units)
        units = units.filter(pk__in=scope.units)
        criticism = [row for row in criticism if row["handling_unit_id"] in scope.units]
    labels = queries.not_accepted_labels()
    mailbox_rows = [{"mailbox": m, "cells": _stat_cells(queries.summarise(rows, mailbox_id=m.pk, reason_labels=labels))}
                    for m in mailboxes]
    unit_rows = [{"unit": u, "cells": _stat_cells(queries.summarise(rows, unit_id=u.pk, reason_labels=labels))}
                 for u in units]
    total = queries.summarise(rows, reason_labels=labels) if scope.sees_all else None
    return render(request, "letters/admin/stats.html", {
        "form": form,
        "since": since_date,
        "columns": STAT_COLUMNS,
        "mailbox_rows": mailbox_rows,
        "unit_rows": unit_rows,
        "total": total,
        "total_cells": _stat_cells(total) if total else None,
        "criticism": criticism,
        "snapshot": snapshot,
        "precomputed": snapshot.pk is not None,
        "refresh_minutes": queries.REFRESH_EVERY // 60,
    })


urlpatterns = [
    path("", queue, name="queue"),
    path("<int:letter_id>/", letter_detail, name="detail"),
    path("<int:letter_id>/attachments/<int:attachment_id>/", attachment_download, name="attachment"),
    path("calendar/", calendar_index, name="calendar"),
    path("calendar/<int:entry_id>/remove/", calendar_remove, name="calendar_remove"),
    path("stats/", stats, name="stats"),
]
