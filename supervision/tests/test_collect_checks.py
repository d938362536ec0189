"""The page checks of a crawl: screening by severity, the site-search test through
the home page's form or the watch's search address, IPv6 and HTTPS where the
machine can tell and "not checked" where it cannot."""

import datetime

import pytest

from supervision.collect import crawled
from supervision.collect.checks import ipv6_of
from supervision.collect.crawler import crawl_site
from supervision.measures import NOT_CHECKED, OK, PROBLEM, Period
from supervision.tests.corpus import Resource, _search_route, build_site, register, serve

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def collector_settings(settings):
    settings.SUPERVISION_FETCH_TIMEOUT = 2
    settings.SUPERVISION_EXTERNAL_LINKS = False


def measures_of(record):
    return {m.code: m for m in crawled.measures(record, Period.month_of(TODAY))}


def test_banned_content_and_commercial_terms_are_told_apart():
    from guard.services import lexicon_term_save

    lexicon_term_save(term="网络赌博平台", kind="banned", reason="赌博内容")
    lexicon_term_save(term="限时特价", kind="commercial", reason="商业广告")  # not a veto item: not reported here
    site = build_site("clean")
    path = site.articles[1][0]
    body = site.files[path].body.decode().replace("</h1>", "</h1><p>欢迎访问网络赌博平台,限时特价。</p>")
    site.files[path] = Resource(body=body.encode())
    with serve(site) as served:
        record = register(served.url, "banned")
        crawl_site(record)
    screening = measures_of(record)["screening"]
    assert screening.state == PROBLEM
    assert [(h["url"], h["term"], h["severity"]) for h in screening.value["hits"]] == [
        (served.at(path), "网络赌博平台", "banned")]
    assert screening.evidence[0].url == served.at(path) and "网络赌博平台" in screening.evidence[0].detail


def test_search_titles_not_on_the_first_results_page():
    site = build_site("clean")
    site.routes["/search"] = _search_route(site, finds=False)  # a search that finds nothing
    with serve(site) as served:
        record = register(served.url, "nosearch")
        crawl_site(record)
    search = measures_of(record)["search"]
    assert search.state == PROBLEM and search.value["present"] is True
    assert len(search.value["tested"]) == 4 and search.value["not_found"] == search.value["tested"]
    titles = {title for _path, title, _day in site.articles}
    assert set(search.value["tested"]) <= titles
    assert all(e.url.startswith(served.at("/search?q=")) for e in search.evidence)


def test_search_through_the_watch_search_address():
    site = build_site("broken_links")  # no search form on its pages
    site.routes["/find"] = _search_route(site, finds=True)
    with serve(site) as served:
        record = register(served.url, "watchsearch", search_url="/find?q={q}")
        crawl_site(record)
    search = measures_of(record)["search"]
    assert search.state == OK and len(search.value["tested"]) == 4 and search.value["not_found"] == []


def test_a_search_page_that_fails_is_not_a_verdict():
    site = build_site("clean")
    site.routes["/search"] = lambda handler: Resource(status=500, body=b"error")
    with serve(site) as served:
        record = register(served.url, "searchdown")
        crawl_site(record)
    search = measures_of(record)["search"]
    assert search.state == NOT_CHECKED and "HTTP 500" in search.reason


def test_ipv6_where_the_machine_can_tell_and_where_it_cannot():
    assert ipv6_of("127.0.0.1") == (None, ipv6_of("127.0.0.1")[1])
    has, reason = ipv6_of("no-such-site.invalid")
    assert has is None and "无法解析" in reason
    has, reason = ipv6_of("localhost")
    assert has in (True, False) and reason == ""  # resolved by this machine: an answer either way


def test_the_searched_title_leaves_out_the_site_and_section_names():
    from supervision.collect.checks import _article_title
    from supervision.models import CrawlPage

    page = CrawlPage(title="渝中区较场口附近夜间施工噪音扰民 · 信件公开 - 中国重庆", meta={})
    assert _article_title(page) == "渝中区较场口附近夜间施工噪音扰民"
    assert _article_title(CrawlPage(title="2026-2030年发展规划 - 中国重庆", meta={})) == "2026-2030年发展规划"
    assert _article_title(CrawlPage(title="x", meta={"ArticleTitle": "关于调整营业时间的公告"})) == "关于调整营业时间的公告"
