#!/usr/bin/env python
"""Page-rendering benchmark: public pages through Django's test client, in process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_city \\
        python bench/render.py -n 200 --write docs/performance.md

Settings come from the environment as for the platform itself (DATABASE_URL,
REDIS_URL, DEBUG …). The database should hold a city loaded by
``bench/load_city.py`` (any database with the demo city works; the column listing
is then small and reported as such).

For each page (the portal home, a district home, the biggest column's first and a
deep page, an article of that column, a government document) it warms up, times
``-n`` requests, and reports p50/p95/p99 in ms, the SQL queries per request and
the time spent in SQL (``CaptureQueriesContext``, on separate requests so the
timed ones carry no query logging). It prints a table and the same figures as
Markdown; ``--write FILE`` puts the Markdown into FILE, replacing the section of a
previous run with the same ``--label``. It reports; it never fails on a target.
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityplatform.settings")

import common  # noqa: E402
import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from wagtail.models import Page  # noqa: E402

from disclosure.models import GovDocumentPage  # noqa: E402
from portal.models import ArticlePage, ColumnPage, ContentPage  # noqa: E402

# Targets from the issue: p50 in ms, by scenario key.
TARGETS = {"article": 20.0, "column_first": 50.0, "column_deep": 50.0}
BIG_COLUMN_MIN = 10_000


def say(*args, **kwargs):
    """print() that survives a closed pipe (``render.py | head``): the run goes on and
    still writes its files."""
    try:
        print(*args, **kwargs, flush=True)
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")


class Scenario:
    def __init__(self, key, name, url, note=""):
        self.key, self.name, self.url, self.note = key, name, url, note
        self.times = []
        self.cpu = []
        self.status = None
        self.bytes = 0
        self.queries = []
        self.sql_ms = []
        self.slowest = []

    def request(self, client):
        parts = urlsplit(self.url)
        # A reader reaches path-addressed sites on the platform's own address.
        extra = {"HTTP_HOST": parts.netloc or urlsplit(settings.PLATFORM_BASE_URL).netloc}
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return client.get(path, **extra)

    def pct(self, p):
        if not self.times:
            return float("nan")
        if len(self.times) == 1:
            return self.times[0]
        return statistics.quantiles(self.times, n=100, method="inclusive")[p - 1]


def page_url(page):
    return page.specific.get_url()


def pick_scenarios(deep_page):
    """The pages to measure, found in the loaded city."""
    out = []
    portal = Page.objects.filter(depth=2, sites_rooted_here__is_default_site=True).first()
    out.append(Scenario("portal_home", "门户首页 portal home", page_url(portal) if portal else "/"))
    district = Page.objects.filter(depth=2, sites_rooted_here__hostname="yuzhong.cq.gov.cn").first()
    if district is None:
        district = Page.objects.filter(depth=2, content_type__model="districthomepage").first()
    if district is not None:
        out.append(Scenario("district_home", "区县首页 district home", page_url(district)))

    # The biggest column by number of children (one GROUP BY on the parent path).
    biggest = None
    columns = list(ColumnPage.objects.live().only("id", "path", "depth", "numchild", "title", "url_path"))
    if columns:
        biggest = max(columns, key=lambda c: c.numchild)
    if biggest is not None:
        n_items = ContentPage.objects.live().child_of(biggest).count()
        pages = max(1, -(-n_items // ColumnPage.PAGE_SIZE))
        deep = min(deep_page, pages)
        small = "" if n_items >= BIG_COLUMN_MIN else f" (only {n_items:,} items: below {BIG_COLUMN_MIN:,})"
        url = page_url(biggest)
        out.append(Scenario("column_first", f"栏目列表 column, {n_items:,} items, page 1", url, small))
        out.append(Scenario("column_deep", f"栏目列表 column, {n_items:,} items, page {deep}", f"{url}?page={deep}", small))
        # An article in the middle of that column (not the newest: no accidental warm row).
        kids = ArticlePage.objects.live().child_of(biggest).order_by("path")
        article = kids[kids.count() // 2] if kids.exists() else None
        if article is None:
            article = ArticlePage.objects.live().order_by("path").first()
        if article is not None:
            out.append(Scenario("article", "文章 article page", page_url(article)))
        # The last page of a column of typical size: the current query walks the
        # publication-date index of the whole platform to reach it.
        typical = sorted(columns, key=lambda c: c.numchild)[len(columns) // 2]
        if typical.pk != biggest.pk and typical.numchild > ColumnPage.PAGE_SIZE:
            last = -(-ContentPage.objects.live().child_of(typical).count() // ColumnPage.PAGE_SIZE)
            out.append(Scenario("column_typical_last", f"栏目列表 typical column, {typical.numchild:,} items, last page {last}",
                                f"{page_url(typical)}?page={last}"))
    doc = GovDocumentPage.objects.live().filter(slug="yubanfa-2005-209").first() or GovDocumentPage.objects.live().first()
    if doc is not None:
        out.append(Scenario("gov_document", "政府文件 government document", page_url(doc)))
    return out


def run(scenarios, n, warmup, capture, rounds):
    """Warm up, then time the pages in interleaved rounds (n/rounds requests a page a
    round), so that a burst of other work on the machine hits every page alike."""
    client = Client()
    for sc in scenarios:
        for _ in range(warmup):
            sc.request(client)
    rounds = max(1, min(rounds, n))
    for r in range(rounds):
        for sc in scenarios:
            for _ in range(n // rounds + (1 if r < n % rounds else 0)):
                t, c = time.perf_counter(), time.thread_time()
                response = sc.request(client)
                sc.times.append((time.perf_counter() - t) * 1000)
                sc.cpu.append((time.thread_time() - c) * 1000)
                sc.status = response.status_code
    for sc in scenarios:
        response = None
        for i in range(capture):
            timer = common.QueryTimer()
            with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timer):
                response = sc.request(client)
            sc.queries.append(len(ctx.captured_queries))
            sc.sql_ms.append(sum(timer.times))
            sc.slowest = sorted(
                ({"sql": q["sql"], "ms": ms} for q, ms in zip(ctx.captured_queries, timer.times)), key=lambda q: -q["ms"]
            )
            sc.all_queries = [{"sql": q["sql"], "ms": ms} for q, ms in zip(ctx.captured_queries, timer.times)]
        if response is not None:
            sc.status = response.status_code
            sc.bytes = len(response.content)
        say(f"  {sc.name:<44} p50 {sc.pct(50):7.1f} ms  p95 {sc.pct(95):7.1f}  p99 {sc.pct(99):7.1f}  "
              f"cpu {statistics.median(sc.cpu) if sc.cpu else float('nan'):5.1f} ms  "
              f"{statistics.median(sc.queries) if sc.queries else float('nan'):3.0f} queries "
              f"{statistics.median(sc.sql_ms) if sc.sql_ms else float('nan'):5.1f} ms SQL  [{sc.status}]")


def profile(scenarios, n=50):
    """Where this process's CPU time goes, by package (cProfile on CPU time, tottime)."""
    import cProfile
    import pstats

    areas = [
        ("django/db/", "Django ORM"), ("psycopg", "psycopg"), ("sqlite3", "sqlite3"),
        ("django/template", "Django templates"), ("wagtail/", "Wagtail"), ("modelcluster", "Wagtail"),
        ("treebeard", "Wagtail"), ("django/", "Django other"), (str(ROOT), "application"),
    ]
    lines = ["#### CPU time by package (cProfile, CPU clock; profiling overhead inflates the totals)", "",
             "| Page | ms/request | " + " | ".join(dict.fromkeys(a for _, a in areas)) + " | other |",
             "|---|---:|" + "---:|" * (len(dict.fromkeys(a for _, a in areas)) + 1)]
    client = Client()
    for sc in scenarios:
        for _ in range(5):
            sc.request(client)
        prof = cProfile.Profile(time.thread_time)
        prof.enable()
        for _ in range(n):
            sc.request(client)
        prof.disable()
        totals = dict.fromkeys(dict.fromkeys(a for _, a in areas), 0.0)
        totals["other"] = 0.0
        for (filename, _line, _func), (_cc, _nc, tottime, _ct, _callers) in pstats.Stats(prof).stats.items():
            area = next((a for key, a in areas if key in filename), "other")
            totals[area] += tottime
        total = sum(totals.values())
        lines.append(f"| {sc.name} | {total / n * 1000:.1f} | "
                     + " | ".join(f"{v / n * 1000:.1f}" for v in totals.values()) + " |")
    return "\n".join(lines) + "\n"


def list_queries(scenarios, width=160):
    lines = ["#### Queries per page (last captured request)", ""]
    for sc in scenarios:
        lines += [f"{sc.name} — {len(getattr(sc, 'all_queries', []))} queries:", "", "```"]
        for q in getattr(sc, "all_queries", []):
            sql = re.sub(r'SELECT .*? FROM', "SELECT … FROM", q["sql"], count=1, flags=re.S)
            lines.append(f"{q['ms']:6.2f} ms  {sql[:width]}")
        lines += ["```", ""]
    return "\n".join(lines)


def explain_slowest(scenarios, top, min_ms=2.0):
    """EXPLAIN ANALYZE of the slowest queries of each page (PostgreSQL only)."""
    if connection.vendor != "postgresql" or not top:
        return ""
    lines = ["#### Slowest queries (EXPLAIN ANALYZE)", ""]
    with connection.cursor() as cursor:
        for sc in scenarios:
            for q in sc.slowest[:top]:
                if q["ms"] < min_ms:
                    continue
                sql = q["sql"]
                try:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                except Exception as exc:  # a query that does not re-run as logged
                    plan = f"(could not explain: {exc})"
                lines += [f"{sc.name} — {q['ms']:.1f} ms:", "", "```sql", sql[:2000], "```", "", "```", plan, "```", ""]
    return "\n".join(lines)



def code_version():
    """The commit the code was at, and whether files outside bench/ and docs/ differed from it."""
    import subprocess

    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    dirty = [line[3:] for line in status.splitlines() if not line[3:].startswith(("bench/", "docs/"))]
    return f"commit {head}" + (f" with {len(dirty)} changed file(s) outside bench/ and docs/" if dirty else "")


def database():
    db = connection.settings_dict
    info = {"vendor": connection.vendor, "name": str(db.get("NAME")), "host": db.get("HOST") or "local"}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            info["version"] = f"PostgreSQL {cursor.fetchone()[0]}"
        elif connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            info["version"] = f"SQLite {cursor.fetchone()[0]}"
        else:
            info["version"] = connection.vendor
    info["pages"] = Page.objects.count()
    info["content"] = ContentPage.objects.count()
    info["articles"] = ArticlePage.objects.count()
    info["documents"] = GovDocumentPage.objects.count()
    info["sites"] = Page.objects.filter(depth=2).count()
    info["columns"] = ColumnPage.objects.count()
    return info


def fmt(x):
    return "—" if x != x else f"{x:.1f}"


def verdict(sc):
    target = TARGETS.get(sc.key)
    if target is None:
        return "—", ""
    if sc.status != 200:
        return f"< {target:.0f}", "not measured"
    return f"< {target:.0f}", ("met" if sc.pct(50) < target else "**not met**")


def markdown(scenarios, args, mach, db, started):
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    lines = [
        f"### {args.label}",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {mach['nproc']} CPUs ({mach['cpu']}), {mach['memory']} memory; "
        f"Python {platform.python_version()}, Django {django.get_version()}, Wagtail {__import__('wagtail').__version__}",
        f"- Database: {db['version']} (`{db['name']}` on {db['host']}); {db['pages']:,} pages, "
        f"{db['content']:,} content items ({db['articles']:,} articles, {db['documents']:,} government documents), "
        f"{db['sites']} hosted sites, {db['columns']} columns",
        f"- Code: {code_version()}",
        f"- Settings: DEBUG={settings.DEBUG}, cache {cache}, CONN_MAX_AGE={connection.settings_dict.get('CONN_MAX_AGE')}, "
        f"PLATFORM_PATH_SITES={settings.PLATFORM_PATH_SITES}, PAGE_CACHE_SECONDS={settings.PAGE_CACHE_SECONDS} "
        + ("(page cache off: every request renders)" if not settings.PAGE_CACHE_SECONDS
           else "(page cache on: the warm-up renders, the timed requests are served kept copies)"),
        f"- Method: Django test client in one process; {args.warmup} warm-up requests, then {args.n} timed requests "
        f"per page in {args.rounds} interleaved rounds (wall time of `Client.get`; CPU ms is this process's CPU time, the SQL server's not included); "
        f"queries counted and timed on {args.capture} further requests (`CaptureQueriesContext`).",
        f"- Load average (1 min) at start {args.load_start:.2f}, at end {os.getloadavg()[0]:.2f} "
        f"(other work on the machine shows up here and in p95/p99).",
        "",
        "| Page | URL | p50 ms | p95 ms | p99 ms | CPU ms p50 | SQL queries | SQL ms p50 | KB | Target p50 | |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for sc in scenarios:
        target, ok = verdict(sc)
        q = sorted(set(sc.queries))
        queries = "—" if not q else (str(q[0]) if len(q) == 1 else f"{q[0]}–{q[-1]}")
        sql = fmt(statistics.median(sc.sql_ms)) if sc.sql_ms else "—"
        status = "" if sc.status == 200 else f" (HTTP {sc.status})"
        lines.append(
            f"| {sc.name}{sc.note}{status} | `{sc.url}` | {fmt(sc.pct(50))} | {fmt(sc.pct(95))} | {fmt(sc.pct(99))} "
            f"| {fmt(statistics.median(sc.cpu)) if sc.cpu else '—'} | {queries} | {sql} | {sc.bytes / 1024:.0f} | {target} ms | {ok} |".replace("— ms", "—")
        )
    lines.append("")
    return "\n".join(lines)


def write_section(path, label, text):
    """Replace the section of a previous run with the same label, or append one."""
    path = Path(path)
    if not path.is_absolute():
        path = ROOT / path
    start, end = f"<!-- bench:render {label} -->", f"<!-- /bench:render {label} -->"
    block = f"{start}\n{text.rstrip()}\n{end}"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\n## Results\n"
    anchor = "<!-- bench:render new runs are added above this line -->"
    if start in old and end in old:
        new = old[: old.index(start)] + block + old[old.index(end) + len(end):]
    elif anchor in old:
        new = old.replace(anchor, block + "\n\n" + anchor, 1)
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")
    print(f"wrote the section «{label}» of {path}", file=sys.stderr)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--requests", dest="n", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up requests per page (default 20)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds over the pages (default 5)")
    parser.add_argument("--capture", type=int, default=5, help="requests per page with query capture (default 5)")
    parser.add_argument("--deep-page", type=int, default=200, help="the deep page of the column listing (default 200)")
    parser.add_argument("--only", default="", help="comma-separated scenario keys: portal_home,district_home,"
                        "column_first,column_deep,article,column_typical_last,gov_document")
    parser.add_argument("--label", default="", help="the run's name, the heading of its section (default: from the database)")
    parser.add_argument("--write", metavar="FILE", help="put the Markdown into FILE (e.g. docs/performance.md)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw figures as JSON")
    parser.add_argument("--explain", type=int, default=0, metavar="K",
                        help="append EXPLAIN ANALYZE of the K slowest queries (over 2 ms) of each page (PostgreSQL)")
    parser.add_argument("--queries", action="store_true", help="append the list of queries of each page")
    parser.add_argument("--profile", action="store_true", help="append where the CPU time goes, by package (cProfile)")
    args = parser.parse_args(argv)
    args.load_start = os.getloadavg()[0]

    started = datetime.datetime.now(datetime.timezone.utc)
    mach, db = common.machine(), database()
    if not args.label:
        args.label = f"{db['version']} · {db['content']:,} content items"
    say(f"{args.label}: {db['pages']:,} pages on {db['vendor']} `{db['name']}`, DEBUG={settings.DEBUG}, "
          f"{mach['nproc']} CPUs")
    scenarios = pick_scenarios(args.deep_page)
    if args.only:
        keys = set(args.only.split(","))
        scenarios = [s for s in scenarios if s.key in keys]
    run(scenarios, args.n, args.warmup, max(1, args.capture), args.rounds)

    text = markdown(scenarios, args, mach, db, started)
    if args.queries:
        text += "\n" + list_queries(scenarios)
    if args.profile:
        text += "\n" + profile(scenarios)
    plans = explain_slowest(scenarios, args.explain)
    if plans:
        text += "\n" + plans
    # Files first, then the terminal: a closed pipe (| head) must not lose the results.
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({
            "label": args.label, "date": started.isoformat(), "machine": mach, "database": db,
            "scenarios": [
                {"key": s.key, "name": s.name, "url": s.url, "status": s.status, "times_ms": s.times,
                 "p50": s.pct(50), "p95": s.pct(95), "p99": s.pct(99), "cpu_ms": s.cpu, "queries": s.queries,
                 "sql_ms": s.sql_ms, "target_p50": TARGETS.get(s.key)}
                for s in scenarios
            ],
        }, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.write:
        write_section(args.write, args.label, text)
    say()
    say(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
