"""Every operation of the supervision work that changes state (one function per use
case, each in one transaction). Collectors' writes live in collect/; the engine's
scorecards in scoring; notices and the content-assurance division in outputs."""

from orgs.models import SiteRecord

from .models import SiteWatch


def watch_for(record):
    """The watch settings of ``record`` (created with the defaults on first use)."""
    watch, _ = SiteWatch.objects.get_or_create(record=record)
    return watch


def watched_records():
    """Every site of the registry that is watched: hosted and independent alike. A
    site registered since the last call gets its watch with the defaults (one insert
    for all of them, not a lookup per site on every probe round)."""
    missing = SiteRecord.objects.filter(watch__isnull=True).values_list("pk", flat=True)
    SiteWatch.objects.bulk_create([SiteWatch(record_id=pk) for pk in missing], ignore_conflicts=True)
    yield from (SiteRecord.objects.filter(watch__active=True).select_related("unit", "site", "watch")
                .order_by("sort_order", "pk"))
