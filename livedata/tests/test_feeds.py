"""GTFS static and GTFS-Realtime feeds pulled from a real HTTP server on 127.0.0.1:
timetables become stations and trips, trip updates drive the board, alerts become
notices, and a feed that is down or sends garbage changes nothing stored."""

import datetime
import io
import threading
import time
import zipfile
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.utils import timezone
from google.transit import gtfs_realtime_pb2 as rt

from livedata import queries
from livedata.feeds.pull import feed_pull, feeds_due
from livedata.models import Change, Channel, Feed, ServiceNotice, Station, Trip
from livedata.tasks import pull_feeds_task


@pytest.fixture(autouse=True)
def feeds_on_loopback(settings):
    """The test feeds are served on 127.0.0.1, an inside address a feed is refused by default."""
    settings.LIVEDATA_FEED_PRIVATE_ORIGINS = ["*"]


# --- A feed server ------------------------------------------------------------------------


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that hung up early (a body over the cap) is expected here."""


class FeedServer:
    """Serves ``routes[path] = (status, body, headers)`` on 127.0.0.1; ``"hang"`` never
    answers (until the server stops). Honours If-None-Match against an ETag header."""

    def __init__(self):
        self.routes, self.seen = {}, []
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.seen.append((self.path, self.headers.get("If-None-Match")))
                route = server.routes.get(self.path, (404, b"not here", {}))
                if route == "hang":
                    server.stop.wait(10)
                    return
                status, body, headers = route
                if headers.get("ETag") and self.headers.get("If-None-Match") == headers["ETag"]:
                    status, body = 304, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "X-Streamed" not in headers:  # else the body ends when the connection closes
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def close(self):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    served = FeedServer()
    yield served
    served.close()


def refused_url():
    """An address where nothing listens."""
    probe = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = probe.server_port
    probe.server_close()
    return f"http://127.0.0.1:{port}/gone"


# --- A GTFS timetable and GTFS-Realtime messages --------------------------------------

def local_now():
    return timezone.localtime(timezone.now())


def midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def hms(seconds):
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02}:{seconds % 60:02}"


def timetable(*, stop_times=None, drop=(), **replace):
    """A ferry timetable: T1 runs daily CTM → 忠县 → 涪陵, three hours, leaving today
    halfway between midnight and now (so it is today's at any hour the tests run);
    T2 runs today only, past midnight (24:30); T3 only next week."""
    today = timezone.localdate()
    start = (local_now() - midnight(today)).total_seconds() // 120 * 60
    files = {
        "agency.txt": "\ufeffagency_id,agency_name,agency_url,agency_timezone\n"
                      "A,测试长江客运,http://ferry.example,Asia/Shanghai\n",
        "stops.txt": "stop_id,stop_name,location_type\nCTM,朝天门,0\nZX,忠县,\nFL,涪陵新港,\nENT,朝天门入口,2\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\nR1,A,长江1号,朝天门—涪陵,4\n",
        "trips.txt": "route_id,service_id,trip_id\nR1,DAILY,T1\nR1,TODAY,T2\nR1,NEXTWEEK,T3\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        f"DAILY,1,1,1,1,1,1,1,{today - datetime.timedelta(days=10):%Y%m%d},"
                        f"{today + datetime.timedelta(days=30):%Y%m%d}\n",
        "calendar_dates.txt": f"service_id,date,exception_type\nTODAY,{today:%Y%m%d},1\n"
                              f"NEXTWEEK,{today + datetime.timedelta(days=7):%Y%m%d},1\n",
        "stop_times.txt": stop_times or (
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            f"T1,{hms(start)},{hms(start)},CTM,1\nT1,,,ZX,2\nT1,{hms(start + 3 * 3600)},{hms(start + 3 * 3600)},FL,3\n"
            "T2,24:30:00,24:30:00,CTM,0\nT2,26:00:00,26:00:00,FL,5\n"
            "T3,08:00:00,08:00:00,CTM,1\nT3,10:00:00,10:00:00,FL,2\n"),
    }
    files.update(replace)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            if name not in drop:
                archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()


def message(sent, *entities, full=True):
    feed = rt.FeedMessage()
    feed.header.gtfs_realtime_version = "2.0"
    feed.header.timestamp = int(sent.timestamp())
    feed.header.incrementality = rt.FeedHeader.FULL_DATASET if full else rt.FeedHeader.DIFFERENTIAL
    for build in entities:
        build(feed.entity.add())
    return feed.SerializeToString()


def delayed(trip_id, *, departure=None, arrival=None, day=None, canceled=False):
    """A trip update: delays in seconds at CTM (departure) and FL (arrival)."""
    def build(entity):
        entity.id = f"tu-{trip_id}"
        update = entity.trip_update
        update.trip.trip_id = trip_id
        update.trip.start_date = f"{day or timezone.localdate():%Y%m%d}"
        if canceled:
            update.trip.schedule_relationship = rt.TripDescriptor.CANCELED
            return
        if departure is not None:
            stop = update.stop_time_update.add(stop_id="CTM", stop_sequence=1)
            stop.departure.delay = departure
        if arrival is not None:
            stop = update.stop_time_update.add(stop_id="FL", stop_sequence=3)
            stop.arrival.delay = arrival
    return build


def alert(entity_id, *, title, start, end, stops=("FL",)):
    def build(entity):
        entity.id = entity_id
        item = entity.alert
        period = item.active_period.add(start=int(start.timestamp()))
        if end is not None:
            period.end = int(end.timestamp())
        for stop_id in stops:
            item.informed_entity.add(stop_id=stop_id)
        item.cause = rt.Alert.WEATHER
        item.header_text.translation.add(text="Flooding closes the pier", language="en")
        item.header_text.translation.add(text=title, language="zh-CN")
        item.description_text.translation.add(text="江水上涨,码头暂停上下客,请改乘其他班次。", language="zh")
    return build


def protobuf(body):
    return (200, body, {"Content-Type": "application/x-protobuf"})


@pytest.fixture
def feeds(live, server):
    """The ferry operator's timetable and its realtime feed, both served on loopback."""
    server.routes["/gtfs.zip"] = (200, timetable(), {"Content-Type": "application/zip", "ETag": '"tt-1"'})
    static = Feed.objects.create(unit=live.ferry, name="长江客运时刻表", kind="gtfs_static", mode="ship",
                                 url=server.url("/gtfs.zip"), every_seconds=3600)
    realtime = Feed.objects.create(unit=live.ferry, name="长江客运实时", kind="gtfs_rt", mode="ship",
                                   url=server.url("/rt.pb"), every_seconds=30)
    return static, realtime


def trip(ref):
    return Trip.objects.select_related("origin", "destination").get(ref=ref)


def today_ref(trip_id, day=None):
    return f"{trip_id}:{day or timezone.localdate():%Y%m%d}"


# --- GTFS static --------------------------------------------------------------------------

def test_a_timetable_creates_stations_and_the_trips_of_today_and_tomorrow(feeds, live):
    static, _ = feeds
    result = feed_pull(static)
    assert result.outcome == "stored", result
    assert result.trips["created"] == 3 and not result.trips["rejected"]

    # A known pier stays as it is; the feed's other stops become stations coded by the
    # operator's code (not its homes: the operator keeps one board of all its trips).
    assert Station.objects.get(kind="port", code="CTM").unit_id is None
    own = Station.objects.get(kind="port", code="ferry:FL")
    assert (own.name, own.unit) == ("涪陵新港", None)
    assert Station.objects.filter(kind="port", code="ferry:ZX").exists()
    assert not Station.objects.filter(code="ferry:ENT").exists()  # an entrance is no station

    today, tomorrow = timezone.localdate(), timezone.localdate() + datetime.timedelta(days=1)
    first = trip(today_ref("T1"))
    assert (first.number, first.operator, first.mode) == ("长江1号", "测试长江客运", "ship")
    assert (first.origin.code, first.destination.code) == ("CTM", "ferry:FL")
    assert first.scheduled_arrival - first.scheduled_departure == datetime.timedelta(hours=3)
    assert first.source == "feed" and first.feed == static
    assert Trip.objects.filter(ref=today_ref("T1", tomorrow)).exists()
    # 24:30:00 of today's service is half past midnight tomorrow.
    late = trip(today_ref("T2"))
    assert late.scheduled_departure == midnight(today) + datetime.timedelta(hours=24, minutes=30)
    assert not Trip.objects.filter(ref__startswith="T3:").exists()
    assert not Trip.objects.filter(ref=today_ref("T2", tomorrow)).exists()

    static.refresh_from_db()
    assert static.failures == 0 and static.last_ok_at and static.etag == '"tt-1"' and static.content_hash
    assert Channel.objects.get(unit=live.ferry, kind="trips").last_data_at is not None


def test_the_same_timetable_again_is_not_modified(feeds, server):
    static, _ = feeds
    feed_pull(static)
    result = feed_pull(static)
    assert result.outcome == "not_modified"
    assert server.seen[-1] == ("/gtfs.zip", '"tt-1"')
    static.refresh_from_db()
    assert static.failures == 0 and static.last_error == ""
    assert Trip.objects.count() == 3


@pytest.mark.parametrize(("body", "said"), [
    (b"PK\x03\x04 this zip was cut short", "zip 文件已损坏"),
    (b"<html>maintenance</html>", "不是 zip 文件"),
    (timetable(drop=("stops.txt",)), "缺少文件:stops.txt"),
    (timetable(drop=("calendar.txt", "calendar_dates.txt")), "calendar.txt 或 calendar_dates.txt"),
    (timetable(**{"trips.txt": "route_id,trip_id\nR1,T1\n"}), "trips.txt 缺少列:service_id"),
    (timetable(stop_times="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "T1,8 o'clock,08:00:00,CTM,1\nT1,10:00:00,10:00:00,FL,2\n"), "第 2 行"),
    (timetable(stop_times="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "T1,08:00:00,08:00:00,CTM,1\nT1,10:00:00,10:00:00,ENT,2\n"), "首末站 ENT 不是 stops.txt 中的站点"),
], ids=["cut", "html", "no-stops", "no-calendar", "no-column", "bad-time", "unknown-stop"])
def test_a_malformed_timetable_is_a_clear_error_and_stores_nothing(feeds, server, body, said):
    static, _ = feeds
    server.routes["/gtfs.zip"] = (200, body, {})
    result = feed_pull(static)
    assert result.outcome == "failed" and said in result.error
    static.refresh_from_db()
    assert static.failures == 1 and said in static.last_error and static.last_ok_at is None
    assert not Trip.objects.exists()
    assert not Station.objects.filter(code__startswith="ferry:").exists()


# --- GTFS-Realtime ------------------------------------------------------------------------

def test_trip_updates_drive_a_trip_to_delayed_then_cancelled(feeds, live, server):
    static, realtime = feeds
    feed_pull(static)
    now = timezone.now()
    server.routes["/rt.pb"] = protobuf(message(now - datetime.timedelta(seconds=90),
                                               delayed("T1", departure=600, arrival=900), delayed("T9", departure=60)))
    result = feed_pull(realtime)
    assert result.trips["updated"] == 1 and result.unknown == [today_ref("T9")]
    first = trip(today_ref("T1"))
    assert first.status == "delayed"
    assert first.estimated_departure == first.scheduled_departure + datetime.timedelta(minutes=10)
    assert first.estimated_arrival == first.scheduled_arrival + datetime.timedelta(minutes=15)
    assert first.feed == realtime

    board = list(queries.board_trips(live.ferry, day=timezone.localdate()))
    assert [(t.ref, t.status) for t in board] == [(today_ref("T1"), "delayed")]

    server.routes["/rt.pb"] = protobuf(message(now - datetime.timedelta(seconds=30), delayed("T1", canceled=True)))
    feed_pull(realtime)
    assert trip(today_ref("T1")).status == "cancelled"
    statuses = [c.fields.get("status") for c in Change.objects.filter(trip__ref=today_ref("T1")).order_by("id")]
    assert statuses[1:] == [["scheduled", "delayed"], ["delayed", "cancelled"]]
    realtime.refresh_from_db()
    assert realtime.source_time == (now - datetime.timedelta(seconds=30)).replace(microsecond=0)


def test_a_small_delay_is_on_time_and_a_past_time_is_what_happened(feeds, server):
    static, realtime = feeds
    feed_pull(static)
    first = trip(today_ref("T1"))
    # Move T1 to have left twenty minutes ago, as the feed's clock says.
    left = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=20)

    def departed(entity):
        entity.id = "tu-T1"
        entity.trip_update.trip.trip_id = "T1"
        entity.trip_update.trip.start_date = f"{timezone.localdate():%Y%m%d}"
        entity.trip_update.stop_time_update.add(stop_id="CTM").departure.time = int(left.timestamp())

    server.routes["/rt.pb"] = protobuf(message(timezone.now() - datetime.timedelta(seconds=60),
                                               delayed("T2", departure=240)))
    feed_pull(realtime)
    assert trip(today_ref("T2")).status == "on_time"

    Trip.objects.filter(pk=first.pk).update(scheduled_departure=left - datetime.timedelta(minutes=2),
                                            scheduled_arrival=left + datetime.timedelta(hours=3))
    server.routes["/rt.pb"] = protobuf(message(timezone.now() - datetime.timedelta(seconds=10), departed))
    feed_pull(realtime)
    first = trip(today_ref("T1"))
    assert (first.status, first.actual_departure) == ("departed", left)


def test_a_delay_predicted_on_the_way_carries_on_to_the_last_stop(feeds, server):
    static, realtime = feeds
    feed_pull(static)

    def at_zhongxian(entity):
        entity.id = "tu-T1"
        entity.trip_update.trip.trip_id = "T1"
        entity.trip_update.trip.start_date = f"{timezone.localdate():%Y%m%d}"
        entity.trip_update.stop_time_update.add(stop_id="ZX", stop_sequence=2).arrival.delay = 420

    server.routes["/rt.pb"] = protobuf(message(timezone.now() - datetime.timedelta(seconds=60), at_zhongxian))
    feed_pull(realtime)
    first = trip(today_ref("T1"))
    assert first.estimated_departure is None
    assert first.estimated_arrival == first.scheduled_arrival + datetime.timedelta(minutes=7)
    assert first.status == "delayed"


def test_an_older_message_is_skipped(feeds, server):
    static, realtime = feeds
    feed_pull(static)
    now = timezone.now()
    server.routes["/rt.pb"] = protobuf(message(now - datetime.timedelta(seconds=30), delayed("T1", departure=1200)))
    feed_pull(realtime)
    server.routes["/rt.pb"] = protobuf(message(now - datetime.timedelta(seconds=120), delayed("T1", canceled=True)))
    result = feed_pull(realtime)
    assert result.outcome == "older"
    assert trip(today_ref("T1")).status == "delayed"
    realtime.refresh_from_db()
    assert realtime.failures == 0


def test_an_alert_is_a_notice_until_its_active_period_ends(feeds, live, server):
    static, realtime = feeds
    feed_pull(static)
    now = timezone.now().replace(microsecond=0)
    server.routes["/rt.pb"] = protobuf(message(now - datetime.timedelta(seconds=60),
                                               alert("flood", title="涪陵码头暂停靠泊", start=now - datetime.timedelta(hours=1),
                                                     end=now + datetime.timedelta(hours=2))))
    result = feed_pull(realtime)
    assert result.notices["created"] == 1
    notice = ServiceNotice.objects.get(unit=live.ferry)
    assert (notice.ref, notice.title, notice.kind, notice.reason) == ("alert:flood", "涪陵码头暂停靠泊", "other", "天气原因")
    assert notice.streets == ["涪陵新港"] and notice.districts == []
    assert "江水上涨" in notice.details and notice.feed == realtime
    assert notice.ends_at == now + datetime.timedelta(hours=2)

    assert list(queries.notices_shown(unit=live.ferry)) == [notice]
    assert queries.notice_phase(notice, now + datetime.timedelta(hours=3)) == "ended"
    after = now + datetime.timedelta(hours=2) + queries.NOTICE_AFTERGLOW + datetime.timedelta(minutes=1)
    assert list(queries.notices_shown(unit=live.ferry, now=after)) == []


def test_a_full_message_without_the_alert_ends_it(feeds, live, server):
    _, realtime = feeds
    now = timezone.now().replace(microsecond=0)
    server.routes["/rt.pb"] = protobuf(message(now - datetime.timedelta(seconds=90),
                                               alert("fog", title="大雾停航", start=now - datetime.timedelta(hours=1),
                                                     end=None),
                                               alert("works", title="码头施工", start=now + datetime.timedelta(days=1),
                                                     end=now + datetime.timedelta(days=2))))
    feed_pull(realtime)
    server.routes["/rt.pb"] = protobuf(message(now - datetime.timedelta(seconds=30)))
    feed_pull(realtime)
    fog, works = ServiceNotice.objects.get(ref="alert:fog"), ServiceNotice.objects.get(ref="alert:works")
    assert fog.ends_at == now - datetime.timedelta(seconds=30)
    assert works.status == "cancelled"


def test_a_differential_message_withdraws_only_the_deleted_alert(feeds, live, server):
    _, realtime = feeds
    now = timezone.now().replace(microsecond=0)
    server.routes["/rt.pb"] = protobuf(message(now - datetime.timedelta(seconds=90),
                                               alert("fog", title="大雾停航", start=now - datetime.timedelta(hours=1),
                                                     end=None),
                                               alert("wind", title="大风减班", start=now - datetime.timedelta(hours=1),
                                                     end=None), full=False))
    feed_pull(realtime)

    def deleted(entity):
        entity.id = "fog"
        entity.is_deleted = True

    server.routes["/rt.pb"] = protobuf(message(now - datetime.timedelta(seconds=30), deleted, full=False))
    feed_pull(realtime)
    assert ServiceNotice.objects.get(ref="alert:fog").ends_at == now - datetime.timedelta(seconds=30)
    assert ServiceNotice.objects.get(ref="alert:wind").ends_at is None


def test_garbage_bytes_are_a_typed_error_and_change_nothing(feeds, server):
    static, realtime = feeds
    feed_pull(static)
    before = list(Trip.objects.values_list("ref", "status", "state_at"))
    for body, said in ((b"\x08\x96\x01garbage that is not protobuf \xff\xfe", "不是有效的 GTFS-Realtime"),
                       (b"<!doctype html><title>502</title>", "是网页"),
                       (b"", "数据不完整")):
        server.routes["/rt.pb"] = protobuf(body)
        result = feed_pull(realtime)
        assert result.outcome == "failed" and said in result.error
    realtime.refresh_from_db()
    assert realtime.failures == 3 and realtime.source_time is None
    assert list(Trip.objects.values_list("ref", "status", "state_at")) == before
    assert not ServiceNotice.objects.exists()


def test_a_timetable_pulled_again_keeps_the_live_status(feeds, server):
    """A new timetable never makes a live status look late nor undoes it."""
    static, realtime = feeds
    feed_pull(static)
    server.routes["/rt.pb"] = protobuf(message(timezone.now() - datetime.timedelta(seconds=60),
                                               delayed("T1", departure=1200)))
    feed_pull(realtime)
    server.routes["/gtfs.zip"] = (200, timetable(**{"agency.txt": "agency_id,agency_name,agency_timezone\n"
                                                                  "A,测试长江客运有限公司,Asia/Shanghai\n"}),
                                  {"ETag": '"tt-2"'})
    result = feed_pull(static)
    assert result.outcome == "stored" and result.trips["stale"] == [today_ref("T1")]
    first = trip(today_ref("T1"))
    assert (first.status, first.operator) == ("delayed", "测试长江客运")
    assert trip(today_ref("T2")).operator == "测试长江客运有限公司"

    # A timetable the server says it changed after the message is newer than it.
    server.routes["/gtfs.zip"] = (200, timetable(**{"agency.txt": "agency_id,agency_name,agency_timezone\n"
                                                                  "A,长江客运集团,Asia/Shanghai\n"}),
                                  {"ETag": '"tt-3"', "Last-Modified": format_datetime(timezone.now(), usegmt=True)})
    feed_pull(static)
    first = trip(today_ref("T1"))
    assert (first.status, first.operator) == ("delayed", "长江客运集团")


def test_redirects_are_limited(feeds, server):
    _, realtime = feeds
    server.routes["/rt.pb"] = (302, b"", {"Location": "/rt.pb"})
    result = feed_pull(realtime)
    assert result.outcome == "failed" and "重定向" in result.error


# --- A feed that is down ------------------------------------------------------------------

def test_a_feed_that_is_down_counts_failures_and_keeps_the_stored_state(feeds, live, server, settings):
    static, realtime = feeds
    feed_pull(static)
    server.routes["/rt.pb"] = protobuf(message(timezone.now() - datetime.timedelta(seconds=60),
                                               delayed("T1", departure=900)))
    feed_pull(realtime)
    before = list(Trip.objects.values_list("ref", "status", "estimated_departure", "state_at"))
    touched = Channel.objects.get(unit=live.ferry, kind="trips").last_data_at

    settings.LIVEDATA_FEED_TIMEOUT = 0.5
    outages = [(refused_url(), "连接被拒绝"), (server.url("/busy"), "HTTP 503"), (server.url("/hang"), "超时")]
    server.routes["/busy"] = (503, b"try later", {})
    server.routes["/hang"] = "hang"
    for count, (url, said) in enumerate(outages, 1):
        Feed.objects.filter(pk=realtime.pk).update(url=url)
        realtime.refresh_from_db()
        started = time.monotonic()
        result = feed_pull(realtime)
        assert time.monotonic() - started < 5
        assert result.outcome == "failed" and said in result.error, result.error
        realtime.refresh_from_db()
        assert realtime.failures == count and said in realtime.last_error
    assert list(Trip.objects.values_list("ref", "status", "estimated_departure", "state_at")) == before
    assert Channel.objects.get(unit=live.ferry, kind="trips").last_data_at == touched

    # Back up: the count starts over.
    Feed.objects.filter(pk=realtime.pk).update(url=server.url("/rt.pb"))
    realtime.refresh_from_db()
    server.routes["/rt.pb"] = protobuf(message(timezone.now(), delayed("T1", departure=1200)))
    assert feed_pull(realtime).outcome == "stored"
    realtime.refresh_from_db()
    assert (realtime.failures, realtime.last_error) == (0, "")


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "counted"])
def test_too_large_a_body_is_refused(feeds, server, declared):
    _, realtime = feeds
    body = b"\x00" * (5 * 1024 * 1024 + 1)
    # Undeclared, the length is counted while reading.
    server.routes["/rt.pb"] = (200, body, {} if declared else {"X-Streamed": "yes"})
    result = feed_pull(realtime)
    assert result.outcome == "failed" and "过大" in result.error


# --- Republished as GTFS-Realtime ---------------------------------------------------------

def test_the_republished_feed_parses_back_and_carries_the_delay(feeds, live, server, client):
    static, realtime = feeds
    feed_pull(static)
    server.routes["/rt.pb"] = protobuf(message(timezone.now() - datetime.timedelta(seconds=60),
                                               delayed("T1", departure=600, arrival=900)))
    feed_pull(realtime)

    response = client.get("/api/v1/live/ferry/gtfs-rt")
    assert response.status_code == 200 and response["Content-Type"] == "application/x-protobuf"
    republished = rt.FeedMessage()
    republished.ParseFromString(response.content)
    updates = {e.trip_update.trip.trip_id: e.trip_update for e in republished.entity}
    # Today's trips: T1 of tomorrow is not, nor T2 (it leaves at half past midnight).
    assert set(updates) == {"T1"}
    first = updates["T1"]
    assert first.trip.start_date == f"{timezone.localdate():%Y%m%d}"
    assert first.trip.schedule_relationship == rt.TripDescriptor.SCHEDULED
    assert [(s.stop_id, s.departure.delay, s.arrival.delay) for s in first.stop_time_update] == [
        ("CTM", 600, 0), ("FL", 0, 900)]
    assert first.delay == 600 and republished.IsInitialized()

    server.routes["/rt.pb"] = protobuf(message(timezone.now(), delayed("T1", canceled=True)))
    feed_pull(realtime)
    republished.ParseFromString(client.get("/api/v1/live/ferry/gtfs-rt").content)
    assert [e.trip_update.trip.schedule_relationship for e in republished.entity] == [rt.TripDescriptor.CANCELED]


@pytest.mark.parametrize("code", ["nowhere", "airport"])
def test_no_gtfs_realtime_for_an_unknown_unit_or_one_without_feed(live, client, code):
    response = client.get(f"/api/v1/live/{code}/gtfs-rt")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found" and response.json()["message"]


# --- The background task and the command --------------------------------------------------

@pytest.fixture
def broken(live, server):
    """Two broken feeds registered before the good ones (pulled first): one where
    nothing listens, one whose mode no station kind answers (a bug, not a feed error)."""
    down = Feed.objects.create(unit=live.ferry, name="无人应答的数据源", kind="gtfs_rt", mode="ship",
                               url=refused_url())
    wrong = Feed.objects.create(unit=live.ferry, name="类别错误的数据源", kind="gtfs_static", mode="tram",
                                url=server.url("/gtfs.zip"))
    return down, wrong


def test_the_pull_task_survives_broken_feeds_among_good_ones(live, server, broken, feeds):
    down, wrong = broken
    static, realtime = feeds
    server.routes["/rt.pb"] = protobuf(message(timezone.now() - datetime.timedelta(seconds=60),
                                               alert("fog", title="大雾停航", start=timezone.now(), end=None)))
    assert [feed.pk for feed in feeds_due()] == [down.pk, wrong.pk, static.pk, realtime.pk]

    outcomes = pull_feeds_task()
    assert outcomes == {down.pk: "failed", wrong.pk: "failed", static.pk: "stored", realtime.pk: "stored"}
    assert Trip.objects.count() == 3 and ServiceNotice.objects.count() == 1
    assert set(Trip.objects.values_list("feed", flat=True)) == {static.pk}
    assert not Station.objects.exclude(kind__in=["airport", "rail", "port"]).exists()
    down.refresh_from_db()
    wrong.refresh_from_db()
    assert down.failures == 1 and "无法连接" in down.last_error
    assert wrong.failures == 1 and "处理数据时出错" in wrong.last_error
    # Nothing is due again before its interval has passed.
    assert feeds_due() == []
    assert pull_feeds_task() == {}
    later = timezone.now() + datetime.timedelta(seconds=61)
    assert {feed.pk for feed in feeds_due(later)} == {realtime.pk, down.pk, wrong.pk}


def test_the_command_pulls_and_says_how_it_went(feeds, capsys):
    static, _ = feeds
    call_command("livedata_pull", feed=static.pk)
    out = capsys.readouterr().out
    assert "长江客运时刻表" in out and "成功:班次新增 3" in out and "0 个失败" in out


def test_a_feed_on_an_inside_address_is_refused_unless_its_origin_is_allowed(feeds, server, settings):
    static, _ = feeds
    settings.LIVEDATA_FEED_PRIVATE_ORIGINS = []
    result = feed_pull(static)
    assert result.outcome == "failed" and "内部网络" in result.error and server.seen == []
    for url in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/gtfs.zip", "http://[::1]:6379/"):
        Feed.objects.filter(pk=static.pk).update(url=url)
        static.refresh_from_db()
        assert "内部网络" in feed_pull(static).error
    Feed.objects.filter(pk=static.pk).update(url=server.url("/gtfs.zip"))
    static.refresh_from_db()
    settings.LIVEDATA_FEED_PRIVATE_ORIGINS = [server.url("/").rstrip("/")]
    assert feed_pull(static).outcome != "failed" and Trip.objects.exists()
