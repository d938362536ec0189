"""Availability probes: at least 20 spaced visits a day per site (检查指标: 监测1周,
每天不少于20次,间隔均匀; a visit still failing after 15 seconds counts as failed).

The day is cut into ``SUPERVISION_PROBES_PER_DAY`` slots; each site is probed once
per slot, at a moment inside the slot that depends on the site (so the sites of a
host are not all visited at once), and the ``Probe`` row is unique per (site, slot):
a task run twice for a slot, or a restarted worker, keeps one row.

A probe that fails because the machine cannot resolve or route to the address says
nothing about the site: it is kept with ``ok=None`` (not checked), never as a failure.
"""

import datetime
import zlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Probe
from .fetch import Fetcher, fetcher_for, start_url_of

PROBE_BODY = 64 * 1024  # a probe needs the answer, not the page


def slot_minutes():
    return 1440 / max(20, settings.SUPERVISION_PROBES_PER_DAY)


def slot_of(moment):
    """The slot name of ``moment`` (local time): ``YYYYMMDD-NN``."""
    local = timezone.localtime(moment)
    index = int((local.hour * 60 + local.minute) // slot_minutes())
    return f"{local:%Y%m%d}-{index:02d}"


def slot_start(moment):
    local = timezone.localtime(moment)
    minutes = int((local.hour * 60 + local.minute) // slot_minutes() * slot_minutes())
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + datetime.timedelta(minutes=minutes)


def offset_of(record):
    """Where in its slot a site is probed: spread by the site, the same every day."""
    return datetime.timedelta(minutes=(zlib.crc32(str(record.pk).encode()) % 1000) / 1000 * slot_minutes() * 0.5)


def is_due(record, now):
    return now >= slot_start(now) + offset_of(record) and \
        not Probe.objects.filter(record=record, slot=slot_of(now)).exists()


def measure(fetcher, url):
    """``(ok, status, latency_ms, error)`` of one visit."""
    fetched = fetcher.get(url, max_body=PROBE_BODY)
    if fetched.network_cannot_tell:
        return None, None, None, f"{fetched.error_label}(本机网络无法判断)"
    ok = fetched.ok
    error = "" if ok else (fetched.error_label or fetched.describe())
    return ok, fetched.status, fetched.elapsed_ms, error


def record_probe(record, slot, at, url, result):
    """Keep one probe's result; a second result for the slot is ignored."""
    ok, status, latency, error = result
    try:
        with transaction.atomic():
            probe, _created = Probe.objects.get_or_create(
                record=record, slot=slot,
                defaults={"at": at, "url": url[:2000], "ok": ok, "status_code": status, "latency_ms": latency,
                          "error": (error or "")[:300]})
    except IntegrityError:  # another worker wrote the slot between our read and our write
        probe = Probe.objects.get(record=record, slot=slot)
    return probe


def probe_site(record, *, now=None, fetcher=None, watch=None):
    """Probe ``record`` for the slot of ``now`` (once per slot)."""
    now = now or timezone.now()
    slot = slot_of(now)
    existing = Probe.objects.filter(record=record, slot=slot).first()
    if existing is not None:
        return existing
    url = start_url_of(record, watch)
    if not url:
        return record_probe(record, slot, now, "", (None, None, None, "没有监测地址"))
    own = fetcher is None
    fetcher = fetcher or fetcher_for(record, watch, timeout=settings.SUPERVISION_PROBE_TIMEOUT)
    try:
        result = measure(fetcher, url)
    finally:
        if own:
            fetcher.close()
    return record_probe(record, slot, now, url, result)


def probe_many(records, *, now=None, threads=8):
    """Probe every record due now; the visits in parallel (each site once), the
    writes here. Returns the number of probes written."""
    from concurrent.futures import ThreadPoolExecutor

    from .fetch import in_process_for

    now = now or timezone.now()
    slot = slot_of(now)
    due = [r for r in records if is_due(r, now)]
    if not due:
        return 0
    from ..services import watch_for

    urls = {r.pk: start_url_of(r, watch_for(r)) for r in due}
    in_process = in_process_for(due)
    local = [r for r in due if in_process is not None and urls[r.pk] and in_process.serves(urls[r.pk])]
    remote = [r for r in due if r not in local]
    written = 0
    with Fetcher(timeout=settings.SUPERVISION_PROBE_TIMEOUT, in_process=in_process) as fetcher:
        for record in local:  # rendered in this thread: the application and its database connection
            url = urls[record.pk]
            record_probe(record, slot, now, url, measure(fetcher, url))
            written += 1
        targets = [(r, urls[r.pk]) for r in remote]
        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            results = list(pool.map(lambda item: measure(fetcher, item[1]) if item[1] else
                                    (None, None, None, "没有监测地址"), targets))
        for (record, url), result in zip(targets, results):
            record_probe(record, slot, now, url or "", result)
            written += 1
    return written
