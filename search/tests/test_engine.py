"""The engine: every item containing a query is found, and the best come first."""

import os
import random

import pytest

from search.models import Entry
from search.queries import Filters, search
from search.text import normalise, query_parts

from .corpus import ARTICLES, DOCUMENTS, GUIDES


def _haystack(entry):
    meta = " ".join(str(v) for k, v in entry.meta.items() if k not in ("type_label", "page_url"))
    return "\n".join(normalise(p) for p in (entry.title, meta, entry.text) if p)


def _all_keys(q, **kwargs):
    found, page = [], 1
    while True:
        results = search(q=q, page=page, per_page=100, suggest=False, broaden=False, **kwargs)
        found += [hit.entry.key for hit in results.hits]
        if not results.has_next:
            return found, results
        page += 1


def _samples(rng, value, count):
    value = value.strip()
    out = []
    for _ in range(count):
        length = rng.randint(2, min(12, len(value)))
        start = rng.randint(0, len(value) - length)
        out.append(value[start:start + length])
    return out


@pytest.mark.django_db
def test_every_item_containing_a_query_is_found_and_nothing_else(corpus):
    entries = list(Entry.objects.order_by("title", "key"))
    assert len(entries) >= len(ARTICLES) + len(DOCUMENTS) + len(GUIDES)
    haystacks = {e.key: _haystack(e) for e in entries}
    rng = random.Random(int(os.environ.get("SEARCH_TEST_SEED", "20261202")))
    queries = ["5G", "5g", "〔2026〕", "渝府发〔2026〕12号", "12号", "东区", "通知", "二期", "一网通办", "的", "身份证",
               "2026年", "Ｇ基站", "%", "_", "'", "東区"]
    for entry in rng.sample(entries, 30):
        queries += _samples(rng, entry.title, 2) + _samples(rng, entry.text or entry.title, 3)
    assert len(queries) > 150
    for q in queries:
        # Parts separated by spaces must each be there (one part: the query itself).
        parts = query_parts(q)
        truth = {key for key, hay in haystacks.items() if parts and all(p in hay for p in parts)}
        found, results = _all_keys(q)
        assert len(found) == len(set(found)), q
        assert set(found) == truth, (q, [(k, haystacks.get(k, "?")[:300]) for k in set(found) ^ truth])
        assert results.total == len(truth), q


@pytest.mark.django_db
def test_a_query_of_several_words_finds_the_items_with_every_word(corpus):
    found, _ = _all_keys("东区 电梯")
    haystacks = {e.key: _haystack(e) for e in Entry.objects.all()}
    assert set(found) == {k for k, h in haystacks.items() if "东区" in h and "电梯" in h} != set()


@pytest.mark.django_db
def test_every_title_is_on_the_first_page_and_an_exact_title_first(corpus):
    titles = [t for t, _ in ARTICLES] + [d[0] for d in DOCUMENTS] + [g[0] for g in GUIDES]
    assert len(titles) >= 50
    for title in titles:
        results = search(q=title)
        assert results.hits, title
        assert results.hits[0].entry.title == title, (title, results.hits[0].entry.title)


@pytest.mark.django_db
def test_title_matches_rank_above_text_matches_and_newer_first(corpus):
    results = search(q="养老", per_page=50)
    in_title = ["养老" in h.entry.title for h in results.hits]
    assert in_title == sorted(in_title, reverse=True) and any(in_title) and not all(in_title)
    dates = [h.entry.date for h in results.hits if "养老" in h.entry.title]
    assert len(dates) >= 2 and dates == sorted(dates, reverse=True)


@pytest.mark.django_db
def test_document_numbers_and_latin_digits(corpus):
    results = search(q="渝府发〔2026〕12号")
    assert results.hits[0].entry.title == "测试市人民政府关于印发城市更新行动方案的通知"
    assert results.hits[0].entry.meta["document_number"] == "渝府发〔2026〕12号"
    assert {h.entry.title for h in search(q="5g").hits} == {h.entry.title for h in search(q="5G").hits}
    assert len(search(q="5G").hits) == 2


@pytest.mark.django_db
def test_jieba_words_widen_a_query_that_finds_little(corpus):
    exact = search(q="养老服务综合")
    widened = search(q="综合养老服务")  # the words in another order
    assert [h.entry.title for h in exact.hits] == ["东区养老服务综合体投入使用"]
    assert "东区养老服务综合体投入使用" in [h.entry.title for h in widened.hits]
    assert widened.broadened


@pytest.mark.django_db
def test_matter_names_by_pinyin_initials(corpus):
    assert search(q="sfz").hits[0].entry.title == "居民身份证办理"
    assert search(q="jsz").hits[0].entry.title == "机动车驾驶证补领"
    assert search(q="JMSFZBL").hits[0].entry.title == "居民身份证办理"
    assert not search(q="zzzq").hits


@pytest.mark.django_db
def test_did_you_mean(corpus):
    results = search(q="身份正办理")
    assert "身份正办理" not in [h.entry.title for h in results.hits]
    assert results.suggestion == "身份证办理"
    assert search(q="城市更薪").suggestion == "城市更新"


@pytest.mark.django_db
def test_highlighting_escapes_before_marking(corpus, city):
    from portal.models import ArticlePage
    from portal.services import page_create
    from search import services

    page = page_create(parent=city.portal_news, page=ArticlePage(
        title="<script>alert(1)</script> 标签测试", body="<p>文本 &lt;b&gt;加粗&lt;/b&gt; 标签测试结束</p>"), publish=True)
    services.page_index(page_id=page.pk)
    hit = search(q="标签测试").hits[0]
    assert "<script>" not in hit.title_html and "&lt;script&gt;" in hit.title_html
    assert "<mark>标签测试</mark>" in hit.title_html
    assert "<b>" not in hit.snippet_html and "&lt;b&gt;" in hit.snippet_html
    assert "<mark>标签测试</mark>" in hit.snippet_html
    lt = search(q="<b>").hits[0]
    assert "<mark>&lt;b&gt;</mark>" in lt.snippet_html


@pytest.mark.django_db
def test_filters_combine(corpus, city):
    every, _ = _all_keys("东区")
    entries = {e.key: e for e in Entry.objects.all()}
    site, portal = city.district_site.site_id, city.portal_site.site_id
    cases = [
        (Filters(site_ids=[site]), lambda e: e.site_id == site),
        (Filters(kind="document"), lambda e: e.kind == "document"),
        (Filters(site_ids=[portal], kind="document", validity="in_force"),
         lambda e: e.site_id == portal and e.kind == "document" and e.validity == "in_force"),
        (Filters(column_kind="news", content_type="articlepage"), lambda e: e.column_kind == "news"),
        (Filters(date_from=__import__("datetime").date(2026, 3, 1), date_to=__import__("datetime").date(2026, 6, 30)),
         lambda e: e.date and "2026-03-01" <= e.date.astimezone().strftime("%Y-%m-%d") <= "2026-06-30"),
    ]
    for filters, rule in cases:
        found, results = _all_keys("东区", filters=filters)
        expected = {k for k in every if rule(entries[k])}
        assert set(found) == expected and expected, (filters, [(entries[k].site_id, entries[k].kind, entries[k].validity) for k in found])
        assert results.total == len(expected)
    # Groups: every kind of the (unfiltered by kind) matches, with its count.
    results = search(q="东区", filters=Filters(kind="document"))
    groups = {kind: n for kind, _, n in results.groups}
    assert groups["document"] == results.total
    assert sum(groups.values()) == len(every)


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["天气预报", "1999", "2027年", "〔2027〕", "t3b", "abc123", "zzzq", "sfzz", "hello world",
                               "养生", "火星探测", "量子计算机", "2026", "東区xyz", "x"])
def test_did_you_mean_is_silent_when_nothing_is_close(corpus, q):
    assert search(q=q).suggestion == ""


@pytest.mark.django_db
def test_did_you_mean_offers_only_close_chinese_queries(corpus):
    from search.suggest import distance, has_cjk, max_edits

    rng = random.Random(7)
    misses = ["身份正办理", "城市更薪", "失业保险金申请", "机动车驾驶正", "营商环竟", "防汛演炼"]
    misses += ["".join(rng.choice("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动")
                       for _ in range(rng.randint(2, 8))) for _ in range(40)]
    for q in misses:
        found = search(q=q)
        if found.total or not found.suggestion:
            continue
        s = found.suggestion
        assert has_cjk(s) and not s.isdigit() and abs(len(s) - len(normalise(q))) <= 1, (q, s)
        assert distance(s, normalise(q)) <= max_edits(len(normalise(q))), (q, s)
        assert search(q=s).total, (q, s)
    assert search(q="营商环竟").suggestion == "营商环境"


@pytest.mark.django_db
def test_did_you_mean_for_latin_letters_is_pinyin_initials_of_a_matter(corpus):
    assert search(q="jmsfa").suggestion == "居民身份证办理"  # jmsfz, one letter off
    assert search(q="sybxjsa").suggestion == "失业保险金申领"
    assert search(q="qwerty").suggestion == ""


@pytest.mark.django_db
def test_the_help_example_finds_a_matter_of_the_demo_city(corpus, client):
    from demo.guides import MATTERS
    from search.params import HELP_EXAMPLE
    from search.text import pinyin_initials

    initials, meaning = HELP_EXAMPLE
    demo_names = [m[1] for m in MATTERS if initials in pinyin_initials(m[1])]
    assert demo_names and any(meaning in name for name in demo_names)
    assert meaning in search(q=initials).hits[0].entry.title  # 失业保险金申领, in the corpus too
    html = client.get("/search/").content.decode()
    assert f"如 {initials}（{meaning}）" in html and "如 sfz" not in html


@pytest.mark.django_db
def test_a_document_whose_body_repeats_its_summary_shows_it_once(city):
    from disclosure.models import GovDocumentPage
    from portal.services import page_create
    from search import services

    summary = "为规范政务公开工作,提高行政效能,现就有关事项通知如下。"
    page = page_create(parent=city.portal_policy, page=GovDocumentPage(
        title="测试市人民政府关于规范政务公开工作的通知", doc_type="normative", issuing_organ="测试市人民政府",
        document_number="渝府发〔2026〕88号", date_written=__import__("datetime").date(2026, 2, 1), topic="general",
        summary=summary, body=f"<p>{summary}</p><p>本文件自印发之日起施行,由测试市人民政府负责解释。</p>"), publish=True)
    services.page_index(page_id=page.pk)
    for q in ("渝府发", "规范政务公开", "施行"):
        hit = search(q=q).hits[0]
        plain = hit.snippet_html.replace("<mark>", "").replace("</mark>", "")
        assert plain.count("提高行政效能") == 1, (q, hit.snippet_html)
    assert Entry.objects.get(key=f"page:{page.pk}").text.count("提高行政效能") == 1
