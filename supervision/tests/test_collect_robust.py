"""The collectors against sites that misbehave: a server that hangs, garbage, a
redirect loop, a huge or endless page, malformed HTML, a wrong encoding, a refused
connection, a name this machine cannot resolve. Each is recorded as what it is,
never a crash, never a false verdict. And a crawl killed half-way is resumed by
another worker without counting anything twice."""

import datetime
import time

import pytest
from django.utils import timezone

from supervision.collect import crawled
from supervision.collect.crawler import crawl_site
from supervision.collect.fetch import Fetcher
from supervision.collect.probes import probe_site
from supervision.measures import NOT_CHECKED, Period
from supervision.models import CrawlPage, CrawlRun, LinkCheck, RunStatus
from supervision.tests.corpus import (Resource, build_site, hanging_server, misbehaving_site, refused_url, register,
                                      serve)

TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def collector_settings(settings):
    settings.SUPERVISION_FETCH_TIMEOUT = 1
    settings.SUPERVISION_PROBE_TIMEOUT = 1
    settings.SUPERVISION_MAX_BODY = 100_000
    settings.SUPERVISION_MAX_REDIRECTS = 5


@pytest.fixture(scope="module")
def bad():
    with serve(misbehaving_site()) as served:
        yield served


# --- The fetcher ----------------------------------------------------------------------

def test_a_hanging_server_times_out():
    with hanging_server() as url, Fetcher() as fetcher:
        started = time.monotonic()
        fetched = fetcher.get(url)
    assert fetched.error == "timeout" and fetched.status is None and not fetched.ok
    assert time.monotonic() - started < 5


def test_a_redirect_loop_is_named(bad):
    with Fetcher() as fetcher:
        fetched = fetcher.get(bad.at("/loop-a"))
    assert fetched.error == "redirect_loop" and fetched.error_label == "循环重定向"
    assert fetched.redirects == [bad.at("/loop-b"), bad.at("/loop-a")]


def test_too_many_redirects(settings):
    site = build_site("clean")
    for n in range(10):
        site.files[f"/r{n}"] = Resource(status=301, headers={"Location": f"/r{n + 1}"})
    with serve(site) as served, Fetcher(max_redirects=3) as fetcher:
        fetched = fetcher.get(served.at("/r0"))
    assert fetched.error == "too_many_redirects" and len(fetched.redirects) == 4


def test_huge_and_endless_pages_are_cut_at_the_cap(bad):
    with Fetcher() as fetcher:
        huge = fetcher.get(bad.at("/huge"))
        started = time.monotonic()
        endless = fetcher.get(bad.at("/endless"))
    assert huge.truncated and len(huge.body) == 100_000 and huge.status == 200
    assert endless.truncated and len(endless.body) == 100_000 and time.monotonic() - started < 5


def test_refused_and_unresolvable():
    with Fetcher() as fetcher:
        refused = fetcher.get(refused_url())
        nowhere = fetcher.get("http://no-such-site.invalid/")
        bad_url = fetcher.get("http://[::1/")
    assert refused.error == "refused" and not refused.network_cannot_tell
    assert nowhere.error == "dns" and nowhere.network_cannot_tell
    assert bad_url.error == "invalid_url"


# --- Probes ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_probes_record_each_failure_as_what_it_is(bad):
    now = timezone.now()
    with hanging_server() as hang:
        cases = {"hang": hang, "refused": refused_url(), "loop": bad.at("/loop-a"), "dns": "http://no-such.invalid/",
                 "garbage": bad.at("/garbage")}
        probes = {key: probe_site(register(url, key), now=now) for key, url in cases.items()}
    assert (probes["hang"].ok, probes["hang"].error) == (False, "超时未响应")
    assert (probes["refused"].ok, probes["refused"].error) == (False, "连接被拒绝")
    assert (probes["loop"].ok, probes["loop"].error) == (False, "循环重定向")
    assert probes["dns"].ok is None and "本机网络无法判断" in probes["dns"].error  # never a failure of the site
    assert probes["garbage"].ok is True  # the server answers: available, whatever it says
    measure = crawled.availability(probes["dns"].record, Period.month_of(TODAY))
    assert measure.state == NOT_CHECKED and "无法判断" in measure.reason


# --- Crawls ---------------------------------------------------------------------------

def _measures(record):
    return {m.code: m for m in crawled.measures(record, Period.month_of(TODAY))}


@pytest.mark.django_db
@pytest.mark.parametrize("path,reason", [("/loop-a", "循环重定向"), ("/nothing-here", "HTTP 404")])
def test_an_unreachable_home_makes_every_crawl_measure_not_checked(bad, path, reason):
    record = register(bad.at(path), "unreachable")
    run = crawl_site(record)
    assert run.status == RunStatus.UNREACHABLE and reason in run.error
    found = _measures(record)
    for code in crawled.CRAWL_CODES:
        assert found[code].state == NOT_CHECKED and reason in found[code].reason


@pytest.mark.django_db
def test_a_refused_site_is_unreachable_not_guessed():
    record = register(refused_url(), "refused")
    run = crawl_site(record)
    assert run.status == RunStatus.UNREACHABLE and "连接被拒绝" in run.error
    assert all(m.state == NOT_CHECKED for m in _measures(record).values())


@pytest.mark.django_db
def test_a_garbage_home_page_is_not_read_and_not_judged(bad):
    record = register(bad.at("/garbage"), "garbage")
    run = crawl_site(record)
    assert run.status == RunStatus.DONE
    home = run.pages.get(depth=0)
    assert home.status_code == 200 and "二进制" in home.error and home.title == ""
    found = _measures(record)
    for code in ("home_update", "footer", "meta", "search"):
        assert found[code].state == NOT_CHECKED, code


@pytest.mark.django_db
def test_a_site_of_misbehaving_pages_is_crawled_to_the_end(bad):
    site = bad.site
    with hanging_server() as hang:
        site.files["/"] = Resource(body=(
            "<html><head><title>首页</title></head><body><ul>"
            + "".join(f'<li><a href="{p}">{p}</a></li>' for p in ("/garbage", "/huge", "/endless", "/loop-a",
                                                                   "/malformed", "/wrong-encoding", "/ok"))
            + f'<li><a href="{hang}slow.html">挂起的链接</a></li></ul></body></html>').encode())
        record = register(bad.url, "misbehaving")
        started = time.monotonic()
        run = crawl_site(record)
        elapsed = time.monotonic() - started
    assert run.status == RunStatus.DONE and elapsed < 30
    pages = {p.url.replace(bad.url.rstrip("/"), ""): p for p in run.pages.all()}
    assert "只读取了开头" in pages["/huge"].error and pages["/huge"].size == 100_000
    assert "只读取了开头" in pages["/endless"].error
    assert pages["/loop-a"].state == "failed" and pages["/loop-a"].error == "循环重定向"
    assert pages["/malformed"].state == "done" and pages["/malformed"].pub_date is None
    assert "声明编码" in pages["/wrong-encoding"].error and pages["/wrong-encoding"].title == "工作动态"
    assert pages["/wrong-encoding"].pub_date == datetime.date(2026, 3, 5)
    assert "二进制" in pages["/garbage"].error
    hung = LinkCheck.objects.get(run=run, url__endswith="slow.html")
    assert hung.ok is False and hung.error == "超时未响应"


# --- A worker killed half-way ----------------------------------------------------------

@pytest.mark.django_db
def test_a_crawl_killed_half_way_is_resumed_without_double_counting(settings):
    site = build_site("broken_links")
    with serve(site) as served:
        # The same site crawled in one go, for comparison.
        whole = crawl_site(register(served.url, "whole"))
        record = register(served.url, "resumed")
        first = crawl_site(record, runner="worker-a", budget=5)  # worker A has read 5 pages ...
        assert first.status == RunStatus.RUNNING and first.pages_done == 5
        # ... and is still at work on the run (its heartbeat is fresh): another worker leaves it alone.
        CrawlRun.objects.filter(pk=first.pk).update(runner="worker-a", heartbeat_at=timezone.now())
        assert crawl_site(record, runner="worker-b") is None
        # Worker A dies there: its heartbeat grows old, worker B takes the run over and finishes it.
        CrawlRun.objects.filter(pk=first.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
        resumed = crawl_site(record, runner="worker-b")
    assert resumed.pk == first.pk and resumed.status == RunStatus.DONE and resumed.runner == "worker-b"
    assert CrawlRun.objects.filter(record=record).count() == 1

    def pages(run):
        return sorted(p.url.replace(served.url, "/") for p in CrawlPage.objects.filter(run=run))

    def links(run):
        return sorted((c.url, c.sources, c.on_home, c.ok) for c in LinkCheck.objects.filter(run=run))

    assert pages(resumed) == pages(whole) and resumed.pages_done == whole.pages_done
    assert links(resumed) == links(whole)
    assert resumed.links_done == whole.links_done
    a, b = _measures(record), _measures(whole.record)
    for code in ("home_update", "columns", "links", "footer", "meta", "screening"):
        assert a[code].value == b[code].value, code


@pytest.mark.django_db
def test_a_home_page_that_redirects_to_another_host_is_followed_there():
    site = build_site("clean")
    with serve(site) as served:
        port = served.server.server_address[1]
        site.files["/go"] = Resource(status=301, headers={"Location": served.url})
        record = register(f"http://localhost:{port}/go", "redirected")
        run = crawl_site(record)
    assert run.status == RunStatus.DONE
    home = run.pages.get(depth=0)
    assert home.final_url == served.url
    # The start address and every page of the site, reached on the host it redirected to.
    assert run.pages.filter(state="done").count() == site.expect["pages"] + 1


@pytest.mark.django_db
def test_a_site_that_hangs_is_unreachable_with_the_reason():
    with hanging_server() as url:
        record = register(url, "hangs")
        started = time.monotonic()
        run = crawl_site(record)
        probe = probe_site(record)
    assert time.monotonic() - started < 10
    assert run.status == RunStatus.UNREACHABLE and "超时未响应" in run.error
    assert probe.ok is False and probe.error == "超时未响应"
    found = _measures(record)
    assert found["availability"].value["failures"] == 1 and found["availability"].evidence[0].detail == "超时未响应"
    assert all(found[code].state == NOT_CHECKED for code in crawled.CRAWL_CODES)


@pytest.mark.django_db
def test_a_page_that_fails_once_is_tried_again_and_read():
    site = build_site("clean")
    path = site.articles[0][0]
    good, tries = site.files.pop(path), []

    def busy_once(handler):
        tries.append(1)
        return good if len(tries) > 1 else Resource(status=503, body=b"busy")
    site.routes[path] = busy_once
    with serve(site) as served:
        record = register(served.url, "busy")
        run = crawl_site(record)
    page = run.pages.get(url=served.at(path))
    assert len(tries) == 2 and page.state == "done" and page.status_code == 200 and page.title
    assert not LinkCheck.objects.filter(run=run, ok=False).exists()
