"""Applications for disclosure (依申请公开), every step of their life (part 5).

Each step validates, changes the application in one transaction guarded by its
version, records an event (the application's own history) and an entry of the audit
trail, and queues its e-mail through the platform's outbox (``letters.outbox``).

The clock (docs/decisions.md, "The clock of an application for disclosure"):

- the unit answers within 20 working days; the day of receipt is day 0 and day 1 the
  first working day after it, as the mailbox counts (``letters.calendar``);
- the unit's leader may extend the limit once, by 20 working days, with a reason;
- a request for clarification (补正), made once and within 7 working days of
  receipt, stops the clock; when the applicant answers, it runs again from the day
  of the answer with the working days that were left. (The Regulations count the
  limit from the receipt of the clarified application, so the platform's deadline is
  never later than the law's.)

In numbers: the limit (20, plus 20 once extended) less ``days_used`` (counted
before the pause) is counted after ``clock_from`` (the day of receipt, or of the
answer to the clarification).
"""

import re

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guard import audit, codes
from guard.services import check_upload
from letters import calendar, numbering, outbox
from orgs.errors import DomainError, NotFound, PermissionRefused
from orgs.models import Membership, Role
from orgs.queries import sees_every_unit, visible_units

from .formbuilder import credit_code_problem, id_card_problem
from .models import (
    OPEN_APP_STATUSES, AnswerDocument, AnswerKind, ApplicantType, Application, ApplicationCounter, ApplicationEvent,
    AppStatus, Delivery, IdType, RefusalReason,
)

TIME_LIMIT = 20  # working days (Regulations art. 33)
EXTENSION_DAYS = 20  # once, with the approval of the head of the disclosure office
CLARIFY_WITHIN = 7  # working days after receipt in which clarification may be asked (art. 30)
CLARIFICATION_PERIOD = 15  # working days the applicant is given to clarify (the platform's choice)
REMIND_BEFORE = 3  # working days before the deadline the handlers are reminded
MAX_DESCRIPTION, MAX_PURPOSE, MAX_ANSWER, MAX_DOCUMENTS = 2000, 300, 5000, 5
ANSWER_DOCUMENT_TYPES = {"pdf", "doc", "docx", "xls", "xlsx", "ofd", "jpg", "jpeg", "png", "txt", "csv", "zip"}
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
OTHER_ID_RE = re.compile(r"^[A-Z0-9()-]{5,30}$")

# Who handles an application (docs/decisions.md): the unit's casework staff, who already
# handle citizens' letters and their personal data, answer; the unit's leader, as the
# head of its disclosure work, extends; supervisors read every unit's.
HANDLER_ROLES = (Role.MAILBOX_HANDLER,)
EXTENDER_ROLES = (Role.LEADER,)
READER_ROLES = (Role.MAILBOX_HANDLER, Role.LEADER, Role.SUPERVISOR)


def _now():
    return timezone.now()


def _today():
    return timezone.localdate()


# --- Validation ------------------------------------------------------------------------------

def id_card_valid(number):
    """A resident identity card number (GB 11643: province, birth date, check digit),
    by the online forms' one rule (``formbuilder.id_card_problem``)."""
    return id_card_problem(number) is None


def credit_code_valid(code):
    """A unified social credit code's check character (GB 32100), by the forms' one rule."""
    return credit_code_problem(code) is None


def application_field_errors(**fields):
    """Every rule the applicant's fields break, by field (nothing is stored)."""
    try:
        _clean(fields)
    except DomainError as exc:
        return exc.field_errors
    return {}


def _clean(fields):
    v = {k: (val.strip() if isinstance(val, str) else val) for k, val in fields.items()}
    errors = {}
    kind = v.get("applicant_type") or ""
    if kind not in ApplicantType.values:
        errors["applicant_type"] = _("请选择申请人类型:公民,或法人或其他组织。")
    name = v.get("name") or ""
    if not name or len(name) > (40 if kind == ApplicantType.CITIZEN else 100):
        errors["name"] = (_("请填写姓名(不超过40个字)。") if kind == ApplicantType.CITIZEN
                          else _("请填写申请人姓名或单位名称(不超过100个字)。"))
    if kind == ApplicantType.CITIZEN:
        id_type, id_number = v.get("id_type") or "", (v.get("id_number") or "").upper().replace(" ", "")
        v["id_number"] = id_number
        if id_type not in IdType.values:
            errors["id_type"] = _("请选择证件类型。")
        if not id_number:
            errors["id_number"] = _("请填写证件号码。")
        elif id_type == IdType.ID_CARD and not id_card_valid(id_number):
            errors["id_number"] = id_card_problem(id_number)
        elif id_type != IdType.ID_CARD and not OTHER_ID_RE.match(id_number):
            errors["id_number"] = _("证件号码格式不正确(5至30位字母、数字)。")
        v["credit_code"] = v["legal_representative"] = ""
    elif kind == ApplicantType.ORGANISATION:
        credit = (v.get("credit_code") or "").upper().replace(" ", "")
        v["credit_code"] = credit
        if not credit:
            errors["credit_code"] = _("请填写统一社会信用代码。")
        elif not credit_code_valid(credit):
            errors["credit_code"] = _("统一社会信用代码不正确:应为18位数字或大写字母,请核对。")
        if not v.get("contact_person"):
            errors["contact_person"] = _("请填写联系人姓名。")
        elif len(v["contact_person"]) > 40:
            errors["contact_person"] = _("联系人姓名不超过40个字。")
        if len(v.get("legal_representative") or "") > 40:
            errors["legal_representative"] = _("法定代表人或负责人姓名不超过40个字。")
        v["id_type"] = v["id_number"] = ""
    if not PHONE_RE.match(v.get("phone") or ""):
        errors["phone"] = _("请填写正确的手机号码或带区号的固定电话。")
    delivery = v.get("delivery") or ""
    if delivery not in Delivery.values:
        errors["delivery"] = _("请选择获取信息的方式。")
    email = v.get("email") or ""
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("电子邮箱格式不正确。")
    elif delivery == Delivery.EMAIL:
        errors["email"] = _("选择以电子邮件获取信息的,请填写电子邮箱。")
    address = v.get("address") or ""
    if len(address) > 200:
        errors["address"] = _("通信地址不超过200个字。")
    elif delivery == Delivery.POST and len(address) < 5:
        errors["address"] = _("选择邮寄的,请填写详细的通信地址。")
    postcode = v.get("postcode") or ""
    if postcode and not (postcode.isdigit() and len(postcode) == 6):
        errors["postcode"] = _("邮政编码应为6位数字。")
    description = v.get("description") or ""
    if len(description) < 10:
        errors["description"] = _("请具体描述所需的政府信息(至少10个字),如文件名称、文号、时间、事项。")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("内容描述不超过%(n)s个字。") % {"n": MAX_DESCRIPTION}
    if len(v.get("document_hint") or "") > 200:
        errors["document_hint"] = _("文件名称、文号不超过200个字。")
    if len(v.get("purpose") or "") > MAX_PURPOSE:
        errors["purpose"] = _("用途不超过%(n)s个字。") % {"n": MAX_PURPOSE}
    if errors:
        raise DomainError(";".join(errors.values()), field=next(iter(errors)), field_errors=errors)
    return v


# --- Submission and tracking (the applicant) ------------------------------------------------------

def _take_serial(day):
    """The next number of ``day`` (letters.numbering, as the mailbox's serials)."""
    return numbering.take(ApplicationCounter, day)


FIELDS = ("applicant_type", "name", "id_type", "id_number", "credit_code", "legal_representative", "contact_person",
          "phone", "email", "address", "postcode", "description", "document_hint", "purpose", "delivery")


@transaction.atomic
def application_submit(*, unit, ip=None, now=None, **fields):
    """Register an application to ``unit``; returns ``(application, query_code)``.
    Invalid fields are refused all at once, by field, and nothing is stored.
    (``now``, and ``today`` of the later steps, are the moment of the step: the
    current time unless a caller replays a dated step, as the tests and the demo do.)"""
    values = _clean({name: fields.get(name, "") for name in FIELDS})
    now = now or _now()
    received = timezone.localtime(now).date()
    serial = f"G{received:%Y%m%d}{_take_serial(received):04d}"
    nonce = codes.new_nonce()
    code = codes.query_code(serial, nonce)
    due = calendar.add_working_days(received, TIME_LIMIT).due
    app = Application.objects.create(
        serial=serial, query_nonce=nonce, query_code_hash=codes.code_hash(code), unit=unit, ip=ip,
        received_at=now, clock_from=received, time_limit=TIME_LIMIT, due_on=due, **values,
    )
    _event(app, "submitted", reason=_("在线提交申请,登记编号 %(serial)s") % {"serial": serial}, at=now)
    audit.record(app, "disclosure.application.submit", after={"status": app.status, "due_on": due}, unit=unit.pk)
    _notify_applicant(app, "received", _("政府信息公开申请已登记"),
                      f"您向{unit.name}提交的政府信息公开申请已登记,编号 {serial}。\n"
                      f"查询码:{code}(请妥善保存,凭查询码和联系电话后四位查询办理进度和答复)。\n"
                      f"答复期限:{due:%Y年%m月%d日}(自收到申请次日起20个工作日)。")
    _notify_handlers(app, "new", _("新的政府信息公开申请"),
                     f"收到政府信息公开申请 {serial},请在 {due:%Y-%m-%d} 前答复。")
    return app, code


def application_find(*, code, check):
    """The application for a query code and the last four digits of its phone."""
    normal = codes.normalise(code)
    if normal is None:
        raise NotFound(_("查询码格式不正确:应为12位字母数字,如 AB12-CD34-EF56。"))
    app = Application.objects.select_related("unit").filter(query_code_hash=codes.code_hash(normal)).first()
    check = (check or "").strip()
    if app is None or not (len(check) == 4 and check.isdigit() and app.phone.endswith(check)):
        raise NotFound(_("查询码或验证信息不正确。"))
    return app


def application_find_guarded(*, code, check, client):
    """:func:`application_find` within the client's one budget of wrong codes."""
    return codes.find_guarded(lambda: application_find(code=code, check=check), client=client)


@transaction.atomic
def clarification_answer(*, application, text, today=None):
    """The applicant clarifies their application: the clock runs again, from today,
    with the working days that were left."""
    app = _lock(application, None)
    if app.status != AppStatus.CLARIFICATION:
        raise DomainError(_("这份申请不在待补正状态。"), code="state")
    text = (text or "").strip()
    if len(text) < 5:
        raise DomainError(_("请填写补正内容(至少5个字)。"), field="text")
    if len(text) > MAX_DESCRIPTION:
        raise DomainError(_("补正内容不超过%(n)s个字。") % {"n": MAX_DESCRIPTION}, field="text")
    today = today or _today()
    before = {"status": app.status, "due_on": app.due_on}
    app = _save(app, status=AppStatus.HANDLING, clarification_answer=text, clarified=True, clock_from=today,
                paused_on=None)
    app = _refresh_due(app)
    audit.record(app, "disclosure.application.clarified", before=before,
                 after={"status": app.status, "due_on": app.due_on})
    _event(app, "clarified", reason=_("申请人已补正,答复期限继续计算,截止 %(due)s") % {"due": f"{app.due_on:%Y-%m-%d}"})
    _notify_handlers(app, "clarified", _("申请人已补正"), f"政府信息公开申请 {app.serial} 的申请人已补正,"
                     f"请在 {app.due_on:%Y-%m-%d} 前答复。")
    return app


# --- The clock -----------------------------------------------------------------------------------

def remaining_limit(app):
    return app.time_limit + app.extension_days - app.days_used


def deadline(app):
    """The ``letters.calendar.Deadline`` of a running clock, or None while it stands."""
    if app.status == AppStatus.CLARIFICATION:
        return None
    return calendar.add_working_days(app.clock_from, remaining_limit(app))


def _refresh_due(app):
    found = deadline(app)
    due = found.due if found is not None else None
    Application.objects.filter(pk=app.pk).update(due_on=due)
    app.due_on = due
    return app


def deadline_explanation(app):
    """How the deadline was computed, in words for the applicant and the staff."""
    if app.status == AppStatus.CLARIFICATION:
        return (f"{app.paused_on:%Y-%m-%d} 要求补正,答复期限暂停计算(已计 {app.days_used} 个工作日);"
                f"收到补正后继续计算剩余的 {remaining_limit(app)} 个工作日。")
    if not app.is_open:
        return ""
    text = deadline(app).explain()
    notes = []
    if app.days_used:
        notes.append(f"补正前已计 {app.days_used} 个工作日,{app.clock_from:%Y-%m-%d} 收到补正后继续计算")
    if app.extension_days:
        notes.append(f"含延长的 {app.extension_days} 个工作日")
    return text + (f"({';'.join(notes)}。)" if notes else "")


def is_overdue(app, today=None):
    return app.status in OPEN_APP_STATUSES and app.due_on is not None and (today or _today()) > app.due_on


# --- Who may do what -------------------------------------------------------------------------------

def _has_role(user, unit_id, roles):
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, unit_id=unit_id, role__in=list(roles)).exists()


def may_handle(user, app):
    return _has_role(user, app.unit_id, HANDLER_ROLES)


def may_extend(user, app):
    return _has_role(user, app.unit_id, EXTENDER_ROLES)


def may_read_as_unit(user, app):
    """Is ``user`` one of the application's unit's own people (not only a reader of
    every unit's)?"""
    return bool(user.is_superuser) or _has_role(user, app.unit_id, READER_ROLES)


def may_read(user, app):
    return _has_role(user, app.unit_id, READER_ROLES) or sees_every_unit(user, roles=READER_ROLES)


def readable_applications(user):
    """The applications ``user`` sees in the admin: their units' (every unit's for
    whoever sees every unit through these roles)."""
    units = visible_units(user, roles=READER_ROLES)
    return Application.objects.filter(unit__in=units)


def _require(ok, message):
    if not ok:
        raise PermissionRefused(message)


def _open(app):
    if app.status not in OPEN_APP_STATUSES:
        raise DomainError(_("这份申请不在办理中。"), code="state")


# --- Handling (the unit) ------------------------------------------------------------------------------

@transaction.atomic
def clarification_request(*, application, request_text, actor, version, today=None):
    """Ask the applicant, once and within 7 working days of receipt, to make the
    application clear; the clock stops until they answer."""
    app = _lock(application, version)
    _require(may_handle(actor, app), _("您不是受理机关的办理人员。"))
    _open(app)
    if app.clarification_request:
        raise DomainError(_("补正只能要求一次,这份申请已经要求过补正。"), code="state")
    today = today or _today()
    received = timezone.localtime(app.received_at).date()
    if calendar.working_days_between(received, today) > CLARIFY_WITHIN:
        raise DomainError(_("收到申请已超过%(n)s个工作日,不能再要求补正。") % {"n": CLARIFY_WITHIN}, code="late")
    request_text = (request_text or "").strip()
    if len(request_text) < 10:
        raise DomainError(_("请写明需要补正的内容(至少10个字)。"), field="request_text")
    used = app.days_used + calendar.working_days_between(app.clock_from, today)
    clarify_by = calendar.add_working_days(today, CLARIFICATION_PERIOD).due
    before = {"status": app.status, "due_on": app.due_on}
    app = _save(app, status=AppStatus.CLARIFICATION, clarification_request=request_text, paused_on=today,
                days_used=used, clarification_due=clarify_by, due_on=None)
    audit.record(app, "disclosure.application.clarify", actor=actor, before=before,
                 after={"status": app.status, "days_used": used, "clarification_due": clarify_by})
    _event(app, "clarification", actor=actor, reason=f"需要补正:{request_text}(请于 {clarify_by:%Y-%m-%d} 前补正)")
    _notify_applicant(app, "clarification", _("政府信息公开申请需要补正"),
                      f"您的政府信息公开申请 {app.serial} 需要补正:\n{request_text}\n"
                      f"请于 {clarify_by:%Y年%m月%d日} 前凭查询码在网上补正。补正前答复期限暂停计算。")
    return app


@transaction.atomic
def extension_grant(*, application, reason, actor, version, today=None):
    """The unit's leader extends the limit once by 20 working days, with a reason
    the applicant is told."""
    app = _lock(application, version)
    _require(may_extend(actor, app), _("只有受理机关的分管领导可以决定延长答复期限。"))
    _open(app)
    if app.extension_days:
        raise DomainError(_("答复期限只能延长一次,这份申请已经延长过。"), code="state")
    if app.due_on is not None and (today or _today()) > app.due_on:
        raise DomainError(_("已超过答复期限,不能再延长;请尽快答复。"), code="late")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise DomainError(_("请说明延长答复期限的理由。"), field="reason")
    before = {"extension_days": 0, "due_on": app.due_on}
    app = _save(app, extension_days=EXTENSION_DAYS, extension_reason=reason[:300], status=AppStatus.HANDLING)
    app = _refresh_due(app)
    audit.record(app, "disclosure.application.extend", actor=actor, before=before,
                 after={"extension_days": app.extension_days, "due_on": app.due_on}, reason=reason[:300])
    _event(app, "extended", actor=actor, reason=f"延长答复期限 {EXTENSION_DAYS} 个工作日:{reason},新的期限 {app.due_on:%Y-%m-%d}")
    _notify_applicant(app, "extended", _("政府信息公开申请答复期限延长"),
                      f"您的政府信息公开申请 {app.serial} 答复期限延长 {EXTENSION_DAYS} 个工作日,理由:{reason}。"
                      f"新的答复期限:{app.due_on:%Y年%m月%d日}。")
    return app


@transaction.atomic
def application_note(*, application, text, actor, version):
    app = _lock(application, version)
    _require(may_handle(actor, app) or may_extend(actor, app), _("您不能在这份申请上记录。"))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("备注不能为空。"), field="text")
    app = _save(app, status=AppStatus.HANDLING if app.status == AppStatus.RECEIVED else app.status)
    event = _event(app, "note", actor=actor, reason=text[:2000], public=False)
    audit.record(app, "disclosure.application.note", actor=actor, event=event.pk)
    return app


def answer_field_errors(*, kind, text, refusal_reason="", holder_unit="", documents=()):
    errors = {}
    if kind not in AnswerKind.values:
        errors["kind"] = _("请选择答复类型。")
    text = (text or "").strip()
    if len(text) < 10:
        errors["text"] = _("请填写答复内容(至少10个字),说明依据和理由。")
    elif len(text) > MAX_ANSWER:
        errors["text"] = _("答复内容不超过%(n)s个字。") % {"n": MAX_ANSWER}
    if kind in (AnswerKind.NOT_DISCLOSED, AnswerKind.PARTLY) and refusal_reason not in RefusalReason.values:
        errors["refusal_reason"] = _("不予公开或部分公开的,请选择不予公开的理由。")
    if len(holder_unit or "") > 100:
        errors["holder_unit"] = _("机关名称不超过100个字。")
    if kind in (AnswerKind.DISCLOSED, AnswerKind.PARTLY) and not documents:
        errors["documents"] = _("予以公开或部分公开的,请上传提供给申请人的政府信息。")
    if len(documents) > MAX_DOCUMENTS:
        errors["documents"] = _("附件最多%(n)s个。") % {"n": MAX_DOCUMENTS}
    else:
        for name, content in documents:
            try:
                check_upload(name=name, size=len(content), head=content[:8192], allowed=ANSWER_DOCUMENT_TYPES)
            except DomainError as exc:
                errors["documents"] = f"附件「{name}」:{exc.message}"
                break
    return errors


@transaction.atomic
def application_answer(*, application, kind, text, actor, version, refusal_reason="", holder_unit="", documents=(),
                       now=None):
    """Answer the application with one of the statutory kinds, with the documents
    (``[(name, bytes)]``) it gives; the applicant reads and downloads them online
    with the query code and is told by e-mail."""
    app = _lock(application, version)
    _require(may_handle(actor, app), _("您不是受理机关的办理人员。"))
    _open(app)
    documents = list(documents)
    errors = answer_field_errors(kind=kind, text=text, refusal_reason=refusal_reason, holder_unit=holder_unit,
                                 documents=documents)
    if errors:
        raise DomainError(";".join(errors.values()), field=next(iter(errors)), field_errors=errors)
    if kind not in (AnswerKind.NOT_DISCLOSED, AnswerKind.PARTLY):
        refusal_reason = ""
    now = now or _now()
    for name, content in documents:
        item = AnswerDocument(application=app, name=name, size=len(content), uploaded_by=actor)
        item.file.save(f"{app.serial}-{name}", ContentFile(content), save=True)
    before = {"status": app.status}
    app = _save(app, status=AppStatus.ANSWERED, answer_kind=kind, answer_text=text.strip(),
                refusal_reason=refusal_reason, holder_unit=(holder_unit or "").strip(), answered_at=now,
                answered_by=actor)
    on_time = app.due_on is None or timezone.localtime(now).date() <= app.due_on
    audit.record(app, "disclosure.application.answer", actor=actor, before=before,
                 after={"status": app.status, "answer_kind": kind, "refusal_reason": refusal_reason},
                 documents=len(documents), on_time=on_time)
    label = AnswerKind(kind).label
    _event(app, "answered", actor=actor, reason=f"答复:{label}", data={"documents": len(documents)}, at=now)
    holder = f"\n该信息由{app.holder_unit}掌握,请向其申请。" if app.holder_unit else ""
    _notify_applicant(app, "answered", _("政府信息公开申请已答复"),
                      f"您的政府信息公开申请 {app.serial} 已答复({label})。{holder}\n"
                      f"请凭查询码和联系电话后四位在网上查看答复全文{'并下载所提供的信息' if documents else ''}。")
    return app


def document_for_staff(*, application, document, viewer):
    """An answer document handed to a member of staff who may read the application
    (the read is on the audit trail, as letters' attachments)."""
    _require(may_read(viewer, application), _("您无权查看这份申请。"))
    audit.record_read(application, "disclosure.application.document_view", actor=viewer, document=document.pk)
    return document


# --- The sweep (periodic task) ------------------------------------------------------------------------

def deadlines_sweep(*, today=None):
    """Remind the handlers a few working days before the deadline, tell them (once)
    when it has passed, and close applications whose clarification never came
    (视为放弃申请, art. 30)."""
    today = today or _today()
    reminded = overdue = abandoned = 0
    for app in Application.objects.filter(status__in=OPEN_APP_STATUSES, due_on__isnull=False, reminded_on__isnull=True,
                                          due_on__gte=today).select_related("unit"):
        if calendar.working_days_between(today, app.due_on) <= REMIND_BEFORE:
            with transaction.atomic():
                Application.objects.filter(pk=app.pk).update(reminded_on=today)
                audit.record(app, "disclosure.application.remind", before={"reminded_on": None},
                             after={"reminded_on": today}, due_on=app.due_on)
                _event(app, "reminded", reason=f"答复期限 {app.due_on:%Y-%m-%d} 将至,已提醒办理人员", public=False)
                _notify_handlers(app, "due_soon", _("政府信息公开申请即将到期"),
                                 f"政府信息公开申请 {app.serial} 将于 {app.due_on:%Y-%m-%d} 到期,请及时答复。")
                reminded += 1
    for app in Application.objects.filter(status__in=OPEN_APP_STATUSES, due_on__lt=today, overdue_on__isnull=True):
        with transaction.atomic():
            Application.objects.filter(pk=app.pk).update(overdue_on=today)
            audit.record(app, "disclosure.application.overdue", before={"overdue_on": None},
                         after={"overdue_on": today}, due_on=app.due_on)
            _event(app, "overdue", reason=f"已超过答复期限 {app.due_on:%Y-%m-%d}", public=False)
            _notify_handlers(app, "overdue", _("政府信息公开申请已超期"),
                             f"政府信息公开申请 {app.serial} 已超过答复期限 {app.due_on:%Y-%m-%d},请立即答复。")
            overdue += 1
    for app in Application.objects.filter(status=AppStatus.CLARIFICATION, clarification_due__lt=today):
        with transaction.atomic():
            locked = _lock(app, None)
            if locked.status != AppStatus.CLARIFICATION:
                continue
            _save(locked, status=AppStatus.WITHDRAWN)
            audit.record(locked, "disclosure.application.abandon", before={"status": AppStatus.CLARIFICATION},
                         after={"status": AppStatus.WITHDRAWN}, clarification_due=locked.clarification_due)
            _event(locked, "abandoned", reason=f"申请人未在 {locked.clarification_due:%Y-%m-%d} 前补正,视为放弃申请")
            _notify_applicant(locked, "abandoned", _("政府信息公开申请视为放弃"),
                              f"您的政府信息公开申请 {locked.serial} 未在补正期限内补正,视为放弃申请。如仍需要,可重新申请。")
            abandoned += 1
    return {"reminded": reminded, "overdue": overdue, "abandoned": abandoned}


# --- Internals ----------------------------------------------------------------------------------------

def _lock(app, version):
    locked = Application.objects.select_for_update(of=("self",)).select_related("unit").get(pk=app.pk)
    if version is not None and int(version) != locked.version:
        raise DomainError(_("这份申请刚被他人处理过,请刷新后再操作。"), code="conflict")
    return locked


def _save(app, **changes):
    changes["version"] = F("version") + 1
    Application.objects.filter(pk=app.pk).update(**changes)
    app.refresh_from_db()
    return app


def _event(app, kind, *, actor=None, reason="", public=True, data=None, at=None):
    return ApplicationEvent.objects.create(application=app, kind=kind, actor=actor, at=at or _now(), reason=reason,
                                           public=public, data=data or {})


def _notify_applicant(app, kind, subject, body):
    if app.email:
        outbox.notify(kind=f"disclosure.{kind}", to=app.email, subject=subject, body=body)


def _notify_handlers(app, kind, subject, body):
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.filter(
        memberships__unit_id=app.unit_id, memberships__role__in=HANDLER_ROLES).exclude(email="").distinct()
    for person in people:
        outbox.notify(kind=f"disclosure.{kind}", to=person.email, subject=subject, body=body)
