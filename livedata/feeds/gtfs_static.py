"""Read a GTFS static zip into the trips of a few service days. Nothing is stored
here: :func:`read` returns the stops and the planned trips, or raises a
:class:`~livedata.feeds.FeedError` that names the file and the line, so a feed that
fails to parse stores nothing at all.

GTFS times are counted from "noon minus 12 hours" of the service day in the
agency's time zone and may pass 24:00:00 (a trip after midnight belongs to the day
before); :func:`service_time` follows that rule.
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from ..kinds import Mode
from . import FeedError

REQUIRED = {
    "agency.txt": ("agency_name",),
    "stops.txt": ("stop_id", "stop_name"),
    "routes.txt": ("route_id",),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_id", "stop_sequence"),
}
CALENDARS = {"calendar.txt": ("service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                              "sunday", "start_date", "end_date"),
             "calendar_dates.txt": ("service_id", "date", "exception_type")}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A zip that unpacks to more than this is refused (a zip bomb, or not a city's timetable).
MAX_UNPACKED = 400 * 1024 * 1024
TIME = re.compile(r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$")
# Stops a trip can start or end at (GTFS location_type empty, 0 stop or 1 station).
STOP_TYPES = ("", "0", "1")


@dataclass(frozen=True)
class PlannedTrip:
    """One trip on one service day, its stops as the feed's stop ids."""

    ref: str
    number: str
    operator: str
    origin: str
    destination: str
    departure: datetime.datetime
    arrival: datetime.datetime


@dataclass
class Timetable:
    stops: dict  # stop_id -> name
    trips: list  # of PlannedTrip


def read(body, *, days, mode):
    """The stops and the trips running on ``days`` (dates) of the zip ``body``."""
    archive = _open(body)
    with archive:
        agencies = _agencies(archive)
        stops = {row["stop_id"]: row["stop_name"] or row["stop_id"] for row, _ in _rows(archive, "stops.txt")
                 if row.get("location_type", "") in STOP_TYPES}
        routes = {row["route_id"]: row for row, _ in _rows(archive, "routes.txt")}
        running = _services_running(archive, days)
        chosen = {}  # trip_id -> (route row, trip row, [days])
        for row, line in _rows(archive, "trips.txt"):
            on = running.get(row["service_id"])
            if not on:
                continue
            route = routes.get(row["route_id"])
            if route is None:
                raise FeedError("malformed", f"trips.txt 第 {line} 行:线路 {row['route_id']} 在 routes.txt 中不存在。")
            chosen[row["trip_id"]] = (route, row, on)
        ends = _trip_ends(archive, chosen)
    trips = []
    for trip_id, (route, row, on) in chosen.items():
        if trip_id not in ends:
            continue  # a trip without stop times does not run
        (first_stop, first_time), (last_stop, last_time) = ends[trip_id]
        name, zone = agencies.get(route.get("agency_id", ""), agencies.get(None, ("", _local_zone())))
        for day in on:
            trips.append(PlannedTrip(
                ref=f"{trip_id}:{day:%Y%m%d}", number=_number(route, row, mode), operator=name[:60],
                origin=first_stop, destination=last_stop,
                departure=service_time(day, first_time, zone), arrival=service_time(day, last_time, zone)))
    for trip in trips:
        for stop_id in (trip.origin, trip.destination):
            if stop_id not in stops:
                raise FeedError("malformed", f"stop_times.txt:班次 {trip.ref.rpartition(':')[0]} 的首末站 {stop_id} "
                                             f"不是 stops.txt 中的站点。")
    return Timetable(stops=stops, trips=trips)


def service_time(day, seconds, zone):
    """The moment ``seconds`` after "noon minus 12h" of service ``day`` in ``zone``."""
    noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=zone)
    return noon - datetime.timedelta(hours=12) + datetime.timedelta(seconds=seconds)


def _number(route, trip, mode):
    """A train's number is its trip's short name (G310); a line's is its route's."""
    names = (trip.get("trip_short_name"), route.get("route_short_name"))
    if mode != Mode.TRAIN:
        names = names[::-1]
    return next((name.strip() for name in names if name and name.strip()), "")


def _local_zone():
    return ZoneInfo(settings.TIME_ZONE)


# --- Reading the archive --------------------------------------------------------------

def _open(body):
    if not body.startswith(b"PK"):
        raise FeedError("not_zip", "数据源返回的不是 zip 文件(GTFS 静态时刻表应为 zip)。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise FeedError("not_zip", "zip 文件已损坏,无法打开。") from None
    names = set(archive.namelist())
    missing = [name for name in REQUIRED if name not in names]
    if not names & set(CALENDARS):
        missing.append("calendar.txt 或 calendar_dates.txt")
    if missing:
        archive.close()
        raise FeedError("malformed", f"GTFS 时刻表缺少文件:{'、'.join(missing)}。")
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
        archive.close()
        raise FeedError("too_large", f"zip 解压后超过 {MAX_UNPACKED // (1024 * 1024)} MB。")
    return archive


def _rows(archive, name):
    """``(row, line)`` of a CSV member, its required columns checked; every value stripped."""
    required = REQUIRED.get(name) or CALENDARS[name]
    try:
        with archive.open(name) as raw:
            reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
            header = [column.strip() for column in reader.fieldnames or []]
            missing = [column for column in required if column not in header]
            if missing:
                raise FeedError("malformed", f"{name} 缺少列:{'、'.join(missing)}。")
            reader.fieldnames = header
            for row in reader:
                yield {key: (value or "").strip() for key, value in row.items() if key is not None}, reader.line_num
    except UnicodeDecodeError:
        raise FeedError("malformed", f"{name} 不是 UTF-8 编码。") from None
    except (csv.Error, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise FeedError("malformed", f"{name} 无法读取({exc})。") from None


def _agencies(archive):
    """``{agency_id: (name, zone)}``; the first agency also under ``None`` (a feed of
    one agency may leave agency_id out of routes.txt)."""
    agencies = {}
    for row, line in _rows(archive, "agency.txt"):
        try:
            zone = ZoneInfo(row.get("agency_timezone") or settings.TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError):
            raise FeedError("malformed", f"agency.txt 第 {line} 行:时区 {row.get('agency_timezone')} 无效。") from None
        agencies[row.get("agency_id", "")] = (row["agency_name"], zone)
        agencies.setdefault(None, (row["agency_name"], zone))
    if not agencies:
        raise FeedError("malformed", "agency.txt 没有运营单位。")
    return agencies


def _date(value, name, line):
    try:
        return datetime.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise FeedError("malformed", f"{name} 第 {line} 行:日期 {value!r} 应为 YYYYMMDD。") from None


def _services_running(archive, days):
    """``{service_id: [days it runs on]}`` from calendar.txt and calendar_dates.txt."""
    names = set(archive.namelist())
    running = {}
    if "calendar.txt" in names:
        for row, line in _rows(archive, "calendar.txt"):
            start, end = _date(row["start_date"], "calendar.txt", line), _date(row["end_date"], "calendar.txt", line)
            running[row["service_id"]] = {day for day in days
                                          if start <= day <= end and row[WEEKDAYS[day.weekday()]] == "1"}
    if "calendar_dates.txt" in names:
        for row, line in _rows(archive, "calendar_dates.txt"):
            day = _date(row["date"], "calendar_dates.txt", line)
            if day not in days:
                continue
            on = running.setdefault(row["service_id"], set())
            if row["exception_type"] == "1":
                on.add(day)
            elif row["exception_type"] == "2":
                on.discard(day)
            else:
                raise FeedError("malformed", f"calendar_dates.txt 第 {line} 行:exception_type 应为 1 或 2。")
    return {service: sorted(on) for service, on in running.items() if on}


def _seconds(value, line):
    match = TIME.match(value)
    if not match:
        raise FeedError("malformed", f"stop_times.txt 第 {line} 行:时间 {value!r} 应为 HH:MM:SS。")
    hours, minutes, seconds = (int(part) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _trip_ends(archive, chosen):
    """``{trip_id: ((first stop, departure seconds), (last stop, arrival seconds))}``
    for the chosen trips, read in one pass over stop_times.txt."""
    first, last = {}, {}
    for row, line in _rows(archive, "stop_times.txt"):
        trip_id = row["trip_id"]
        if trip_id not in chosen:
            continue
        try:
            sequence = int(row["stop_sequence"])
        except ValueError:
            raise FeedError("malformed", f"stop_times.txt 第 {line} 行:stop_sequence 应为整数。") from None
        for name in ("arrival_time", "departure_time"):
            if row.get(name):
                _seconds(row[name], line)
        stop = (sequence, row["stop_id"], row.get("departure_time") or row.get("arrival_time", ""), line)
        if trip_id not in first or sequence < first[trip_id][0]:
            first[trip_id] = stop
        stop = (sequence, row["stop_id"], row.get("arrival_time") or row.get("departure_time", ""), line)
        if trip_id not in last or sequence > last[trip_id][0]:
            last[trip_id] = stop
    ends = {}
    for trip_id, (_, stop_id, time, line) in first.items():
        _, end_stop, end_time, end_line = last[trip_id]
        for value, at in ((time, line), (end_time, end_line)):
            if not value:
                raise FeedError("malformed", f"stop_times.txt 第 {at} 行:班次 {trip_id} 的首末站须有时间。")
        ends[trip_id] = ((stop_id, _seconds(time, line)), (end_stop, _seconds(end_time, end_line)))
    return ends
