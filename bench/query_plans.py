#!/usr/bin/env python
"""Server-side timings of the heavy public-page queries, and of their suggested fixes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_city python bench/query_plans.py

PostgreSQL only. Each query is run with ``EXPLAIN (ANALYZE)`` ``--repeat`` times and
the smallest "Execution Time" is reported: the time inside the database server,
which load from other work on the machine disturbs far less than wall-clock page
times. The application code is not changed; some fixes are tried on the database
itself: an index inside a transaction that is rolled back, a denormalised column
in a side table dropped at the end; the database is left as it was. It refuses to run on a database whose
name does not start with ``bench_``.

Variants, for the column listing (count + the page's rows, as ``Paginator`` runs them):

* current: ``portal.queries.column_items`` (own children OR placed items);
* union: ``pk IN (own UNION placed)`` (``bench/whatif.py`` ``column_items_union``);
* union, random_page_cost 1.1: the same with the planner told that random reads
  cost about what sequential ones do (data in RAM or on SSD);
* denormalised: the parent column stored with the content rows and an index
  ``(parent, pub_date DESC, page_ptr_id DESC)``, the suggested schema change,
  simulated with a side table (``bench_whatif_contentpage``, dropped afterwards).

For the home pages: ``home_listing`` (window function) against one ``LATERAL …
LIMIT 6`` query; for the menu of every page: ``home.get_children().live().in_menu()``
with and without an index on ``wagtailcore_page (depth, path)``.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import render  # noqa: E402,F401  (sets up Django)
import whatif  # noqa: E402

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from wagtail.models import Page  # noqa: E402

from portal.models import ColumnPage  # noqa: E402
from portal.queries import column_items, home_listing, paginate  # noqa: E402


def exec_ms(cursor, sql, params=None, repeat=5):
    best = None
    for _ in range(repeat):
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        t = plan[0]["Execution Time"]
        best = t if best is None else min(best, t)
    return best


def parts(cursor, statements, repeat):
    """Total and 'count a + rows b' of a listing's statements (Paginator: count, then rows)."""
    times = [exec_ms(cursor, s, repeat=repeat) for s in statements]
    detail = " + ".join(f"{t:.1f}" for t in times)
    return sum(times), f"count + rows: {detail}" if len(times) == 2 else detail


def logged(fn):
    """The SQL statements Django sends for fn(), as logged (parameters inlined)."""
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def listing_sql(items_fn, column, page):
    def go():
        p = paginate(items_fn(column), page, ColumnPage.PAGE_SIZE)
        list(p.object_list)
    return logged(go)


# The suggested schema change, simulated with a side table: the rows of
# portal_contentpage plus their parent's path, indexed for the listing order.
DENORM_TABLE = "bench_whatif_contentpage"
DENORM_SETUP = [
    f"DROP TABLE IF EXISTS {DENORM_TABLE}",
    f'CREATE TABLE {DENORM_TABLE} AS SELECT cp.page_ptr_id, cp.pub_date, cp.source, cp.summary, '
    f'substr(p.path, 1, length(p.path) - 4)::varchar(255) COLLATE "C" AS parent '
    f"FROM portal_contentpage cp JOIN wagtailcore_page p ON p.id = cp.page_ptr_id",
    f"ALTER TABLE {DENORM_TABLE} ADD PRIMARY KEY (page_ptr_id)",
    f"CREATE INDEX {DENORM_TABLE}_listing ON {DENORM_TABLE} (parent, pub_date DESC, page_ptr_id DESC)",
    f"VACUUM ANALYZE {DENORM_TABLE}",
]
DENORM_TEARDOWN = [f"DROP TABLE IF EXISTS {DENORM_TABLE}"]
DENORM_COUNT = (
    f"SELECT count(*) FROM {DENORM_TABLE} cp JOIN wagtailcore_page p ON p.id = cp.page_ptr_id "
    "WHERE p.live AND cp.parent = %s"
)
# What the count costs when it need not join wagtailcore_page for "live" (a live flag
# kept with the parent, or a cached count).
DENORM_COUNT_INDEX_ONLY = f"SELECT count(*) FROM {DENORM_TABLE} cp WHERE cp.parent = %s"
DENORM_HOME = (
    "SELECT x.* FROM unnest(%s::varchar[]) AS c(path) CROSS JOIN LATERAL ("
    f" SELECT p.id, p.path, p.depth, p.title, p.slug, p.url_path, cp.pub_date FROM {DENORM_TABLE} cp"
    " JOIN wagtailcore_page p ON p.id = cp.page_ptr_id WHERE cp.parent = c.path AND p.live"
    " ORDER BY cp.pub_date DESC, cp.page_ptr_id DESC LIMIT 6) x"
)
# The page when "live" is kept with the content row too: the offset is walked in the
# index alone and only the 20 rows shown are joined to wagtailcore_page.
DENORM_PAGE_LIVE = (
    "SELECT p.id, p.path, p.depth, p.title, p.slug, p.content_type_id, p.url_path, cp.page_ptr_id, cp.pub_date, "
    f"cp.source, cp.summary FROM (SELECT * FROM {DENORM_TABLE} WHERE parent = %s "
    "ORDER BY pub_date DESC, page_ptr_id DESC LIMIT 20 OFFSET %s) cp JOIN wagtailcore_page p ON p.id = cp.page_ptr_id "
    "ORDER BY cp.pub_date DESC, cp.page_ptr_id DESC"
)
DENORM_PAGE = (
    "SELECT p.id, p.path, p.depth, p.title, p.slug, p.content_type_id, p.url_path, cp.page_ptr_id, cp.pub_date, "
    f"cp.source, cp.summary FROM {DENORM_TABLE} cp JOIN wagtailcore_page p ON p.id = cp.page_ptr_id "
    "WHERE p.live AND cp.parent = %s ORDER BY cp.pub_date DESC, cp.page_ptr_id DESC LIMIT 20 OFFSET %s"
)


def denormalised(cases, homes, repeat):
    """The suggested schema change, simulated with a side table created here and
    dropped at the end (the application's tables are not touched)."""
    out = []
    with connection.cursor() as cursor:
        try:
            for sql in DENORM_SETUP:
                cursor.execute(sql)
            for label, parent, offset in cases:
                count = exec_ms(cursor, DENORM_COUNT, [parent], repeat)
                page = exec_ms(cursor, DENORM_PAGE, [parent, offset], repeat)
                count_only = exec_ms(cursor, DENORM_COUNT_INDEX_ONLY, [parent], repeat)
                out.append((label, "denormalised parent + index", count + page, f"count + rows: {count:.1f} + {page:.1f}"))
                out.append((label, "same, count from the index alone", count_only + page,
                            f"count + rows: {count_only:.1f} + {page:.1f}"))
                page_live = exec_ms(cursor, DENORM_PAGE_LIVE, [parent, offset], repeat)
                out.append((label, "same, and live kept with the row too", count_only + page_live,
                            f"count + rows: {count_only:.1f} + {page_live:.1f}"))
            for label, paths in homes:
                out.append((label, "denormalised parent + index, LATERAL … LIMIT 6",
                            exec_ms(cursor, DENORM_HOME, [paths], repeat), ""))
        finally:
            for sql in DENORM_TEARDOWN:
                cursor.execute(sql)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--deep-page", type=int, default=200)
    parser.add_argument("--no-denormalised", dest="denormalised", action="store_false",
                        help="skip the denormalised variant (a side table bench_whatif_contentpage, dropped afterwards)")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only")
    if not str(connection.settings_dict["NAME"]).startswith("bench_"):
        raise SystemExit("refusing: the database name must start with bench_ (this script alters it in a rolled-back transaction)")

    columns = list(ColumnPage.objects.live().order_by("-numchild"))
    big = columns[0]
    typical = sorted(columns, key=lambda c: c.numchild)[len(columns) // 2]
    homes = [Page.objects.get(pk=big.get_parent().pk).specific, Page.objects.filter(depth=2).order_by("path").first().specific]
    rows = []
    denorm = []
    denorm_homes = []

    def row(what, variant, ms, detail=""):
        rows.append((what, variant, ms, detail))
        print(f"  {what:<52} {variant:<34} {ms:8.2f} ms  {detail}", flush=True)

    with connection.cursor() as cursor:
        for column in (big, typical):
            n = column.numchild
            pages = [1, min(args.deep_page, max(1, -(-n // ColumnPage.PAGE_SIZE)))]
            for page in pages:
                label = f"column {column.url_path} ({n:,} items), page {page}"
                cur_sql = listing_sql(column_items, column, page)
                uni_sql = listing_sql(whatif.column_items_union, column, page)
                row(label, "current", *parts(cursor, cur_sql, args.repeat))
                row(label, "union", *parts(cursor, uni_sql, args.repeat))
                with transaction.atomic():
                    cursor.execute("SET LOCAL random_page_cost = 1.1")
                    row(label, "current, random_page_cost 1.1", *parts(cursor, cur_sql, args.repeat))
                    row(label, "union, random_page_cost 1.1", *parts(cursor, uni_sql, args.repeat))
                    transaction.set_rollback(True)
                denorm.append((label, column.path, (page - 1) * ColumnPage.PAGE_SIZE))

        for home in homes:
            label = f"home_listing {home.url_path}"
            cur_sql = logged(lambda: home_listing(home))
            row(label, "current (window function)", exec_ms(cursor, cur_sql[-1], repeat=args.repeat))
            cols = [c.pk for c in ColumnPage.objects.child_of(home).live().in_menu()]
            denorm_homes.append((label, [c.path for c in ColumnPage.objects.filter(pk__in=cols)]))
            row(label, "LATERAL … LIMIT 6", exec_ms(cursor, whatif.HOME_LATERAL_SQL, [6, cols], args.repeat))
            with transaction.atomic():
                cursor.execute("SET LOCAL random_page_cost = 1.1")
                row(label, "current, random_page_cost 1.1", exec_ms(cursor, cur_sql[-1], repeat=args.repeat))
                transaction.set_rollback(True)

            label = f"menu of {home.url_path} (get_children.live.in_menu)"
            menu_sql = logged(lambda: list(home.get_children().live().in_menu()))
            row(label, "current", exec_ms(cursor, menu_sql[0], repeat=args.repeat))
            with transaction.atomic():
                cursor.execute(f"CREATE INDEX {whatif.DEPTH_PATH_INDEX} ON wagtailcore_page (depth, path)")
                cursor.execute("ANALYZE wagtailcore_page")
                row(label, "index (depth, path)", exec_ms(cursor, menu_sql[0], repeat=args.repeat))
                transaction.set_rollback(True)

    if args.denormalised:
        for label, variant, ms, detail in denormalised(denorm, denorm_homes, args.repeat):
            row(label, variant, ms, detail)

    print()
    print("| Query | Variant | Server ms (best of %d) | Parts |" % args.repeat)
    print("|---|---|---:|---|")
    order = {}
    for what, *_ in rows:
        order.setdefault(what, len(order))
    for what, variant, ms, detail in sorted(rows, key=lambda r: order[r[0]]):
        print(f"| {what} | {variant} | {ms:.2f} | {detail} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
