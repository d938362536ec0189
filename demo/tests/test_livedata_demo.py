"""The demo city's live data (demo/livedata.py): what the loader stores, and the demo
clock moving flights, trains and outages along at given times (issue 12)."""

import datetime

import pytest
from django.utils import timezone
from google.transit import gtfs_realtime_pb2

from demo import feeds
from demo import livedata as demo
from livedata import queries
from livedata.models import Change, DirectoryEntry, Feed, ServiceNotice, Station, Trip

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    """The demo's live units alone (the whole city takes a minute to load)."""
    from orgs.services import unit_create

    gov = unit_create(name="重庆市人民政府", code="cq-gov", kind="municipal_government")
    jtj = unit_create(name="重庆市交通运输委员会", code="jtj", kind="municipal_department", parent=gov)
    for code, name, sector in (("airport", "重庆江北国际机场", "aviation"), ("cqnorth", "重庆北站", "rail"),
                               ("ferry", "重庆江城轮渡客运有限公司", "water_transport"),
                               ("water", "重庆市自来水有限公司", "water"), ("power", "重庆山城供电有限公司", "power")):
        unit_create(name=name, code=code, kind="window_unit", sector=sector, parent=jtj)


def day_at(hour, minute=0, days=0):
    return demo.local(timezone.localdate() + datetime.timedelta(days=days), hour, minute)


def test_the_loader_stores_a_day_of_flights_trains_and_outages(city):
    now = day_at(13)
    made = demo.load(now=now)
    today = timezone.localdate()
    airport = Trip.objects.filter(unit__code="airport", service_date=today)
    assert airport.filter(origin__code="CKG").count() == demo.DEPARTURES
    assert airport.filter(destination__code="CKG").count() == demo.ARRIVALS
    assert Trip.objects.filter(unit__code="cqnorth", service_date=today).count() == demo.TRAINS
    assert made["flights"] >= demo.DEPARTURES + demo.ARRIVALS
    assert airport.filter(status="cancelled").count() == 1
    assert airport.filter(status__in=["delayed", "departed", "arrived", "boarding"], remark__contains="延误").exists()
    assert airport.filter(status="arrived").exists() and airport.filter(status="scheduled").exists()
    train = Trip.objects.filter(unit__code="cqnorth").first()
    assert [t["class"] for t in train.tickets] == ["商务座", "一等座", "二等座"]
    assert Station.objects.get(kind="airport", code="CKG").unit.code == "airport"
    assert Station.objects.get(kind="rail", code="CUW").unit.code == "cqnorth"
    notices = {n.ref.split("-")[0]: n for n in ServiceNotice.objects.filter(starts_at__date__gte=today - datetime.timedelta(days=1))
               .filter(ref__endswith=f"{today:%Y%m%d}")}
    assert notices["WE"].status == "restored" and notices["WE"].updates.count() == 3
    assert notices["PE"].status == "in_progress" and notices["PE"].area["type"] == "Polygon"
    assert notices["PP"].status == "planned" and queries.notice_phase(notices["PP"], now) == "upcoming"
    assert set(Trip.objects.values_list("source", flat=True)) == {"demo"}
    assert DirectoryEntry.objects.count() == len(demo.DIRECTORY)
    assert set(Feed.objects.values_list("kind", flat=True)) == {"gtfs_static", "gtfs_rt"}


def test_the_clock_moves_a_flight_to_boarding_then_departed(city):
    demo.load(now=day_at(6, 0))
    spec = next(s for s in demo.flights(timezone.localdate()) if s.home_departs and not s.delay and not s.cancelled
                and s.departure >= day_at(10))
    trip = Trip.objects.get(ref=spec.ref)
    assert trip.status == "scheduled"
    demo.advance(now=spec.departure - 30 * demo.MINUTE)
    assert Trip.objects.get(ref=spec.ref).status == "boarding"
    demo.advance(now=spec.departure + demo.MINUTE)
    trip = Trip.objects.get(ref=spec.ref)
    assert trip.status == "departed" and trip.actual_departure == spec.departure
    assert set(trip.changes.values_list("source", flat=True)) == {"demo"}


def test_the_clock_brings_an_emergency_outage_and_restores_it(city):
    demo.load(now=day_at(6, 0))
    water = f"WE-{timezone.localdate():%Y%m%d}"
    assert not ServiceNotice.objects.filter(ref=water).exists()  # an emergency is not known before it happens
    demo.advance(now=day_at(9, 40))
    notice = ServiceNotice.objects.get(ref=water)
    assert notice.status == "in_progress" and notice.updates.count() == 2
    assert notice in queries.notices_shown(now=day_at(9, 40))
    demo.advance(now=day_at(12, 11))
    notice = ServiceNotice.objects.get(ref=water)
    assert notice.status == "restored" and notice.restored_at == day_at(12, 10)


def test_a_delay_appears_two_hours_before_departure(city):
    demo.load(now=day_at(5, 0))
    spec = next(s for s in demo.flights(timezone.localdate()) if s.delay and s.departure >= day_at(9))
    demo.advance(now=spec.departure - datetime.timedelta(hours=2, minutes=1))
    assert Trip.objects.get(ref=spec.ref).status == "on_time"
    demo.advance(now=spec.departure - datetime.timedelta(hours=2))
    trip = Trip.objects.get(ref=spec.ref)
    assert trip.status == "delayed" and trip.estimated_departure == spec.departure + spec.delay * demo.MINUTE


def test_the_clock_is_idle_without_the_demo(db):
    assert demo.advance(now=day_at(12)) == {"flights": 0, "trains": 0, "notices": 0}


def test_the_clock_leaves_units_that_merely_share_the_demos_codes_alone(city):
    assert demo.advance(now=day_at(12)) == {"flights": 0, "trains": 0, "notices": 0}
    assert not Trip.objects.exists() and not Feed.objects.exists()


def test_a_second_tick_at_the_same_moment_changes_nothing(city):
    demo.load(now=day_at(12))
    before = Change.objects.count()
    assert demo.advance(now=day_at(12)) == {"flights": 0, "trains": 0, "notices": 0}
    assert Change.objects.count() == before


def test_a_new_day_brings_its_schedule(city):
    demo.load(now=day_at(22))
    demo.advance(now=day_at(0, 5, days=1))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert Trip.objects.filter(origin__code="CKG", service_date=tomorrow).count() == demo.DEPARTURES


def test_the_feeds_point_at_the_platform_itself(city, settings):
    settings.LIVEDATA_DEMO_FEED_BASE = "http://127.0.0.1:8123"
    demo.load(now=day_at(12))
    assert Feed.objects.get(kind="gtfs_rt").url == "http://127.0.0.1:8123/demo-feeds/ferry/realtime.pb"
    settings.LIVEDATA_DEMO_FEED_BASE = "http://127.0.0.1:9000/"
    demo.advance(now=day_at(12, 1))
    assert Feed.objects.get(kind="gtfs_static").url == "http://127.0.0.1:9000/demo-feeds/ferry/gtfs.zip"


def test_the_ferry_feeds_are_served(client):
    response = client.get("/demo-feeds/ferry/gtfs.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert {"agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar.txt"} <= set(names)
    response = client.get("/demo-feeds/ferry/realtime.pb")
    assert response.status_code == 200
    message = gtfs_realtime_pb2.FeedMessage.FromString(response.content)
    assert message.header.gtfs_realtime_version == "2.0"


def test_the_timetable_is_the_same_bytes_every_time():
    import io
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(feeds.static_zip()))
    assert {info.date_time for info in archive.infolist()} == {(timezone.localdate().year, 1, 1, 0, 0, 0)}
    assert feeds.static_zip() == feeds.static_zip()


def test_the_realtime_feed_follows_the_clock():
    today = timezone.localdate()
    leaves = feeds.planned_departure(feeds.DELAYED[0], today)
    early = gtfs_realtime_pb2.FeedMessage.FromString(feeds.realtime_message(leaves - datetime.timedelta(hours=2)))
    late = gtfs_realtime_pb2.FeedMessage.FromString(feeds.realtime_message(leaves - datetime.timedelta(hours=1)))
    assert not [e for e in early.entity if e.HasField("trip_update")]
    delayed = [e.trip_update for e in late.entity if e.HasField("trip_update")]
    assert delayed[0].stop_time_update[0].departure.delay == feeds.DELAYED[1] * 60
    evening = gtfs_realtime_pb2.FeedMessage.FromString(feeds.realtime_message(demo.local(today, 16)))
    relationships = {e.trip_update.trip.trip_id: e.trip_update.trip.schedule_relationship
                     for e in evening.entity if e.HasField("trip_update")}
    assert relationships[feeds.CANCELLED] == gtfs_realtime_pb2.TripDescriptor.CANCELED


def test_every_day_has_valid_unique_trips_delays_and_one_cancellation():
    from livedata.stations import AIRPORTS, RAIL_STATIONS
    from livedata.validation import check_number

    airports, stations = {c for c, _n, _c in AIRPORTS}, {c for c, _n, _c in RAIL_STATIONS}
    start = timezone.localdate()
    for offset in range(60):
        day = start + datetime.timedelta(days=offset)
        specs = demo.flights(day) + demo.trains(day)
        assert len({s.ref for s in specs}) == len(specs) == demo.DEPARTURES + demo.ARRIVALS + demo.TRAINS
        assert sum(s.cancelled for s in specs) == 1
        assert sum(bool(s.delay) for s in specs if s.departure < demo.local(day, 12)) >= 2
        for spec in specs:
            known = airports if spec.mode == "flight" else stations
            assert spec.origin in known and spec.destination in known and spec.origin != spec.destination
            assert not check_number(spec.mode, spec.number) and spec.arrival > spec.departure


def test_the_clock_leaves_a_trip_changed_by_hand_alone(city):
    from livedata import services

    demo.load(now=day_at(6))
    spec = next(s for s in demo.flights(timezone.localdate()) if s.home_departs and not s.delay and not s.cancelled
                and s.departure >= day_at(12))
    unit = Trip.objects.get(ref=spec.ref).unit
    services.trips_upsert(unit=unit, records=[{"id": spec.ref, "status": "delayed", "remark": "机械故障"}],
                          source="admin", now=day_at(6, 5))
    demo.advance(now=spec.departure + demo.MINUTE)
    trip = Trip.objects.get(ref=spec.ref)
    assert (trip.status, trip.remark, trip.source) == ("delayed", "机械故障", "admin")
