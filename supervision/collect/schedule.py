"""Which sites are due, for the beat's tasks (supervision/tasks.py).

- ``probe_due()``: every watched site whose probe for the current slot is due (once a
  slot, at the site's moment in it; see probes.py).
- ``crawl_due()``: first the crawls left running by a dead worker (heartbeat grown
  old), resumed; then the sites whose last crawl is older than
  ``SUPERVISION_CRAWL_EVERY`` seconds (a day by default), oldest first. At most
  ``SUPERVISION_CRAWLS_PER_TASK`` crawls a call, one after the other, and each crawl
  reads at most ``SUPERVISION_CRAWL_BUDGET`` pages a call: a big site is crawled over
  several calls (resumed each time), so a task never runs for hours and a worker
  restart loses at most one batch.
"""

import datetime
import logging

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from ..models import CrawlRun, RunStatus
from ..services import watch_for, watched_records
from .crawler import crawl_site, is_held, runner_name
from .probes import probe_many

log = logging.getLogger("supervision")


def crawl_every():
    return float(getattr(settings, "SUPERVISION_CRAWL_EVERY", 86400))


def crawls_per_task():
    return int(getattr(settings, "SUPERVISION_CRAWLS_PER_TASK", 2))


def crawl_budget():
    value = getattr(settings, "SUPERVISION_CRAWL_BUDGET", 2000)
    return int(value) if value else None


def probe_due(now=None):
    """Probe the sites due now; returns how many probes were written."""
    return probe_many(list(watched_records()), now=now)


def due_crawls(now=None):
    """``[record]`` in the order their crawls are due: interrupted runs first."""
    now = now or timezone.now()
    records = list(watched_records())
    by_pk = {r.pk: r for r in records}
    running = CrawlRun.objects.filter(record_id__in=by_pk, status=RunStatus.RUNNING)
    resumable, busy = [], set()
    for run in running:
        busy.add(run.record_id)
        if not is_held(run, now):
            resumable.append(by_pk[run.record_id])
    finished = dict(CrawlRun.objects.filter(record_id__in=by_pk).exclude(status=RunStatus.RUNNING)
                    .values_list("record_id").annotate(last=Max("started_at")))
    cutoff = now - datetime.timedelta(seconds=crawl_every())
    fresh = [r for r in records if r.pk not in busy and (finished.get(r.pk) is None or finished[r.pk] < cutoff)]
    fresh.sort(key=lambda r: finished.get(r.pk) or datetime.datetime.min.replace(tzinfo=datetime.timezone.utc))
    return resumable + fresh


def crawl_due(now=None, *, limit=None, budget=None):
    """Start or resume the crawls due; returns the ids of the runs worked on."""
    limit = limit or crawls_per_task()
    budget = budget if budget is not None else crawl_budget()
    runner = runner_name()
    worked = []
    for record in due_crawls(now)[:limit]:
        run = crawl_site(record, watch=watch_for(record), runner=runner, budget=budget)
        if run is not None:
            worked.append(run.pk)
            log.info("crawl %s of %s: %s, %s pages", run.pk, record, run.status, run.pages_done)
    return worked
