#!/usr/bin/env python
"""Site search over a million index entries on a throwaway PostgreSQL database.

    python bench/search.py                          # 1,000,000 entries
    python bench/search.py --entries 100000 --keep --no-docs

1. Creates the database ``bench_letters_search`` (the benchmark helpers touch only
   databases named ``bench_letters*``) and migrates it.
2. Writes ``--entries`` rows straight into the search index (``search_entry`` and
   ``search_chunk``, the chunk's tsvector computed by PostgreSQL from the same bigram
   tokens the platform writes, ``search.text``): titles and texts made of a
   vocabulary of government words, over ten years, across 40 sites and the five
   kinds. The GIN index is built after the load, as a restore would.
3. Runs a query set through ``search.queries.search`` (the engine as the page and
   the API call it: counts per kind, one page of ranked hits, snippets): whole
   titles, words of two to four characters and phrases cut from texts; prints p50
   and p95 per kind of query and overall.
4. Checks recall on a sample: for each sampled query the number found equals the
   number of entries whose title or text contains it (``strpos`` over the table),
   and for queries with few matches the sets are compared.

The database is dropped at the end unless ``--keep``.
"""

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

DB_NAME = "bench_letters_search"

UNITS = ["市政府", "市政府办公厅", "市发展改革委", "市教委", "市科技局", "市经济信息委", "市公安局", "市民政局", "市司法局",
         "市财政局", "市人力社保局", "市规划自然资源局", "市生态环境局", "市住房城乡建委", "市城市管理局", "市交通局",
         "市水利局", "市农业农村委", "市商务委", "市文化旅游委", "市卫生健康委", "市应急局", "市审计局", "市市场监管局",
         "市体育局", "市统计局", "市医保局", "渝中区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "北碚区", "渝北区",
         "巴南区", "万州区", "涪陵区", "永川区", "合川区", "江津区"]
VERBS = ["关于印发", "关于做好", "关于加强", "关于开展", "关于进一步规范", "关于调整", "关于公布", "召开", "部署", "推进",
         "启动", "发布", "举办", "完成", "通报", "组织开展"]
TOPICS = ["城市更新", "老旧小区改造", "营商环境", "一网通办", "乡村振兴", "生态环境保护", "安全生产", "防汛抗旱",
          "森林防火", "校园安全", "食品安全", "就业创业", "社会保障", "医疗保障", "养老服务", "托育服务", "义务教育",
          "招生考试", "交通秩序", "轨道交通", "智慧城市", "数字政府", "5G网络", "政务公开", "行政执法", "垃圾分类",
          "河长制", "林长制", "消防安全", "城市管理", "住房保障", "公积金", "不动产登记", "市场监管", "知识产权",
          "科技创新", "招商引资", "文化旅游", "体育健身", "统计调查", "审计整改", "财政预算", "国有资产", "应急管理"]
SUFFIXES = ["工作的通知", "实施方案", "若干措施", "专项行动", "工作会议", "推进会", "情况的通报", "管理办法", "工作要点",
            "三年行动计划", "公告", "的公示", "便民告示", "验收工作", "宣传周活动"]
PHRASES = ["会议强调", "要加强组织领导", "压实工作责任", "确保各项任务落到实处", "切实保障人民群众生命财产安全",
           "坚持以人民为中心", "进一步优化办事流程", "实现数据共享", "减少群众跑腿", "按照有关规定执行",
           "本通知自印发之日起施行", "请各单位结合实际认真贯彻落实", "有关情况及时报送", "联系电话", "特此公告",
           "截至目前", "同比增长", "累计完成投资", "覆盖全部街道和乡镇", "群众满意度明显提升"]
KINDS = ["article"] * 5 + ["document"] * 3 + ["guide", "letter"]
VALIDITY = {"document": ["in_force", "in_force", "in_force", "amended", "repealed", "expired"]}


def make_title(rng):
    return f"{rng.choice(UNITS)}{rng.choice(VERBS)}{rng.choice(TOPICS)}{rng.choice(SUFFIXES)}"


def make_text(rng):
    parts = []
    for _ in range(rng.randint(3, 6)):
        parts.append(rng.choice(PHRASES) if rng.random() < 0.5 else f"{rng.choice(UNITS)}{rng.choice(TOPICS)}")
        parts.append(rng.choice([",", "。", ";"]))
    if rng.random() < 0.1:
        parts.append(f"渝府发〔{rng.randint(2016, 2026)}〕{rng.randint(1, 80)}号")
    return "".join(parts)


def load(total, batch, rng):
    """The index rows, written with COPY; returns the seconds taken."""
    from django.db import connection

    from search.text import bigram_tokens, normalise

    now = datetime.now(timezone.utc)
    t = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS search_chunk_fts_gin")
        cursor.execute("CREATE UNLOGGED TABLE bench_tokens (entry_id bigint, tokens text)")
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        for start in range(0, total, batch):
            entries, tokens = [], []
            for i in range(start, min(start + batch, total)):
                kind = rng.choice(KINDS)
                title, text = make_title(rng), make_text(rng)
                date = now - timedelta(days=rng.randrange(3650), minutes=rng.randrange(1440))
                validity = rng.choice(VALIDITY.get(kind, [""]))
                entries.append((i + 1, f"bench:{i + 1}", kind, i + 1, 1 + i % 40, "news", kind, title,
                                normalise(title), text, "{}", date, validity, f"/bench/{i + 1}/", "", now))
                tokens.append((i + 1, " ".join(bigram_tokens(normalise(title) + "\n" + normalise(text)))))
            with raw.copy("COPY search_entry (id, key, kind, object_id, site_id, column_kind, content_type, title, "
                          "title_norm, text, meta, date, validity, url, initials, indexed_at) FROM STDIN") as copy:
                for row in entries:
                    copy.write_row(row)
            with raw.copy("COPY bench_tokens (entry_id, tokens) FROM STDIN") as copy:
                for row in tokens:
                    copy.write_row(row)
            if (start // batch) % 50 == 0:
                common.say(f"  {start + len(entries):,} rows copied")
        common.say("tsvectors …")
        cursor.execute("INSERT INTO search_chunk (entry_id, seq, fts) "
                       "SELECT entry_id, 0, to_tsvector('simple', tokens) FROM bench_tokens")
        cursor.execute("DROP TABLE bench_tokens")
        common.say("GIN index …")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("CREATE INDEX search_chunk_fts_gin ON search_chunk USING gin (fts)")
        cursor.execute("SELECT setval(pg_get_serial_sequence('search_entry', 'id'), %s)", [total + 1])
        cursor.execute("VACUUM ANALYZE search_entry")
        cursor.execute("VACUUM ANALYZE search_chunk")
    return time.monotonic() - t


def sites(count=40):
    """Wagtail sites for the entries' site_id (the index refers to them)."""
    from wagtail.models import Page, Site

    root = Page.get_first_root_node()
    for i in range(1, count + 1):
        if not Site.objects.filter(pk=i).exists():
            Site.objects.create(pk=i, hostname=f"s{i}.bench.local", root_page=root, is_default_site=(i == 1))


def query_set(rng, total, size):
    from search.models import Entry

    ids = [rng.randint(1, total) for _ in range(size)]
    rows = {e.pk: e for e in Entry.objects.filter(pk__in=ids).only("id", "title", "text")}
    third = size // 3
    titles = [rows[pk].title for pk in ids[:third]]
    vocab = TOPICS + UNITS + ["会议", "通知", "改造", "安全", "公告", "2026", "5G"]
    words = [rng.choice(vocab) for _ in range(third)]
    phrases = []
    for pk in ids[third:size - third]:
        text = rows[pk].text
        length = rng.randint(4, 8)
        start = rng.randrange(max(1, len(text) - length))
        phrases.append(text[start:start + length])
    return [("title", q) for q in titles] + [("word", q) for q in words] + [("phrase", q) for q in phrases]


def measure(queries):
    from search.queries import search

    timings = {}
    for kind, q in queries:
        t = time.perf_counter()
        search(q=q, broaden=False)
        timings.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
    return timings


def recall(rng, queries, sample):
    """Per sampled query, against the entries whose title or text contains it:
    (checked, exact counts, capped queries, capped correctly, sets compared, sets equal).
    A query below the cap must count exactly the truth; a capped one must have more
    matches in truth than the cap and show only entries that contain it."""
    from django.db import connection

    from search.queries import MATCH_CAP, search
    from search.text import normalise

    checked = exact = capped = capped_ok = compared = equal = 0
    for kind, q in rng.sample(queries, min(sample, len(queries))):
        n = normalise(q)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM search_entry WHERE strpos(title_norm, %s) > 0 OR strpos(lower(text), %s) > 0",
                           [n, n])
            truth = {row[0] for row in cursor.fetchall()}
        results = search(q=q, broaden=False, per_page=100)
        hits = {h.entry.pk for h in results.hits}
        checked += 1
        if results.capped:
            capped += 1
            capped_ok += len(truth) > MATCH_CAP and hits <= truth
            continue
        exact += results.total == len(truth)
        if len(truth) <= 100:
            compared += 1
            equal += hits == truth
    return checked, exact, capped, capped_ok, compared, equal


def titles_first_page(queries):
    from search.queries import search

    titles = [q for kind, q in queries if kind == "title"]
    on_first = sum(1 for q in titles if q in [h.entry.title for h in search(q=q, broaden=False).hits])
    return on_first, len(titles)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=150)
    parser.add_argument("--recall-sample", type=int, default=40)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/performance.md")
    args = parser.parse_args(argv)
    args.load_at_start = os.getloadavg()[0]
    started_at = common.utcnow()
    common.create_db(DB_NAME)
    common.use_database(DB_NAME)
    common.setup_django()
    try:
        from django.core.management import call_command

        t = time.monotonic()
        call_command("migrate", verbosity=0)
        sites()
        common.say(f"migrated ({time.monotonic() - t:.0f} s)")
        rng = random.Random(20261202)
        load_s = load(args.entries, args.batch, rng)
        common.say(f"{args.entries:,} entries in {load_s:.0f} s")
        queries = query_set(rng, args.entries, args.queries)
        measure(queries[:10])  # warm the caches (jieba's dictionary, PostgreSQL's buffers)
        timings = measure(queries)
        rows = []
        for kind in ("title", "word", "phrase"):
            values = timings.get(kind, [])
            rows.append((kind, len(values), common.pct(values, 50), common.pct(values, 95)))
            common.say(f"{kind}: p50 {common.pct(values, 50):.1f} ms, p95 {common.pct(values, 95):.1f} ms")
        every = [v for values in timings.values() for v in values]
        rows.append(("all", len(every), common.pct(every, 50), common.pct(every, 95)))
        common.say(f"all: p50 {common.pct(every, 50):.1f} ms, p95 {common.pct(every, 95):.1f} ms")
        rec = recall(rng, queries, args.recall_sample)
        firsts = titles_first_page(queries)
        common.say(f"recall: {rec}, titles on the first page: {firsts}")
        text = report(args, rows, rec, firsts, started_at, load_s)
        print(text)
        if not args.no_docs:
            common.write_section(common.ROOT / "docs" / "performance.md", "search", text)
    finally:
        common.close_connections()
        if not args.keep:
            common.drop_db(DB_NAME)


def report(args, rows, rec, firsts, started_at, load_s):
    info = common.machine()
    checked, exact, capped, capped_ok, compared, equal = rec
    lines = [
        f"## Site search over {args.entries:,} index entries (issue 10, part 4)",
        "",
        f"Run {started_at:%Y-%m-%d %H:%M} UTC on {info['cpu']} ({info['nproc']} cores available, {info['memory']}), "
        f"Python {info['python']}, PostgreSQL (local); load average (1 min) at the start {args.load_at_start:.2f}.",
        f"Command: `python bench/search.py --entries {args.entries} --queries {args.queries}`. "
        f"{args.entries:,} entries written straight into the index (loaded and GIN-indexed in {load_s:.0f} s): titles "
        "and texts made of a vocabulary of government words, over ten years, 40 sites, five kinds. Each query "
        "through `search.queries.search` (counts per kind, one page of 20 ranked hits with snippets).",
        "",
        "| Queries | n | p50 (ms) | p95 (ms) |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {kind} | {n} | {p50:.1f} | {p95:.1f} |" for kind, n, p50, p95 in rows]
    lines += [
        "",
        f"Recall against substring truth (`strpos` over every normalised title and lower-cased text), "
        f"{checked} sampled queries: {exact}/{checked - capped} below the cap of 2,000 matches counted exactly "
        f"the entries that contain them (of those with at most 100 matches, {equal}/{compared} returned exactly "
        f"those entries); {capped_ok}/{capped} capped queries (common words) have more than 2,000 entries "
        f"containing them and showed only such entries. Whole titles on the first page: {firsts[0]}/{firsts[1]}.",
        "",
        "Target: p95 under 100 ms.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
