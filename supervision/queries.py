"""Reads of the supervision work used by more than one face (dashboard, reports,
API) and by apps above it.

Two sections, kept apart: scores (scorecards, trends, ranking) and outputs (who sees
which site's problems, notices, the A2 division)."""

# --- Scores: scorecards, trends, ranking ---------------------------------------------
from django.db.models import F, OuterRef, Subquery

from .models import Scorecard, Verdict

VERDICT_ORDER = {Verdict.FAIL: 0, Verdict.AT_RISK: 1, Verdict.PASS: 2, Verdict.UNSCORED: 3}


def scorecards():
    return Scorecard.objects.select_related("record", "record__unit", "ruleset")


def latest_scorecards(records=None):
    """The newest scorecard of each site (of ``records``, a queryset or list of site
    records; every site when None), worst first: 不合格, 有风险, then by score."""
    newest = Scorecard.objects.filter(record=OuterRef("record")).order_by("-period_start").values("pk")[:1]
    cards = scorecards().filter(pk=Subquery(newest))
    if records is not None:
        cards = cards.filter(record__in=records)
    return sorted(cards, key=lambda c: (VERDICT_ORDER.get(c.verdict, 0), _total(c) if c.score is not None else -1,
                                        c.record.sort_order, c.record_id))


def scorecard_for(record, period_start):
    """``record``'s scorecard of the period starting ``period_start``, or None."""
    return scorecards().filter(record=record, period_start=period_start).first()


def site_trend(record, *, periods=12):
    """``record``'s scorecards of its last ``periods`` scored months, oldest first:
    ``[{"period": date, "verdict", "score", "bonus", "vetoes": n, "deductions": total}]``."""
    cards = list(Scorecard.objects.filter(record=record).order_by("-period_start")[:periods])
    return [{"period": c.period_start, "verdict": c.verdict, "score": c.score, "bonus": c.bonus,
             "vetoes": len(c.vetoes or []), "deductions": sum(d.get("points", 0) for d in c.deductions or []),
             "ruleset_version": c.ruleset.version} for c in reversed(cards)]


def scored_periods():
    """The months that have scorecards, newest first."""
    return list(Scorecard.objects.order_by("-period_start").values_list("period_start", flat=True).distinct())


def ranking(period_start=None, records=None):
    """The sites of a period (the newest scored when None) ranked by score plus bonus,
    highest first; a site failed by a veto item has no score and comes last. Returns
    ``[(rank, scorecard)]``; equal totals share a rank."""
    if period_start is None:
        periods = scored_periods()
        if not periods:
            return []
        period_start = periods[0]
    cards = scorecards().filter(period_start=period_start)
    if records is not None:
        cards = cards.filter(record__in=records)
    ordered = sorted(cards.order_by(F("score").desc(nulls_last=True), "record__sort_order", "record_id"),
                     key=lambda c: (c.score is None, -(_total(c) or 0)))
    ranked, rank, previous = [], 0, object()
    for position, card in enumerate(ordered, start=1):
        total = _total(card)
        if total != previous:
            rank, previous = position, total
        ranked.append((rank, card))
    return ranked


def _total(card):
    return None if card.score is None else card.score + card.bonus



# --- Outputs: what a person may see, notices, the A2 division -------------------------
