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
    """Every site of the registry that is watched: hosted and independent alike."""
    for record in SiteRecord.objects.select_related("unit", "site").order_by("sort_order", "pk"):
        if watch_for(record).active:
            yield record
