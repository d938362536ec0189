"""Every step of a letter's life. Each function validates, changes the letter in one
transaction (guarded by its version, so two people cannot overwrite each other),
records an Event (the letter's own history, shown to its writer and its handlers),
writes one entry of the platform's audit trail (``guard.audit``: who changed what,
before and after) and queues the e-mails it causes."""

import re

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from guard import audit, codes
from guard.screening import screen_text
from guard.services import check_upload
from orgs.errors import DomainError, NotFound, PermissionRefused
from orgs.models import Unit
from portal import pagecache

from . import calendar, numbering, outbox, permissions
from .models import (
    OPEN_STATUSES, Attachment, Event, Extension, Feedback, Letter, NotAcceptedReason, Rating, Reply,
    SerialCounter, StatsSnapshot, Status,
)


SUPERIOR_ASSIGNED_LIMIT = 10  # working days, for a letter a superior unit assigns (N-2.5)
CALENDAR_YEARS_BACK, CALENDAR_YEARS_AHEAD = 1, 2  # the calendar corrects dates of letters being handled
RETURN_WINDOW = 2  # working days in which a unit may return a letter to the dispatcher
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
MAX_TITLE, MAX_BODY, MAX_ATTACHMENTS = 100, 5000, 3
LETTER_ATTACHMENT_TYPES = {"pdf", "jpg", "jpeg", "png", "doc", "docx", "txt"}


def _now():
    return timezone.now()


def _today():
    return timezone.localdate()


# --- Submission ------------------------------------------------------------------

def _validate_submission(*, name, phone, email, title, body, attachments, source="web"):
    errors = {}
    name, phone, email, title, body = (v.strip() if isinstance(v, str) else v for v in (name, phone, email, title, body))
    if not name or len(name) > 40:
        errors["name"] = "请填写姓名(不超过40个字)。"
    if source == "email" and not phone:
        pass  # a letter by e-mail may come without a phone; its writer tracks it with the e-mail address
    elif not PHONE_RE.match(phone or ""):
        errors["phone"] = "请填写正确的手机号码或带区号的固定电话。"
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "电子邮箱格式不正确。"
    if not title or len(title) > MAX_TITLE:
        errors["title"] = f"请填写标题(不超过{MAX_TITLE}个字)。"
    if not body or len(body) < 10:
        errors["body"] = "请把事情写清楚(至少10个字)。"
    elif len(body) > MAX_BODY:
        errors["body"] = f"内容过长(不超过{MAX_BODY}个字),可分多封来信。"
    if len(attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = f"附件最多{MAX_ATTACHMENTS}个。"
    else:
        for filename, content in attachments:
            try:
                check_upload(name=filename, size=len(content), head=content[:8192], allowed=LETTER_ATTACHMENT_TYPES)
            except DomainError as exc:
                errors["attachments"] = f"附件「{filename}」:{exc.message}"
                break
    if errors:
        raise DomainError(";".join(errors.values()), code="invalid", field=next(iter(errors)), field_errors=errors)
    return name, phone, email, title, body


def letter_field_errors(*, name, phone, email, title, body, attachments):
    """Every rule the writer's fields break, by field, storing nothing: the form shows
    them all in one answer instead of one per try."""
    try:
        _validate_submission(name=name, phone=phone, email=email, title=title, body=body, attachments=attachments)
    except DomainError as exc:
        return exc.field_errors
    return {}


def _highest_serial_number(day):
    last = Letter.objects.filter(serial__startswith=f"X{day:%Y%m%d}").order_by("-serial").values_list("serial", flat=True).first()
    return int(last[9:]) if last else 0


def _take_serial_number(day):
    """The next number of ``day`` (letters.numbering: one statement, unique, not gap-free)."""
    return numbering.take(SerialCounter, day)


def _catch_up_serial_counter(day):
    """Move ``day``'s counter past the highest serial stored: after a restore, an
    import or letters the counter never saw, its next number would be taken."""
    numbering.catch_up(SerialCounter, day, _highest_serial_number(day))


def _next_serial(now):
    """X + date + the day's sequence number."""
    day = timezone.localtime(now).date()
    return f"X{day:%Y%m%d}{_take_serial_number(day):05d}"


def _store_numbered(now, write, *, existing=None):
    """Store a new letter under the next serial: ``write(serial, nonce, code)``
    creates it and everything that goes with it in one transaction; return
    ``(letter, query_code)``. A serial taken by a letter the counter never saw is
    skipped; ``existing()`` finds the letter a repeated request already stored."""
    for attempt in range(5):
        serial = _next_serial(now)
        try:
            with transaction.atomic():
                nonce = codes.new_nonce()
                code = codes.query_code(serial, nonce)
                letter = write(serial, nonce, code)
            return letter, code
        except IntegrityError:
            found = existing() if existing is not None else None
            if found is not None:
                return found, codes.query_code(found.serial, found.query_nonce)
            if Letter.objects.filter(serial=serial).exists():
                _catch_up_serial_counter(timezone.localtime(now).date())
            continue  # the number was taken by a letter the counter never saw; take the next one
    raise DomainError("系统繁忙,请稍后再试。", code="busy")


def letter_submit(*, mailbox, letter_type, name, phone, email="", title, body, consent_publish=False,
                  attachments=(), ip=None, source="web", idempotency_key=None):
    """Take in a letter; return ``(letter, query_code)``.

    Everything is written in one transaction before the code is shown, so a code
    that a citizen has seen always belongs to a stored letter. With an
    ``idempotency_key`` a repeated request returns the first letter and its code.
    """
    if idempotency_key:
        existing = Letter.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing, codes.query_code(existing.serial, existing.query_nonce)
    if not mailbox.active:
        raise DomainError("该信箱暂停受理。", code="closed")
    if not letter_type.active:
        raise DomainError("该来信类型已停用。", field="letter_type")
    name, phone, email, title, body = _validate_submission(
        name=name, phone=phone, email=email, title=title, body=body, attachments=list(attachments), source=source
    )
    now = _now()

    def write(serial, nonce, code):
        letter = Letter.objects.create(
            serial=serial, query_nonce=nonce, query_code_hash=codes.code_hash(code), mailbox=mailbox,
            letter_type=letter_type, source=source, writer_name=name, writer_phone=phone, writer_email=email,
            writer_ip=ip, title=title, body=body, consent_publish=consent_publish, received_at=now,
            idempotency_key=idempotency_key or None,
        )
        for filename, content in attachments:
            item = Attachment(letter=letter, name=filename, size=len(content))
            item.file.save(f"{serial}-{filename}", ContentFile(content), save=True)
        hits = screen_text({"标题": title, "内容": body})
        _event(letter, "submitted", reason=f"通过{ {'web': '网站', 'email': '电子邮件', 'api': '接口'}.get(source, source) }提交",
               unit=mailbox.unit, data={"screening": [h.term for h in hits]})
        audit.record(letter, "letters.letter.submit", after={"status": letter.status}, source=source,
                     mailbox=mailbox.pk, attachments=len(attachments))
        _notify_citizen(letter, "received", "来信已收到",
                        f"您写给{mailbox.name}的来信《{title}》已收到,编号 {serial}。\n"
                        f"查询码:{code}(请妥善保存,凭查询码和手机号后四位查询办理进度)。")
        return letter

    def existing():
        if idempotency_key:
            return Letter.objects.filter(idempotency_key=idempotency_key).first()
        return None

    return _store_numbered(now, write, existing=existing)


# --- The error-report channel (我为政府网站找错) ----------------------------------------

MAX_PROBLEM, MAX_ADDRESS = 2000, 500


def _validate_error_report(*, address, problem, name, phone, email):
    """The form's fields, every rule at once: an address of one of the platform's
    sites (or a registered site), what is wrong, and contact data that is optional
    but checked when given. Returns the cleaned values and the site record."""
    from .queries import site_for_address

    errors = {}
    address, problem, name, phone, email = ((v or "").strip() for v in (address, problem, name, phone, email))
    record = None
    if not address:
        errors["address"] = "请填写出错页面的网址。"
    elif len(address) > MAX_ADDRESS:
        errors["address"] = f"网址过长(不超过{MAX_ADDRESS}个字符)。"
    else:
        record = site_for_address(address)
        if record is None:
            errors["address"] = "这个网址不属于本平台的网站或登记的政府网站,请填写出错页面的完整网址(以 http:// 或 https:// 开头)。"
    if len(problem) < 5:
        errors["problem"] = "请说明页面有什么错误(至少5个字)。"
    elif len(problem) > MAX_PROBLEM:
        errors["problem"] = f"内容过长(不超过{MAX_PROBLEM}个字)。"
    if len(name) > 40:
        errors["name"] = "姓名不超过40个字。"
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = "请填写正确的手机号码或带区号的固定电话,或者不填。"
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "电子邮箱格式不正确,或者不填。"
    if errors:
        raise DomainError(";".join(errors.values()), code="invalid", field=next(iter(errors)), field_errors=errors)
    return (address, problem, name, phone, email), record


def error_report_field_errors(*, address, problem, name="", phone="", email=""):
    """Every rule the error-report form's fields break, by field, storing nothing."""
    try:
        _validate_error_report(address=address, problem=problem, name=name, phone=phone, email=email)
    except DomainError as exc:
        return exc.field_errors
    return {}


def error_report_mailbox(record):
    """The mailbox an error report about ``record`` is filed in: its unit's open
    mailbox, else the mayor's."""
    from .models import Mailbox

    own = Mailbox.objects.filter(unit_id=record.unit_id, active=True).order_by("-is_mayor", "sort_order", "id").first()
    return own or Mailbox.objects.filter(is_mayor=True, active=True).first()


def error_report_by_key(key):
    """``(letter, query_code)`` of the error report a post with ``key`` (the form's
    one-time key) already made, or None. Error reports only: no other letter's code
    is ever shown for a key."""
    from .queries import ERROR_REPORT_TYPE

    letter = (Letter.objects.filter(idempotency_key=key, letter_type__code=ERROR_REPORT_TYPE).first()
              if key else None)
    return None if letter is None else (letter, codes.query_code(letter.serial, letter.query_nonce))


def error_report_submit(*, address, problem, name="", phone="", email="", ip=None, idempotency_key=None):
    """Take in an error report (我为政府网站找错); return ``(letter, query_code)``.

    The report becomes a letter of the ``error_report`` type, routed at once to the
    unit of the site it concerns with the type's limit (3 working days), so the
    unit's queue, the reminders and the deadlines of every letter apply. Contact
    data is optional: a report needs no identity. One transaction: the letter, its
    events, the audit entries and the e-mails are stored together or not at all."""
    from .queries import error_report_type

    (address, problem, name, phone, email), record = _validate_error_report(
        address=address, problem=problem, name=name, phone=phone, email=email)
    letter_type = error_report_type()
    if letter_type is None or not letter_type.active:
        raise DomainError("“我为政府网站找错”暂停受理,请稍后再试。", code="closed")
    mailbox = error_report_mailbox(record)
    if mailbox is None:
        raise DomainError("“我为政府网站找错”暂无受理信箱,请稍后再试。", code="closed")
    unit = record.unit
    # The handlers' queue tells reports apart by their titles: the site and the problem's first words.
    excerpt = " ".join(problem.split())
    title = f"网站找错:{record.name}:{excerpt}"
    title = title if len(title) <= MAX_TITLE else title[:MAX_TITLE - 1] + "…"
    body = f"出错页面:{address}\n\n{problem}"
    now = _now()

    def write(serial, nonce, code):
        letter = Letter.objects.create(
            serial=serial, query_nonce=nonce, query_code_hash=codes.code_hash(code), mailbox=mailbox,
            letter_type=letter_type, source="web", writer_name=name, writer_phone=phone, writer_email=email,
            writer_ip=ip, title=title, body=body, consent_publish=False, received_at=now,
            status=Status.ROUTED, handling_unit=unit, routed_at=now, time_limit=letter_type.time_limit,
            idempotency_key=idempotency_key or None,
        )
        _refresh_due(letter)
        hits = screen_text({"网址": address, "内容": problem})
        _event(letter, "submitted", reason="通过“我为政府网站找错”提交", unit=mailbox.unit,
               data={"screening": [h.term for h in hits],
                     "error_report": {"page": address, "site": record.pk, "site_name": record.name}})
        audit.record(letter, "letters.letter.submit", after={"status": Status.SCREENING}, source="error_report",
                     mailbox=mailbox.pk, site=record.pk, attachments=0)
        audit.record(letter, "letters.letter.route", before={"status": Status.SCREENING, "handling_unit": None},
                     after={"status": Status.ROUTED, "handling_unit": unit, "time_limit": letter.time_limit,
                            "due_on": letter.due_on}, source="error_report")
        _event(letter, "routed", unit=unit, reason=f"找错留言直接转{unit.name}办理",
               data={"time_limit": letter.time_limit})
        _notify_citizen(letter, "received", "找错留言已收到",
                        f"您对{record.name}的找错留言已收到,编号 {serial},已转{unit.name}办理,"
                        f"将在 {letter_type.time_limit} 个工作日内({letter.due_on:%Y年%m月%d日}前)答复。\n"
                        f"查询码:{code}(请妥善保存)。")
        _notify_unit(letter, "assigned", "新的找错留言待办理",
                     f"网站“{record.name}”收到找错留言《{title}》,出错页面 {address},请在 {letter.due_on:%Y-%m-%d} 前核实、改正并答复。")
        return letter

    def existing():
        found = error_report_by_key(idempotency_key)
        return found[0] if found else None

    return _store_numbered(now, write, existing=existing)


# --- Tracking and rating (citizens) ---------------------------------------------

def letter_find_guarded(*, code, check, client):
    """:func:`letter_find` for the public faces, within the client's budget of wrong
    query codes (``guard.codes.find_guarded``)."""
    return codes.find_guarded(lambda: letter_find(code=code, check=check), client=client)


def letter_find(*, code, check):
    """The letter for a query code and a second factor: the last four digits of the
    writer's phone, or (for a letter without a phone) the writer's e-mail address."""
    normal = codes.normalise(code)
    if normal is None:
        raise NotFound("查询码格式不正确:应为12位字母数字,如 AB12-CD34-EF56。")
    letter = Letter.objects.select_related("mailbox", "letter_type", "handling_unit").filter(
        query_code_hash=codes.code_hash(normal)
    ).first()
    check = (check or "").strip()
    if letter is None or not _second_factor_matches(letter, check):
        raise NotFound("查询码或验证信息不正确。")
    return letter


def _second_factor_matches(letter, check):
    if not letter.writer_phone and not letter.writer_email:
        # A report left without contact data (我为政府网站找错): the serial's last four
        # digits, shown with the code, stand in for a phone's.
        return len(check) == 4 and check == letter.serial[-4:]
    if letter.writer_phone:
        return len(check) == 4 and check.isdigit() and letter.writer_phone.endswith(check)
    return bool(check) and check.lower() == letter.writer_email.lower()


@transaction.atomic
def letter_rate(*, letter, rating, comment=""):
    letter = _lock(letter, None)
    if letter.status != Status.REPLIED:
        raise DomainError("只有已答复的来信才能评价。", code="state")
    if rating not in Rating.values:
        raise DomainError("请选择满意、基本满意或不满意。", field="rating")
    if len(comment) > 500:
        raise DomainError("评价意见不超过500字。", field="comment")
    Feedback.objects.create(letter=letter, rating=rating, comment=comment)
    _event(letter, "rated", reason=f"{Rating(rating).label}{':' + comment if comment else ''}")
    before = {"status": letter.status}
    if rating == Rating.UNSATISFIED and not letter.reopened:
        changes = dict(status=Status.HANDLING, reopened=True, routed_at=_now(), extension_days=0, reminded_on=None,
                       escalated_on=None)
        letter = _save(letter, **changes)
        _refresh_due(letter)
        _event(letter, "reopened", unit=letter.handling_unit, reason="来信人不满意,重新办理一次")
        _notify_unit(letter, "reopened", "来信重新办理", f"来信《{letter.title}》的来信人对答复不满意,请重新办理。")
    else:
        letter = _save(letter, status=Status.CLOSED)
        _event(letter, "closed", reason="来信人已评价,办结")
    # The writer rates anonymously (with the query code): the entry has no actor.
    audit.record(letter, "letters.letter.rate", before=before,
                 after={"status": letter.status, "reopened": letter.reopened}, rating=rating)
    return letter


# --- Screening and routing (dispatcher) ------------------------------------------

def _require(condition, message):
    if not condition:
        raise PermissionRefused(message)


def _dispatcher(actor, letter):
    _require(permissions.is_dispatcher(actor, letter.mailbox), "您不是此信箱的受理人员。")


def routing_time_limit(*, mailbox, letter_type, unit):
    """The time limit (working days) a letter of ``letter_type`` written to
    ``mailbox`` gets when routed to ``unit``: a letter the mayor's mailbox assigns to
    another unit is answered within the superior-assigned limit, every other letter
    within its type's limit. The write form shows the same figures
    (:func:`promised_time_limits`)."""
    superior = mailbox.is_mayor and unit.pk != mailbox.unit_id
    return SUPERIOR_ASSIGNED_LIMIT if superior else letter_type.time_limit


def promised_time_limits(mailbox, letter_type):
    """What the write form promises for a letter of ``letter_type`` to ``mailbox``:
    ``(limit when handled by the mailbox's own unit, limit when assigned to another
    unit or None)``, both from :func:`routing_time_limit`."""
    own = routing_time_limit(mailbox=mailbox, letter_type=letter_type, unit=mailbox.unit)
    if not mailbox.is_mayor:
        return own, None
    other = Unit(pk=-1)  # any unit but the mayor's office
    return own, routing_time_limit(mailbox=mailbox, letter_type=letter_type, unit=other)


@transaction.atomic
def letter_route(*, letter, unit, actor, version, time_limit=None, reason="", citizen_note=""):
    """Accept a letter in screening and send it to the unit responsible for it.

    ``reason`` is the dispatcher's internal routing note (staff only); what the
    citizen reads in the history is the standard sentence plus ``citizen_note``,
    written for the citizen on purpose."""
    letter = _lock(letter, version)
    _dispatcher(actor, letter)
    if letter.status != Status.SCREENING:
        raise DomainError("只有待审查的来信才能受理分办。", code="state")
    unit = _unit(unit)
    limit = time_limit or routing_time_limit(mailbox=letter.mailbox, letter_type=letter.letter_type, unit=unit)
    if time_limit is not None and not permissions.is_supervisor(actor):
        raise PermissionRefused("只有监督人员可以另定办理时限。")
    citizen_note = (citizen_note or "").strip()[:300]
    before = {"status": letter.status, "handling_unit": letter.handling_unit_id}
    letter = _save(letter, status=Status.ROUTED, handling_unit=unit, routed_at=_now(), time_limit=limit)
    _refresh_due(letter)
    audit.record(letter, "letters.letter.route", actor=actor, before=before,
                 after={"status": letter.status, "handling_unit": unit, "time_limit": limit, "due_on": letter.due_on})
    public_text = f"受理,转{unit.name}办理" + (f"。{citizen_note}" if citizen_note else "")
    _event(letter, "routed", actor=actor, unit=unit, reason=public_text, data={"time_limit": limit})
    if reason.strip():
        _event(letter, "note", actor=actor, unit=unit, reason=f"分办说明:{reason.strip()[:2000]}", public=False)
    _notify_citizen(letter, "accepted", "来信已受理", f"您的来信《{letter.title}》已受理,由{unit.name}办理,"
                    f"办理时限 {limit} 个工作日,预计 {letter.due_on:%Y年%m月%d日} 前答复。")
    _notify_unit(letter, "assigned", "新来信待办理", f"来信《{letter.title}》已分办给贵单位,请在 {letter.due_on:%Y-%m-%d} 前答复。")
    return letter


@transaction.atomic
def letter_reject(*, letter, reason_code, actor, version, note=""):
    letter = _lock(letter, version)
    _dispatcher(actor, letter)
    if letter.status != Status.SCREENING:
        raise DomainError("只有待审查的来信才能作不予受理处理。", code="state")
    reason = NotAcceptedReason.objects.filter(code=reason_code, active=True).first()
    if reason is None:
        raise DomainError("请从列表中选择不予受理的理由。", field="reason_code")
    label = reason.label
    before = {"status": letter.status}
    letter = _save(letter, status=Status.NOT_ACCEPTED, not_accepted_reason=reason.code)
    audit.record(letter, "letters.letter.reject", actor=actor, before=before,
                 after={"status": letter.status, "not_accepted_reason": reason.code})
    _event(letter, "not_accepted", actor=actor, reason=f"{label}{'。' + note if note else ''}")
    explanation = f"\n{reason.explanation}" if reason.explanation else ""
    _notify_citizen(letter, "not_accepted", "来信不予受理", f"您的来信《{letter.title}》不予受理,理由:{label}。{note}{explanation}")
    return letter


@transaction.atomic
def letter_mark_duplicate(*, letter, original, actor, version):
    letter = _lock(letter, version)
    _dispatcher(actor, letter)
    if letter.status != Status.SCREENING:
        raise DomainError("只有待审查的来信才能标为重复。", code="state")
    if original.pk == letter.pk:
        raise DomainError("不能把来信标为它自己的重复。")
    before = {"status": letter.status}
    letter = _save(letter, status=Status.DUPLICATE, duplicate_of=original)
    audit.record(letter, "letters.letter.duplicate", actor=actor, before=before,
                 after={"status": letter.status, "duplicate_of": original})
    _event(letter, "duplicate", actor=actor, reason=f"与来信 {original.serial} 重复,合并办理")
    _notify_citizen(letter, "duplicate", "来信合并办理", f"您的来信《{letter.title}》与此前来信内容相同,已合并办理,编号 {original.serial}。")
    return letter


@transaction.atomic
def letter_mark_spam(*, letter, actor, version):
    letter = _lock(letter, version)
    _dispatcher(actor, letter)
    if letter.status != Status.SCREENING:
        raise DomainError("只有待审查的来信才能标为垃圾信件。", code="state")
    before = {"status": letter.status}
    letter = _save(letter, status=Status.SPAM)
    audit.record(letter, "letters.letter.spam", actor=actor, before=before, after={"status": letter.status})
    _event(letter, "spam", actor=actor, reason="垃圾信件", public=False)
    return letter


def route_suggestion(letter):
    """The unit most likely responsible: a unit mailbox's own unit, otherwise the
    unit whose name (or short name) the letter mentions most."""
    if not letter.mailbox.is_mayor:
        return letter.mailbox.unit
    text = f"{letter.title}\n{letter.body}"
    best, best_count = None, 0
    for unit in Unit.objects.exclude(kind__in=["municipal_government", "general_office", "supervision_office"]):
        names = {unit.name, unit.short_name} - {""}
        count = sum(text.count(n) for n in names)
        bare = unit.short_name.rstrip("区县") if unit.short_name else ""
        if len(bare) >= 2:
            count += text.count(bare)
        if count > best_count:
            best, best_count = unit, count
    return best


# --- Handling (the unit) -----------------------------------------------------------

def _handler(actor, letter):
    _require(letter.handling_unit_id and permissions.is_handler(actor, letter.handling_unit_id), "您不是承办单位的办理人员。")


def _open(letter):
    if letter.status not in OPEN_STATUSES:
        raise DomainError("这封来信不在办理中。", code="state")


@transaction.atomic
def letter_assign(*, letter, person, actor, version):
    letter = _lock(letter, version)
    _handler(actor, letter)
    _open(letter)
    _require(permissions.is_handler(person, letter.handling_unit_id), f"{person.get_full_name() or person} 不是承办单位的办理人员。")
    before = {"status": letter.status, "assignee": letter.assignee_id}
    letter = _save(letter, assignee=person, status=Status.HANDLING if letter.status == Status.ROUTED else letter.status)
    audit.record(letter, "letters.letter.assign", actor=actor, before=before,
                 after={"status": letter.status, "assignee": person})
    _event(letter, "assigned", actor=actor, unit=letter.handling_unit, reason=f"指定 {person.get_username()} 办理", public=False)
    if person.email:
        _notify(letter, "assigned_person", person.email, "来信指派给您", f"来信《{letter.title}》已指派给您办理,截止 {letter.due_on:%Y-%m-%d}。")
    return letter


@transaction.atomic
def letter_note(*, letter, text, actor, version):
    letter = _lock(letter, version)
    _require(permissions.is_handler(actor, letter.handling_unit_id) or permissions.is_dispatcher(actor, letter.mailbox),
             "您不能在这封来信上记录。")
    if not text.strip():
        raise DomainError("备注不能为空。", field="text")
    letter = _save(letter)
    note = _event(letter, "note", actor=actor, unit=letter.handling_unit, reason=text.strip()[:2000], public=False)
    audit.record(letter, "letters.letter.note", actor=actor, event=note.pk)
    return letter


@transaction.atomic
def extension_request(*, letter, days, reason, actor, version):
    letter = _lock(letter, version)
    _handler(actor, letter)
    _open(letter)
    if letter.due_on is not None and _today() > letter.due_on:
        raise DomainError("已超过办理期限,不能再申请延期;请尽快答复。", code="late")
    if not 1 <= int(days) <= 30:
        raise DomainError("延期天数应为1到30个工作日。", field="days")
    if not reason.strip():
        raise DomainError("请说明延期理由。", field="reason")
    if letter.extensions.filter(approved__isnull=True).exists():
        raise DomainError("已有一份延期申请在审批中。", code="state")
    extension = Extension.objects.create(letter=letter, days=days, reason=reason.strip(), requested_by=actor, requested_at=_now())
    letter = _save(letter)
    audit.record(letter, "letters.extension.request", actor=actor, extension=extension.pk, days=extension.days)
    _event(letter, "extension_requested", actor=actor, unit=letter.handling_unit, reason=f"申请延期 {days} 个工作日:{reason}", public=False)
    return extension


@transaction.atomic
def extension_decide(*, extension, approve, actor, version=None, note=""):
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    _require(permissions.is_supervisor(actor), "只有监督人员可以审批延期。")
    letter = _lock(extension.letter, version)
    if extension.approved is not None:
        raise DomainError("这份延期申请已经审批过了。", code="state")
    extension.approved, extension.decided_by, extension.decided_at = approve, actor, _now()
    extension.save()
    if approve:
        before = {"extension_days": letter.extension_days, "due_on": letter.due_on}
        letter = _save(letter, extension_days=letter.extension_days + extension.days)
        _refresh_due(letter)
        audit.record(letter, "letters.extension.approve", actor=actor, before=before,
                     after={"extension_days": letter.extension_days, "due_on": letter.due_on}, extension=extension.pk)
        _event(letter, "extended", actor=actor, unit=letter.handling_unit,
               reason=f"延期 {extension.days} 个工作日:{extension.reason}")
        _notify_citizen(letter, "extended", "来信办理延期", f"您的来信《{letter.title}》办理期限延长 {extension.days} 个工作日,"
                        f"理由:{extension.reason}。新的答复期限:{letter.due_on:%Y年%m月%d日}。")
    else:
        _event(letter, "extension_refused", actor=actor, unit=letter.handling_unit, reason=note or "不同意延期", public=False)
        audit.record(letter, "letters.extension.refuse", actor=actor, extension=extension.pk)
    return extension


@transaction.atomic
def letter_transfer(*, letter, to_unit, reason, actor, version):
    letter = _lock(letter, version)
    _require(permissions.is_handler(actor, letter.handling_unit_id) or permissions.is_supervisor(actor), "您不能转办这封来信。")
    _open(letter)
    to_unit = _unit(to_unit)
    if to_unit.pk == letter.handling_unit_id:
        raise DomainError("不能转给本单位。", field="to_unit")
    if not reason.strip():
        raise DomainError("请说明转办理由。", field="reason")
    previous = letter.handling_unit
    before = {"status": letter.status, "handling_unit": previous, "assignee": letter.assignee_id}
    letter = _save(letter, handling_unit=to_unit, assignee=None, status=Status.ROUTED)
    audit.record(letter, "letters.letter.transfer", actor=actor, before=before,
                 after={"status": letter.status, "handling_unit": to_unit, "assignee": None})
    _event(letter, "transferred", actor=actor, unit=to_unit, reason=f"由{previous.name}转{to_unit.name}:{reason}")
    _notify_citizen(letter, "transferred", "来信已转办", f"您的来信《{letter.title}》已由{previous.name}转{to_unit.name}办理。理由:{reason}")
    _notify_unit(letter, "assigned", "转来的来信待办理", f"来信《{letter.title}》由{previous.name}转来,请在 {letter.due_on:%Y-%m-%d} 前答复。")
    return letter


@transaction.atomic
def letter_return(*, letter, reason, actor, version):
    """Send a letter outside the unit's duties back to the dispatcher (within 2 working days)."""
    letter = _lock(letter, version)
    _handler(actor, letter)
    _open(letter)
    if calendar.working_days_between(timezone.localtime(letter.routed_at).date(), _today()) > RETURN_WINDOW:
        raise DomainError(f"分办已超过{RETURN_WINDOW}个工作日,不能退回;如确不属本单位职责,请申请转办。", code="late")
    if not reason.strip():
        raise DomainError("请说明退回理由。", field="reason")
    unit = letter.handling_unit
    before = {"status": letter.status, "handling_unit": unit, "due_on": letter.due_on}
    letter = _save(letter, handling_unit=None, assignee=None, status=Status.SCREENING, routed_at=None, time_limit=None, due_on=None)
    audit.record(letter, "letters.letter.return", actor=actor, before=before,
                 after={"status": letter.status, "handling_unit": None, "due_on": None})
    _event(letter, "returned", actor=actor, unit=unit, reason=f"{unit.name}退回:{reason}")
    return letter


@transaction.atomic
def reply_draft(*, letter, body, actor, version):
    letter = _lock(letter, version)
    _handler(actor, letter)
    _open(letter)
    body = (body or "").strip()
    if len(body) < 10:
        raise DomainError("答复内容太短(至少10个字)。", field="body")
    if letter.status == Status.REPLY_PENDING:
        raise DomainError("已有答复稿在等待领导审签。", code="state")
    reply = Reply.objects.create(letter=letter, unit=letter.handling_unit, body=body, drafted_by=actor, drafted_at=_now())
    audit.record(letter, "letters.reply.draft", actor=actor, before={"status": letter.status},
                 after={"status": Status.REPLY_PENDING}, reply=reply.pk)
    _save(letter, status=Status.REPLY_PENDING)
    _event(letter, "reply_drafted", actor=actor, unit=letter.handling_unit, reason="答复稿待领导审签", public=False)
    return reply


@transaction.atomic
def reply_decide(*, reply, approve, actor, version, reason="", publish=False):
    """The leader signs off a draft reply (or sends it back) and, on approval,
    decides whether the letter is published: only when the writer consented, and
    only the masked public version (``publication.public_version``), which the
    leader has seen beside the original. The decision is recorded as an event."""
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    letter = _lock(reply.letter, version)
    _require(permissions.is_leader(actor, reply.unit_id), "只有承办单位的领导可以审签答复。")
    _require(reply.drafted_by_id != actor.pk, "答复稿须由拟稿人以外的领导审签。")
    if letter.status != Status.REPLY_PENDING or reply.approved_at or reply.rejected_reason:
        raise DomainError("这份答复稿已经处理过了。", code="state")
    if approve and publish and not letter.consent_publish:
        raise DomainError("来信人未同意公开,这封来信不能公开。", field="publish", code="no_consent")
    if not approve:
        if not reason.strip():
            raise DomainError("退回答复稿请说明理由。", field="reason")
        reply.rejected_reason = reason.strip()
        reply.save()
        letter = _save(letter, status=Status.HANDLING)
        audit.record(letter, "letters.reply.reject", actor=actor, before={"status": Status.REPLY_PENDING},
                     after={"status": letter.status}, reply=reply.pk)
        _event(letter, "reply_rejected", actor=actor, unit=reply.unit, reason=reason, public=False)
        return letter
    now = _now()
    reply.approved_by, reply.approved_at = actor, now
    reply.save()
    letter = _save(letter, status=Status.REPLIED, replied_at=now)
    audit.record(letter, "letters.reply.approve", actor=actor, before={"status": Status.REPLY_PENDING},
                 after={"status": letter.status}, reply=reply.pk)
    _event(letter, "replied", actor=actor, unit=reply.unit, reason=f"{reply.unit.name}已答复")
    _notify_citizen(letter, "replied", "来信已答复", f"您的来信《{letter.title}》已由{reply.unit.name}答复:\n\n{reply.body}\n\n"
                    "欢迎凭查询码对答复进行评价。")
    return _publication_decide(letter, reply, publish=publish, actor=actor)


def _publication_decide(letter, reply, *, publish, actor):
    """Publish the masked letter or keep it unpublished; a change starts a new page-cache
    generation (the home pages' 互动交流 list the latest published replies)."""
    was_published = letter.published
    letter = _publication_decide_once(letter, reply, publish=publish, actor=actor)
    if letter.published != was_published:
        pagecache.invalidate()
    return letter


def _publication_decide_once(letter, reply, *, publish, actor):
    from .publication import public_version

    before = {"published": letter.published}
    if not publish:
        letter = _save(letter, published=False, public_title="", public_body="", public_reply="")
        why = "审签时决定不公开" if letter.consent_publish else "来信人未同意公开"
        audit.record(letter, "letters.letter.not_publish", actor=actor, before=before, after={"published": False},
                     consent=letter.consent_publish)
        _event(letter, "not_published", actor=actor, unit=reply.unit, reason=why, public=False)
        return letter
    hits = screen_text({"标题": letter.title, "内容": letter.body, "答复": reply.body})
    if hits:
        letter = _save(letter, published=False, public_title="", public_body="", public_reply="")
        audit.record(letter, "letters.letter.publication_hold", actor=actor, before=before, after={"published": False},
                     hits=[h.term for h in hits])
        _event(letter, "publication_held", actor=actor, unit=reply.unit,
               reason="含筛查词,未公开:" + "、".join(h.term for h in hits), public=False)
        return letter
    version = public_version(letter, reply)
    letter = _save(letter, published=True, public_title=version.title, public_body=version.body, public_reply=version.reply)
    audit.record(letter, "letters.letter.publish", actor=actor, before=before, after={"published": True})
    _event(letter, "published", actor=actor, unit=reply.unit, reason="经领导审签决定公开,已公开(个人信息已隐去)")
    return letter


# --- Deadlines -----------------------------------------------------------------------

def _refresh_due(letter):
    if letter.routed_at is None or letter.time_limit is None:
        return letter
    start = timezone.localtime(letter.routed_at).date()
    due = calendar.add_working_days(start, letter.time_limit + letter.extension_days).due
    Letter.objects.filter(pk=letter.pk).update(due_on=due)
    letter.due_on = due
    return letter


def deadline_explanation(letter):
    if letter.routed_at is None or letter.time_limit is None:
        return "尚未受理分办,办理时限从分办之日起算。"
    start = timezone.localtime(letter.routed_at).date()
    text = calendar.add_working_days(start, letter.time_limit + letter.extension_days).explain()
    if letter.extension_days:
        text += f"(含批准延期 {letter.extension_days} 个工作日。)"
    return text


def is_overdue(letter, today=None):
    return letter.status in OPEN_STATUSES and letter.due_on is not None and (today or _today()) > letter.due_on


@transaction.atomic
def calendar_entry_save(*, date, is_working_day, reason, actor):
    """A supervisor (or the management centre) corrects the calendar; every open
    letter's deadline moves with it."""
    from .models import CalendarEntry

    _require(permissions.may_change_calendar(actor), "只有监督人员和门户网站管理中心可以调整工作日历。")
    if not reason.strip():
        raise DomainError("请说明调整原因。", field="reason")
    today = timezone.localdate()
    if not today.replace(year=today.year - CALENDAR_YEARS_BACK, month=1, day=1) <= date <= \
            today.replace(year=today.year + CALENDAR_YEARS_AHEAD, month=12, day=31):
        raise DomainError(f"只能调整{today.year - CALENDAR_YEARS_BACK}年至{today.year + CALENDAR_YEARS_AHEAD}年的日期。",
                          field="date")
    existing = CalendarEntry.objects.select_for_update().filter(date=date).first()
    values = {"is_working_day": is_working_day, "reason": reason}
    before, after = audit.changes(existing, values) if existing else (None, values)
    entry, _ = CalendarEntry.objects.update_or_create(date=date, defaults={**values, "created_by": actor})
    moved = 0
    for letter in Letter.objects.filter(status__in=OPEN_STATUSES, routed_at__isnull=False).only(
        "id", "routed_at", "time_limit", "extension_days", "due_on"
    ).iterator():
        due = letter.due_on
        if _refresh_due(letter).due_on != due:
            moved += 1
    audit.record(entry, "letters.calendar.update" if existing else "letters.calendar.create", actor=actor,
                 before=before, after=after, date=date, moved=moved)
    return moved


def deadlines_sweep(*, today=None):
    """Run daily: remind (催办) the day after a deadline, escalate (督办) five working
    days later and put the unit on the list for public criticism."""
    today = today or _today()
    reminded = escalated = 0
    overdue = Letter.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today).select_related("handling_unit")
    for letter in overdue:
        with transaction.atomic():
            locked = Letter.objects.select_for_update().get(pk=letter.pk)
            if locked.reminded_on is None:
                Letter.objects.filter(pk=locked.pk).update(reminded_on=today)
                audit.record(locked, "letters.letter.remind", before={"reminded_on": None},
                             after={"reminded_on": today}, due_on=locked.due_on)
                _event(locked, "reminded", unit=locked.handling_unit, reason=f"已超过答复期限({locked.due_on:%Y-%m-%d}),催办")
                _notify_unit(locked, "overdue", "来信已超期", f"来信《{locked.title}》已超过答复期限 {locked.due_on:%Y-%m-%d},请立即办理。")
                reminded += 1
            elif locked.escalated_on is None and calendar.working_days_between(locked.reminded_on, today) >= 5:
                Letter.objects.filter(pk=locked.pk).update(escalated_on=today)
                audit.record(locked, "letters.letter.escalate", before={"escalated_on": None},
                             after={"escalated_on": today}, due_on=locked.due_on)
                _event(locked, "escalated", unit=locked.handling_unit, reason="催办后5个工作日仍未答复,督办并列入通报名单")
                _notify_unit(locked, "escalated", "来信督办", f"来信《{locked.title}》催办后仍未答复,已督办并列入通报名单。")
                escalated += 1
    due_soon = Letter.objects.filter(status__in=OPEN_STATUSES, due_on__gte=today)
    for letter in due_soon.select_related("handling_unit"):
        if calendar.working_days_between(today, letter.due_on) == 2 and not letter.notifications.filter(kind="due_soon").exists():
            _notify_unit(letter, "due_soon", "来信即将到期", f"来信《{letter.title}》将于 {letter.due_on:%Y-%m-%d} 到期,请及时答复。")
    return {"reminded": reminded, "escalated": escalated}


# --- Privacy ---------------------------------------------------------------------------

def contact_view(*, letter, viewer, purpose=""):
    """A citizen's contact data, for those allowed to see it; every view is an entry
    of the audit trail (who saw whose data, when, and why)."""
    _require(permissions.may_see_contact(viewer, letter), "您无权查看来信人的联系方式。")
    audit.record_read(letter, "letters.letter.contact_view", actor=viewer, purpose=purpose[:100],
                      fields=["name", "phone", "email"])
    return {"name": letter.writer_name, "phone": letter.writer_phone, "email": letter.writer_email}


def attachment_for_staff(*, letter, attachment, viewer):
    """A citizen's attachment handed to a member of staff the face has checked may
    see the letter: the read is an entry of the audit trail, like contact data.
    (The writer fetching their own attachment with the query code is not recorded:
    it is their own data, and the entry could name nobody.)"""
    audit.record_read(letter, "letters.letter.attachment_view", actor=viewer, attachment=attachment.pk,
                      name=attachment.name)
    return attachment


# --- Internals ---------------------------------------------------------------------------

def _unit(unit):
    if isinstance(unit, Unit):
        return unit
    found = Unit.objects.filter(pk=unit).first() if str(unit).isdigit() else Unit.objects.filter(code=unit).first()
    if found is None:
        raise NotFound("没有这个单位。")
    return found


def _lock(letter, version):
    """Lock the letter's row; refuse if someone changed it since ``version`` was read."""
    locked = (
        Letter.objects.select_for_update(of=("self",))
        .select_related("mailbox", "letter_type", "handling_unit")
        .get(pk=letter.pk)
    )
    if version is not None and int(version) != locked.version:
        raise DomainError("这封来信刚被他人处理过,请刷新后再操作。", code="conflict")
    return locked


def _save(letter, **changes):
    changes["version"] = F("version") + 1
    Letter.objects.filter(pk=letter.pk).update(**changes)
    letter.refresh_from_db()
    return letter


def _event(letter, kind, *, actor=None, unit=None, reason="", public=True, data=None):
    return Event.objects.create(letter=letter, kind=kind, actor=actor, unit=unit, at=_now(), reason=reason,
                                public=public, data=data or {})


def _notify(letter, kind, to, subject, body):
    return outbox.notify(kind=kind, to=to, subject=subject, body=body, letter=letter)


def _notify_citizen(letter, kind, subject, body):
    if letter.writer_email:
        _notify(letter, kind, letter.writer_email, subject, body)


def _notify_unit(letter, kind, subject, body):
    from django.contrib.auth import get_user_model

    from orgs.models import Role

    if not letter.handling_unit_id:
        return
    people = get_user_model().objects.filter(
        memberships__unit_id=letter.handling_unit_id, memberships__role=Role.MAILBOX_HANDLER
    ).exclude(email="").distinct()
    for person in people:
        _notify(letter, kind, person.email, subject, body)


def stats_refresh(today=None):
    """Compute and store the figures of every precomputed period (the periodic task)."""
    from .queries import compute_snapshot, period_key, precomputed_periods

    periods = precomputed_periods(today)
    saved = [_stats_store(compute_snapshot(since_date)) for since_date in periods]
    StatsSnapshot.objects.exclude(period__in=[period_key(d) for d in periods]).delete()
    return saved


def _stats_store(snapshot):
    fields = {f: getattr(snapshot, f) for f in ("since", "rows", "criticism", "computed_at", "seconds")}
    try:
        with transaction.atomic():
            stored, _ = StatsSnapshot.objects.update_or_create(period=snapshot.period, defaults=fields)
    except IntegrityError:  # another process stored the same period at this moment: either is right
        return snapshot
    return stored
