"""The ferry operator's feeds, served by the platform itself on loopback (the demo has
no operator's server to pull from): a GTFS static zip of a few sailings a day between
the Yangtze piers, and a GTFS-Realtime FeedMessage built on each request from the
demo clock (a sailing's delay appears before it leaves; one late sailing is cancelled;
an alert about a pier). The ferry's Feed rows point here (demo/livedata.py), and the
worker pulls them like any operator's feed (livedata.feeds).
"""

import csv
import io
import zipfile

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from google.transit import gtfs_realtime_pb2

from .livedata import MINUTE, local

AGENCY = ("jcferry", "重庆江城轮渡客运有限公司(演示)", "http://127.0.0.1/", "Asia/Shanghai", "023-60000010")
# pier code, name, latitude, longitude
PIERS = [("CTM", "重庆朝天门码头", 29.5652, 106.5866), ("FLP", "涪陵港码头", 29.7087, 107.3895),
         ("FDP", "丰都港码头", 29.8637, 107.7310), ("ZXP", "忠县港码头", 30.2916, 108.0379),
         ("WZP", "万州港码头", 30.8075, 108.4032)]
# trip id, ship (trip_short_name), route, headsign, first departure (hour, minute), piers and minutes after the first
SAILINGS = [
    ("down-0730", "江城1号", "downstream", "万州", (7, 30), [("CTM", 0), ("FLP", 150), ("FDP", 230), ("ZXP", 330),
                                                            ("WZP", 450)]),
    ("up-0800", "江城2号", "upstream", "朝天门", (8, 0), [("WZP", 0), ("ZXP", 130), ("FDP", 230), ("FLP", 320),
                                                        ("CTM", 480)]),
    ("down-1030", "江城3号", "short", "涪陵", (10, 30), [("CTM", 0), ("FLP", 150)]),
    ("up-1400", "江城5号", "short", "朝天门", (14, 0), [("FLP", 0), ("CTM", 170)]),
    ("down-1600", "江城6号", "short", "涪陵", (16, 0), [("CTM", 0), ("FLP", 150)]),
    ("down-1930", "江城8号", "short", "涪陵", (19, 30), [("CTM", 0), ("FLP", 150)]),
]
ROUTES = [("downstream", "朝天门—万州"), ("upstream", "万州—朝天门"), ("short", "朝天门—涪陵")]
DELAYED = ("down-1030", 25)  # trip, minutes: announced 90 minutes before it leaves
CANCELLED = "down-1930"  # announced from 15:00 (fog forecast)


def _csv(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _hhmmss(start, minutes):
    total = start[0] * 60 + start[1] + minutes
    return f"{total // 60:02d}:{total % 60:02d}:00"


def static_zip():
    """The GTFS static feed: every day of the years around now."""
    year = timezone.localdate().year
    files = {
        "agency.txt": [("agency_id", "agency_name", "agency_url", "agency_timezone", "agency_phone"), AGENCY],
        "stops.txt": [("stop_id", "stop_name", "stop_lat", "stop_lon"), *PIERS],
        "routes.txt": [("route_id", "agency_id", "route_short_name", "route_long_name", "route_type"),
                       *[(rid, AGENCY[0], "", name, 4) for rid, name in ROUTES]],
        "calendar.txt": [("service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                          "start_date", "end_date"), ("daily", 1, 1, 1, 1, 1, 1, 1, f"{year - 1}0101", f"{year + 1}1231")],
        "trips.txt": [("route_id", "service_id", "trip_id", "trip_headsign", "trip_short_name"),
                      *[(route, "daily", tid, head, ship) for tid, ship, route, head, _s, _p in SAILINGS]],
        "stop_times.txt": [("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
                           *[(tid, _hhmmss(start, m), _hhmmss(start, m + (10 if 0 < i < len(calls) - 1 else 0)),
                              pier, i + 1)
                             for tid, _ship, _r, _h, start, calls in SAILINGS for i, (pier, m) in enumerate(calls)]],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in files.items():
            # A fixed date in the archive: the same timetable is the same bytes, so a
            # puller that compares contents sees nothing new.
            archive.writestr(zipfile.ZipInfo(name, date_time=(year, 1, 1, 0, 0, 0)), _csv(rows),
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def realtime_message(now):
    """The FeedMessage at ``now``: today's announced delay and cancellation, and an alert."""
    day = timezone.localtime(now).date()
    message = gtfs_realtime_pb2.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.incrementality = gtfs_realtime_pb2.FeedHeader.FULL_DATASET
    message.header.timestamp = int(now.timestamp())
    for tid, _ship, _route, _head, start, calls in SAILINGS:
        departure = local(day, *start)
        update = None
        if tid == CANCELLED and now >= local(day, 15):
            update = _trip_update(message, tid, day)
            update.trip.schedule_relationship = gtfs_realtime_pb2.TripDescriptor.CANCELED
        elif tid == DELAYED[0] and now >= departure - 90 * MINUTE:
            update = _trip_update(message, tid, day)
            for pier, _minutes in (calls[0], calls[-1]):
                stop = update.stop_time_update.add()
                stop.stop_id = pier
                stop.departure.delay = stop.arrival.delay = DELAYED[1] * 60
        if update is not None:
            update.timestamp = int(now.timestamp())
    alert_from, alert_to = local(day, 6), local(day, 20)
    if alert_from <= now < alert_to:
        entity = message.entity.add()
        entity.id = f"alert-{day:%Y%m%d}"
        period = entity.alert.active_period.add()
        period.start, period.end = int(alert_from.timestamp()), int(alert_to.timestamp())
        entity.alert.informed_entity.add().stop_id = "CTM"
        entity.alert.header_text.translation.add(text="朝天门码头3号趸船检修,旅客请到5号趸船候船", language="zh")
        entity.alert.description_text.translation.add(
            text="今日6时至20时朝天门码头3号趸船停靠设施检修,客船改靠5号趸船,请按现场指引候船。", language="zh")
    return message.SerializeToString()


def _trip_update(message, trip_id, day):
    entity = message.entity.add()
    entity.id = f"{trip_id}-{day:%Y%m%d}"
    update = entity.trip_update
    update.trip.trip_id = trip_id
    update.trip.start_date = f"{day:%Y%m%d}"
    return update


@require_GET
def gtfs_static(request):
    response = HttpResponse(static_zip(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="ferry-gtfs.zip"'
    return response


@require_GET
def gtfs_realtime(request):
    response = HttpResponse(realtime_message(timezone.now()), content_type="application/x-protobuf")
    response["Cache-Control"] = "no-store"
    return response


def planned_departure(trip_id, day):
    """A sailing's scheduled departure on ``day`` (for the tests and the docs)."""
    for tid, _ship, _route, _head, start, _calls in SAILINGS:
        if tid == trip_id:
            return local(day, *start)
    raise KeyError(trip_id)

