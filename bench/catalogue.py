#!/usr/bin/env python
"""The government-information catalogue with 200,000 documents, filtered by topic
and year, on a throwaway PostgreSQL database.

    python bench/catalogue.py                        # 200,000 documents, 40 requests a scenario
    python bench/catalogue.py --documents 20000 --keep

1. Creates the database ``bench_letters_catalogue`` (the benchmark helpers touch only
   databases named ``bench_letters*``), migrates it and hosts one district site
   through the platform's own services (the demo city would take minutes more and
   add nothing the catalogue reads).
2. Adds ``--documents`` live government documents under the 渝中区 site's 政策文件
   and 通知公告 columns (half each), written in batches the way treebeard and
   Wagtail would have written them (``bench/load_city.py`` explains the method):
   ``wagtailcore_page`` rows with correct materialised paths, then the
   ``portal_contentpage`` and ``disclosure_govdocumentpage`` rows of the inheritance
   chain. Topics, types, validity and written dates (ten years) are drawn at random.
3. Requests the site's 政府信息公开 column through the Django test client (the full
   view: routing, the catalogue's queries, the template), filtered by topic and
   year, and a few other scenarios; prints p50/p95 of the response time and of
   the time in SQL, and writes the figures into docs/performance.md.

The database is dropped at the end unless ``--keep``.
"""

import argparse
import os
import random
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

DB_NAME = "bench_letters_catalogue"
SITE_UNIT = "yuzhong"


def minimal_city():
    """One district and its site (with its 政府信息公开 column, made by the site
    builders), and its 政策文件 and 通知公告 columns."""
    from django.core.management import call_command

    from hosting.sites import site_create
    from orgs.services import unit_create
    from portal.models import ColumnPage
    from portal.services import column_kind_save, page_create

    from django.core.cache import cache

    cache.clear()  # the benchmarks' own file cache (common.VAR_DIR): a former run's site paths are stale
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_s = time.monotonic() - started
    gov = unit_create(name="重庆市人民政府", code="cq", kind="municipal_government")
    unit = unit_create(name="重庆市渝中区人民政府", code=SITE_UNIT, kind="district_government", parent=gov,
                       short_name="渝中区")
    record = site_create(unit=unit, kind="district", name="重庆市渝中区人民政府", hostname="yuzhong.cq.gov.cn",
                         site_id_code="5001030001", icp_number="渝ICP备00000001号", psb_number="渝公网安备 500000号",
                         sponsor=unit.name, contact_phone="023-63000000", is_default=True)
    home = record.site.root_page.specific
    for code, name, category in (("policy", "政策文件", "policy"), ("notices", "通知公告", "notices")):
        kind = column_kind_save(code=code, name=name, category=category, update_period=182)
        page_create(parent=home, page=ColumnPage(title=name, slug=code, kind=kind, show_in_menus=True), publish=True)
    return migrate_s


def load_documents(total, batch, rng):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Page

    from disclosure.catalogue import catalogue_column
    from disclosure.models import DocumentType, GovDocumentPage, TopicCategory, Validity
    from orgs.models import SiteRecord
    from portal.models import ColumnPage, ContentPage

    record = SiteRecord.objects.select_related("site", "unit").get(unit__code=SITE_UNIT)
    home = record.site.root_page.specific
    columns = [ColumnPage.objects.child_of(home).get(kind__category=c) for c in ("policy", "notices")]
    ct_id = ContentType.objects.get_for_model(GovDocumentPage).pk
    content_fields = ContentPage._meta.local_concrete_fields
    doc_fields = GovDocumentPage._meta.local_concrete_fields
    topics, types = TopicCategory.values, DocumentType.values
    validity = [Validity.IN_FORCE] * 17 + [Validity.AMENDED, Validity.REPEALED, Validity.EXPIRED]
    now = timezone.now()
    written = 0
    for n, column in enumerate(columns):
        count = total // 2 + (total % 2 if n == 0 else 0)
        with transaction.atomic():
            column = Page.objects.select_for_update().get(pk=column.pk)
            last = Page.objects.filter(path__startswith=column.path, depth=column.depth + 1).order_by("-path").first()
            step = int(last.path[-4:], 36) + 1 if last else 1
            done = 0
            while done < count:
                size = min(batch, count - done)
                pages, extras = [], []
                for i in range(size):
                    key = _step(step + done + i)
                    slug = f"bench-{key.lower()}"
                    seq = written + done + i
                    doc_written = date(2016, 1, 1) + timedelta(days=rng.randrange(3650))
                    pub = timezone.make_aware(datetime.combine(doc_written, datetime.min.time())) + timedelta(
                        days=rng.randrange(1, 20), hours=rng.randrange(8, 18))
                    pub = min(pub, now)
                    title = f"渝中区关于第{seq + 1}批政务事项的通知"
                    pages.append(Page(
                        title=title, draft_title=title, slug=slug, path=column.path + key, depth=column.depth + 1,
                        numchild=0, url_path=f"{column.url_path}{slug}/", live=True, has_unpublished_changes=False,
                        expired=False, locked=False, show_in_menus=False, seo_title="", search_description="",
                        first_published_at=pub, last_published_at=pub, content_type_id=ct_id,
                        locale_id=column.locale_id, translation_key=uuid.uuid4(),
                    ))
                    extras.append((pub, doc_written, seq))
                Page.objects.bulk_create(pages, batch_size=batch)
                rows = []
                for page, (pub, doc_written, seq) in zip(pages, extras):
                    doc_type = rng.choice(types)
                    rows.append(GovDocumentPage(
                        id=page.pk, page_ptr_id=page.pk, contentpage_ptr_id=page.pk, pub_date=pub,
                        source=record.unit.name, summary="", parent_column_id=column.pk, doc_type=doc_type,
                        index_number=f"BENCH/{doc_written.year}-{seq:06d}", issuing_organ=record.unit.name,
                        document_number=f"渝中府发〔{doc_written.year}〕{seq % 500 + 1}号" if doc_type == "normative" else "",
                        date_written=doc_written, topic=rng.choice(topics), keywords="", validity=rng.choice(validity),
                        supersedes_id=None, body="<p>基准测试文件正文。</p>", original_url="",
                    ))
                ContentPage._base_manager._insert(rows, fields=content_fields)
                GovDocumentPage._base_manager._insert(rows, fields=doc_fields)
                done += size
            Page.objects.filter(pk=column.pk).update(
                numchild=Page.objects.filter(path__startswith=column.path, depth=column.depth + 1).count())
        written += count
        common.say(f"{written:,} documents written")
    with connection.cursor() as cursor:
        for table in ("wagtailcore_page", "portal_contentpage", "disclosure_govdocumentpage", "portal_columnpage"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return catalogue_column(home)


def _step(n):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out


class Timer(common.QueryTimer):
    """Times each query and keeps its text, to name the slowest."""

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.times.append((time.perf_counter() - started) * 1000)
            self.sql.append(sql)


def measure(url, requests, rng, queries):
    from django.db import connection
    from django.test import Client

    client = Client()
    timer = Timer()
    totals, sql, slowest = [], [], {}
    for i in range(requests + 2):
        query = queries(rng)
        timer.times, timer.sql = [], []
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = client.get(url + query, HTTP_HOST="127.0.0.1")
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (query, response.status_code)
        if i >= 2:  # two warm-up requests
            totals.append(elapsed)
            sql.append(sum(timer.times))
            for ms, text in zip(timer.times, timer.sql):
                slowest.setdefault(text[:90], []).append(ms)
    for text, times in sorted(slowest.items(), key=lambda kv: -sum(kv[1]))[:3]:
        common.say(f"    {common.pct(times, 50):6.1f} ms p50  {text}")
    return totals, sql, len(timer.times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/performance.md")
    args = parser.parse_args(argv)
    args.load_at_start = os.getloadavg()[0]
    started_at = common.utcnow()
    common.create_db(DB_NAME)
    common.use_database(DB_NAME)
    common.setup_django()
    try:
        migrate_s = minimal_city()
        common.say(f"migrated ({migrate_s:.0f} s), one district site hosted")
        rng = random.Random(20260)
        t = time.monotonic()
        column = load_documents(args.documents, args.batch, rng)
        load_s = time.monotonic() - t
        common.say(f"{args.documents:,} documents in {load_s:.0f} s")
        from disclosure.models import TopicCategory

        url = column.get_url()
        topics = TopicCategory.values
        scenarios = [
            ("topic + year", lambda r: f"?topic={r.choice(topics)}&year={r.randrange(2016, 2026)}"),
            ("topic + year, page 5", lambda r: f"?topic={r.choice(topics)}&year={r.randrange(2016, 2026)}&page=5"),
            ("node 规范性文件 + topic + year",
             lambda r: f"?ml=gfxwj&topic={r.choice(topics)}&year={r.randrange(2016, 2026)}"),
            ("topic only", lambda r: f"?topic={r.choice(topics)}"),
            ("topic + year, a popular one (count kept)", lambda r: "?topic=economy&year=2024"),
            ("no filter (page count kept)", lambda r: ""),
        ]
        rows = []
        for name, queries in scenarios:
            totals, sql, n_queries = measure(url, args.requests, rng, queries)
            rows.append((name, common.pct(totals, 50), common.pct(totals, 95), common.pct(sql, 50), n_queries))
            common.say(f"{name}: p50 {common.pct(totals, 50):.1f} ms, p95 {common.pct(totals, 95):.1f} ms, "
                       f"SQL p50 {common.pct(sql, 50):.1f} ms, {n_queries} queries")
        text = report(args, rows, started_at, load_s, url)
        print(text)
        if not args.no_docs:
            common.write_section(common.ROOT / "docs" / "performance.md", "catalogue", text)
    finally:
        common.close_connections()
        if not args.keep:
            common.drop_db(DB_NAME)


def report(args, rows, started_at, load_s, url):
    info = common.machine()
    lines = [
        f"## The disclosure catalogue with {args.documents:,} documents (issue 9)",
        "",
        f"Run {started_at:%Y-%m-%d %H:%M} UTC on {info['cpu']} ({info['nproc']} cores available, {info['memory']}), "
        f"Python {info['python']}, PostgreSQL (local), the embedded file cache; load average (1 min) at the start "
        f"{args.load_at_start:.2f}.",
        f"Command: `python bench/catalogue.py --documents {args.documents} --requests {args.requests}`. "
        f"{args.documents:,} live government documents under one site's 政策文件 and 通知公告 columns "
        f"(written in {load_s:.0f} s), topics, types, validity and written dates over ten years at random; "
        f"each scenario {args.requests} requests of `{url}` through the Django test client "
        "(the whole view and template; filtered listings are never kept by the page cache).",
        "",
        "| Scenario | p50 (ms) | p95 (ms) | SQL p50 (ms) | Queries |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {name} | {p50:.1f} | {p95:.1f} | {sql:.1f} | {n} |" for name, p50, p95, sql, n in rows]
    lines += ["", "Target: p50 under 50 ms for the catalogue filtered by topic and year."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
