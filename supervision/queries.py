"""Reads of the supervision work used by more than one face (dashboard, reports,
API) and by apps above it.

Two sections: scores (the newest card of each site, worst first) and outputs (who
sees which site's problems, a period's cards, their ranking and trend, notices, the A2
division)."""

import datetime as _dt

from django.db.models import OuterRef, Subquery
from django.db.models import Q as _Q

from .models import Scorecard, Verdict

# --- Scores: scorecards, trends, ranking ---------------------------------------------

VERDICT_ORDER = {Verdict.FAIL: 0, Verdict.AT_RISK: 1, Verdict.PASS: 2, Verdict.UNSCORED: 3}


def latest_scorecards(records=None):
    """The newest scorecard of each site (of ``records``; every site when None), worst
    first: 不合格, 有风险, 合格, 未评定, then by total, low to high."""
    newest = Scorecard.objects.filter(record=OuterRef("record")).order_by("-period_start").values("pk")[:1]
    cards = Scorecard.objects.select_related("record", "record__unit", "ruleset").filter(pk=Subquery(newest))
    if records is not None:
        cards = cards.filter(record__in=records)
    return sorted(cards, key=lambda c: (VERDICT_ORDER[c.verdict], c.total if c.total is not None else -1,
                                        c.record.sort_order, c.record_id))


# --- Outputs: what a person may see, notices, the A2 division -------------------------
#
# Who sees what: a supervisor of a unit that looks across units (Unit.sees_all_units,
# the 督查室 or the portal management centre) and superusers see every site, every
# notice and every assignment; anyone else who works for a unit (site administrator,
# editor, leader, a supervisor of their own unit) sees their own units' only.


def sees_every_site(user):
    """Supervises every site: a superuser, or a supervisor (监督人员) of a unit that
    sees every unit. Kept on the user object for the request."""
    from orgs.models import Membership, Role

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_supervision_sees_all", None)
    if cached is None:
        cached = user.is_superuser or Membership.objects.filter(
            user=user, role=Role.SUPERVISOR, unit__sees_all_units=True).exists()
        user._supervision_sees_all = cached
    return cached


def own_unit_ids(user):
    """The units ``user`` works for (any role)."""
    from orgs.models import Membership

    if user is None or not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user).values_list("unit_id", flat=True))


def may_use_supervision_pages(user):
    """Reaches the 网站监管 pages at all: supervisors of every site, and anyone who works
    for a unit (who then sees their own unit's sites)."""
    return bool(user is not None and user.is_authenticated and user.is_active
                and (sees_every_site(user) or own_unit_ids(user)))


def visible_records(user):
    """The sites (orgs.SiteRecord) whose scorecards and problems ``user`` may see."""
    from orgs.models import SiteRecord

    records = SiteRecord.objects.select_related("unit", "site").order_by("kind", "sort_order", "pk")
    if sees_every_site(user):
        return records
    return records.filter(unit_id__in=own_unit_ids(user))


def visible_notices(user):
    from .models import RectificationNotice

    notices = RectificationNotice.objects.select_related("record", "unit", "issued_by")
    if sees_every_site(user):
        return notices
    return notices.filter(unit_id__in=own_unit_ids(user))


def visible_assignments(user):
    from .models import ColumnAssignment

    assignments = ColumnAssignment.objects.select_related("column", "unit")
    if sees_every_site(user):
        return assignments
    return assignments.filter(unit_id__in=own_unit_ids(user))


def may_report_on(user, notice):
    """Reports the fix of ``notice``: a person of the unit it was sent to (or a superuser)."""
    return bool(user.is_authenticated and (user.is_superuser or notice.unit_id in own_unit_ids(user)))


def open_flags(assignments=None):
    """The open flags (columns behind their frequency), of ``assignments`` if given."""
    from .models import ColumnFlag

    flags = ColumnFlag.objects.filter(cleared_at__isnull=True).select_related("assignment", "assignment__column",
                                                                              "assignment__unit")
    if assignments is not None:
        flags = flags.filter(assignment__in=assignments)
    return flags


def notice_is_overdue(notice, today=None):
    from django.utils import timezone

    from .models import NoticeStatus

    today = today or timezone.localdate()
    return notice.status in (NoticeStatus.ISSUED, NoticeStatus.REOPENED) and notice.deadline < today


# The scorecards the outputs read (the dashboard, a site's page, the reports).

def month_start(value):
    """The first day of the month ``value`` names ("2026-03", a date), or None."""
    if isinstance(value, _dt.date):
        return value.replace(day=1)
    try:
        year, month = (int(part) for part in str(value or "").split("-")[:2])
        return _dt.date(year, month, 1)
    except (TypeError, ValueError):
        return None


def periods_with_cards(records):
    """The periods (first days, newest first) for which any of ``records`` has a scorecard."""
    from .models import Scorecard

    return list(Scorecard.objects.filter(record__in=records).order_by("-period_start")
                .values_list("period_start", flat=True).distinct())


def cards_of_period(records, period_start):
    """{record id: Scorecard} of ``records`` for the period starting ``period_start``."""
    from .models import Scorecard

    cards = Scorecard.objects.filter(record__in=records, period_start=period_start).select_related("ruleset", "record")
    return {card.record_id: card for card in cards}


def card_problems(card):
    """The problems of a scorecard, worst first: vetoes, then deductions by points."""
    vetoes = [dict(item, kind="veto") for item in card.vetoes or []]
    deductions = sorted((dict(item, kind="deduction") for item in card.deductions or []),
                        key=lambda item: -float(item.get("points") or 0))
    return vetoes + deductions


def worst_problems(cards, limit=20):
    """Across ``cards``: every veto (sites without a score first), then the biggest
    deductions; each item with its card."""
    rows = [(card, item) for card in cards for item in card_problems(card)]
    rows.sort(key=lambda row: (row[1]["kind"] != "veto", -float(row[1].get("points") or 0), row[0].record.sort_order))
    return rows[:limit]


def ranked_cards(cards):
    """``cards`` ranked: ``[(rank, card)]``, the scored sites by score plus bonus, high
    to low, equal totals sharing a rank; then the sites failed by a veto item (rank
    None). Sites not scored (未评定) are not ranked: see :func:`unscored_cards`."""
    scored = sorted((c for c in cards if c.score is not None),
                    key=lambda c: (-c.total, c.record.sort_order, c.record_id))
    ranked, rank, previous = [], 0, None
    for position, card in enumerate(scored, start=1):
        if card.total != previous:
            rank, previous = position, card.total
        ranked.append((rank, card))
    vetoed = sorted((c for c in cards if c.score is None and c.verdict == Verdict.FAIL),
                    key=lambda c: (c.record.sort_order, c.record_id))
    return ranked + [(None, card) for card in vetoed]


def unscored_cards(cards):
    """The cards of sites that could not be read (未评定), in the registry's order."""
    return sorted((c for c in cards if c.verdict == Verdict.UNSCORED), key=lambda c: (c.record.sort_order, c.record_id))


def trend(records, *, months=6, until=None):
    """Per period (oldest first, the last ``months`` periods up to ``until``): how many
    of ``records`` passed, were at risk, failed, and their mean score."""
    from django.utils import timezone

    from .models import Scorecard

    until = month_start(until or timezone.localdate())
    starts = []
    day = until
    for _ in range(months):
        starts.append(day)
        day = (day - _dt.timedelta(days=1)).replace(day=1)
    starts.reverse()
    rows = {start: {"period": start, "pass": 0, "at_risk": 0, "fail": 0, "scores": []} for start in starts}
    for card in Scorecard.objects.filter(record__in=records, period_start__in=starts).only(
            "period_start", "verdict", "score"):
        row = rows[card.period_start]
        row[card.verdict] = row.get(card.verdict, 0) + 1
        if card.score is not None:
            row["scores"].append(float(card.score))
    result = []
    for start in starts:
        row = rows[start]
        scores = row.pop("scores")
        row["mean"] = round(sum(scores) / len(scores), 1) if scores else None
        row["total"] = row["pass"] + row["at_risk"] + row["fail"]
        result.append(row)
    return result


def site_history(record, *, months=12):
    """A site's scorecards, newest first (its own trend)."""
    return list(record.scorecards.select_related("ruleset").order_by("-period_start")[:months])


def notices_of(record, user):
    return visible_notices(user).filter(record=record)


def assignment_filter(user, *, unit=None, behind_only=False):
    assignments = visible_assignments(user)
    if unit is not None:
        assignments = assignments.filter(unit=unit)
    if behind_only:
        assignments = assignments.filter(_Q(flags__cleared_at__isnull=True) & _Q(flags__isnull=False)).distinct()
    return assignments
