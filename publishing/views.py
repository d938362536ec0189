from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from orgs.models import Unit
from orgs.queries import units_of

from .services import register_export_xlsx


def register_xlsx(request, unit_code):
    """Download a unit's publication register; only for people who see that unit."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    unit = get_object_or_404(Unit, code=unit_code)
    if not units_of(request.user).filter(pk=unit.pk).exists():
        raise PermissionDenied
    response = HttpResponse(
        register_export_xlsx(unit),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"register-{unit.code}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def register_index(request):
    """The units whose publication register this person may read, with counts."""
    from django.db.models import Count, Max
    from django.shortcuts import render

    units = (
        units_of(request.user)
        .annotate(published=Count("publications"), latest=Max("publications__published_at"))
        .order_by("sort_order", "id")
    )
    return render(request, "publishing/register_index.html", {"units": units})
