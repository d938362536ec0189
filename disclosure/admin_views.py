"""The completeness report of service guides in the admin (办事服务 → 办事指南检查).

A thin face of ``disclosure.guides.unit_guide_report``: a person sees the guides of
the units they see (``orgs.queries.visible_units``: their own units; every unit for
the management centre and the supervisors, who can narrow it to one unit).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path

from orgs.queries import sees_every_unit, visible_units

from .guides import ELEMENTS, LACKING_THRESHOLD, MISSING, SEVERITIES, VAGUE, unit_guide_report


def may_see_report(user):
    return user.is_authenticated and visible_units(user).exists()


def report(request):
    if not may_see_report(request.user):
        raise PermissionDenied
    every = sees_every_unit(request.user)
    units = list(visible_units(request.user).filter(sites__site__isnull=False).distinct().order_by("sort_order", "pk"))
    chosen = next((u for u in units if u.code == request.GET.get("unit")), None)
    severity = request.GET.get("severity") if request.GET.get("severity") in (MISSING, VAGUE) else None
    if chosen is not None:
        result = unit_guide_report(chosen, severity=severity)
    elif every:
        result = unit_guide_report(severity=severity)
    else:
        result = unit_guide_report(units=units, severity=severity)
    return render(request, "disclosure/admin/guide_report.html", {
        "report": result,
        "units": units,
        "chosen": chosen,
        "severity": severity,
        "severities": SEVERITIES,
        "every": every,
        "elements": ELEMENTS,
        "threshold": LACKING_THRESHOLD,
    })


urlpatterns = [path("guides/report/", report, name="guide_report")]
