"""Who manages the configuration of which unit.

The portal management centre (a superuser, or a site administrator of a unit that
sees every unit) manages every unit; a unit's site administrator manages their own
unit; nobody else manages any. Services check it with :func:`require_manager`; the
admin pages (``orgs.adminfaces``, which re-exports these names) offer only what it
allows. Kept apart from the pages so that services need not import the admin.
"""

from django.utils.translation import gettext as _

from .errors import PermissionRefused
from .models import Role, Unit
from .queries import sees_every_unit

MANAGER_ROLES = (Role.SITE_ADMIN,)


def _active(user):
    return bool(user is not None and user.is_authenticated and user.is_active)


def manages_every_unit(user):
    """The portal management centre: a superuser, or a site administrator of a unit
    that sees every unit (the one rule of :func:`orgs.queries.sees_every_unit`, for
    the roles that manage)."""
    return _active(user) and sees_every_unit(user, roles=MANAGER_ROLES)


def managed_units(user):
    """Units whose configuration ``user`` manages."""
    if manages_every_unit(user):
        return Unit.objects.all()
    if not _active(user):
        return Unit.objects.none()
    return Unit.objects.filter(memberships__user=user, memberships__role__in=MANAGER_ROLES).distinct()


def require_manager(actor, unit):
    """Services call this: ``actor`` may change the configuration of ``unit`` (None:
    of the platform as a whole, for the management centre only)."""
    if actor is None:  # the system itself (demo loader, migrations, commands)
        return
    if manages_every_unit(actor):
        return
    if unit is not None and managed_units(actor).filter(pk=unit.pk).exists():
        return
    raise PermissionRefused(_("您不能管理此单位的配置。") if unit is not None else _("只有门户网站管理中心可以修改此项配置。"))


def may_manage_clients(user, unit=None):
    """May ``user`` manage machine clients (of ``unit``, if given)? The rule of every
    configuration: the management centre all, a unit's site administrator their own."""
    units = managed_units(user)
    return units.filter(pk=unit.pk).exists() if unit is not None else units.exists()


def machine_clients_managed_by(user):
    from .models import MachineClient

    clients = MachineClient.objects.select_related("unit", "user")
    if manages_every_unit(user):
        return clients
    return clients.filter(unit__in=managed_units(user))
