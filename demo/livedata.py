"""The demo city's live data (issue 12): a day of flights at Jiangbei airport, a day of
trains at Chongqing North, the water and power companies' outages, a few directory
entries, and a ferry operator whose GTFS and GTFS-Realtime feeds the platform itself
serves on loopback (demo/feeds.py).

Everything is a pure function of the day and the time: :func:`flights`, :func:`trains`
and :func:`outages` say what a day holds, :func:`trip_state` and :func:`notice_state`
what a trip or a notice is at a given moment. The loader (:func:`load`) stores the
day's data as of the load; the demo clock (:func:`advance`, every 30 s from the
background worker) sends through ``livedata.services`` only what the passing of time
changed, so the boards move while a visitor watches, tests can predict every state,
and a second run at the same moment changes nothing. When a new day begins the clock
stores that day's schedule: a demo left running for days still shows today.
"""

import datetime
import math
import random
import zlib
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from livedata import services
from livedata.kinds import DataKind, Mode, NoticeStatus, Source
from livedata.models import DirectoryEntry, Feed, FeedKind, ServiceNotice, Station, Trip
from orgs.models import Unit

AIRPORT, STATION, FERRY, WATER, POWER = "airport", "cqnorth", "ferry", "water", "power"
DIRECTORY_UNIT = "jtj"
HOME_STATIONS = [(AIRPORT, "airport", "CKG"), (STATION, "rail", "CUW")]
SOURCE = Source.DEMO
# The clock keeps a unit's trips stream fresh this often even when nothing moved (a
# night without departures is not a silent system).
HEARTBEAT = datetime.timedelta(minutes=10)

MINUTE = datetime.timedelta(minutes=1)


def local(day, hour, minute=0):
    """An aware Beijing time on ``day`` (hours past 24 run into the next day)."""
    base = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    return base + datetime.timedelta(hours=hour, minutes=minute)


def _hash(text):
    return zlib.crc32(text.encode())


# --- Trips ------------------------------------------------------------------------------

AIRLINES = [("CA", "中国国际航空"), ("MU", "中国东方航空"), ("CZ", "中国南方航空"), ("3U", "四川航空"),
            ("OQ", "重庆航空"), ("HU", "海南航空"), ("MF", "厦门航空"), ("ZH", "深圳航空"), ("SC", "山东航空"),
            ("PN", "西部航空")]
# Destination airport, flight time in minutes.
ROUTES = [("PEK", 150), ("PKX", 155), ("PVG", 150), ("SHA", 145), ("CAN", 120), ("SZX", 125), ("KMG", 80),
          ("XIY", 85), ("HGH", 130), ("NKG", 125), ("WUH", 80), ("CSX", 75), ("LHW", 100), ("URC", 240),
          ("HAK", 125), ("SYX", 140), ("XMN", 135), ("TAO", 150), ("CGO", 100), ("HRB", 220), ("SHE", 200),
          ("TSN", 145), ("NNG", 95), ("LXA", 165), ("FOC", 130), ("HFE", 115), ("TYN", 120), ("HKG", 140)]
RAIL_ROUTES = [("ICW", 65, "G"), ("BXP", 480, "G"), ("AOH", 420, "G"), ("IZQ", 390, "G"), ("IOQ", 420, "G"),
               ("EAY", 300, "D"), ("HKN", 300, "D"), ("KQW", 120, "G"), ("CWQ", 270, "G"), ("ZAF", 350, "G"),
               ("HGH", 450, "G"), ("NKH", 400, "D")]
RAIL_CLASSES = ("商务座", "一等座", "二等座")
DEPARTURES, ARRIVALS, TRAINS = 60, 40, 50
CANCELLED_DEPARTURE = 20  # the day's one cancelled flight, by its place among the departures


@dataclass(frozen=True)
class TripSpec:
    """One trip of the demo's day as its unit's system knows it in the morning."""

    unit: str
    ref: str
    mode: str
    number: str
    operator: str
    origin: str
    destination: str
    departure: datetime.datetime
    arrival: datetime.datetime
    position: str = ""
    tickets: tuple = ()  # (class, seats at the start of the day)
    delay: int = 0  # minutes, announced two hours before departure
    cancelled: bool = False

    @property
    def home_departs(self):
        return self.origin in ("CKG", "CUW")


def _spread(rng, count, first_hour, last_hour):
    """``count`` departure times (minutes after midnight) between the hours, on 5 minutes."""
    span = (last_hour - first_hour) * 12
    return sorted(first_hour * 60 + 5 * rng.randrange(span) for _ in range(count))


def _fate(ref, index, every):
    """A trip's delay in minutes: one trip in ``every`` (by its place in the day, so
    every day has delays from morning to night), 20 to 90 minutes fixed by its ref."""
    return 20 + _hash(ref) % 8 * 10 if index % every == every // 2 else 0


def flights(day):
    """The airport's flights of ``day``: departures from CKG and arrivals at it."""
    rng = random.Random(f"flights-{day:%Y%m%d}")
    numbers, specs = set(), []

    def number():
        while True:
            code, name = rng.choice(AIRLINES)
            value = f"{code}{rng.randrange(1000, 9999)}"
            if value not in numbers:
                numbers.add(value)
                return value, name

    for index, minutes in enumerate(_spread(rng, DEPARTURES, 6, 23)):
        code, name = number()
        other, length = ROUTES[rng.randrange(len(ROUTES))]
        dep = local(day, 0, minutes)
        ref = f"{code}-{day:%Y%m%d}"
        tickets = (("经济舱", rng.choice((0, 3, 8, 40, 90))), ("公务舱", rng.choice((0, 2, 6)))) if index % 3 == 0 else ()
        specs.append(TripSpec(AIRPORT, ref, Mode.FLIGHT, code, name, "CKG", other, dep, dep + length * MINUTE,
                              f"{'AB'[index % 2]}{10 + index % 30}", tickets, _fate(ref, index, 9),
                              cancelled=index == CANCELLED_DEPARTURE))
    for index, minutes in enumerate(_spread(rng, ARRIVALS, 7, 24)):
        code, name = number()
        other, length = ROUTES[rng.randrange(len(ROUTES))]
        dep = local(day, 0, minutes - length)
        ref = f"{code}-{day:%Y%m%d}"
        specs.append(TripSpec(AIRPORT, ref, Mode.FLIGHT, code, name, other, "CKG", dep, dep + length * MINUTE,
                              f"行李转盘{1 + index % 8}", (), _fate(ref, index, 10)))
    return specs


def trains(day):
    """Chongqing North's departures of ``day``, with tickets per class."""
    rng = random.Random(f"trains-{day:%Y%m%d}")
    numbers, specs = set(), []
    for index, minutes in enumerate(_spread(rng, TRAINS, 6, 22)):
        other, length, letter = RAIL_ROUTES[rng.randrange(len(RAIL_ROUTES))]
        while (code := f"{letter}{rng.randrange(100, 3000)}") in numbers:
            pass
        numbers.add(code)
        dep = local(day, 0, minutes)
        ref = f"{code}-{day:%Y%m%d}"
        seats = tuple((name, rng.choice(choices)) for name, choices in
                      zip(RAIL_CLASSES, ((0, 2, 6, 12), (0, 5, 20, 60), (0, 15, 80, 300)), strict=True))
        specs.append(TripSpec(STATION, ref, Mode.TRAIN, code, "中国铁路成都局集团有限公司", "CUW", other, dep,
                              dep + length * MINUTE, f"检票口{'AB'[index % 2]}{1 + index % 16}", seats,
                              _fate(ref, index, 12)))
    return specs


BOARDING_BEFORE = {Mode.FLIGHT: 40, Mode.TRAIN: 15, Mode.SHIP: 20}
DELAY_REMARK = {Mode.FLIGHT: "因航路天气原因延误", Mode.TRAIN: "因前方区间限速晚点", Mode.SHIP: "因江面大雾延误"}


def _availability(seats):
    return "sold_out" if seats == 0 else "few" if seats <= 10 else "available"


def _tickets(spec, now):
    """Seats sell as the departure nears: a quarter of them in the last three hours,
    counted every half hour (so a ticket change is not written at every tick)."""
    if not spec.tickets:
        return []
    hours_left = math.floor((spec.departure - now).total_seconds() / 1800) / 2
    rows = []
    for name, seats in spec.tickets:
        left = seats if hours_left >= 3 else int(seats * (0.75 + max(hours_left, 0) / 12))
        rows.append({"class": name, "status": _availability(left), "seats": left})
    return rows


def trip_state(spec, now):
    """What ``spec``'s board row says at ``now``: status, estimated and actual times,
    remark and tickets (the fields the clock sends)."""
    state = {"status": "scheduled", "estimated_departure": None, "estimated_arrival": None, "actual_departure": None,
             "actual_arrival": None, "remark": None, "tickets": _tickets(spec, now)}
    if spec.cancelled:
        return {**state, "status": "cancelled", "remark": "因航空公司计划调整取消,请改签或退票", "tickets": []}
    delay = spec.delay * MINUTE
    dep, arr = spec.departure + delay, spec.arrival + delay
    announced = spec.delay and now >= spec.departure - datetime.timedelta(hours=2)
    if announced:
        state.update(estimated_departure=dep, estimated_arrival=arr, remark=DELAY_REMARK[spec.mode])
    if now >= arr:
        state.update(status="arrived", actual_departure=dep, actual_arrival=arr)
    elif now >= dep:
        state.update(status="departed", actual_departure=dep)
    elif now >= dep - BOARDING_BEFORE[spec.mode] * MINUTE:
        state["status"] = "boarding"
    elif announced:
        state["status"] = "delayed"
    elif now >= spec.departure - datetime.timedelta(hours=3):
        state["status"] = "on_time"
    return state


def _trip_record(spec, now, *, full):
    record = {"id": spec.ref, **trip_state(spec, now)}
    for name in ("estimated_departure", "estimated_arrival", "actual_departure", "actual_arrival"):
        if record[name] is not None:
            record[name] = record[name].isoformat()
    if full:
        record.update(mode=spec.mode, number=spec.number, operator=spec.operator, origin=spec.origin,
                      destination=spec.destination, scheduled_departure=spec.departure.isoformat(),
                      scheduled_arrival=spec.arrival.isoformat(), position=spec.position)
    return record


STATE_FIELDS = ("status", "estimated_departure", "estimated_arrival", "actual_departure", "actual_arrival",
                "remark", "tickets")


def _stored_states(unit, refs):
    rows = Trip.objects.filter(unit=unit, ref__in=refs).values("ref", "source", *STATE_FIELDS)
    return {row.pop("ref"): row for row in rows}


def _differs(stored, wanted):
    return any((stored[name] or None) != (wanted[name] or None) for name in STATE_FIELDS)


def trips_advance(unit, specs, now):
    """Send ``unit`` the trips of ``specs`` that are new or whose state changed by ``now``.
    A trip someone else changed last (an editor in the admin, a unit's system) is
    theirs from then on: the clock leaves it alone."""
    stored = _stored_states(unit, [spec.ref for spec in specs])
    records = []
    for spec in specs:
        if spec.ref not in stored:
            records.append(_trip_record(spec, now, full=True))
        elif stored[spec.ref]["source"] == SOURCE and _differs(stored[spec.ref], trip_state(spec, now)):
            records.append(_trip_record(spec, now, full=False))
    if not records:
        return 0
    result = services.trips_upsert(unit=unit, records=records, source=SOURCE, now=now)
    return result.created + result.updated


# --- Service notices ----------------------------------------------------------------------

def _square(lon, lat, size=0.012):
    return {"type": "Polygon", "coordinates": [[[lon - size, lat - size], [lon + size, lat - size],
                                                [lon + size, lat + size], [lon - size, lat + size],
                                                [lon - size, lat - size]]]}


@dataclass(frozen=True)
class OutageSpec:
    unit: str
    key: str
    kind: str
    title: str
    reason: str
    districts: tuple
    streets: tuple
    area: dict
    start: datetime.datetime
    end: datetime.datetime
    restored: datetime.datetime | None  # when the service comes back (None: not today)
    visible_from: datetime.datetime  # a planned outage is announced the day before
    contact: str
    updates: tuple = field(default=())  # (at, text)

    @property
    def ref(self):
        return f"{self.key}-{self.start:%Y%m%d}"


def outages(day):
    """The water and power companies' outages of ``day`` (one planned for tomorrow, so a
    board always has one coming)."""
    eve = local(day, -14)  # 10:00 the day before
    tomorrow = day + datetime.timedelta(days=1)
    return [
        OutageSpec(WATER, "WE", "emergency_outage", "渝中区较场口片区供水管道抢修临时停水",
                   "DN300供水管道突发爆管", ("渝中区",), ("较场口", "七星岗街道", "中兴路"), _square(106.571, 29.553),
                   local(day, 6, 40), local(day, 13), local(day, 12, 10), local(day, 6, 40), "023-96968",
                   ((local(day, 7, 5), "抢修人员已到达现场,正在关阀降压。"),
                    (local(day, 9, 30), "破损管段已开挖,正在更换管道。"),
                    (local(day, 12, 10), "管道已更换完毕,恢复供水;初期水质浑浊请放水片刻。"))),
        OutageSpec(WATER, "WP", "planned_outage", "江北区观音桥街道计划停水(管网改造)",
                   "配合城市道路改造迁移供水管网", ("江北区",), ("观音桥街道", "建新北路", "北城天街周边小区"),
                   {"type": "MultiPoint", "coordinates": [[106.534, 29.575], [106.538, 29.579], [106.529, 29.572]]},
                   local(day, 14), local(day, 19), local(day, 18, 30), eve, "023-96968",
                   ((local(day, 14), "已按计划关闸停水,施工开始。"),
                    (local(day, 18, 30), "施工完成,提前恢复供水。"))),
        OutageSpec(POWER, "PE", "emergency_outage", "沙坪坝区小龙坎片区故障停电抢修",
                   "10千伏线路电缆故障", ("沙坪坝区",), ("小龙坎街道", "天星桥街道"), _square(106.455, 29.545),
                   local(day, 10, 20), local(day, 15), local(day, 14, 35), local(day, 10, 20), "95598",
                   ((local(day, 10, 45), "抢修队伍已到达,正在查找故障点。"),
                    (local(day, 12, 30), "故障电缆已定位,正在更换中间接头。"),
                    (local(day, 14, 35), "故障已排除,全部恢复供电。"))),
        OutageSpec(POWER, "PP", "planned_outage", "万州区高笋塘片区计划停电(设备检修)",
                   "变电站设备年度检修", ("万州区",), ("高笋塘街道", "太白街道"), _square(108.408, 30.807, 0.01),
                   local(day, 21), local(day, 23, 30), local(day, 23, 30), eve, "95598", ()),
        OutageSpec(POWER, "PT", "planned_outage", "渝中区解放碑街道计划停电(线路迁改)",
                   "配合轨道交通施工迁改线路", ("渝中区",), ("解放碑街道", "民族路", "八一路"), _square(106.577, 29.557, 0.006),
                   local(tomorrow, 9), local(tomorrow, 12), None, local(day, 10), "95598", ()),
    ]


def notice_state(spec, now):
    """``spec`` at ``now``: None before it is announced, else its status, restoration
    and the progress updates written so far."""
    if now < spec.visible_from:
        return None
    status, restored_at = NoticeStatus.PLANNED, None
    if spec.restored is not None and now >= spec.restored:
        status, restored_at = NoticeStatus.RESTORED, spec.restored
    elif now >= spec.start:
        status = NoticeStatus.IN_PROGRESS
    return {"status": status, "restored_at": restored_at,
            "updates": [(at, text) for at, text in spec.updates if at <= now]}


def _notice_record(spec, state):
    return {"id": spec.ref, "kind": spec.kind, "title": spec.title, "reason": spec.reason,
            "districts": list(spec.districts), "streets": list(spec.streets), "area": spec.area,
            "starts_at": spec.start.isoformat(), "ends_at": spec.end.isoformat(),
            "visible_from": spec.visible_from.isoformat(), "contact": spec.contact, "status": state["status"],
            "restored_at": state["restored_at"].isoformat() if state["restored_at"] else None,
            "updates": [{"at": at.isoformat(), "text": text} for at, text in state["updates"]]}


def notices_advance(unit, specs, now):
    """Send ``unit`` its notices that were announced, started, progressed or ended by ``now``."""
    stored = {n.ref: n for n in ServiceNotice.objects.filter(unit=unit, ref__in=[s.ref for s in specs])
              .prefetch_related("updates")}
    records = []
    for spec in specs:
        state = notice_state(spec, now)
        if state is None:
            continue
        notice = stored.get(spec.ref)
        if notice is not None and notice.source != SOURCE:
            continue  # changed by hand or by the unit's system: theirs from then on
        if notice is None or (notice.status, notice.restored_at, len(notice.updates.all())) != (
                state["status"], state["restored_at"], len(state["updates"])):
            records.append(_notice_record(spec, state))
    if not records:
        return 0
    result = services.notices_upsert(unit=unit, records=records, source=SOURCE, now=now)
    return result.created + result.updated


# --- The directory -------------------------------------------------------------------------

DIRECTORY = [
    {"id": "rent-1", "provider": "重庆山城汽车租赁有限公司(演示)", "category": "汽车租赁", "title": "机场和高铁站取还车",
     "description": "江北机场T3航站楼、重庆北站南广场设服务点,网上预约后到店取车。", "address": "渝北区机场路(演示地址)1号",
     "phone": "023-60000001", "hours": "每天 07:00—23:00"},
    {"id": "ticket-1", "provider": "重庆两江票务代理有限公司(演示)", "category": "票务代理", "title": "机票、火车票、船票代售",
     "description": "代售机票、火车票和长江客船船票,代办退改签。", "address": "渝中区民族路(演示地址)18号",
     "phone": "023-60000002", "hours": "每天 08:30—20:00"},
    {"id": "luggage-1", "provider": "重庆朝天门行李寄存服务部(演示)", "category": "行李寄存", "title": "码头行李寄存",
     "description": "朝天门码头旅客行李寄存,按件按时计费。", "address": "渝中区朝天门码头(演示地址)",
     "phone": "023-60000003", "hours": "每天 06:00—22:00"},
]


# --- The ferry's feeds ---------------------------------------------------------------------

FEED_PATHS = {FeedKind.GTFS_STATIC: "/demo-feeds/ferry/gtfs.zip", FeedKind.GTFS_RT: "/demo-feeds/ferry/realtime.pb"}
FEED_NAMES = {FeedKind.GTFS_STATIC: "客船时刻表(GTFS)", FeedKind.GTFS_RT: "客船实时动态(GTFS-Realtime)"}
FEED_EVERY = {FeedKind.GTFS_STATIC: 3600, FeedKind.GTFS_RT: 30}


def feed_base():
    """Where the platform answers on loopback, read at every tick: ``make run`` and a
    test server on another port both set it (settings.LIVEDATA_DEMO_FEED_BASE)."""
    return settings.LIVEDATA_DEMO_FEED_BASE.rstrip("/")


def feeds_point_home(unit):
    """Register (or re-point) the ferry's two feeds at this platform's own address."""
    base = feed_base()
    for kind, path in FEED_PATHS.items():
        url = base + path
        feed = Feed.objects.filter(unit=unit, kind=kind).first()
        if feed is None:
            Feed.objects.create(unit=unit, kind=kind, name=FEED_NAMES[kind], mode=Mode.SHIP, url=url,
                                every_seconds=FEED_EVERY[kind])
        elif feed.url != url:
            Feed.objects.filter(pk=feed.pk).update(url=url)


# --- Loading and the clock -----------------------------------------------------------------

def _units():
    return {u.code: u for u in Unit.objects.filter(code__in=(AIRPORT, STATION, FERRY, WATER, POWER, DIRECTORY_UNIT))}


def loaded(units=None):
    """The demo's live data is there: its units exist and the loader stored its data
    (an installation whose units merely share the codes is never touched)."""
    units = _units() if units is None else units
    if not all(code in units for code in (AIRPORT, STATION, WATER, POWER, DIRECTORY_UNIT)):
        return False
    return (DirectoryEntry.objects.filter(unit=units[DIRECTORY_UNIT], source=SOURCE).exists()
            or Trip.objects.filter(unit=units[AIRPORT], source=SOURCE).exists())


def load(*, now=None, stdout=None):
    """Give the airport and the station their stations, register the ferry's feeds,
    and store the day's live data as of ``now``; returns counts of what was made."""
    now = now or timezone.now()
    units = _units()
    for code, kind, station in HOME_STATIONS:
        Station.objects.filter(kind=kind, code=station).update(unit=units[code])
    if FERRY in units:
        feeds_point_home(units[FERRY])
    services.entries_upsert(unit=units[DIRECTORY_UNIT], records=DIRECTORY, source=SOURCE, now=now)
    made = advance(now=now, units=units)
    if stdout:
        stdout.write(f"实时数据:航班 {made['flights']} 个,列车 {made['trains']} 趟,停水停电信息 {made['notices']} 条")
    return made


def advance(*, now=None, units=None):
    """The demo clock's tick: yesterday's late trips and today's (stored the first time
    the day is seen), the outages due, the heartbeats, the feeds' address. Idempotent."""
    now = now or timezone.now()
    units = _units() if units is None else units
    if not loaded(units):
        return {"flights": 0, "trains": 0, "notices": 0}
    today = timezone.localtime(now).date()
    days = (today - datetime.timedelta(days=1), today)
    moved = {
        "flights": trips_advance(units[AIRPORT], [s for d in days for s in flights(d) if _relevant(s, d, today, now)],
                                 now),
        "trains": trips_advance(units[STATION], [s for d in days for s in trains(d) if _relevant(s, d, today, now)],
                                now),
        "notices": sum(notices_advance(units[code], [s for d in days for s in outages(d) if s.unit == code], now)
                       for code in (WATER, POWER)),
    }
    for code in (AIRPORT, STATION):
        _heartbeat(units[code], now)
    if FERRY in units:
        feeds_point_home(units[FERRY])
    return moved


def _relevant(spec, day, today, now):
    """Yesterday's trips matter only while they are still on their way."""
    return day == today or spec.arrival + spec.delay * MINUTE + HEARTBEAT >= now


def _heartbeat(unit, now):
    channel = unit.live_channels.filter(kind=DataKind.TRIPS).first()
    if channel is None or channel.last_data_at is None or now - channel.last_data_at >= HEARTBEAT:
        services.channel_touch(unit, DataKind.TRIPS, at=now, source=SOURCE)
