"""The schedule: probes once a slot and at least 20 a day, spread over the day;
crawls due, interrupted ones resumed first; the management command."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from supervision.collect import probes, schedule
from supervision.models import CrawlRun, Probe, RunStatus
from supervision.tests.corpus import build_site, register, serve

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def collector_settings(settings):
    settings.SUPERVISION_FETCH_TIMEOUT = 2
    settings.SUPERVISION_PROBE_TIMEOUT = 2
    settings.SUPERVISION_EXTERNAL_LINKS = False
    settings.SUPERVISION_PROBES_PER_DAY = 24


def test_slots_give_at_least_twenty_spaced_probes_a_day(settings):
    day = timezone.make_aware(datetime.datetime(2026, 3, 5))
    names = {probes.slot_of(day + datetime.timedelta(minutes=m)) for m in range(0, 1440, 5)}
    assert len(names) == 24
    settings.SUPERVISION_PROBES_PER_DAY = 6  # fewer than the indicators allow: 20 are kept
    names = {probes.slot_of(day + datetime.timedelta(minutes=m)) for m in range(0, 1440, 5)}
    assert len(names) == 20


def test_probe_due_probes_each_site_once_a_slot():
    site = build_site("clean")
    with serve(site) as served:
        records = [register(served.url, f"s{n}") for n in range(3)]
        slot_begin = probes.slot_start(timezone.now())
        late = slot_begin + datetime.timedelta(minutes=59)  # every site's moment in the slot has come
        assert schedule.probe_due(now=late) == 3
        assert schedule.probe_due(now=late) == 0  # the slot is done
        early = probes.slot_start(late + datetime.timedelta(hours=1))
        due_early = schedule.probe_due(now=early)  # only the sites whose moment is the slot's start
    assert due_early == sum(1 for r in records if probes.offset_of(r) == datetime.timedelta(0))
    assert Probe.objects.filter(ok=True).count() == 3 + due_early
    assert site.requests == 0  # fail_every is off; requests are counted only for the flaky site


def test_crawl_due_resumes_an_interrupted_run_first_and_crawls_the_others():
    site = build_site("stale_columns")
    with serve(site) as served:
        first, second = register(served.url, "a"), register(served.url, "b")
        from supervision.collect.crawler import crawl_site

        stuck = crawl_site(second, runner="dead-worker", budget=3)
        CrawlRun.objects.filter(pk=stuck.pk).update(runner="dead-worker",
                                                    heartbeat_at=timezone.now() - datetime.timedelta(hours=2))
        assert [r.pk for r in schedule.due_crawls()] == [second.pk, first.pk]
        worked = schedule.crawl_due(limit=1)
        assert worked == [stuck.pk]
        stuck.refresh_from_db()
        assert stuck.status == RunStatus.DONE
        assert [r.pk for r in schedule.due_crawls()] == [first.pk]  # b was crawled a moment ago
        schedule.crawl_due()
    assert CrawlRun.objects.filter(status=RunStatus.DONE).count() == 2
    assert schedule.due_crawls() == []


def test_a_big_site_is_crawled_over_several_calls_within_a_budget():
    site = build_site("clean")
    with serve(site) as served:
        record = register(served.url, "big")
        calls = 0
        while True:
            calls += 1
            worked = schedule.crawl_due(budget=4)  # the run is let go after each call, then resumed
            run = CrawlRun.objects.get(pk=worked[0])
            if run.status != RunStatus.RUNNING:
                break
            assert run.runner == ""
    assert run.status == RunStatus.DONE and run.pages_done == site.expect["pages"]
    assert calls == -(-site.expect["pages"] // 4)  # ceil: every call read its 4 pages
    assert CrawlRun.objects.filter(record=record).count() == 1


def test_the_command_probes_and_crawls_with_progress():
    site = build_site("blank_columns")
    with serve(site) as served:
        record = register(served.url, "cmd")
        out = StringIO()
        call_command("supervision_collect", "--site", record.hostname, stdout=out)
    text = out.getvalue()
    assert "探测:可访问 200" in text and "已读取" in text and "抓取:完成" in text
    assert "栏目更新:有问题 识别栏目7个,空白6个" in text
