#!/usr/bin/env python
"""What-if measurements: the figures the suggested fixes would change.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_city python bench/whatif.py -n 100

The application code is not changed. Each experiment swaps, in this process only,
one function of the application for a rewritten prototype, renders the same pages
as ``bench/render.py`` with and without it (alternating, so that load from other
work on the machine hits both alike) and prints p50 and queries before and after.
The prototypes are sketches of the suggested fixes, not finished code: they show
what the fix is worth.

Experiments:

``column_union``  ``portal.queries.column_items`` with the own children and the
    placed items combined by ``pk IN (own UNION placed)`` instead of ``own OR
    pk IN (placed)``: the OR keeps PostgreSQL from using the path index, so every
    column listing scans every page of the platform.
``home_lateral``  ``portal.queries.home_listing`` as one ``LATERAL … LIMIT 6``
    query per home (PostgreSQL): the newest six of each column, instead of ranking
    every item of the site with a window function.
``depth_path_index``  an index on ``wagtailcore_page (depth, path)``, created for
    the measurement and dropped after it: treebeard's children queries
    (``depth = d AND path BETWEEN …``) then read only the children, not the whole
    subtree (the menu of every page reads all 16,500 pages of a district site).
``fewer_queries``  ``PlatformPage.get_context`` taking the home page from the
    request's site (already fetched by the routing), the breadcrumbs of an item
    from its column, the site of the site record in the same query, and the
    site-address memo from a process-level memo: 5 queries fewer on an article.
``all``  everything above together.

The index experiments refuse to run on a database whose name does not start with
``bench_``.
"""

import argparse
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import render  # noqa: E402  (sets up Django)

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from wagtail.models import Page, Site  # noqa: E402

import portal.addresses as portal_addresses  # noqa: E402
import portal.queries as portal_queries  # noqa: E402
from portal.models import ColumnPage, ContentPage, PlatformPage  # noqa: E402


# --- the prototypes ------------------------------------------------------------------

def column_items_union(column):
    """column_items with pk IN (own UNION placed): index-friendly on both branches."""
    own = Page.objects.filter(path__startswith=column.path, depth=column.depth + 1).order_by().values("pk")
    placed = ContentPage.also_in.through.objects.filter(columnpage_id=column.pk).order_by().values("contentpage_id")
    return (
        ContentPage.objects.live()
        .filter(pk__in=own.union(placed))
        .only("id", "title", "slug", "url_path", "path", "depth", "pub_date", "source", "summary", "content_type_id")
        .order_by("-pub_date", "-id")
    )


HOME_LATERAL_SQL = """
SELECT p.id, p.path, p.depth, p.title, p.slug, p.url_path, p.content_type_id, p.live, p.locale_id,
       p.translation_key, p.numchild, p.page_ptr_id, p.pub_date, p.column_id
FROM wagtailcore_page c
CROSS JOIN LATERAL (
    SELECT wp.id, wp.path, wp.depth, wp.title, wp.slug, wp.url_path, wp.content_type_id, wp.live, wp.locale_id,
           wp.translation_key, wp.numchild, cp.page_ptr_id, cp.pub_date, c.id AS column_id
    FROM wagtailcore_page wp JOIN portal_contentpage cp ON cp.page_ptr_id = wp.id
    WHERE wp.path LIKE c.path || '%%' AND wp.depth = c.depth + 1 AND wp.live
    ORDER BY cp.pub_date DESC, wp.id DESC
    LIMIT %s
) p
WHERE c.id = ANY(%s)
"""


def home_listing_lateral(home):
    columns = list(ColumnPage.objects.child_of(home).live().in_menu().select_related("kind").order_by("path"))
    items_by_column = {c.pk: [] for c in columns}
    if columns:
        rows = ContentPage.objects.raw(HOME_LATERAL_SQL, [portal_queries.HOME_ITEMS_PER_COLUMN, [c.pk for c in columns]])
        for item in rows:
            items_by_column[item.column_id].append(item)
        for items in items_by_column.values():
            items.sort(key=lambda i: (i.pub_date, i.pk), reverse=True)
    return {"columns": [(c, items_by_column[c.pk]) for c in columns]}


def site_record_for_joined(site):
    from orgs.models import SiteRecord

    if site is None:
        return None
    return SiteRecord.objects.filter(site=site).select_related("unit", "site").first()


_SITE_MEMO = {}


def site_address_memo(site_id, request=None):
    """Process-level memo (a real fix would clear it on Site post_save/post_delete)."""
    if not _SITE_MEMO:
        _SITE_MEMO.update(
            {pk: (host, default) for pk, host, default in Site.objects.values_list("pk", "hostname", "is_default_site")}
        )
    return _SITE_MEMO.get(site_id, ("", False))


def platform_get_context_lean(self, request, *args, **kwargs):
    context = Page.get_context(self, request, *args, **kwargs)
    site = Site.find_for_request(request)
    context["site_record"] = portal_queries.site_record_for(site)
    root = site.root_page if site is not None else None
    if root is not None and root.depth == 2 and self.path.startswith(root.path):
        # The routing has already fetched the site's home page in its specific form.
        self.__dict__["home"] = self if self.pk == root.pk else root.specific
    context["home"] = self.home
    column = self.column
    if self.depth <= 3:
        crumbs = []
    elif self.depth == 4 and isinstance(self, ContentPage) and column is not None:
        crumbs = [column]  # an item straight under a top-level column
    else:
        crumbs = list(self.get_ancestors().filter(depth__gt=2))
    context["breadcrumbs"] = crumbs
    context["column"] = column
    context["column_kind"] = column.kind if column is not None else None
    return context


DEPTH_PATH_INDEX = "bench_whatif_page_depth_path"


@contextmanager
def patched(exp):
    pairs = exp.get("patch", [])
    saved = [(obj, name, obj.__dict__[name] if isinstance(obj, type) else getattr(obj, name)) for obj, name, _ in pairs]
    try:
        for obj, name, value in pairs:
            setattr(obj, name, value)
        _SITE_MEMO.clear()
        if exp.get("setup") and not str(connection.settings_dict["NAME"]).startswith("bench_"):
            raise SystemExit("refusing to create an index: the database name must start with bench_")
        with connection.cursor() as cursor:
            for sql in exp.get("setup", []):
                cursor.execute(sql)
        yield
    finally:
        for obj, name, value in saved:
            setattr(obj, name, value)
        with connection.cursor() as cursor:
            for sql in exp.get("teardown", []):
                cursor.execute(sql)


EXPERIMENTS = {
    "column_union": {
        "pages": ("column_first", "column_deep", "column_typical_last"),
        "patch": [(portal_queries, "column_items", column_items_union)],
    },
    "home_lateral": {
        "pages": ("portal_home", "district_home"),
        "patch": [(portal_queries, "home_listing", home_listing_lateral)],
        "postgresql_only": True,
    },
    "fewer_queries": {
        "pages": ("article", "gov_document", "column_first", "district_home"),
        "patch": [
            (PlatformPage, "get_context", platform_get_context_lean),
            (portal_queries, "site_record_for", site_record_for_joined),
            (portal_addresses, "site_address", site_address_memo),
        ],
    },
    "depth_path_index": {
        "pages": ("district_home", "column_first", "article"),
        "setup": [f"CREATE INDEX IF NOT EXISTS {DEPTH_PATH_INDEX} ON wagtailcore_page (depth, path)",
                  "ANALYZE wagtailcore_page"],
        "teardown": [f"DROP INDEX IF EXISTS {DEPTH_PATH_INDEX}", "ANALYZE wagtailcore_page"],
        "postgresql_only": True,
    },
}
EXPERIMENTS["all"] = {
    "pages": ("portal_home", "district_home", "column_first", "column_deep", "column_typical_last", "article", "gov_document"),
    "patch": [pair for name in ("column_union", "home_lateral", "fewer_queries")
              for pair in EXPERIMENTS[name]["patch"]],
    "setup": EXPERIMENTS["depth_path_index"]["setup"],
    "teardown": EXPERIMENTS["depth_path_index"]["teardown"],
    "postgresql_only": True,
}


# --- measuring ---------------------------------------------------------------------------

def measure(client, sc, n):
    times, cpu = [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.thread_time()
        response = sc.request(client)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    return times, cpu, response


def count_queries(client, sc):
    with CaptureQueriesContext(connection) as ctx:
        response = sc.request(client)
    return len(ctx.captured_queries), response


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100, help="timed requests per page and variant (default 100)")
    parser.add_argument("--rounds", type=int, default=5, help="alternations of before/after (default 5)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--only", default="", help="comma-separated experiment names")
    args = parser.parse_args(argv)

    scenarios = {sc.key: sc for sc in render.pick_scenarios(200)}
    client = Client()
    names = [n for n in EXPERIMENTS if not args.only or n in args.only.split(",")]
    rows = []
    for name in names:
        exp = EXPERIMENTS[name]
        if exp.get("postgresql_only") and connection.vendor != "postgresql":
            print(f"{name}: PostgreSQL only, skipped")
            continue
        for key in exp["pages"]:
            sc = scenarios.get(key)
            if sc is None:
                continue
            before, after, cpu_before, cpu_after = [], [], [], []
            q_before, r_before = count_queries(client, sc)
            with patched(exp):
                sc.request(client)  # fill per-process memos first: count the steady state
                q_after, r_after = count_queries(client, sc)
                same = r_after.status_code == r_before.status_code == 200 and r_after.content == r_before.content
            per_round = max(1, args.n // args.rounds)
            for _ in range(args.rounds):
                measure(client, sc, args.warmup)
                t, c, _ = measure(client, sc, per_round)
                before += t
                cpu_before += c
                with patched(exp):
                    measure(client, sc, args.warmup)
                    t, c, _ = measure(client, sc, per_round)
                    after += t
                    cpu_after += c
            b, a = statistics.median(before), statistics.median(after)
            cb, ca = statistics.median(cpu_before), statistics.median(cpu_after)
            rows.append((name, sc, b, a, cb, ca, q_before, q_after, same))
            print(f"  {name:<14} {sc.name:<44} p50 {b:7.1f} -> {a:7.1f} ms  CPU {cb:5.1f} -> {ca:5.1f} ms  "
                  f"queries {q_before} -> {q_after}"
                  f"{'   same HTML' if same else '   HTML DIFFERS'}", flush=True)

    print()
    print("| Experiment | Page | p50 before ms | p50 after ms | CPU ms before | CPU ms after | queries before → after | same HTML |")
    print("|---|---|---:|---:|---:|---:|---|---|")
    for name, sc, b, a, cb, ca, qb, qa, same in rows:
        print(f"| `{name}` | {sc.name} | {b:.1f} | {a:.1f} | {cb:.1f} | {ca:.1f} | {qb} → {qa} | {'yes' if same else '**no**'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
