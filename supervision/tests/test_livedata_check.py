"""Supervision counts a window unit whose live data stops arriving (issue 12): the
hosted collector's ``live_data`` measure (fresh, silent, not watched) and the
``pub-live-data`` deduction, with hand-worked scores."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from livedata import services
from livedata.models import Channel, Station
from supervision import rules
from supervision.collect import hosted
from supervision.engine import evaluate
from supervision.measures import NOT_CHECKED, OK, PROBLEM, Evidence, Measure, Period

from .engine_helpers import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def airport(db):
    """A window unit (an airport running CKG) with a hosted site."""
    from hosting.sites import site_create
    from orgs.services import unit_create

    gov = unit_create(name="测试市人民政府", code="gov", kind="municipal_government")
    unit = unit_create(name="测试市国际机场", code="airport", kind="window_unit", sector="aviation", parent=gov)
    Station.objects.filter(kind="airport", code="CKG").update(unit=unit)
    record = site_create(unit=unit, kind="window", name="测试市国际机场", hostname="airport.example.gov.cn",
                         site_id_code="5000000299", icp_number="渝ICP备00000001号", psb_number="渝公网安备 1号",
                         sponsor=unit.name, contact_phone="023-60000000", contact_email="web@airport.example.gov.cn",
                         address="测试地址1号")
    return record


def live_measure(record):
    period = Period.month_of(timezone.localdate())
    return next(m for m in hosted.measures(record, period) if m.code == "live_data")


def push_flight(unit, now):
    dep = now + dt.timedelta(hours=3)
    record = {"id": "CA1405-1", "number": "CA1405", "origin": "CKG", "destination": "PEK",
              "scheduled_departure": dep.isoformat(), "scheduled_arrival": (dep + dt.timedelta(hours=2)).isoformat()}
    assert services.trips_upsert(unit=unit, records=[record], source="api", now=now).created == 1


def test_an_airport_that_never_sent_data_is_a_problem_until_the_centre_stops_watching_it(airport):
    measure = live_measure(airport)
    assert measure.state == PROBLEM and "从未收到数据" in measure.evidence[0].detail
    # A stream set to 0 minutes (by the management centre: services.may_set_watch) is not watched.
    services.channel_configure(unit=airport.unit, kind="trips", expected_minutes=0)
    measure = live_measure(airport)
    assert measure.state == NOT_CHECKED and measure.reason == "本单位没有需监测的实时数据"


def test_fresh_flights_are_ok(airport):
    push_flight(airport.unit, timezone.now() - dt.timedelta(minutes=10))
    measure = live_measure(airport)
    assert measure.state == OK and measure.evidence == []
    assert measure.value["silent"] == 0 and measure.value["channels"][0]["kind"] == "trips"


def test_a_silent_stream_is_a_problem_with_since_when(airport):
    last = (timezone.now() - dt.timedelta(hours=3)).replace(second=0, microsecond=0)
    push_flight(airport.unit, last)
    measure = live_measure(airport)
    assert measure.state == PROBLEM and measure.value["silent"] == 1
    assert measure.evidence[0].detail == f"班次动态自 {timezone.localtime(last):%m-%d %H:%M} 起未更新(应每60分钟更新)"
    row = measure.value["channels"][0]
    assert row["since"] == (last + dt.timedelta(minutes=60)).isoformat()


def test_a_watched_stream_that_never_brought_data_is_silent(airport):
    Channel.objects.create(unit=airport.unit, kind="notices", expected_minutes=120)
    measure = live_measure(airport)
    assert measure.state == PROBLEM and measure.evidence[0].detail == "服务信息从未收到数据"


def test_only_window_units_are_measured(city):
    period = Period.month_of(timezone.localdate())
    assert "live_data" not in {m.code for m in hosted.measures(city.district_site, period)}


# --- The rule ---------------------------------------------------------------------------------

def silent(*labels):
    measurements = build()
    evidence = [Evidence(f"实时数据“{label}”", detail=f"{label}自 12-02 08:30 起未更新") for label in labels]
    measurements.put(Measure("live_data", PROBLEM, {"channels": [], "silent": len(labels)}, evidence))
    return measurements


def test_the_migration_put_the_rule_in_the_active_ruleset():
    rule = rules.active_ruleset().rules.get(code="pub-live-data")
    assert (rule.category, rule.evaluator, rule.amount, rule.cap) == ("publishing", "live_data_silent", 2, 4)
    assert rule.params == {"site_kinds": ["window"]}


def test_a_silent_stream_takes_two_points_from_a_window_site():
    ruleset = rules.active_ruleset()
    result = evaluate(ruleset, silent("班次动态"), site_kind="window", external_services=True)
    # 100 − 2 (one silent stream × 2, in 信息发布与解读) = 98
    assert result.score == Decimal("98.00")
    item = next(d for d in result.deductions if d["rule"] == "pub-live-data")
    assert item["category"] == "publishing" and item["detail"] == "班次动态自 12-02 08:30 起未更新"
    assert {c["code"]: c["deducted"] for c in result.categories}["publishing"] == 2


def test_three_silent_streams_are_capped_at_four_points():
    result = evaluate(rules.active_ruleset(), silent("班次动态", "服务信息", "企业和中介服务信息"),
                      site_kind="window", external_services=True)
    # 100 − min(3 × 2, 4) = 96
    assert result.score == Decimal("96.00")


def test_the_rule_is_not_checked_without_streams_and_absent_for_government_sites():
    measurements = build(not_checked={"live_data": "本单位没有需监测的实时数据"})
    window = evaluate(rules.active_ruleset(), measurements, site_kind="window", external_services=True)
    assert window.score == Decimal("100.00")
    assert {n["rule"]: n["reason"] for n in window.not_checked}["pub-live-data"] == "本单位没有需监测的实时数据"
    department = evaluate(rules.active_ruleset(), silent("班次动态"), site_kind="department", external_services=True)
    assert "pub-live-data" not in {d["rule"] for d in department.deductions} | {n["rule"] for n in department.not_checked}


# --- The data migration -----------------------------------------------------------------------

def _migration():
    import importlib

    return importlib.import_module("supervision.migrations.0003_rule_live_data")


def test_the_migration_adds_the_rule_in_place_to_a_ruleset_no_scorecard_names():
    from django.apps import apps

    active = rules.active_ruleset()
    active.rules.filter(code="pub-live-data").delete()  # as an installation before issue 12
    _migration().add(apps, None)
    rule = active.rules.get(code="pub-live-data")
    other = active.rules.get(code="pub-other-columns")
    assert rule.sort_order == other.sort_order + 1
    _migration().add(apps, None)  # run again: nothing more
    assert active.rules.filter(code="pub-live-data").count() == 1


def test_an_active_ruleset_in_use_is_not_changed_a_draft_version_gets_the_rule(airport):
    from django.apps import apps

    from supervision.models import Rule, RuleCategory, Ruleset, Scorecard

    active = rules.active_ruleset()
    active.rules.filter(code="pub-live-data").delete()
    Scorecard.objects.create(record=airport, ruleset=active, period_start=dt.date(2026, 10, 1),
                             period_end=dt.date(2026, 10, 31), computed_at=timezone.now(), verdict="pass", score=100)
    _migration().add(apps, None)
    assert not active.rules.filter(code="pub-live-data").exists()
    draft = Ruleset.objects.get(status="draft")
    assert draft.version == active.version + 1 and "实时数据更新" in draft.notes
    assert draft.rules.filter(code="pub-live-data").exists()
    assert Rule.objects.filter(ruleset=draft).count() == Rule.objects.filter(ruleset=active).count() + 1
    assert RuleCategory.objects.filter(ruleset=draft).count() == RuleCategory.objects.filter(ruleset=active).count()
    assert rules.active_ruleset().pk == active.pk  # the supervisors activate it
