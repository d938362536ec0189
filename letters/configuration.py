"""State changes of the mailbox's configuration, made from the admin's configuration
pages: mailboxes, letter types, not-accepted reasons, and removing a correction of
the working-day calendar (saving one is ``services.calendar_entry_save``, older than
this module).

Each function checks who may (``orgs.adminfaces.require_manager``: the portal
management centre, or a unit's site administrator for what is theirs), validates,
writes in one transaction and records the change in the audit log with what was
there before. Nothing here is deleted but a calendar correction: mailboxes, types and
reasons are deactivated, so letters keep what they were written to and refused for.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from guard import audit
from orgs.authority import manages_every_unit, require_manager
from orgs.errors import DomainError, NotFound, PermissionRefused, validate_or_refuse

from . import permissions, services
from .models import OPEN_STATUSES, CalendarEntry, Letter, LetterType, Mailbox, NotAcceptedReason

MAILBOX_FIELDS = ("unit", "name", "code", "email", "is_mayor", "scope", "active", "sort_order")
# What a unit's site administrator changes of their own mailbox: the text the public
# reads. Its address, code, unit, opening and the mayor's role are the management
# centre's, because intake, routing and supervision depend on them.
UNIT_MAILBOX_FIELDS = ("name", "scope")
LETTER_TYPE_FIELDS = ("code", "name", "time_limit", "description", "active", "sort_order")
REASON_FIELDS = ("code", "label", "explanation", "active", "sort_order")
# The longest time limit a letter type may have, in working days: the longest the
# route form lets a supervisor set for one letter.
MAX_TIME_LIMIT = 60


def _values(instance, fields):
    return {name: getattr(instance, name) for name in fields}


def _labels(model, names):
    return "、".join(str(model._meta.get_field(name).verbose_name) for name in names)


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


# --- Mailboxes --------------------------------------------------------------------------

@transaction.atomic
def mailbox_create(*, actor, unit, name, code, email, is_mayor=False, scope="", active=True, sort_order=0):
    """Open a mailbox for ``unit`` (the management centre only). The first mailbox
    of the platform is the mayor's; a new mayor's mailbox takes the role over."""
    require_manager(actor, None)
    if unit is None:
        raise DomainError(_("信箱须属于一个单位,请选择单位。"), field="unit")
    if not is_mayor and not Mailbox.objects.filter(is_mayor=True).exists():
        raise DomainError(_("平台还没有市长信箱:请先设立市长信箱(勾选“市长信箱”)。"), field="is_mayor")
    mailbox = Mailbox(unit=unit, name=_stripped(name), code=_stripped(code), email=_stripped(email), is_mayor=False,
                      scope=_stripped(scope) or "", active=active, sort_order=sort_order or 0)
    validate_or_refuse(mailbox)
    mailbox.save()
    if is_mayor:
        _make_mayor(mailbox, actor)
    audit.record(mailbox, "letters.mailbox.create", actor=actor, after=_values(mailbox, MAILBOX_FIELDS))
    return mailbox


@transaction.atomic
def mailbox_update(*, mailbox, actor, **values):
    """Change a mailbox: its unit's site administrator the public text
    (``UNIT_MAILBOX_FIELDS``), the management centre everything. There is always
    exactly one mayor's mailbox: ticking it on another mailbox moves the role there."""
    unknown = set(values) - set(MAILBOX_FIELDS)
    if unknown:
        raise TypeError(f"unknown mailbox fields: {sorted(unknown)}")
    mailbox = Mailbox.objects.select_for_update().select_related("unit").get(pk=mailbox.pk)
    require_manager(actor, mailbox.unit)
    values = {name: _stripped(value) for name, value in values.items()}
    if "scope" in values and values["scope"] is None:
        values["scope"] = ""
    before, after = audit.changes(mailbox, values)
    centre_only = set(after) - set(UNIT_MAILBOX_FIELDS)
    if centre_only and actor is not None and not manages_every_unit(actor):
        raise PermissionRefused(_("只有门户网站管理中心可以修改信箱的%(fields)s。")
                                % {"fields": _labels(Mailbox, [n for n in MAILBOX_FIELDS if n in centre_only])})
    if "unit" in after and after["unit"] is None:
        raise DomainError(_("信箱须属于一个单位,请选择单位。"), field="unit")
    if after.get("is_mayor") is False:
        raise DomainError(_("平台须有一个市长信箱:要改由另一个信箱担任,请在那个信箱上勾选“市长信箱”。"), field="is_mayor")
    if after.get("active") is False and mailbox.is_mayor:
        raise DomainError(_("市长信箱不能关闭:市民须始终能给市长写信。"), field="active")
    if not after:
        return mailbox
    becomes_mayor = after.get("is_mayor") is True
    for name, value in after.items():
        if name != "is_mayor":
            setattr(mailbox, name, value)
    validate_or_refuse(mailbox)
    mailbox.save()
    if becomes_mayor:
        _make_mayor(mailbox, actor)
    audit.record(mailbox, "letters.mailbox.update", actor=actor, before=before, after=after)
    return mailbox


def _make_mayor(mailbox, actor):
    """Move the mayor's role to ``mailbox``; the mailbox that loses it records that
    in its own history. The database allows one mayor's mailbox at a time, so the
    old one gives the role up first."""
    previous = Mailbox.objects.select_for_update().filter(is_mayor=True).exclude(pk=mailbox.pk).first()
    if previous is not None:
        previous.is_mayor = False
        previous.save(update_fields=["is_mayor"])
        audit.record(previous, "letters.mailbox.update", actor=actor, before={"is_mayor": True},
                     after={"is_mayor": False}, mayor_moved_to=mailbox.name)
    mailbox.is_mayor = True
    mailbox.save(update_fields=["is_mayor"])


# --- Letter types ---------------------------------------------------------------------------

@transaction.atomic
def letter_type_save(*, actor, code, name, time_limit, description="", active=True, sort_order=0, instance=None):
    """Create or change a letter type (the management centre only), keeping a
    revision. A changed time limit applies to letters routed from now on: a routed
    letter keeps the limit it was given."""
    require_manager(actor, None)
    try:
        time_limit = int(time_limit)
    except (TypeError, ValueError):
        time_limit = None
    if time_limit is None or not 1 <= time_limit <= MAX_TIME_LIMIT:
        raise DomainError(_("办理时限应为1到%(max)d个工作日。") % {"max": MAX_TIME_LIMIT}, field="time_limit")
    values = {"code": _stripped(code), "name": _stripped(name), "time_limit": time_limit,
              "description": _stripped(description) or "", "active": bool(active), "sort_order": sort_order or 0}
    letter_type = LetterType.objects.select_for_update().get(pk=instance.pk) if instance else LetterType()
    if instance and values["code"] != letter_type.code:
        raise DomainError(_("来信类型的代码创建后不能修改:接口和邮件收信按代码识别类型。"), field="code")
    if not values["active"] and not LetterType.objects.filter(active=True).exclude(pk=letter_type.pk).exists():
        raise DomainError(_("至少要有一个启用的来信类型,否则无法写信。"), field="active")
    if values["active"] and LetterType.objects.filter(active=True, name=values["name"]).exclude(pk=letter_type.pk).exists():
        raise DomainError(_("已有一个启用的来信类型叫“%(name)s”:写信页上两个同名类型会让人无从选择。")
                          % {"name": values["name"]}, field="name")
    before, after = audit.changes(letter_type, values) if instance else ({}, values)
    if instance and not after:
        return letter_type
    for name, value in values.items():
        setattr(letter_type, name, value)
    validate_or_refuse(letter_type)
    letter_type.save()
    letter_type.save_revision(user=actor if getattr(actor, "is_authenticated", False) else None)
    action = "letters.letter_type.update" if instance else "letters.letter_type.create"
    audit.record(letter_type, action, actor=actor, before=before if instance else None, after=after)
    return letter_type


# --- Not-accepted reasons ------------------------------------------------------------------

@transaction.atomic
def not_accepted_reason_save(*, actor, code, label, explanation="", active=True, sort_order=0, instance=None):
    """Create or change a not-accepted reason (the management centre only). Its
    code is fixed once created (letters store it); a reason is deactivated, not
    deleted, and letters refused for it keep showing its label."""
    require_manager(actor, None)
    values = {"code": _stripped(code), "label": _stripped(label), "explanation": _stripped(explanation) or "",
              "active": bool(active), "sort_order": sort_order or 0}
    reason = NotAcceptedReason.objects.select_for_update().get(pk=instance.pk) if instance else NotAcceptedReason()
    if instance and values["code"] != reason.code:
        raise DomainError(_("理由的代码创建后不能修改:来信按代码记录理由。"), field="code")
    if not values["active"] and not NotAcceptedReason.objects.filter(active=True).exclude(pk=reason.pk).exists():
        raise DomainError(_("至少要有一个启用的不予受理理由。"), field="active")
    before, after = audit.changes(reason, values) if instance else ({}, values)
    if instance and not after:
        return reason
    for name, value in values.items():
        setattr(reason, name, value)
    validate_or_refuse(reason)
    reason.save()
    action = "letters.not_accepted_reason.update" if instance else "letters.not_accepted_reason.create"
    audit.record(reason, action, actor=actor, before=before if instance else None, after=after)
    return reason


# --- The working-day calendar ------------------------------------------------------------------

@transaction.atomic
def calendar_entry_remove(*, entry, actor):
    """Take back a correction of the calendar (the day follows the official
    calendar again); every open letter's deadline moves with it. Returns how many
    deadlines moved."""
    if not (actor is None or permissions.may_change_calendar(actor)):
        raise PermissionRefused(_("只有监督人员和门户网站管理中心可以调整工作日历。"))
    entry = CalendarEntry.objects.select_for_update().filter(pk=entry.pk).first()
    if entry is None:
        raise NotFound(_("这条调整已被删除。"))
    audit.record(entry, "letters.calendar.remove", actor=actor,
                 before={"date": entry.date, "is_working_day": entry.is_working_day, "reason": entry.reason}, after={})
    entry.delete()
    return _refresh_open_deadlines()


def _refresh_open_deadlines():
    moved = 0
    for letter in Letter.objects.filter(status__in=OPEN_STATUSES, routed_at__isnull=False).only(
        "id", "routed_at", "time_limit", "extension_days", "due_on"
    ).iterator():
        before = letter.due_on
        if services._refresh_due(letter).due_on != before:
            moved += 1
    return moved
