"""What-if measurements for ``bench/letters_million.py --whatif``: the figures the
suggested fixes of the staff queue and of the statistics would change. Not run on
its own. The application code is not changed; in this process only, and on the
benchmark database only (indexes are created for the measurement and dropped
after it):

Queue
    ``(handling_unit_id, status, due_on)`` index: a unit's 超期 (overdue) count and
    list, which every queue page of a unit's staff runs for its tab badge, read
    from one index instead of ANDing two bitmaps over ~90,000 + 50,000 rows;
    partial index ``letters_extension (requested_at, id) WHERE approved IS NULL``:
    the pending-extension count and list every supervisor's queue page runs;
    keyset paging for deep pages of 全部: ``received_at <= x AND (received_at < x
    OR id < y)`` after the last letter shown (x, y) instead of ``OFFSET``.
Statistics
    ``grouped``: ``letters.queries.letter_stats(mailbox=…)`` / ``(unit=…)``
    answered from ONE grouped pass per page (``GROUP BY mailbox_id`` or
    ``handling_unit_id``: the aggregate, the not-accepted reasons and the ratings,
    three queries) instead of three queries per mailbox and per unit. The pages
    call ``letter_stats`` in a loop (``letters.views.stats``: one per active
    mailbox; the staff statistics: one per mailbox, one per unit and one overall);
    the prototype computes every group at the first call of a request and answers
    the others from that. Its figures are checked equal to ``letter_stats``'s for
    every mailbox and unit.
    ``indexes``: a covering index the statistics are answered from without
    reading the letters' rows (~0.9 KB each with their text): ``(received_at)
    INCLUDE (id, mailbox_id, handling_unit_id, status, routed_at, replied_at,
    due_on, escalated_on, not_accepted_reason)``, and a partial index for the
    督办 list (``criticism_list``): ``(handling_unit_id) INCLUDE (id, status)
    WHERE escalated_on IS NOT NULL``.
    ``precomputed``: every ``letter_stats`` and ``criticism_list`` result kept
    across requests, as a periodic task (or a cache with a few minutes' life)
    would keep them: what a page costs when no request computes the figures.
    ``cache_page``: the public page served from the cache (its ``Cache-Control``
    already allows 5-minute-old figures).
"""

import time

from letters_common import fmt, say

COVERING_INDEX = "bench_letters_stats_cover"
COVERING_SQL = (
    f"CREATE INDEX {COVERING_INDEX} ON letters_letter (received_at) INCLUDE (id, mailbox_id, handling_unit_id, "
    "status, routed_at, replied_at, due_on, escalated_on, not_accepted_reason)"
)


# --- The prototype ---------------------------------------------------------------------

def _aggregates():
    from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
    from django.utils import timezone

    from letters.models import OPEN_STATUSES, Status
    from letters.queries import REPLIED

    today = timezone.localdate()
    return dict(
        received=Count("id"),
        accepted=Count("id", filter=Q(routed_at__isnull=False)),
        not_accepted=Count("id", filter=Q(status=Status.NOT_ACCEPTED)),
        duplicates=Count("id", filter=Q(status=Status.DUPLICATE)),
        spam=Count("id", filter=Q(status=Status.SPAM)),
        replied=Count("id", filter=Q(status__in=REPLIED)),
        on_time=Count("id", filter=Q(status__in=REPLIED, replied_at__date__lte=F("due_on"))),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_on__lt=today)),
        escalated=Count("id", filter=Q(escalated_on__isnull=False)),
        avg_reply=Avg(
            ExpressionWrapper(F("replied_at") - F("routed_at"), output_field=DurationField()),
            filter=Q(status__in=REPLIED, routed_at__isnull=False),
        ),
    )


def _finish(totals, reasons, ratings):
    """The same post-processing as ``letter_stats``."""
    from letters.models import NotAcceptedReason, Rating

    totals["not_accepted_by_reason"] = {NotAcceptedReason(k).label: v for k, v in reasons.items() if k}
    totals["ratings"] = {Rating(k).label: ratings.get(k, 0) for k in Rating.values}
    rated = sum(ratings.values())
    good = ratings.get(Rating.SATISFIED, 0) + ratings.get(Rating.BASICALLY, 0)
    totals["satisfaction"] = round(100 * good / rated, 1) if rated else None
    average = totals.pop("avg_reply")
    totals["avg_working_days_to_reply"] = round(average.total_seconds() / 86400 * 5 / 7, 1) if average else None
    totals["on_time_rate"] = round(100 * totals["on_time"] / totals["replied"], 1) if totals["replied"] else None
    return totals


def grouped_stats(field, since=None):
    """``{key: letter_stats(...)}`` for every value of ``field`` ("mailbox_id" or
    "handling_unit_id") in three queries."""
    from django.db.models import Count

    from letters.models import Feedback, Letter, Status

    letters = Letter.objects.all()
    feedback = Feedback.objects.all()
    if since is not None:
        letters = letters.filter(received_at__gte=since)
        feedback = feedback.filter(letter__received_at__gte=since)
    aggregates = _aggregates()
    rows = {row.pop(field): row for row in letters.order_by().values(field).annotate(**aggregates)}
    reasons, ratings = {}, {}
    for key, reason, n in (letters.filter(status=Status.NOT_ACCEPTED).order_by()
                           .values_list(field, "not_accepted_reason").annotate(n=Count("id"))):
        reasons.setdefault(key, {})[reason] = n
    for key, rating, n in feedback.order_by().values_list(f"letter__{field}", "rating").annotate(n=Count("id")):
        ratings.setdefault(key, {})[rating] = n
    return {key: _finish(totals, reasons.get(key, {}), ratings.get(key, {})) for key, totals in rows.items()}


def _empty():
    zero = {k: 0 for k in _aggregates()}
    zero["avg_reply"] = None
    return _finish(zero, {}, {})


class Grouped:
    """Swaps ``letters.queries.letter_stats`` for the grouped prototype. The memo is
    emptied at each request, unless ``persist`` (the "precomputed" variant, which
    also keeps ``letter_stats()`` overall and ``criticism_list()``)."""

    def __init__(self, persist=False):
        from letters import queries

        self.queries = queries
        self.original = queries.letter_stats
        self.original_criticism = queries.criticism_list
        self.persist = persist
        self.memo = {}

    def letter_stats(self, *, mailbox=None, unit=None, since=None):
        if mailbox is None and unit is None:
            if not self.persist:
                return self.original(since=since)
            if ("all", since) not in self.memo:
                self.memo[("all", since)] = self.original(since=since)
            return self.memo[("all", since)]
        if mailbox is not None and unit is not None:
            return self.original(mailbox=mailbox, unit=unit, since=since)
        field, key = ("mailbox_id", mailbox.pk) if mailbox is not None else ("handling_unit_id", unit.pk)
        memo_key = (field, since)
        if memo_key not in self.memo:
            self.memo[memo_key] = grouped_stats(field, since)
        return self.memo[memo_key].get(key) or _empty()

    def criticism_list(self):
        if "criticism" not in self.memo:
            self.memo["criticism"] = list(self.original_criticism())
        return self.memo["criticism"]

    def reset(self, **kwargs):
        if not self.persist:
            self.memo = {}

    def __enter__(self):
        from django.core.signals import request_started

        request_started.connect(self.reset)
        self.queries.letter_stats = self.letter_stats
        if self.persist:
            self.queries.criticism_list = self.criticism_list
        return self

    def __exit__(self, *exc):
        from django.core.signals import request_started

        self.queries.letter_stats = self.original
        self.queries.criticism_list = self.original_criticism
        request_started.disconnect(self.reset)


def check_equal():
    """The prototype's figures equal ``letter_stats``'s for every mailbox and unit."""
    import datetime as dt

    from django.utils import timezone

    from letters.models import Mailbox
    from letters.queries import letter_stats
    from orgs.models import Unit

    since = timezone.make_aware(dt.datetime(timezone.localdate().year, 1, 1))
    bad = []
    for when in (None, since):
        by_mailbox, by_unit = grouped_stats("mailbox_id", when), grouped_stats("handling_unit_id", when)
        for m in Mailbox.objects.all():
            if letter_stats(mailbox=m, since=when) != (by_mailbox.get(m.pk) or _empty()):
                bad.append(f"mailbox {m.code} since {when}")
        for u in Unit.objects.all():
            if letter_stats(unit=u, since=when) != (by_unit.get(u.pk) or _empty()):
                bad.append(f"unit {u.code} since {when}")
    return bad


# --- Measuring -----------------------------------------------------------------------------

def _time(sc, n, budget, min_n=3):
    times, spent = [], 0.0
    while len(times) < n and (spent < budget or len(times) < min_n):
        t = time.perf_counter()
        sc.once()
        ms = (time.perf_counter() - t) * 1000
        times.append(ms)
        spent += ms / 1000
    return times


def _captured(sc):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from letters_million import QueryTimer

    timer = QueryTimer()
    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timer):
        sc.once()
    return len(ctx.captured_queries), sum(timer.times)


def _sql(statements):
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _explain_ms(sql, params=()):
    """Server-side execution time (best of 3 EXPLAIN ANALYZE runs)."""
    import re

    from django.db import connection

    best = float("inf")
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("EXPLAIN (ANALYZE) " + sql, params)
            text = "\n".join(r[0] for r in cursor.fetchall())
            best = min(best, float(re.search(r"Execution Time: ([\d.]+)", text).group(1)))
    return best


QUEUE_INDEXES = {
    "bench_letters_unit_status_due": "CREATE INDEX bench_letters_unit_status_due ON letters_letter "
                                     "(handling_unit_id, status, due_on)",
    "bench_letters_ext_pending": "CREATE INDEX bench_letters_ext_pending ON letters_extension (requested_at, id) "
                                 "WHERE approved IS NULL",
}
STATS_INDEXES = {
    COVERING_INDEX: COVERING_SQL,
    "bench_letters_escalated": "CREATE INDEX bench_letters_escalated ON letters_letter (handling_unit_id) "
                               "INCLUDE (id, status) WHERE escalated_on IS NOT NULL",
}


def _create(indexes):
    from django.db import connection

    started = time.monotonic()
    sizes = {}
    with connection.cursor() as cursor:
        for name, sql in indexes.items():
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
            cursor.execute(sql)
        cursor.execute("ANALYZE letters_letter")
        cursor.execute("ANALYZE letters_extension")
        for name in indexes:
            cursor.execute(f"SELECT pg_size_pretty(pg_relation_size('{name}'))")
            sizes[name] = cursor.fetchone()[0]
    return sizes, time.monotonic() - started


def _drop(indexes):
    _sql([f"DROP INDEX IF EXISTS {name}" for name in indexes] + ["ANALYZE letters_letter", "ANALYZE letters_extension"])


def queue_whatif(args, items):
    """Queue pages without and with the two indexes (interleaved: drop, create, …)."""
    from django.db.models import Q
    from django.utils import timezone

    from letters.models import OPEN_STATUSES, Extension, Letter
    from letters_common import pct

    queue = [sc for sc in items if sc.key.startswith("q_")]
    if not queue:
        return ""
    n = max(6, args.n // 2)
    results = {sc.key: {"current": [], "indexes": []} for sc in queue}
    captured = {sc.key: {} for sc in queue}
    sizes, build_s = {}, 0.0
    try:
        for r in range(2):
            for variant in ("current", "indexes"):
                if variant == "indexes":
                    sizes, build_s = _create(QUEUE_INDEXES)
                else:
                    _drop(QUEUE_INDEXES)
                for sc in queue:
                    sc.once()
                    results[sc.key][variant] += _time(sc, n // 2, args.budget / 2, min_n=2)
                    if r == 1:
                        captured[sc.key][variant] = _captured(sc)
            say(f"  queue what-if round {r + 1}/2 done")
        # Server-side times of the queries the indexes are for.
        _create(QUEUE_INDEXES)
        today = timezone.localdate()
        unit_overdue = Letter.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today,
                                             handling_unit_id__in=_unit_of("yuzhong"))
        pending = Extension.objects.filter(approved__isnull=True)
        probes = {
            "unit overdue count (handler 渝中区, every queue page)": unit_overdue.order_by().values("id").query,
            "pending extensions count (supervisor, every queue page)": pending.order_by().values("id").query,
        }
        server = {}
        for label, query in probes.items():
            sql, params = query.sql_with_params()
            sql = f"SELECT count(*) FROM ({sql}) s"
            server[label] = {"indexes": _explain_ms(sql, params)}
        _drop(QUEUE_INDEXES)
        for label, query in probes.items():
            sql, params = query.sql_with_params()
            server[label]["current"] = _explain_ms(f"SELECT count(*) FROM ({sql}) s", params)
        # Deep pages: OFFSET against keyset.
        letters = Letter.objects.select_related("mailbox", "letter_type", "handling_unit").order_by("-received_at", "-id")
        deep = {}
        total = Letter.objects.count()
        for page in (args.deep_page, args.deep_page * 10):
            offset = (page - 1) * 50
            if offset + 51 > total:
                continue
            sql, params = letters[offset:offset + 51].query.sql_with_params()
            off_ms = _explain_ms(sql, params)
            last = letters.values_list("received_at", "id")[offset - 1]
            # received_at <= x bounds the index scan; the OR alone makes PostgreSQL filter every row before it.
            keyset = letters.filter(received_at__lte=last[0]).filter(Q(received_at__lt=last[0]) | Q(id__lt=last[1]))[:51]
            sql, params = keyset.query.sql_with_params()
            deep[page] = (off_ms, _explain_ms(sql, params))
    finally:
        _drop(QUEUE_INDEXES)

    lines = [
        "#### What-if: the queue with two more indexes",
        "",
        "Indexes: " + "; ".join(f"`{sql.split(' ON ')[1]}` ({sizes.get(name, '?')})" for name, sql in QUEUE_INDEXES.items())
        + f", built in {build_s:.0f} s. Pages timed alternately without and with them (2 rounds, up to {n} requests each).",
        "",
        "| Page | p50 ms now | p50 ms with the indexes | SQL ms now → with (one request) |",
        "|---|---:|---:|---:|",
    ]
    for sc in queue:
        now, new = sorted(results[sc.key]["current"]), sorted(results[sc.key]["indexes"])
        c0, c1 = captured[sc.key].get("current", (0, 0)), captured[sc.key].get("indexes", (0, 0))
        lines.append(f"| {sc.name} | {fmt(pct(now, 50))} | {fmt(pct(new, 50))} | {fmt(c0[1])} → {fmt(c1[1])} |")
    lines += ["", "Server-side execution time (EXPLAIN ANALYZE, best of 3):", "",
              "| Query | now ms | with the index ms |", "|---|---:|---:|"]
    for label, v in server.items():
        lines.append(f"| {label} | {fmt(v['current'], 2)} | {fmt(v['indexes'], 2)} |")
    for page, (off_ms, key_ms) in deep.items():
        lines.append(f"| 全部 page {page}: `OFFSET {(page - 1) * 50}` → keyset `received_at <= x AND (received_at < x OR id < y)` | {fmt(off_ms, 2)} | {fmt(key_ms, 2)} (keyset) |")
    lines.append("")
    return "\n".join(lines)


def _unit_of(code):
    from orgs.models import Unit

    return [Unit.objects.get(code=code).pk]


def stats_whatif(args, items, current):
    """The statistics pages: grouped, grouped + indexes, precomputed; cache_page."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import RequestFactory
    from django.views.decorators.cache import cache_page

    from letters import views
    from letters_common import pct

    stats = [sc for sc in items if sc.key.startswith("s_")]
    if not stats:
        return ""
    say("what-if: checking the grouped prototype against letter_stats …")
    bad = check_equal()
    say(f"  {'equal for every mailbox and unit, all time and this year' if not bad else 'DIFFERENT: ' + ', '.join(bad)}")
    n = max(5, args.n // 2)
    results = {sc.key: {} for sc in stats}
    queries = {sc.key: {} for sc in stats}

    def measure(variant, **grouped):
        for sc in stats:
            with Grouped(**grouped):
                sc.once()  # warm-up (and, when persisting, the precomputation)
                results[sc.key][variant] = _time(sc, n, args.budget)
                queries[sc.key][variant] = _captured(sc)
            say(f"  {variant:<22} {sc.name:<44} p50 {pct(sorted(results[sc.key][variant]), 50):9.1f} ms  "
                f"{queries[sc.key][variant][0]} queries")

    measure("grouped")
    sizes, build_s = _create(STATS_INDEXES)
    try:
        measure("grouped + indexes")
        measure("precomputed", persist=True)
        from letters.models import Letter

        qs = Letter.objects.order_by().values("mailbox_id").annotate(**_aggregates())
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(r[0] for r in cursor.fetchall())
            plan_sql = cursor.mogrify(sql, params) if hasattr(cursor, "mogrify") else sql
    finally:
        _drop(STATS_INDEXES)
    cached_times = []
    if any(sc.key == "s_public" for sc in stats):
        cache.clear()
        cached_view = cache_page(300)(views.stats)
        factory = RequestFactory()
        cached_view(factory.get("/mailbox/stats/"))
        for _ in range(50):
            t = time.perf_counter()
            cached_view(factory.get("/mailbox/stats/"))
            cached_times.append((time.perf_counter() - t) * 1000)
        cache.clear()

    lines = [
        "#### What-if: the statistics pages with the suggested fixes",
        "",
        f"Prototype checked against `letter_stats`: "
        f"{'equal figures for every mailbox and unit (all time and this year)' if not bad else 'DIFFERENCES: ' + ', '.join(bad)}. "
        "Indexes: " + "; ".join(f"`{STATS_INDEXES[name].split(' ON ')[1]}` ({size})" for name, size in sizes.items())
        + f", built in {build_s:.0f} s. Up to {n} requests per page and variant (a variant stops after "
        f"{args.budget:.0f} s, with at least 3). \"now\" is the main measurement above.",
        "",
        "| Page | now p50 ms (queries) | grouped | grouped + indexes | precomputed (+ indexes) |",
        "|---|---:|---:|---:|---:|",
    ]
    for sc in stats:
        cells = [f"{fmt(current[sc.key][0])} ({current[sc.key][1]})"]
        for variant in ("grouped", "grouped + indexes", "precomputed"):
            times = sorted(results[sc.key].get(variant, []))
            cells.append(f"{fmt(pct(times, 50))} ({queries[sc.key].get(variant, ('—',))[0]})")
        lines.append(f"| {sc.name} | " + " | ".join(cells) + " |")
    if cached_times:
        lines += ["", f"Public statistics behind `cache_page(300)` (Redis cache hit, the view called directly): "
                      f"p50 {fmt(pct(sorted(cached_times), 50))} ms over 50 requests."]
    lines += ["", "The grouped aggregate (by mailbox, all time) with the covering index, EXPLAIN ANALYZE:", "",
              "```sql", str(plan_sql)[:2500], "```", "", "```", plan, "```", ""]
    return "\n".join(lines)


def run(args, items):
    """Both experiments; ``items`` are letters_million's measured scenarios."""
    current = {sc.key: (sc.p(50), sc.queries) for sc in items}
    say("what-if: the queue …")
    text = queue_whatif(args, items)
    say("what-if: the statistics …")
    return text + "\n" + stats_whatif(args, items, current)
