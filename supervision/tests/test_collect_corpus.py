"""The collectors on the loopback corpus: each site's known defects (corpus.py,
``expect``) are found with their evidence, and the clean site shows none."""

import datetime

import pytest
from django.utils import timezone

from supervision.collect import crawled
from supervision.collect.crawler import crawl_site
from supervision.collect.probes import probe_site
from supervision.measures import NOT_CHECKED, OK, PROBLEM, Period
from supervision.models import CrawlPage, LinkCheck, RunStatus
from supervision.tests.corpus import SITES, WRONG_STATEMENT, build_site, register, serve

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def collector_settings(settings):
    settings.SUPERVISION_FETCH_TIMEOUT = 3
    settings.SUPERVISION_PROBE_TIMEOUT = 3
    settings.SUPERVISION_EXTERNAL_LINKS = True


@pytest.fixture
def lexicon(db):
    from guard.services import lexicon_term_save

    return lexicon_term_save(**WRONG_STATEMENT)


def crawl_and_measure(key):
    site = build_site(key)
    with serve(site) as served:
        record = register(served.url, key)
        run = crawl_site(record)
        found = {m.code: m for m in crawled.measures(record, Period.month_of(TODAY))}
    return served, record, run, found


def paths(items, served):
    return sorted(item["url"].replace(served.url.rstrip("/"), "") for item in items)


@pytest.mark.parametrize("key", [k for k in SITES if k != "flaky"])
def test_each_site_shows_exactly_its_defects(key, lexicon):
    served, record, run, found = crawl_and_measure(key)
    expect = served.site.expect
    assert run.status == RunStatus.DONE, run.error

    # Every page of the site read once; nothing pending.
    assert run.pages.filter(state="pending").count() == 0
    assert run.pages_done == run.pages.count()

    home = found["home_update"]
    assert home.value["days_since"] == expect["home_days"]
    assert home.value["last_update"] == (TODAY - datetime.timedelta(days=expect["home_days"])).isoformat()
    assert home.state == (PROBLEM if expect["home_days"] > 14 else OK)
    assert home.evidence and home.evidence[0].url == served.url

    columns = found["columns"].value["columns"]
    stale = sorted((c["title"], c["kind"], c["last_update"], c["period_days"]) for c in columns if c["stale"])
    assert stale == sorted((s["title"], s["kind"], (TODAY - datetime.timedelta(days=s["age"])).isoformat(),
                            s["period_days"]) for s in expect["stale_columns"])
    assert sorted(c["title"] for c in columns if c["blank"]) == sorted(expect["blank_columns"])
    for column in columns:
        if column["stale"] or column["blank"]:
            assert any(e.url == column["url"] and column["title"] in e.detail for e in found["columns"].evidence)

    links = found["links"]
    assert paths(links.value["broken_home"], served) == sorted(b["path"] for b in expect["broken_home"])
    assert paths(links.value["broken_other"], served) == sorted(b["path"] for b in expect["broken_other"])
    for item in links.value["broken_home"] + links.value["broken_other"]:
        wanted = next(b for b in expect["broken_home"] + expect["broken_other"] if served.at(b["path"]) == item["url"])
        assert (item["kind"], item["status"]) == (wanted["kind"], wanted["status"])
        if "on" in wanted:
            assert item["found_on"] == served.at(wanted["on"])
        assert any(e.url == item["url"] and item["found_on"] in e.detail for e in links.evidence)

    footer = found["footer"]
    assert footer.value["missing"] == expect["footer_missing"]
    assert bool(footer.value["error_entry_missing"]) == expect["error_entry_missing"]
    if expect["error_entry_missing"]:
        assert footer.value["error_entry_missing"][0] == served.url
    assert footer.value["pages"] == expect["pages"]

    meta = found["meta"]
    assert len(meta.value["lacking"]) == expect["meta_lacking"]
    assert meta.value["pages"] == min(10, expect["pages"])
    for item in meta.value["lacking"]:  # the home page needs no column tags
        names = expect.get("meta_missing_names", ())
        assert all(n in item["missing"] for n in names if item["url"] != served.url or n.startswith("Site"))

    hits = found["screening"].value["hits"]
    assert sorted((h["url"], h["term"], h["severity"]) for h in hits) == sorted(
        (served.at(s["path"]), s["term"], s["severity"]) for s in expect["screening"])
    assert found["screening"].state == (PROBLEM if expect["screening"] else OK)

    search = found["search"]
    assert search.value["present"] == expect["search_present"]
    if expect["search_present"]:
        assert len(search.value["tested"]) == min(4, len(served.site.articles)) and len(search.value["not_found"]) == expect["search_not_found"]

    # The machine cannot tell IPv6 of an IP address; the loopback server has no HTTPS.
    assert found["ipv6"].state == NOT_CHECKED and found["ipv6"].reason
    assert found["https"].value == {"serves_https": False}


def test_the_clean_site_shows_no_problem(lexicon):
    served, record, run, found = crawl_and_measure("clean")
    problems = {code: m.reason for code, m in found.items() if m.state == PROBLEM}
    assert problems.keys() == {"https"}  # the only true fact against it: plain HTTP on loopback
    assert found["availability"].state == NOT_CHECKED  # never probed yet: not guessed
    # The external link could not be resolved by this machine: not checked, not broken.
    external = LinkCheck.objects.get(run=run, url="http://outside.example.invalid/page")
    assert external.ok is None and external.error
    assert found["links"].value["checked"] == LinkCheck.objects.filter(run=run, ok__isnull=False).count() > 10


def test_external_links_off_are_not_checked_never_broken(settings, lexicon):
    settings.SUPERVISION_EXTERNAL_LINKS = False
    served, record, run, found = crawl_and_measure("clean")
    external = LinkCheck.objects.get(run=run, url="http://outside.example.invalid/page")
    assert (external.ok, external.state) == (None, "skipped")
    skipped = LinkCheck.objects.filter(run=run, state="skipped")
    assert skipped.count() >= 1 and not skipped.filter(internal=True).exists()
    assert found["links"].state == OK and f"{skipped.count()}个未检查" in found["links"].reason


def test_the_gbk_site_is_read_with_its_dates_and_columns(lexicon):
    served, record, run, found = crawl_and_measure("gbk_old")
    expect = served.site.expect
    assert set(run.pages.exclude(encoding="").values_list("encoding", flat=True)) == {expect["encoding"]}
    columns = {c["title"]: c for c in found["columns"].value["columns"]}
    for title, age in expect["column_dates"].items():
        assert columns[title]["last_update"] == (TODAY - datetime.timedelta(days=age)).isoformat()
    assert columns["工作动态"]["kind"] == "news" and columns["通知公告"]["kind"] == "notices"
    article = CrawlPage.objects.get(run=run, url=served.at("/gzdt/1.html"))
    assert (article.pub_date, article.date_source, article.column) == (
        TODAY - datetime.timedelta(days=2), "text", "工作动态")
    # Written 2026/03/05 in the second column.
    notice = CrawlPage.objects.get(run=run, url=served.at("/tzgg/1.html"))
    assert notice.pub_date == TODAY - datetime.timedelta(days=20)
    assert all(item["missing"] == ["SiteName", "SiteDomain", "SiteIDCode"] + (
        [] if item["url"] == served.url else ["ColumnName", "ColumnType"] + (
            ["ArticleTitle", "PubDate", "ContentSource"] if item["url"].endswith(".html") else []))
        for item in found["meta"].value["lacking"])


def test_the_flaky_server_fails_its_known_share_of_probes():
    site = build_site("flaky")
    start = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time()))
    with serve(site) as served:
        record = register(served.url, "flaky")
        probes = [probe_site(record, now=start + datetime.timedelta(hours=h)) for h in range(24)]
        again = probe_site(record, now=start + datetime.timedelta(hours=3, minutes=20))  # same slot: no new visit
    assert again.pk == probes[3].pk and site.requests == 24
    failed = [p for p in probes if p.ok is False]
    assert len(failed) == 24 * site.expect["probe_failure_share"]
    assert all(p.status_code == 503 and p.latency_ms is not None for p in failed)
    measure = crawled.availability(record, Period.month_of(TODAY))
    assert measure.value["probes"] == 24 and measure.value["failures"] == 6
    assert measure.value["failure_ratio"] == 0.25 and measure.value["timeout_seconds"] == 3
    assert sorted(e.at for e in measure.evidence) == sorted(timezone.localtime(p.at).isoformat() for p in failed)
    assert all("503" in e.detail for e in measure.evidence)


def test_column_kinds_and_periods_are_data_the_ruleset_can_change(lexicon):
    from supervision.models import Rule, Ruleset

    Ruleset.objects.filter(status="active").update(status="retired")  # the loaded default, if any
    version = (Ruleset.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    ruleset = Ruleset.objects.create(name="测试指标", version=version, status="active")
    # A supervisor's ruleset: 工作动态 is judged as a plan (365 days); notices get 400 days.
    Rule.objects.create(ruleset=ruleset, code="columns", name="栏目", kind="veto", evaluator="columns",
                        params={"column_kinds": [["plans", ["工作动态"]], ["notices", ["通知公告"]]],
                                "column_periods": {"notices": 400}})
    served, record, run, found = crawl_and_measure("stale_columns")
    columns = {c["title"]: c for c in found["columns"].value["columns"]}
    assert (columns["工作动态"]["kind"], columns["工作动态"]["period_days"], columns["工作动态"]["stale"]) == (
        "plans", 365, False)
    assert (columns["通知公告"]["period_days"], columns["通知公告"]["stale"]) == (400, False)
    assert found["columns"].state == OK
    assert crawled.column_kind("规划计划") == "plans" and crawled.column_kind("某某", "政策文件") == "policy"
