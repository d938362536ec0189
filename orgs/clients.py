"""Every change to machine clients (business systems calling the open API) goes
through these functions: register one, change its name, scopes or expiry, give it a
new token, revoke it, and note that it was used.

Who may: the portal management centre manages every unit's clients; a unit's site
administrator manages its own unit's. ``actor=None`` is the platform itself (the
management command run by the operator, the demo loader, migrations).

Tokens are Wagtail ``APIToken`` rows of the client's account: the plaintext is
returned once by :func:`machine_client_create` and :func:`machine_client_rotate_token`
and never stored (only its HMAC). Rotation ends the old tokens at once, or after a
grace period of up to :data:`MAX_GRACE_HOURS` hours during which old and new both
work (so a business system can switch without an outage); the old token's
``revoked_at`` is then the moment it stops working.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import APIToken

from guard.audit import changes, record

from . import scopes as scope_registry
from .errors import DomainError, PermissionRefused
from .models import MachineClient, MachineClientUse
from .authority import may_manage_clients
from .services import join_unit, leave_unit

TOKEN_NAME = "接口令牌"
LAST_USED_INTERVAL = 60  # seconds between two writes of last_used_at (and the day's use record)
MAX_GRACE_HOURS = 72
DEFAULT_VALIDITY = timedelta(days=365)  # what the admin proposes for a new client's expiry


def default_expiry(now=None):
    return (now or timezone.now()) + DEFAULT_VALIDITY


def _refuse_unless_manager(actor, unit):
    if actor is None:
        return  # the platform itself: the operator's command line, the demo, migrations
    if not may_manage_clients(actor, unit):
        raise PermissionRefused(_("您不能管理%(unit)s的接口客户端:单位网站管理员只能管理本单位的,门户网站管理中心可以管理全部单位的。")
                                % {"unit": unit.name})


def _check_name(unit, name, instance=None):
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError(_("系统名称不能为空,最多100个字符。"), field="name")
    taken = MachineClient.objects.filter(unit=unit, name=name).exclude(pk=getattr(instance, "pk", None))
    if taken.exists():
        raise DomainError(_("%(unit)s已有名为「%(name)s」的接口客户端。") % {"unit": unit.name, "name": name},
                          code="conflict", field="name")
    return name


def _check_scopes(codes):
    codes = [str(code).strip() for code in (codes or [])]
    unknown = [code for code in codes if scope_registry.get_scope(code) is None]
    if unknown:
        known = "、".join(scope.code for scope in scope_registry.all_scopes())
        raise DomainError(_("没有这些权限范围:%(unknown)s。可选的有:%(known)s。")
                          % {"unknown": "、".join(unknown), "known": known}, field="scopes")
    if not codes:
        raise DomainError(_("请至少选择一项权限范围。"), field="scopes")
    return sorted(set(codes))


def _check_expiry(expires_at, now):
    if expires_at is None:
        return None
    if timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    if expires_at <= now:
        raise DomainError(_("有效期不能早于现在。"), field="expires_at")
    return expires_at


def _refuse_if_revoked(client):
    if client.revoked_at is not None:
        raise DomainError(_("「%(client)s」已被吊销,不能再修改或更换令牌;如需继续对接,请登记新的接口客户端。")
                          % {"client": client}, code="state")


def _account_username(unit):
    User = get_user_model()
    n = MachineClient.objects.filter(unit=unit).count() + 1
    while User.objects.filter(username=f"api-{unit.code}-{n}").exists():
        n += 1
    return f"api-{unit.code}-{n}"


def _follow_scopes(client, old_codes, new_codes):
    """The account holds at its unit exactly the roles its scopes need."""
    needed, held = set(scope_registry.roles_for(new_codes)), set(scope_registry.roles_for(old_codes))
    for role in sorted(needed - held):
        join_unit(user=client.user, unit=client.unit, role=role)
    for role in sorted(held - needed):
        leave_unit(user=client.user, unit=client.unit, role=role)


def _issue_token(client):
    _token, plaintext = APIToken.create_token(user=client.user, name=f"{TOKEN_NAME}:{client.name}"[:255])
    return plaintext


def _live_tokens(client, now):
    return APIToken.objects.filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=now), user=client.user)


@transaction.atomic
def machine_client_create(*, unit, name, scopes, expires_at=None, actor=None):
    """Register a business system of ``unit``; return ``(client, token)``.

    The token is shown to the caller once: only its HMAC is stored.
    """
    _refuse_unless_manager(actor, unit)
    now = timezone.now()
    name = _check_name(unit, name)
    codes = _check_scopes(scopes)
    expires_at = _check_expiry(expires_at, now)
    User = get_user_model()
    user = User(username=_account_username(unit), first_name=f"接口:{name}"[:150], is_active=True)
    user.set_unusable_password()
    user.save()
    client = MachineClient.objects.create(unit=unit, name=name, user=user, scopes=codes, expires_at=expires_at,
                                          created_by=actor if getattr(actor, "pk", None) else None)
    _follow_scopes(client, [], codes)
    token = _issue_token(client)
    record(client, "orgs.machine_client.create", actor=actor, unit=unit.code, name=name, scopes=codes,
           expires_at=expires_at, account=user.get_username())
    return client, token


@transaction.atomic
def machine_client_update(*, client, name, scopes, expires_at, actor=None):
    """Change a client's name, scopes or expiry (``expires_at=None``: no expiry)."""
    client = MachineClient.objects.select_for_update().select_related("unit", "user").get(pk=client.pk)
    _refuse_unless_manager(actor, client.unit)
    _refuse_if_revoked(client)
    name = _check_name(client.unit, name, instance=client)
    codes = _check_scopes(scopes)
    if expires_at != client.expires_at:  # an unchanged expiry may already have passed
        expires_at = _check_expiry(expires_at, timezone.now())
    before, after = changes(client, {"name": name, "scopes": codes, "expires_at": expires_at})
    if not after:
        return client
    _follow_scopes(client, client.scopes, codes)
    client.name, client.scopes, client.expires_at = name, codes, expires_at
    client.save(update_fields=["name", "scopes", "expires_at"])
    record(client, "orgs.machine_client.update", actor=actor, before=before, after=after)
    return client


@transaction.atomic
def machine_client_rotate_token(*, client, grace_hours=0, actor=None):
    """Give ``client`` a new token (returned once). Its other tokens stop working now,
    or after ``grace_hours`` (at most :data:`MAX_GRACE_HOURS`)."""
    client = MachineClient.objects.select_for_update().select_related("unit", "user").get(pk=client.pk)
    _refuse_unless_manager(actor, client.unit)
    _refuse_if_revoked(client)
    try:
        grace_hours = int(grace_hours or 0)
    except (TypeError, ValueError):
        grace_hours = -1
    if not 0 <= grace_hours <= MAX_GRACE_HOURS:
        raise DomainError(_("旧令牌的过渡期应为0到%(max)s小时。") % {"max": MAX_GRACE_HOURS}, field="grace_hours")
    now = timezone.now()
    ends = now + timedelta(hours=grace_hours)
    # A token already due to stop sooner keeps its earlier end.
    later = Q(revoked_at__isnull=True) | Q(revoked_at__gt=ends)
    ended = APIToken.objects.filter(later, user=client.user).update(revoked_at=ends)
    token = _issue_token(client)
    record(client, "orgs.machine_client.rotate", actor=actor, grace_hours=grace_hours, old_tokens_end=ends,
           old_tokens=ended)
    return token


@transaction.atomic
def machine_client_revoke(*, client, reason, actor=None):
    """Revoke ``client`` for good: every token fails from now on, its account loses its
    roles. What it submitted stays, and so does the record of who it was."""
    client = MachineClient.objects.select_for_update().select_related("unit", "user").get(pk=client.pk)
    _refuse_unless_manager(actor, client.unit)
    _refuse_if_revoked(client)
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise DomainError(_("请写明吊销原因(最多500个字)。"), field="reason")
    now = timezone.now()
    _live_tokens(client, now).update(revoked_at=now)
    _follow_scopes(client, client.scopes, [])
    client.revoked_at, client.revoke_reason = now, reason
    client.revoked_by = actor if getattr(actor, "pk", None) else None
    client.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record(client, "orgs.machine_client.revoke", actor=actor, reason=reason)
    return client


def machine_client_note_use(*, client, now=None):
    """Note that ``client`` called the API: ``last_used_at`` and the day's use record,
    written at most once per :data:`LAST_USED_INTERVAL` seconds per client (the first
    process to get the conditional update writes; the others write nothing)."""
    now = now or timezone.now()
    if client.last_used_at is not None and (now - client.last_used_at).total_seconds() < LAST_USED_INTERVAL:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - timedelta(seconds=LAST_USED_INTERVAL))
    with transaction.atomic():
        if not MachineClient.objects.filter(stale, pk=client.pk).update(last_used_at=now):
            return
        client.last_used_at = now
        day = timezone.localdate(now)
        uses = MachineClientUse.objects.filter(client=client, day=day)
        if uses.update(last_at=now, active_minutes=F("active_minutes") + 1):
            return
        try:
            with transaction.atomic():
                MachineClientUse.objects.create(client=client, day=day, first_at=now, last_at=now, active_minutes=1)
        except IntegrityError:  # created a moment ago by another process
            uses.update(last_at=now, active_minutes=F("active_minutes") + 1)
