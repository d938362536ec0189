from .models import Membership, Unit


def units_of(user):
    """Units whose content ``user`` may see: their own, or every unit for a
    supervisor or a member of a unit that sees across units."""
    if user.is_superuser:
        return Unit.objects.all()
    memberships = Membership.objects.filter(user=user).select_related("unit")
    if any(m.role == "supervisor" or m.unit.sees_all_units for m in memberships):
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=[m.unit_id for m in memberships])


def primary_unit(user):
    membership = Membership.objects.filter(user=user).select_related("unit").order_by("id").first()
    return membership.unit if membership else None
