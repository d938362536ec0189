"""Scoring: a site's measurements for a period judged by the active ruleset, kept as
the period's scorecard (one per site and month, recomputed until the month ends).

The scorecard keeps the measurements it was computed from (the snapshot) and names
the ruleset version, so a verdict can be explained months later, after the rules
have changed.

Measures come from every builder of ``measures.BUILDERS``. A builder that fails (a
bug, a table in a state nobody expected) or is not installed costs its measures only:
they read as 未采集 (not checked, never scored) and the other builders' measures are
judged as usual, so one broken collector cannot fail a site or stop the others.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from orgs.errors import DomainError

from . import measures as contract
from .engine import evaluate
from .models import Scorecard
from .rules import active_ruleset
from .services import watch_for, watched_records

log = logging.getLogger(__name__)


def collect(record, period):
    """Every builder's measures of ``record`` for ``period`` (measures.collect, but a
    builder that is absent or fails is left out and logged)."""
    result = contract.Measurements(record.pk, period)
    for path in contract.BUILDERS:
        try:
            builder = import_string(path)
        except ImportError:
            log.warning("supervision: builder %s cannot be imported; its measures are not taken", path, exc_info=True)
            continue
        try:
            found = list(builder(record, period))
        except Exception:  # one collector's failure is not the site's
            log.exception("supervision: builder %s failed on %s", path, record)
            continue
        for measure in found:
            result.put(measure)
    return result


def score_site(record, period=None, *, ruleset=None, now=None):
    """Measure ``record`` for ``period`` (default: this month), judge it with the
    active ruleset (or ``ruleset``) and store the period's scorecard: created, or
    updated when the period was scored before. Returns the scorecard."""
    now = now or timezone.now()
    period = period or contract.Period.month_of(timezone.localtime(now).date())
    ruleset = ruleset or active_ruleset()
    if ruleset is None:
        raise DomainError("没有现行的检查指标,无法评分。", code="no_ruleset")
    measurements = collect(record, period)
    watch = watch_for(record)
    result = evaluate(ruleset, measurements, site_kind=record.kind, external_services=watch.external_services)
    data = result.to_dict()
    with transaction.atomic():
        card, _created = Scorecard.objects.update_or_create(
            record=record, period_start=period.start,
            defaults=dict(ruleset=ruleset, period_end=period.end, computed_at=now, verdict=result.verdict,
                          score=result.score, bonus=result.bonus, vetoes=data["vetoes"],
                          deductions=data["deductions"], bonuses=data["bonuses"], not_checked=data["not_checked"],
                          categories=data["categories"], measurements=measurements.to_dict()))
    return card


def score_all(period=None, *, now=None):
    """The running period's scorecard of every watched site; returns how many were
    scored (a site whose scoring fails is logged and the others go on)."""
    ruleset = active_ruleset()
    if ruleset is None:
        log.warning("supervision: no active ruleset, nothing scored")
        return 0
    count = 0
    for record in watched_records():
        try:
            score_site(record, period, ruleset=ruleset, now=now)
        except Exception:
            log.exception("supervision: scoring %s failed", record)
            continue
        count += 1
    return count
