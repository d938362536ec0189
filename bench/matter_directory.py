#!/usr/bin/env python
"""The matter directory (办事服务 columns) with 10,000 matters on PostgreSQL.

    python bench/matter_directory.py [--matters 10000] [-n 50] [--keep] [--write docs/performance.md]

Creates a throw-away PostgreSQL database ``bench_letters_guides`` (the shared helpers
only touch databases named ``bench_letters*``), builds a small city through the
platform's services (units, sites, each with its 办事服务 column made by disclosure's
site-section builder), then adds ``--matters`` live service guides spread over the
sites, with themes, life events and audiences. The guides are written in bulk (page
rows with the paths treebeard would give, then the rows of the page tables below) and
without revisions: the directory reads the live rows only, and creating each page
through the page service would take the load from a minute to hours.

It then times, ``-n`` times each after a warm-up, the directory's query
(``disclosure.guides.directory_context``: filters, facet counts, one page of results)
and the rendering of the column page through Django's test client (page cache off),
for the portal's city-wide directory and one unit's site, filtered by theme, by
audience, and searched by name. It prints p50/p95 in ms and the queries per request;
``--write`` puts the figures into the file (a section replaced on the next run).
Target (issue 9): p50 under 50 ms.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402

DB_NAME = "bench_letters_guides"
TARGET_MS = 50.0
OBJECTS = ["居民身份证明", "医疗保险", "养老保险", "失业保险", "公积金", "营业执照", "食品经营", "建筑施工", "道路运输",
           "教师资格", "医师执业", "护士执业", "结婚", "离婚", "生育", "入学", "转学", "残疾人补贴", "低保", "临时救助",
           "高龄津贴", "用水", "排水", "燃气", "户外广告", "占道施工", "出租汽车", "网约车", "货运", "公共租赁住房",
           "商品房预售", "竣工验收", "劳务派遣", "职业技能", "创业贷款", "学生资助", "民办学校", "公共场所卫生",
           "特困供养", "退休"]
ACTIONS = ["申请", "登记", "变更", "注销", "补发", "延续", "备案", "许可", "核准", "认定", "资格确认", "待遇领取"]


def build_city(n_sites):
    from hosting.sites import site_create
    from orgs.services import unit_create
    from portal.services import column_kind_save

    from demo.city import COLUMN_KINDS

    for code, name, category, period in COLUMN_KINDS:
        if category != "social_news":
            column_kind_save(code=code, name=name, category=category, update_period=period)
    gov = unit_create(name="演示市人民政府", code="gov", kind="municipal_government")
    office = unit_create(name="演示市人民政府办公厅", code="office", kind="general_office", parent=gov,
                         sees_all_units=True)
    identity = dict(icp_number="渝ICP备00000001号", psb_number="渝公网安备 50000000000001号", contact_phone="023-60000000")
    records = [site_create(unit=office, kind="portal", name="演示门户", hostname="www.bench.gov.cn",
                           site_id_code="5000000001", sponsor=office.name, is_default=True, **identity)]
    for i in range(1, n_sites):
        kind = "district" if i % 2 else "department"
        unit = unit_create(name=f"演示单位{i:02d}", code=f"u{i:02d}", short_name=f"单位{i:02d}", parent=gov,
                           kind="district_government" if kind == "district" else "municipal_department")
        records.append(site_create(unit=unit, kind=kind, name=f"演示单位{i:02d}网站", hostname=f"u{i:02d}.bench.gov.cn",
                                   site_id_code=f"50000001{i:02d}", sponsor=unit.name, **identity))
    return records


def build_matters(records, total, rng):
    """``total`` live guides, written in bulk: the page rows (with treebeard paths the
    tree's own rules would give), then the rows of the two page tables below them,
    then the themes and life events. No revisions, no reference index: the directory
    reads neither."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone
    from wagtail.models import Page

    from disclosure.guides import life_event_save, theme_save
    from disclosure.models import ServiceGuidePage
    from portal.models import ColumnPage, ContentPage

    from demo.guides import LIFE_EVENTS, THEMES

    themes = [theme_save(actor=None, code=c, name=n, audience=a, sort_order=i) for i, (c, n, a) in enumerate(THEMES)]
    events = [life_event_save(actor=None, code=c, name=n, audience=a, sort_order=i)
              for i, (c, n, a) in enumerate(LIFE_EVENTS)]
    columns = [ColumnPage.objects.child_of(r.site.root_page).get(kind__category="services") for r in records]
    content_type = ContentType.objects.get_for_model(ServiceGuidePage)
    now = timezone.now()
    per_column = total // len(columns)
    made = 0
    theme_links, event_links = [], []
    base_fields = [f for f in Page._meta.local_concrete_fields if not f.primary_key]
    for ci, column in enumerate(columns):
        count = per_column + (1 if ci < total % len(columns) else 0)
        guides, chosen = [], []
        for j in range(count):
            picked = rng.sample(themes, rng.choice([1, 1, 2]))
            chosen.append((picked, rng.sample(events, rng.choice([0, 1, 1, 2]))))
            title = f"{rng.choice(OBJECTS)}{rng.choice(ACTIONS)}"
            slug = f"m{made + j:05d}"
            guides.append(ServiceGuidePage(
                title=title, draft_title=title, slug=slug, content_type=content_type, locale_id=column.locale_id,
                path=Page._get_path(column.path, column.depth + 1, j + 1), depth=column.depth + 1, numchild=0,
                url_path=f"{column.url_path}{slug}/", live=True, has_unpublished_changes=False,
                first_published_at=now, last_published_at=now, pub_date=now, parent_column_id=column.pk,
                matter_code=f"BM-{made + j:05d}", audience=rng.choice(["person", "person", "enterprise", "both"]),
                legal_basis="《演示条例》第一条", conditions="符合条件的申请人。", place="政务服务中心",
                handling_body="演示单位", fees="不收费", hours="工作日", phone="023-60000000",
                promised_limit_days=rng.choice([1, 3, 5, 10, 20]), statutory_limit_days=20,
                theme_order=min(t.sort_order for t in picked),
            ))
        with transaction.atomic():
            rows = [Page(**{f.attname: getattr(g, f.attname) for f in base_fields}) for g in guides]
            Page.objects.bulk_create(rows, batch_size=1000)
            for g, row in zip(guides, rows):
                g.pk = g.page_ptr_id = g.contentpage_ptr_id = row.pk
            ContentPage._base_manager._insert(guides, fields=ContentPage._meta.local_concrete_fields, raw=True)
            ServiceGuidePage._base_manager._insert(guides, fields=ServiceGuidePage._meta.local_concrete_fields, raw=True)
            ColumnPage.objects.filter(pk=column.pk).update(numchild=count)
        for g, (picked, happened) in zip(guides, chosen):
            theme_links += [(g.pk, t.pk) for t in picked]
            event_links += [(g.pk, e.pk) for e in happened]
        made += count
    through_t, through_e = ServiceGuidePage.themes.through, ServiceGuidePage.life_events.through
    through_t.objects.bulk_create([through_t(serviceguidepage_id=p, theme_id=t) for p, t in theme_links], batch_size=5000)
    through_e.objects.bulk_create([through_e(serviceguidepage_id=p, lifeevent_id=e) for p, e in event_links],
                                  batch_size=5000)
    common.say(f"  {made} matters")
    return made


def timed(fn, n):
    for _ in range(3):
        fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return common.pct(times, 50), common.pct(times, 95)


def timed_once(fn):
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def measure(records, n):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.http import QueryDict

    from disclosure.guides import directory_context
    from disclosure.models import ServiceGuidePage
    from portal.models import ColumnPage

    portal_col = ColumnPage.objects.child_of(records[0].site.root_page).get(kind__category="services")
    unit_record = records[1]
    unit_col = ColumnPage.objects.child_of(unit_record.site.root_page).get(kind__category="services")
    cases = [
        ("全市 · 按主题(社会保障)", portal_col, "theme=shebao"),
        ("全市 · 按服务对象(法人)", portal_col, "audience=enterprise"),
        ("全市 · 按名称搜索(“公积金”)", portal_col, "q=公积金"),
        ("全市 · 主题+人生事件+对象", portal_col, "theme=jiuye&event=jiuye&audience=person"),
        ("全市 · 无条件第 10 页", portal_col, "page=10"),
        (f"{unit_record.unit.name} · 按主题", unit_col, "theme=shebao"),
        (f"{unit_record.unit.name} · 按名称搜索(“登记”)", unit_col, "q=登记"),
    ]
    client = Client()
    rows = []
    with override_settings(PAGE_CACHE_SECONDS=0):
        for label, column, query in cases:
            home = column.get_parent().specific
            params = QueryDict(query)

            def run_query():
                ctx = directory_context(home=home, params=params, page_number=params.get("page"))
                list(ctx["entries"])
                return ctx

            url = column.get_url() + "?" + query

            def run_render():
                response = client.get(url, HTTP_HOST="127.0.0.1")  # a host the platform answers for
                assert response.status_code == 200, (url, response.status_code)
                return response

            q50, q95 = timed(run_query, n)
            r50, r95 = timed(run_render, n)
            with CaptureQueriesContext(connection) as ctx:
                run_render()
            found = run_query()["results"].paginator.count
            rows.append((label, found, q50, q95, r50, r95, len(ctx.captured_queries)))
            common.say(f"{label}: {found} found; query p50 {q50:.1f} ms p95 {q95:.1f}; "
                       f"page p50 {r50:.1f} ms p95 {r95:.1f}; {len(ctx.captured_queries)} queries")
    return rows, ServiceGuidePage.objects.live().count()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--matters", type=int, default=10_000)
    parser.add_argument("--sites", type=int, default=25)
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--write", help="put the figures into this Markdown file")
    args = parser.parse_args()
    started = common.utcnow()
    load = os.getloadavg()[0]
    common.create_db(DB_NAME)
    common.use_database(DB_NAME)
    common.setup_django()
    try:
        from django.core.management import call_command

        t = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        records = build_city(args.sites)
        common.say(f"migrated and built {len(records)} sites in {time.monotonic() - t:.0f} s")
        t = time.monotonic()
        made = build_matters(records, args.matters, random.Random(9))
        build_s = time.monotonic() - t
        common.say(f"{made} matters in {build_s:.0f} s")
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        rows, live = measure(records, args.n)
        from disclosure.guides import directory_index

        index_ms = sorted(timed_once(directory_index) for _ in range(5))[2]
        common.say(f"the directory's index of {live:,} matters built in {index_ms:.0f} ms (median of 5)")
        ver = common.versions()
        lines = common.header_lines("Matter directory (issue 9, part 2)", started, ver=ver, load=load, extra=[
            f"- Command: `python bench/matter_directory.py --matters {args.matters} --sites {args.sites} -n {args.n}`",
            f"- Data: {live:,} live matters over {len(records)} sites ({args.matters // len(records)} a site), "
            f"12 themes, 10 life events; built in {build_s:.0f} s",
            f"- The directory's index (built once per publication and process, `disclosure.guides.directory_index`): "
            f"{index_ms:.0f} ms, median of 5",
            f"- Target: p50 under {TARGET_MS:.0f} ms",
        ])
        lines += ["| Directory | found | query p50 | query p95 | page p50 | page p95 | queries/page |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for label, found, q50, q95, r50, r95, nq in rows:
            lines.append(f"| {label} | {found:,} | {q50:.1f} ms | {q95:.1f} ms | {r50:.1f} ms | {r95:.1f} ms | {nq} |")
        text = "\n".join(lines)
        print(text)
        if args.write:
            common.write_section(args.write, "matter-directory", text)
    finally:
        common.close_connections()
        if not args.keep:
            common.drop_db(DB_NAME)


if __name__ == "__main__":
    main()
