"""Reads of the delivery state: the integrity events and bake problems a person may
see (the supervision work reads the events too)."""

from orgs.models import Role
from orgs.queries import sees_every_unit, visible_units

from .models import BakeProblem, IntegrityEvent

# Who reads the events: a unit's site administrators and supervisors see their own
# unit's, the management centre (units that see every unit) all of them.
READER_ROLES = (Role.SITE_ADMIN, Role.SUPERVISOR)


def may_read_events(user):
    return user.is_authenticated and (user.is_superuser or visible_units(user, roles=READER_ROLES).exists())


def integrity_events_for(user):
    events = IntegrityEvent.objects.select_related("site", "unit")
    if sees_every_unit(user, roles=READER_ROLES):
        return events
    return events.filter(unit__in=visible_units(user, roles=READER_ROLES))


def bake_problems_for(user):
    problems = BakeProblem.objects.select_related("site").filter(resolved_at__isnull=True)
    if sees_every_unit(user, roles=READER_ROLES):
        return problems
    return problems.filter(site__record__unit__in=visible_units(user, roles=READER_ROLES))
