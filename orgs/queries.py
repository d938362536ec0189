"""Reads of units and people shared by every app, among them the one rule of who
sees every unit."""

from django.db.models import Q

from .models import Membership, Role, Unit


def sees_every_unit(user, *, roles=None):
    """Whether ``user`` sees every unit's records, not only their own units'.

    Yes for a superuser, and for a membership that looks across units: the
    supervisor role (监督人员) wherever it is held, or any role in a unit flagged
    ``sees_all_units`` (the portal management centre, 督查室). ``roles`` narrows
    which memberships count to those a capability needs: the mailbox passes its
    roles, site migration the site administrator; ``roles=()`` leaves superusers
    only (for a capability no unit role lifts across units). Anonymous users see
    no unit. One query (none for a superuser); a caller that asks often per
    request keeps the answer.
    """
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if roles is not None and not roles:
        return False
    return _memberships(user, roles).filter(Q(role=Role.SUPERVISOR) | Q(unit__sees_all_units=True)).exists()


def visible_units(user, *, roles=None):
    """The units whose records ``user`` sees: every unit for one who sees every unit
    (:func:`sees_every_unit`, with the same ``roles``), else the units of their own
    memberships (of ``roles``, if given)."""
    if sees_every_unit(user, roles=roles):
        return Unit.objects.all()
    if user is None or not user.is_authenticated:
        return Unit.objects.none()
    return Unit.objects.filter(pk__in=_memberships(user, roles).values("unit_id"))


def _memberships(user, roles):
    memberships = Membership.objects.filter(user=user)
    return memberships if roles is None else memberships.filter(role__in=list(roles))


def primary_unit(user):
    membership = Membership.objects.filter(user=user).select_related("unit").order_by("id").first()
    return membership.unit if membership else None


def machine_client_by_token(token):
    """``(client, api_token)`` for a presented bearer token, or None.

    The token is looked up by its HMAC (under the current ``SECRET_KEY`` and its
    fallbacks), revoked tokens included, so the caller can say why a replaced token
    no longer works. A token of a person, not of a machine client, is None.
    """
    from wagtail.models import APIToken

    if not token or len(token) > 200:
        return None
    api_token = (
        APIToken.objects.select_related("user", "user__machine_client", "user__machine_client__unit")
        .filter(key_hash__in=APIToken.candidate_key_hashes(token))
        .first()
    )
    if api_token is None:
        return None
    client = getattr(api_token.user, "machine_client", None)
    return (client, api_token) if client is not None else None
