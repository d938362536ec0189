"""Who may do what with a letter. Roles come from orgs.Membership."""

from orgs.models import Membership, Role
from orgs.queries import sees_every_unit


def _roles(user):
    cache = getattr(user, "_letter_roles", None)
    if cache is None:
        cache = set(Membership.objects.filter(user=user).values_list("unit_id", "role"))
        user._letter_roles = cache
    return cache


def is_supervisor(user):
    return user.is_superuser or any(role == Role.SUPERVISOR for _, role in _roles(user))


MAILBOX_ROLES = (Role.MAILBOX_HANDLER, Role.LEADER, Role.SUPERVISOR)


def may_change_calendar(user):
    """Corrects the working-day calendar: supervisors (who decide deadlines) and the
    portal management centre (who keeps the platform's configuration)."""
    from orgs.authority import manages_every_unit

    return user is not None and user.is_authenticated and (is_supervisor(user) or manages_every_unit(user))


def sees_all_letters(user):
    """Reads every mailbox's letters: whoever sees every unit through a mailbox role
    (``orgs.queries.sees_every_unit``): superusers, supervisors by role, and people
    with a mailbox role in a unit flagged as supervising across units
    (``Unit.sees_all_units``, e.g. 督查室). Reading only: deciding as a supervisor
    (extensions, calendar, another time limit) needs the supervisor role."""
    cached = getattr(user, "_letters_sees_all", None)
    if cached is None:
        cached = sees_every_unit(user, roles=MAILBOX_ROLES)
        user._letters_sees_all = cached
    return cached


def handler_units(user):
    return {unit for unit, role in _roles(user) if role == Role.MAILBOX_HANDLER}


def is_mayor_dispatcher(user):
    """Handles the mayor's mailbox, and so screens and routes every mailbox's letters."""
    cached = getattr(user, "_mayor_dispatcher", None)
    if cached is None:
        from .models import Mailbox

        units = handler_units(user)
        cached = bool(units) and Mailbox.objects.filter(is_mayor=True, unit_id__in=units).exists()
        user._mayor_dispatcher = cached
    return cached


def is_dispatcher(user, mailbox):
    """Screens and routes the letters of ``mailbox``: its unit's mailbox handlers,
    the mayor's mailbox dispatchers and supervisors."""
    if is_supervisor(user):
        return True
    return mailbox.unit_id in handler_units(user) or is_mayor_dispatcher(user)


def is_handler(user, unit_id):
    return user.is_superuser or (unit_id, Role.MAILBOX_HANDLER) in _roles(user)


def is_leader(user, unit_id):
    return user.is_superuser or (unit_id, Role.LEADER) in _roles(user)


def reached_units(letter):
    """Units the letter has been with: its mailbox's unit and every handling unit."""
    from .models import Event

    units = set(Event.objects.filter(letter=letter, unit__isnull=False).values_list("unit_id", flat=True))
    units.add(letter.mailbox.unit_id)
    if letter.handling_unit_id:
        units.add(letter.handling_unit_id)
    return units


def may_see_contact(user, letter):
    if is_supervisor(user):
        return True
    roles = _roles(user)
    return any((unit, Role.MAILBOX_HANDLER) in roles or (unit, Role.LEADER) in roles for unit in reached_units(letter))
