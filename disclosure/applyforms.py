"""Online forms and pre-acceptance (网上填表预受理): every step of an online
application, the same kind of casework as a letter (``letters.services``).

Each step validates, changes the application in one transaction (guarded by its
version, so two people cannot overwrite each other), records an
``SubmissionEvent`` (the history the applicant and the staff read), writes one
entry of the audit trail (``guard.audit``) and queues its e-mail through the
platform's outbox (``letters.outbox``, sent after commit).

- The applicant: :func:`submission_create` (receipt number and query code),
  :func:`submission_find_guarded` (tracking, within the one budget of wrong
  codes), :func:`submission_resubmit` (the correction loop: only what was asked
  for changes; what was right is kept).
- The unit's staff (its reviewers and leaders, :data:`HANDLER_ROLES`):
  :func:`submission_ask_correction`, :func:`submission_pre_accept`,
  :func:`submission_not_accept`, :func:`submission_complete`.
- The system: :func:`deadlines_sweep` (reminders), :func:`stats_refresh`
  (the monthly statistics).

Deadlines: the unit answers within ``AnswerLimit`` working days (the unit's own
row, else the platform's, else :data:`DEFAULT_ANSWER_DAYS`), counted on the
platform's one calendar (``letters.calendar``) from the day of submission; a
resubmission after a correction starts the count again from its own day.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from guard import audit, codes
from guard.services import check_upload
from letters import calendar, numbering, outbox
from orgs.authority import require_manager
from orgs.errors import DomainError, NotFound, PermissionRefused
from orgs.models import Membership, Role
from orgs.queries import sees_every_unit

from .formbuilder import (
    IDENTITY_FIELDS, IDENTITY_LABELS, form_data_of, form_field_name, guide_fields, identity_errors, shown_value,
    values_errors,
)
from .models import (
    AnswerLimit, SubmissionEvent, SubmissionMaterial, SubmissionStatus, SubmissionVersion, GuideMaterial,
    MaterialForm, FormSubmission, ReceiptCounter, ServiceGuidePage, ServiceStatsSnapshot,
)

DEFAULT_ANSWER_DAYS = 3  # working days, when neither the unit nor the platform has set a limit
MAX_ANSWER_DAYS = 20
MATERIAL_TYPES = {"pdf", "jpg", "jpeg", "png", "doc", "docx", "ofd"}
MAX_FILES_PER_MATERIAL = 3
MAX_NOTE, MAX_NEXT_STEP, MAX_REASON = 200, 1000, 1000
# The unit's reviewers and leaders handle the online applications of its matters
# (docs/decisions.md); the management centre and supervisors read every unit's.
HANDLER_ROLES = (Role.REVIEWER, Role.LEADER)
READER_ROLES = HANDLER_ROLES + (Role.SITE_ADMIN, Role.SUPERVISOR)

S = SubmissionStatus


def _now():
    return timezone.now()


def _today():
    return timezone.localdate()


# --- What a guide offers ---------------------------------------------------------------

def form_available(guide):
    return bool(guide is not None and guide.live and guide.online_form_enabled)


def online_form_url(page):
    """The address of ``page``'s online form (for the guide's 在线办理 link), or None
    when the guide offers none."""
    page = getattr(page, "specific", page)
    if not isinstance(page, ServiceGuidePage) or not form_available(page):
        return None
    return reverse("disclosure:form_apply", args=[page.pk])


def upload_materials(guide):
    """The guide's materials an applicant uploads online: the electronic ones."""
    return list(GuideMaterial.objects.filter(page=guide, form__in=(MaterialForm.ELECTRONIC, MaterialForm.BOTH))
                .order_by("sort_order", "id"))


def guide_unit(guide):
    home = guide.specific.home
    if home is None:
        raise DomainError("该事项不属于任何单位的网站,不能在线办理。", code="closed")
    return home.unit


def answer_limit_for(unit):
    """The working days ``unit`` has to answer: its own limit, else the platform's."""
    limits = {row.unit_id: row.days for row in AnswerLimit.objects.filter(Q(unit=unit) | Q(unit__isnull=True))}
    return limits.get(unit.pk if unit else None) or limits.get(None) or DEFAULT_ANSWER_DAYS


# --- Checks (nothing stored) ---------------------------------------------------------------------

def material_key(material):
    return f"m-{material.pk}"


def field_key(name):
    return f"f-{name}"


def _material_errors(materials, uploads, *, must_upload=None):
    """Messages by material: a required one missing, too many files, a file the
    upload check refuses (type, size, content). ``must_upload``: the materials a
    correction asked for (a new file is required whatever ``required`` says)."""
    errors = {}
    for material in materials:
        files = uploads.get(material.pk) or []
        needed = material.required if must_upload is None else material.pk in must_upload
        if not files:
            if needed:
                errors[material_key(material)] = f"请上传「{material.name}」。"
            continue
        if len(files) > MAX_FILES_PER_MATERIAL:
            errors[material_key(material)] = f"「{material.name}」最多上传{MAX_FILES_PER_MATERIAL}个文件。"
            continue
        for filename, content in files:
            try:
                check_upload(name=filename, size=len(content), head=content[:8192], allowed=MATERIAL_TYPES)
            except DomainError as exc:
                errors[material_key(material)] = f"「{material.name}」的文件「{filename}」:{exc.message}"
                break
    return errors


def submission_errors(*, guide, identity, values, uploads):
    """Every rule the submission breaks, by field (``applicant_name``…, ``f-<field>``,
    ``m-<material id>``), and the cleaned identity and values."""
    errors, identity = identity_errors(identity)
    field_errors, cleaned = values_errors(guide_fields(guide), values)
    errors.update({field_key(name): message for name, message in field_errors.items()})
    errors.update(_material_errors(upload_materials(guide), uploads))
    return errors, identity, cleaned


def _refuse(errors):
    raise DomainError(";".join(errors.values()), code="invalid", field=next(iter(errors)), field_errors=errors)


# --- Receipt numbers -------------------------------------------------------------------------------

def _take_receipt_number(day):
    """The next number of ``day`` (letters.numbering, as the mailbox's serials)."""
    return numbering.take(ReceiptCounter, day)


def _catch_up_receipt_counter(day):
    prefix = f"YS-{day:%Y%m%d}-"
    numbers = FormSubmission.objects.filter(receipt_number__startswith=prefix).values_list("receipt_number", flat=True)
    highest = max((int(n[len(prefix):]) for n in numbers), default=0)
    numbering.catch_up(ReceiptCounter, day, highest)


def _next_receipt_number(now):
    day = timezone.localtime(now).date()
    return f"YS-{day:%Y%m%d}-{_take_receipt_number(day):04d}"


# --- Submission --------------------------------------------------------------------------------------

def submission_create(*, guide, identity, values, uploads=None, ip=None):
    """Take in an online application; return ``(application, query_code)``.

    ``values``: the guide's fields by name (text, or a list for multiple choices);
    ``uploads``: material id → ``[(filename, bytes)]``. Everything is checked
    before anything is stored; files are written inside the transaction and
    removed again if it fails, so a refused or failed submission leaves nothing."""
    uploads = uploads or {}
    guide = ServiceGuidePage.objects.live().filter(pk=guide.pk).first()
    if not form_available(guide):
        raise DomainError("该事项未开通网上填表预受理。", code="closed")
    errors, identity, cleaned = submission_errors(guide=guide, identity=identity, values=values, uploads=uploads)
    if errors:
        _refuse(errors)
    unit = guide_unit(guide)
    fields = guide_fields(guide)
    materials = upload_materials(guide)
    now = _now()
    limit = answer_limit_for(unit)
    for _attempt in range(5):
        receipt = _next_receipt_number(now)
        saved = []
        try:
            with transaction.atomic():
                nonce = codes.new_nonce()
                code = codes.query_code(receipt, nonce)
                application = FormSubmission.objects.create(
                    receipt_number=receipt, query_nonce=nonce, query_code_hash=codes.code_hash(code), guide=guide,
                    guide_title=guide.title, unit=unit, data=cleaned, submitted_at=now, clock_started_at=now,
                    answer_limit_days=limit, due_on=calendar.add_working_days(timezone.localtime(now).date(), limit).due,
                    applicant_ip=ip, **identity,
                )
                _store_files(application, materials, uploads, round_=1, saved=saved)
                _freeze_version(application, fields, changed=[])
                _event(application, "submitted", text="网上提交申请")
                audit.record(application, "disclosure.submission.submit", after={"status": application.status},
                             guide=guide.pk, unit=unit.pk, files=len(saved))
                _notify_applicant(
                    application, "form_received", "网上办事申请已收到",
                    f"您申请的「{guide.title}」已收到。\n受理回执号:{receipt}\n查询码:{code}\n"
                    f"{unit.name}将在 {limit} 个工作日内({application.due_on:%Y年%m月%d日}前)告知预审结果。"
                    "凭查询码和联系电话后四位可查询进度、按要求补正。",
                )
                _notify_unit(application, "form_new", "新的网上办事申请",
                             f"「{guide.title}」收到网上申请,回执号 {receipt},请在 {application.due_on:%Y-%m-%d} 前预审答复。")
            return application, code
        except IntegrityError:
            _remove(saved)
            if FormSubmission.objects.filter(receipt_number=receipt).exists():
                _catch_up_receipt_counter(timezone.localtime(now).date())
            continue
        except BaseException:
            _remove(saved)
            raise
    raise DomainError("系统繁忙,请稍后再试。", code="busy")


def _store_files(application, materials, uploads, *, round_, saved):
    by_id = {m.pk: m for m in materials}
    for material_id, files in uploads.items():
        material = by_id.get(material_id)
        if material is None:
            continue
        for filename, content in files:
            item = SubmissionMaterial(application=application, material=material, material_name=material.name,
                                       name=filename, size=len(content), round=round_)
            item.file.save(f"{application.receipt_number}-{round_}-{filename}", _content(content), save=False)
            saved.append(item.file.name)
            item.save()


def _content(data):
    from django.core.files.base import ContentFile

    return ContentFile(data)


def _remove(names):
    from .files import private_storage

    for name in names:
        try:
            private_storage().delete(name)
        except OSError:
            pass


def _freeze_version(application, fields, *, changed):
    values = application.data or {}
    rows = [{"name": name, "label": field.label, "value": values.get(name)}
            for field in fields for name in [form_field_name(field)]]
    files = [{"material": m.material_id, "material_name": m.material_name, "name": m.name, "file": m.pk}
             for m in application.materials.filter(current=True)]
    return SubmissionVersion.objects.create(
        application=application, number=application.round, submitted_at=application.clock_started_at,
        identity={name: getattr(application, name) for name in IDENTITY_FIELDS}, fields=rows, materials=files,
        changed=list(changed),
    )


# --- Tracking (the applicant) ------------------------------------------------------------------------

def submission_find_guarded(*, code, check, client):
    """:func:`submission_find` within the client's one budget of wrong query codes."""
    return codes.find_guarded(lambda: submission_find(code=code, check=check), client=client)


def submission_find(*, code, check):
    """The application for a query code and the last four digits of its phone."""
    normal = codes.normalise(code)
    if normal is None:
        raise NotFound("查询码格式不正确:应为12位字母数字,如 AB12-CD34-EF56。")
    application = FormSubmission.objects.select_related("unit", "guide").filter(
        query_code_hash=codes.code_hash(normal)).first()
    check = (check or "").strip()
    if application is None or not (len(check) == 4 and check.isdigit() and application.phone.endswith(check)):
        raise NotFound("查询码或联系电话后四位不正确。")
    return application


# --- The correction loop ------------------------------------------------------------------------------

def correction_targets(application):
    """What the unit asked to correct: identity field names, field names, material ids."""
    identity, fields, materials = set(), set(), set()
    for item in application.corrections or []:
        kind, _, name = item.get("target", "").partition(":")
        if kind == "identity":
            identity.add(name)
        elif kind == "field":
            fields.add(name)
        elif kind == "material" and name.isdigit():
            materials.add(int(name))
    return identity, fields, materials


def correction_editable(application):
    """``(identity names, field names, material ids)`` the applicant may change now:
    what the unit asked for, and any field the form has gained or tightened since
    (the stored value would not pass), so a correction can always be completed."""
    identity, fields, materials = correction_targets(application)
    errors, _ = values_errors(guide_fields(application.guide), form_data_of(application.data or {}))
    return identity, fields | set(errors), materials


def submission_resubmit(*, application, identity, values, uploads=None, version=None):
    """The applicant's correction: only the fields and materials asked for (see
    :func:`correction_editable`) take the new input; everything else is kept as
    it was. The unit's clock starts again from today (docs/decisions.md)."""
    uploads = uploads or {}
    saved = []
    try:
        with transaction.atomic():
            application = _lock(application, version)
            if application.status != S.CORRECTION:
                raise DomainError("这份申请现在不需要补正。", code="state")
            editable_identity, editable_fields, asked_materials = correction_editable(application)
            merged_identity = {name: getattr(application, name) for name in IDENTITY_FIELDS}
            merged_identity.update({name: identity.get(name, "") for name in editable_identity})
            errors, clean_identity = identity_errors(merged_identity)
            data = form_data_of(application.data or {})
            for name in editable_fields:
                data.pop(name, None)
                if values.get(name) not in (None, "", []):
                    data[name] = values[name]
            fields = guide_fields(application.guide)
            field_errors, cleaned = values_errors(fields, data)
            errors.update({field_key(name): message for name, message in field_errors.items()})
            materials = [m for m in upload_materials(application.guide) if m.pk in asked_materials]
            errors.update(_material_errors(materials, uploads, must_upload=asked_materials))
            if errors:
                _refuse(errors)
            changed = [f"identity:{n}" for n in sorted(editable_identity)] + [f"field:{n}" for n in sorted(editable_fields)]
            changed += [f"material:{m}" for m in sorted(asked_materials)]
            now = _now()
            before = {"status": application.status, "round": application.round}
            application.materials.filter(material_id__in=asked_materials, current=True).update(current=False)
            new_round = application.round + 1
            _store_files(application, materials, {k: v for k, v in uploads.items() if k in asked_materials},
                         round_=new_round, saved=saved)
            due = calendar.add_working_days(timezone.localtime(now).date(), application.answer_limit_days).due
            application = _save(application, status=S.PENDING, round=new_round, data=cleaned, corrections=[],
                                clock_started_at=now, due_on=due, warned_on=None, reminded_on=None, **clean_identity)
            _freeze_version(application, fields, changed=changed)
            audit.record(application, "disclosure.submission.resubmit", before=before,
                         after={"status": application.status, "round": application.round}, changed=changed)
            _event(application, "resubmitted", text=f"按要求补正后重新提交(第{new_round}次提交),重新计算答复期限")
            _notify_applicant(application, "form_resubmitted", "补正材料已收到",
                              f"您申请的「{application.guide_title}」(回执号 {application.receipt_number})的补正已收到,"
                              f"{application.unit.name}将在 {application.due_on:%Y年%m月%d日}前告知预审结果。")
            _notify_unit(application, "form_resubmitted", "网上办事申请已补正",
                         f"回执号 {application.receipt_number} 的申请人已补正,请在 {application.due_on:%Y-%m-%d} 前预审答复。")
            return application
    except BaseException:
        _remove(saved)
        raise


# --- The unit's answers ----------------------------------------------------------------------------------

def handles(user, unit_id):
    """Does ``user`` handle the online applications of ``unit_id``?"""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, unit_id=unit_id, role__in=HANDLER_ROLES).exists()


def sees_all_applications(user):
    return sees_every_unit(user, roles=READER_ROLES)


def visible_applications(user):
    """The applications ``user`` may read: every unit's for the management centre
    and supervisors, else those of the units where they handle applications."""
    applications = FormSubmission.objects.select_related("unit", "guide")
    if sees_all_applications(user):
        return applications
    if user is None or not user.is_authenticated:
        return applications.none()
    units = Membership.objects.filter(user=user, role__in=HANDLER_ROLES).values("unit_id")
    return applications.filter(unit_id__in=units)


def may_view(user, application):
    return visible_applications(user).filter(pk=application.pk).exists()


def _handler(actor, application):
    if not handles(actor, application.unit_id):
        raise PermissionRefused("只有受理单位的审核人和分管领导可以处理网上办事申请。")


def _answer_on_time(application, today):
    late = application.due_on is not None and today > application.due_on
    return late, application.late_answers + (1 if late else 0)


def correction_choices(application):
    """``[(target, label)]`` a correction may name: identity fields, the guide's fields, its materials."""
    choices = [(f"identity:{name}", IDENTITY_LABELS[name]) for name in IDENTITY_FIELDS if name != "applicant_type"]
    choices += [(f"field:{form_field_name(f)}", f.label) for f in guide_fields(application.guide)]
    choices += [(f"material:{m.pk}", f"材料:{m.name}") for m in upload_materials(application.guide)]
    return choices


@transaction.atomic
def submission_ask_correction(*, application, items, actor, version):
    """Ask the applicant to correct: ``items`` ``[{"target": "field:<name>" |
    "material:<id>" | "identity:<name>", "note": why}]``, at least one, each with
    its note. The unit's clock stops until the applicant resubmits."""
    application = _lock(application, version)
    _handler(actor, application)
    if application.status != S.PENDING:
        raise DomainError("只有待预审的申请才能要求补正。", code="state")
    labels = dict(correction_choices(application))
    clean, seen = [], set()
    for item in items or []:
        target, note = (item.get("target") or "").strip(), (item.get("note") or "").strip()
        if target not in labels:
            raise DomainError("补正事项须是本事项表单中的字段或材料。", field="items")
        if not note:
            raise DomainError(f"请说明「{labels[target]}」需要怎样补正。", field="items")
        if len(note) > MAX_NOTE:
            raise DomainError(f"「{labels[target]}」的补正说明不超过{MAX_NOTE}字。", field="items")
        if target not in seen:
            seen.add(target)
            clean.append({"target": target, "label": labels[target], "note": note})
    if not clean:
        raise DomainError("请至少列出一项需要补正的内容。", field="items")
    today = _today()
    late, late_answers = _answer_on_time(application, today)
    before = {"status": application.status}
    application = _save(application, status=S.CORRECTION, corrections=clean, late_answers=late_answers)
    audit.record(application, "disclosure.submission.ask_correction", actor=actor, before=before,
                 after={"status": application.status}, items=[c["target"] for c in clean], late=late)
    listing = "\n".join(f"{i}. {c['label']}:{c['note']}" for i, c in enumerate(clean, 1))
    _event(application, "correction_asked", actor=actor, text=f"需要补正:\n{listing}",
           data={"items": clean, "on_time": not late})
    _notify_applicant(application, "form_correction", "网上办事申请需要补正",
                      f"您申请的「{application.guide_title}」(回执号 {application.receipt_number})需要补正以下内容:\n"
                      f"{listing}\n请凭查询码和联系电话后四位在网上补正,其他已填写的内容会保留。")
    return application


@transaction.atomic
def submission_pre_accept(*, application, next_step, actor, version):
    """Pre-accept, telling the applicant the next step (an appointment, what to bring)."""
    application = _lock(application, version)
    _handler(actor, application)
    if application.status != S.PENDING:
        raise DomainError("只有待预审的申请才能预受理。", code="state")
    next_step = (next_step or "").strip()
    if not next_step:
        raise DomainError("请写明下一步:预约的时间地点、需携带的原件等。", field="next_step")
    if len(next_step) > MAX_NEXT_STEP:
        raise DomainError(f"下一步说明不超过{MAX_NEXT_STEP}字。", field="next_step")
    return _answer(application, S.PRE_ACCEPTED, actor=actor, kind="pre_accepted", field="next_step", text=next_step,
                   public_text=f"预受理。下一步:{next_step}", subject="网上办事申请已预受理")


@transaction.atomic
def submission_not_accept(*, application, reason, actor, version):
    """Not accept, with the reason (required): from review, or when a correction never came."""
    application = _lock(application, version)
    _handler(actor, application)
    if application.status not in (S.PENDING, S.CORRECTION):
        raise DomainError("这份申请已答复过,不能再作不予受理。", code="state")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请写明不予受理的理由。", field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(f"理由不超过{MAX_REASON}字。", field="reason")
    return _answer(application, S.NOT_ACCEPTED, actor=actor, kind="not_accepted", field="not_accepted_reason",
                   text=reason, public_text=f"不予受理。理由:{reason}", subject="网上办事申请不予受理")


def _answer(application, status, *, actor, kind, field, text, public_text, subject):
    today = _today()
    # Answered while waiting for a correction: the clock was stopped, nothing is late.
    late, late_answers = _answer_on_time(application, today) if application.status == S.PENDING else (False, application.late_answers)
    before = {"status": application.status}
    application = _save(application, status=status, answered_at=_now(), late_answers=late_answers, **{field: text})
    action = "disclosure.submission.pre_accept" if kind == "pre_accepted" else "disclosure.submission.not_accept"
    audit.record(application, action, actor=actor, before=before, after={"status": status, field: text}, late=late)
    _event(application, kind, actor=actor, text=public_text, data={"on_time": late_answers == 0})
    _notify_applicant(application, f"form_{kind}", subject,
                      f"您申请的「{application.guide_title}」(回执号 {application.receipt_number}):{public_text}")
    return application


@transaction.atomic
def submission_complete(*, application, actor, version, note=""):
    """Mark a pre-accepted matter 办结 (handled to the end at the window)."""
    application = _lock(application, version)
    _handler(actor, application)
    if application.status != S.PRE_ACCEPTED:
        raise DomainError("只有已预受理的申请才能办结。", code="state")
    note = (note or "").strip()[:MAX_NOTE]
    application = _save(application, status=S.COMPLETED, completed_at=_now())
    audit.record(application, "disclosure.submission.complete", actor=actor, before={"status": S.PRE_ACCEPTED},
                 after={"status": S.COMPLETED})
    _event(application, "completed", actor=actor, text="已办结" + (f"。{note}" if note else ""))
    _notify_applicant(application, "form_completed", "网上办事申请已办结",
                      f"您申请的「{application.guide_title}」(回执号 {application.receipt_number})已办结。"
                      + (f"\n{note}" if note else ""))
    return application


def material_for_staff(*, application, material, viewer):
    """A material handed to a member of staff who may read the application; the
    read is an entry of the audit trail."""
    if not may_view(viewer, application):
        raise PermissionRefused("您无权查看这份申请的材料。")
    audit.record_read(application, "disclosure.submission.material_view", actor=viewer, material=material.pk,
                      name=material.name)
    return material


# --- Deadlines ---------------------------------------------------------------------------------------------

def is_overdue(application, today=None):
    return application.status == S.PENDING and application.due_on is not None and (today or _today()) > application.due_on


def deadline_explanation(application):
    if application.status != S.PENDING:
        return ""
    start = timezone.localtime(application.clock_started_at).date()
    return calendar.add_working_days(start, application.answer_limit_days).explain()


def deadlines_sweep(*, today=None):
    """Run by the beat schedule: tell the unit's handlers once when an answer is due
    within a working day (``warned``) and once when it is overdue (``reminded``)."""
    today = today or _today()
    warned = reminded = 0
    candidates = FormSubmission.objects.filter(status=S.PENDING, due_on__isnull=False).filter(
        Q(reminded_on__isnull=True, due_on__lt=today)
        | Q(warned_on__isnull=True, due_on__gte=today, due_on__lte=today + dt.timedelta(days=15))
    )
    for pk in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            app = FormSubmission.objects.select_for_update().select_related("unit").get(pk=pk)
            if app.status != S.PENDING:
                continue
            if app.due_on < today and app.reminded_on is None:
                FormSubmission.objects.filter(pk=pk).update(reminded_on=today)
                audit.record(app, "disclosure.submission.remind", before={"reminded_on": None},
                             after={"reminded_on": today}, due_on=app.due_on)
                _event(app, "reminded", text=f"已超过答复期限({app.due_on:%Y-%m-%d}),催办", public=False)
                _notify_unit(app, "form_overdue", "网上办事申请已超期",
                             f"「{app.guide_title}」的网上申请(回执号 {app.receipt_number})已超过答复期限 "
                             f"{app.due_on:%Y-%m-%d},请立即预审答复。")
                reminded += 1
            elif app.due_on >= today and app.warned_on is None and calendar.working_days_between(today, app.due_on) <= 1:
                FormSubmission.objects.filter(pk=pk).update(warned_on=today)
                audit.record(app, "disclosure.submission.warn", before={"warned_on": None},
                             after={"warned_on": today}, due_on=app.due_on)
                _event(app, "warned", text=f"答复期限 {app.due_on:%Y-%m-%d} 即将到期,已提醒", public=False)
                _notify_unit(app, "form_due_soon", "网上办事申请即将到期",
                             f"「{app.guide_title}」的网上申请(回执号 {app.receipt_number})将于 "
                             f"{app.due_on:%Y-%m-%d} 到期,请及时预审答复。")
                warned += 1
    return {"warned": warned, "reminded": reminded}


# --- Statistics ----------------------------------------------------------------------------------------------

STAT_KEYS = ("received", "corrections", "pre_accepted", "not_accepted", "answered", "on_time", "completed")


def _month_bounds(month):
    start = timezone.make_aware(dt.datetime(month.year, month.month, 1))
    following = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return start, timezone.make_aware(dt.datetime(following.year, following.month, 1))


def stats_compute(month):
    """One month's figures per unit, counted by when each thing happened in the
    month: applications received, corrections asked, pre-accepted, not accepted,
    answered (the two together), answered on time, completed (办结)."""
    start, end = _month_bounds(month)
    rows = {}

    def row(unit_id, unit_name):
        return rows.setdefault(unit_id, {"unit": unit_id, "unit_name": unit_name, **{k: 0 for k in STAT_KEYS}})

    received = (FormSubmission.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
                .values("unit_id", "unit__name").annotate(n=Count("id")))
    for r in received:
        row(r["unit_id"], r["unit__name"])["received"] = r["n"]
    kinds = {"correction_asked": "corrections", "pre_accepted": "pre_accepted", "not_accepted": "not_accepted",
             "completed": "completed"}
    events = (SubmissionEvent.objects.filter(at__gte=start, at__lt=end, kind__in=kinds)
              .values("application__unit_id", "application__unit__name", "kind")
              .annotate(n=Count("id"), on_time=Count("id", filter=Q(data__on_time=True))))
    for e in events:
        target = row(e["application__unit_id"], e["application__unit__name"])
        target[kinds[e["kind"]]] += e["n"]
        if e["kind"] in ("pre_accepted", "not_accepted"):
            target["answered"] += e["n"]
            target["on_time"] += e["on_time"]
    return sorted(rows.values(), key=lambda r: r["unit_name"])


def _month_start(day):
    return day.replace(day=1)


def _previous_month(month):
    return (month - dt.timedelta(days=1)).replace(day=1)


def stats_store(month):
    rows = stats_compute(month)
    try:
        with transaction.atomic():
            snapshot, _ = ServiceStatsSnapshot.objects.update_or_create(
                month=month, defaults={"rows": rows, "computed_at": _now()})
    except IntegrityError:  # another process stored the same month at this moment
        snapshot = ServiceStatsSnapshot.objects.get(month=month)
    return snapshot


def stats_refresh(*, today=None):
    """The monthly task: the figures of the month just ended."""
    return stats_store(_previous_month(_month_start(today or _today())))


def stats_published(*, months=12, today=None):
    """The snapshots of the last ``months`` complete months, newest first, since the
    first application; one missing (the task has not run yet) is computed now."""
    first = FormSubmission.objects.order_by("submitted_at").values_list("submitted_at", flat=True).first()
    if first is None:
        return []
    first_month = _month_start(timezone.localtime(first).date())
    stored = {s.month: s for s in ServiceStatsSnapshot.objects.filter(month__gte=first_month)}
    month, shown = _previous_month(_month_start(today or _today())), []
    while month >= first_month and len(shown) < months:
        shown.append(stored.get(month) or stats_store(month))
        month = _previous_month(month)
    return shown


def stats_totals(rows):
    return {key: sum(r[key] for r in rows) for key in STAT_KEYS}


# --- The answer limit (configuration) -------------------------------------------------------------------

ANSWER_LIMIT_FIELDS = ("unit", "days", "note")


@transaction.atomic
def answer_limit_save(*, actor, unit, days, note="", instance=None):
    """Set the working days a unit (``unit``) or the platform (``unit=None``, the
    management centre only) has to answer online applications. Applications
    already received keep the limit they were given."""
    require_manager(actor, unit)
    if instance is not None:
        instance = AnswerLimit.objects.select_for_update().get(pk=instance.pk)
        require_manager(actor, instance.unit)
    if days in (None, "") or not 1 <= int(days) <= MAX_ANSWER_DAYS:
        raise DomainError(f"答复时限应为1至{MAX_ANSWER_DAYS}个工作日。", field="days")
    clash = AnswerLimit.objects.filter(unit=unit) if unit is not None else AnswerLimit.objects.filter(unit__isnull=True)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise DomainError("该单位已设置答复时限,请修改原有的一条。", field="unit")
    values = {"unit": unit, "days": int(days), "note": (note or "").strip()[:200]}
    limit = instance or AnswerLimit()
    before, after = audit.changes(limit, values) if instance is not None else (None, values)
    for name, value in values.items():
        setattr(limit, name, value)
    limit.save()
    audit.record(limit, "disclosure.answer_limit.update" if instance is not None else "disclosure.answer_limit.create",
                 actor=actor, before=before, after=after)
    return limit


# --- Internals ----------------------------------------------------------------------------------------------

def _lock(application, version):
    locked = (FormSubmission.objects.select_for_update(of=("self",)).select_related("unit", "guide")
              .get(pk=application.pk))
    if version is not None and str(version) != "" and int(version) != locked.version:
        raise DomainError("这份申请刚被他人处理过,请刷新后再操作。", code="conflict")
    return locked


def _save(application, **changes):
    changes["version"] = F("version") + 1
    FormSubmission.objects.filter(pk=application.pk).update(**changes)
    application.refresh_from_db()
    return application


def _event(application, kind, *, actor=None, text="", public=True, data=None):
    return SubmissionEvent.objects.create(application=application, kind=kind, actor=actor, at=_now(), text=text,
                                           public=public, data=data or {})


def _notify_applicant(application, kind, subject, body):
    if application.email:
        outbox.notify(kind=kind, to=application.email, subject=subject, body=body)


def unit_handlers(unit_id):
    from django.contrib.auth import get_user_model

    return (get_user_model().objects.filter(memberships__unit_id=unit_id, memberships__role__in=HANDLER_ROLES,
                                            is_active=True).exclude(email="").distinct())


def _notify_unit(application, kind, subject, body):
    for person in unit_handlers(application.unit_id):
        outbox.notify(kind=kind, to=person.email, subject=subject, body=body)


def shown_fields(application, version=None):
    """``[(label, text)]`` of an application's values (or of one version), in the form's order."""
    if version is not None:
        return [(row["label"], shown_value(row["value"])) for row in version.fields]
    values = application.data or {}
    return [(f.label, shown_value(values.get(form_field_name(f)))) for f in guide_fields(application.guide)]
