"""What the supervision work does with its findings: the content-assurance division
(A2: portal columns assigned to responsible units, flagged when they fall behind)
and rectification notices (整改通知: a site's problems sent to its unit with a
deadline, tracked until the unit reports the fix and the next scorecard confirms it).

Services in the house style: one function per use case, each in one transaction,
permission checked here (the admin pages only decide what to offer), every change
an entry of the audit trail (guard.audit); a notice's every step is also a
NoticeEvent (who, when, what), and a change to a notice is guarded by its
``version`` so two people never overwrite each other. E-mails leave through the
platform's outbox (letters.outbox) in the same transaction as the step they report.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from guard import audit
from letters import calendar, outbox
from orgs.errors import DomainError, NotFound, PermissionRefused
from orgs.models import Role

from . import queries
from .models import ColumnAssignment, ColumnFlag, NoticeEvent, NoticeStatus, RectificationNotice, Scorecard

MAX_UPDATE_DAYS = 3650
MAX_DEADLINE_WORKING_DAYS = 60
NOTIFY_ROLES = (Role.SITE_ADMIN, Role.LEADER)


def _now():
    return timezone.now()


def _today():
    return timezone.localdate()


def _require(condition, message):
    if not condition:
        raise PermissionRefused(message)


def _people_to_tell(unit_id, roles=NOTIFY_ROLES):
    """E-mail addresses of the unit's site administrators and leaders; anyone of the
    unit with an address when it has none of those."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    chosen = users.filter(memberships__unit_id=unit_id, memberships__role__in=list(roles)).distinct()
    if not chosen.exists():
        chosen = users.filter(memberships__unit_id=unit_id).distinct()
    return sorted(set(chosen.values_list("email", flat=True)))


def _tell_unit(unit_id, kind, subject, body):
    return [outbox.notify(kind=kind, to=to, subject=subject, body=body) for to in _people_to_tell(unit_id)]


# --- The content-assurance division (A2) -------------------------------------------------

def _portal_column(column):
    from portal.models import ColumnPage, PortalHomePage

    page = ColumnPage.objects.filter(pk=getattr(column, "pk", column)).first() if column else None
    if page is None:
        raise DomainError("请选择门户网站的一个栏目。", field="column")
    if not PortalHomePage.objects.ancestor_of(page).exists():
        raise DomainError("只能分工门户网站的栏目。", field="column")
    return page


def _assignment_values(*, column, unit, update_days, person, phone, active):
    errors = {}
    try:
        column = _portal_column(column)
    except DomainError as exc:
        errors["column"] = exc.message
    if unit is None:
        errors["unit"] = "请选择责任单位。"
    try:
        update_days = int(update_days)
    except (TypeError, ValueError):
        update_days = None
    if update_days is None or not 1 <= update_days <= MAX_UPDATE_DAYS:
        errors["update_days"] = f"更新周期应为1至{MAX_UPDATE_DAYS}天。"
    person, phone = (person or "").strip(), (phone or "").strip()
    if len(person) > 40:
        errors["person"] = "责任人不超过40个字。"
    if len(phone) > 40:
        errors["phone"] = "联系电话不超过40个字。"
    if errors:
        raise DomainError(";".join(errors.values()), field=next(iter(errors)), field_errors=errors)
    return dict(column=column, unit=unit, update_days=update_days, person=person, phone=phone, active=bool(active))


@transaction.atomic
def assignment_save(*, actor, instance=None, column, unit, update_days, person="", phone="", active=True):
    """Assign a portal column to a responsible unit with an expected update frequency
    and a person in charge (or change the assignment): supervisors of every site only."""
    _require(queries.sees_every_site(actor), "只有市政府督查室等监督人员可以分工栏目内容保障。")
    values = _assignment_values(column=column, unit=unit, update_days=update_days, person=person, phone=phone,
                                active=active)
    clash = ColumnAssignment.objects.filter(column=values["column"])
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise DomainError("这个栏目已经分工给了一个责任单位,请修改原分工。", field="column")
    if instance is None:
        assignment = ColumnAssignment.objects.create(**values)
        audit.record(assignment, "supervision.assignment.create", actor=actor, before=None, after=values)
        return assignment
    instance = ColumnAssignment.objects.select_for_update().get(pk=instance.pk)
    before, after = audit.changes(instance, values)
    for name, value in values.items():
        setattr(instance, name, value)
    instance.save()
    if not instance.active:
        ColumnFlag.objects.filter(assignment=instance, cleared_at__isnull=True).update(cleared_at=_now())
    if after:
        audit.record(instance, "supervision.assignment.update", actor=actor, before=before, after=after)
    return instance


def column_last_update(column):
    """The newest item's publication date of a column (its own or placed in it), or None."""
    from portal.queries import column_items

    newest = column_items(column).values_list("pub_date", flat=True).first()
    return timezone.localtime(newest).date() if newest else None


def assignment_state(assignment, today=None):
    """``(last_update, days_since, behind)`` of an assigned column today."""
    today = today or _today()
    last = column_last_update(assignment.column)
    days = (today - last).days if last else None
    behind = last is None or days > assignment.update_days
    return last, days, behind


def _sweep_assignment(assignment, today):
    last, days, behind = assignment_state(assignment, today)
    with transaction.atomic():
        flag = ColumnFlag.objects.select_for_update().filter(assignment=assignment, cleared_at__isnull=True).first()
        if not behind:
            if flag is not None:
                flag.cleared_at = _now()
                flag.last_update = last
                flag.save(update_fields=["cleared_at", "last_update"])
                audit.record(assignment, "supervision.assignment.flag_clear", after={"last_update": last})
                return "cleared"
            return "ok"
        days_behind = (days - assignment.update_days) if last else 0
        if flag is None:
            try:
                with transaction.atomic():
                    flag = ColumnFlag.objects.create(assignment=assignment, raised_at=_now(), last_update=last,
                                                     days_behind=days_behind)
            except IntegrityError:  # another sweep raised it at this moment
                flag = ColumnFlag.objects.select_for_update().get(assignment=assignment, cleared_at__isnull=True)
            else:
                audit.record(assignment, "supervision.assignment.flag", after={"last_update": last,
                                                                              "days_behind": days_behind})
        else:
            flag.last_update, flag.days_behind = last, days_behind
            flag.save(update_fields=["last_update", "days_behind"])
        if flag.notified_at is None:
            column = assignment.column
            since = f"最近一次更新在 {last:%Y-%m-%d},已 {days} 天未更新" if last else "至今没有发布任何内容"
            _tell_unit(assignment.unit_id, "column_behind", f"栏目“{column.title}”更新不及时",
                       f"贵单位负责内容保障的门户网站栏目“{column.title}”应每 {assignment.update_days} 天更新,"
                       f"{since}。请尽快更新。\n责任人:{assignment.person or '未指定'}")
            flag.notified_at = _now()
            flag.save(update_fields=["notified_at"])
        return "flagged"


def columns_sweep(today=None):
    """Flag every active assignment behind its frequency (one open flag per column,
    its unit told once), clear the flags of columns updated since."""
    today = today or _today()
    counts = {"ok": 0, "flagged": 0, "cleared": 0}
    for assignment in ColumnAssignment.objects.filter(active=True).select_related("column", "unit"):
        counts[_sweep_assignment(assignment, today)] += 1
    return counts


def daily_sweep(today=None):
    """The daily task: the A2 division's flags, and following the notices (overdue
    ones, and the reported ones a newer scorecard can now confirm or reopen)."""
    today = today or _today()
    result = columns_sweep(today)
    result["overdue"] = notices_overdue(today)
    reviewed = notices_follow()
    result["confirmed"] = reviewed.count(NoticeStatus.CONFIRMED)
    result["reopened"] = reviewed.count(NoticeStatus.REOPENED)
    return result


# --- Rectification notices (整改通知) -------------------------------------------------------

def _event(notice, kind, *, actor=None, note="", data=None):
    return NoticeEvent.objects.create(notice=notice, kind=kind, actor=actor if getattr(actor, "pk", None) else None,
                                      at=_now(), note=note, data=data or {})


def _lock(notice, version):
    locked = RectificationNotice.objects.select_for_update().select_related("record", "unit").get(pk=notice.pk)
    if version is not None and int(version) != locked.version:
        raise DomainError("这份整改通知刚被他人处理过,请刷新后再操作。", code="conflict")
    return locked


def _save(notice, **changes):
    changes["version"] = F("version") + 1
    RectificationNotice.objects.filter(pk=notice.pk).update(**changes)
    notice.refresh_from_db()
    return notice


def _deadline(deadline_days, deadline, today):
    if deadline_days not in (None, "") and deadline not in (None, ""):
        raise DomainError("整改期限请只填一种:工作日数,或指定日期。", field="deadline_days")
    if deadline_days not in (None, ""):
        try:
            days = int(deadline_days)
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= MAX_DEADLINE_WORKING_DAYS:
            raise DomainError(f"整改期限应为1至{MAX_DEADLINE_WORKING_DAYS}个工作日。", field="deadline_days")
        return calendar.add_working_days(today, days).due
    if isinstance(deadline, str) and deadline:
        try:
            deadline = dt.date.fromisoformat(deadline)
        except ValueError:
            raise DomainError("整改期限的日期格式应为 2026-03-05。", field="deadline") from None
    if not isinstance(deadline, dt.date):
        raise DomainError("请填写整改期限(工作日数或日期)。", field="deadline_days")
    if deadline <= today:
        raise DomainError("整改期限应在今天之后。", field="deadline")
    if deadline > today + dt.timedelta(days=365):
        raise DomainError("整改期限不能超过一年。", field="deadline")
    working, why = calendar.day_kind(deadline)
    if not working:
        raise DomainError(f"整改期限应为工作日:{deadline:%Y-%m-%d} 是{why}。", field="deadline")
    return deadline


def _chosen_items(scorecard, rules):
    """The problems of ``scorecard`` a supervisor picked (by rule code), as they stand
    in the scorecard (name, detail, points, evidence)."""
    wanted = [code for code in dict.fromkeys(rules or []) if code]
    available = {item.get("rule"): item for item in queries.card_problems(scorecard)}
    unknown = [code for code in wanted if code not in available]
    if unknown:
        raise DomainError("所选问题不在这份评分表中,请刷新后重新选择。", field="items")
    return [{key: available[code].get(key) for key in ("rule", "name", "kind", "check", "category", "points", "detail",
                                                        "evidence")} for code in wanted]


def _next_number(today):
    prefix = f"ZG{today:%Y}"
    last = (RectificationNotice.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    return f"{prefix}{(int(last[len(prefix):]) if last else 0) + 1:04d}"


OPEN_NOTICE_STATUSES = (NoticeStatus.ISSUED, NoticeStatus.REPORTED, NoticeStatus.REOPENED)


def _refuse_a_second_open_notice(record, chosen):
    """One open notice per problem of a site: a unit is not told twice to fix the
    same thing while the first notice is being followed."""
    wanted = {item["rule"] for item in chosen}
    for open_notice in RectificationNotice.objects.filter(record=record, status__in=OPEN_NOTICE_STATUSES):
        again = [item["name"] for item in open_notice.items if item.get("rule") in wanted]
        if again:
            raise DomainError(f"整改通知 {open_notice.number} 尚未办结,已包含“{'、'.join(again)}”:"
                              "请在那份通知上跟进,或只选择其他问题。", field="items")


def notice_issue(*, actor, scorecard, items, message="", deadline_days=None, deadline=None):
    """A supervisor sends a site's problems (rule codes picked from its scorecard) to
    its unit with a deadline (working days, or a date) and a requirement; numbered
    (ZG + year + sequence) and mailed to the unit."""
    _require(queries.sees_every_site(actor), "只有市政府督查室等监督人员可以下发整改通知。")
    if not isinstance(scorecard, Scorecard):
        scorecard = Scorecard.objects.filter(pk=scorecard).first()
        if scorecard is None:
            raise NotFound("没有这份评分表。")
    today = _today()
    chosen = _chosen_items(scorecard, items)
    message = (message or "").strip()
    if not chosen:
        raise DomainError("请至少选择一个要整改的问题。", field="items")
    if len(message) > 2000:
        raise DomainError("整改要求不超过2000字。", field="message")
    due = _deadline(deadline_days, deadline, today)
    record = scorecard.record
    _refuse_a_second_open_notice(record, chosen)
    for attempt in range(5):
        try:
            with transaction.atomic():
                notice = RectificationNotice.objects.create(
                    number=_next_number(today), record=record, unit=record.unit, scorecard=scorecard, items=chosen,
                    message=message, deadline=due, issued_by=actor, issued_at=_now(),
                )
                _event(notice, "issued", actor=actor, note=message,
                       data={"items": [item["rule"] for item in chosen], "deadline": due.isoformat(),
                             "scorecard": scorecard.pk})
                audit.record(notice, "supervision.notice.issue", actor=actor, before=None,
                             after={"status": notice.status, "deadline": due, "items": [i["rule"] for i in chosen]},
                             record=record.pk, scorecard=scorecard.pk)
                names = "\n".join(f"- {item['name']}:{item.get('detail') or ''}" for item in chosen)
                _tell_unit(record.unit_id, "notice_issued", f"整改通知 {notice.number}",
                           f"{record.name}存在以下问题,请于 {due:%Y年%m月%d日} 前整改并在网站监管“整改通知”中报告整改情况:\n"
                           f"{names}\n{message}")
            return notice
        except IntegrityError:
            continue  # the number was taken at this moment: take the next one
    raise DomainError("系统繁忙,请稍后再试。", code="busy")


@transaction.atomic
def notice_report(*, actor, notice, report, version):
    """The unit reports what it fixed; the next scorecard will show whether it holds."""
    notice = _lock(notice, version)
    _require(queries.may_report_on(actor, notice), "只有被通知整改的单位可以报告整改情况。")
    if notice.status not in (NoticeStatus.ISSUED, NoticeStatus.REOPENED):
        raise DomainError("这份整改通知已报告整改情况,等待复查。", code="state")
    report = (report or "").strip()
    if len(report) < 5:
        raise DomainError("请写明整改了什么(至少5个字)。", field="report")
    if len(report) > 5000:
        raise DomainError("整改情况不超过5000字。", field="report")
    before = {"status": notice.status}
    notice = _save(notice, status=NoticeStatus.REPORTED, report=report, reported_at=_now())
    _event(notice, "reported", actor=actor, note=report)
    audit.record(notice, "supervision.notice.report", actor=actor, before=before, after={"status": notice.status})
    if notice.issued_by_id and notice.issued_by.email:
        outbox.notify(kind="notice_reported", to=notice.issued_by.email, subject=f"整改通知 {notice.number} 已报整改",
                      body=f"{notice.unit.name}已报告{notice.record.name}的整改情况:\n{report}\n下次评分后将自动复查。")
    return notice


def _next_card(notice):
    return (Scorecard.objects.filter(record_id=notice.record_id, computed_at__gt=notice.reported_at)
            .order_by("-computed_at").first())


@transaction.atomic
def notice_review(*, notice, actor=None, version=None):
    """Confirm or reopen a reported notice from the scorecard computed after the
    report: confirmed when none of the problems named is found any more, reopened
    with the ones still found. None when no scorecard has been computed since."""
    notice = _lock(notice, version)
    if actor is not None:
        _require(queries.sees_every_site(actor), "只有监督人员可以复查整改通知。")
    if notice.status != NoticeStatus.REPORTED:
        raise DomainError("只有已报整改的通知才能复查。", code="state")
    card = _next_card(notice)
    if card is None:
        return None
    found = {item.get("rule"): item for item in queries.card_problems(card)}
    still = [dict(item, detail=found[item["rule"]].get("detail"), evidence=found[item["rule"]].get("evidence"))
             for item in notice.items if item.get("rule") in found]
    before = {"status": notice.status}
    if still:
        notice = _save(notice, status=NoticeStatus.REOPENED)
        names = "、".join(item["name"] for item in still)
        _event(notice, "reopened", actor=actor, note=f"复查未通过,仍存在:{names}",
               data={"scorecard": card.pk, "still": still})
        _tell_unit(notice.unit_id, "notice_reopened", f"整改通知 {notice.number} 复查未通过",
                   f"{notice.record.name}复查({card.computed_at:%Y-%m-%d})仍存在:{names}。请继续整改后再报。")
    else:
        notice = _save(notice, status=NoticeStatus.CONFIRMED, confirmed_at=_now())
        _event(notice, "confirmed", actor=actor, note="复查通过,所列问题已不再出现", data={"scorecard": card.pk})
    audit.record(notice, "supervision.notice.review", actor=actor, before=before, after={"status": notice.status},
                 scorecard=card.pk, still=[item["rule"] for item in still])
    return notice


def notices_follow():
    """Review every reported notice that has a newer scorecard; the statuses reached."""
    reached = []
    for notice in RectificationNotice.objects.filter(status=NoticeStatus.REPORTED):
        reviewed = notice_review(notice=notice)
        if reviewed is not None:
            reached.append(reviewed.status)
    return reached


def notices_overdue(today=None):
    """Mark (once per deadline) the notices past their deadline without a report, and
    tell their units."""
    today = today or _today()
    marked = 0
    due = RectificationNotice.objects.filter(status__in=(NoticeStatus.ISSUED, NoticeStatus.REOPENED),
                                             deadline__lt=today)
    for notice in due:
        with transaction.atomic():
            notice = _lock(notice, None)
            if notice.events.filter(kind="overdue", data__deadline=notice.deadline.isoformat()).exists():
                continue
            _event(notice, "overdue", note=f"已超过整改期限 {notice.deadline:%Y-%m-%d},未报整改",
                   data={"deadline": notice.deadline.isoformat()})
            audit.record(notice, "supervision.notice.overdue", after={"overdue": True}, deadline=notice.deadline)
            _tell_unit(notice.unit_id, "notice_overdue", f"整改通知 {notice.number} 已超期",
                       f"{notice.record.name}的整改通知已超过期限 {notice.deadline:%Y年%m月%d日},请立即整改并报告。")
            marked += 1
    return marked


# The audit trail's actions of these services (registered by wagtail_hooks.py).
LOG_ACTIONS = [
    ("supervision.assignment.create", "新建内容保障分工", "将门户网站栏目分工给责任单位"),
    ("supervision.assignment.update", "修改内容保障分工", "修改了栏目的内容保障分工"),
    ("supervision.assignment.flag", "栏目更新不及时", "栏目超过更新周期未更新,已提醒责任单位"),
    ("supervision.assignment.flag_clear", "栏目已更新", "栏目已更新,解除提醒"),
    ("supervision.notice.issue", "下发整改通知", "下发了整改通知"),
    ("supervision.notice.report", "报告整改情况", "报告了整改情况"),
    ("supervision.notice.review", "复查整改", "根据最新评分复查整改"),
    ("supervision.notice.overdue", "整改超期", "整改通知超过期限未报整改"),
]
