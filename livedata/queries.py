"""Reads of live data used by more than one face: the boards (pages, open JSON,
GTFS-Realtime), the home sections, the admin and supervision."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from orgs.models import Unit, UnitKind

from .kinds import MODE_OF_SECTOR, UTILITY_SECTORS, DataKind, NoticeStatus
from .models import Channel, DirectoryEntry, ServiceNotice, Station, Trip

# Restored, cancelled and ended notices stay on the boards this long after their end.
NOTICE_AFTERGLOW = datetime.timedelta(hours=6)
# Trips stay on "today's" board this long after they arrived or left.
TRIP_AFTERGLOW = datetime.timedelta(hours=2)


def unit_mode(unit):
    """The trips' mode of a window unit of aviation, rail or water transport (else None)."""
    return MODE_OF_SECTOR.get(unit.sector)


def is_utility(unit):
    return unit.sector in UTILITY_SECTORS


def home_stations(unit):
    """Stations ``unit`` runs: its board's departures leave them, its arrivals reach them."""
    return list(Station.objects.filter(unit=unit, active=True))


def live_units():
    """Window units with something to show live: trips (by mode) or service notices."""
    units = Unit.objects.filter(kind=UnitKind.WINDOW_UNIT).order_by("code")
    return [unit for unit in units if unit_mode(unit) or is_utility(unit)]


def live_unit(code):
    """The window unit of ``code`` if it has something to show live (trips or service
    notices), else None: the one lookup of the boards' pages and their open JSON."""
    unit = Unit.objects.filter(code=code, kind=UnitKind.WINDOW_UNIT).first()
    if unit is None or not (unit_mode(unit) or is_utility(unit)):
        return None
    return unit


def board_trips(unit, *, direction="departures", day=None, route=None, status=None):
    """``unit``'s trips of ``day`` (local date; None: every day) for its departures or
    arrivals board, in time order. A unit that runs no station (a ferry operator) has
    one board of all its trips, ordered by departure. ``route``: a station code or
    name, or a trip number, matched against the other end and the number."""
    trips = Trip.objects.filter(unit=unit).select_related("origin", "destination")
    home = [station.pk for station in home_stations(unit)]
    order = "scheduled_departure"
    if home:
        if direction == "arrivals":
            trips, order = trips.filter(destination__in=home), "scheduled_arrival"
        elif direction == "all":
            trips = trips.filter(Q(origin__in=home) | Q(destination__in=home))
        else:
            trips = trips.filter(origin__in=home)
    if day is not None:
        if direction == "arrivals" and home:
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
            trips = trips.filter(scheduled_arrival__gte=start, scheduled_arrival__lt=start + datetime.timedelta(days=1))
        else:
            trips = trips.filter(service_date=day)
    if route:
        route = route.strip()
        trips = trips.filter(Q(number__istartswith=route) | Q(operator__contains=route) | Q(origin__code__iexact=route) | Q(destination__code__iexact=route)
                             | Q(origin__name__contains=route) | Q(destination__name__contains=route)
                             | Q(origin__city__contains=route) | Q(destination__city__contains=route))
    if status:
        trips = trips.filter(status__in=status if isinstance(status, (list, tuple)) else [status])
    return trips.order_by(order, "number", "id")


def notices_shown(*, unit=None, utility=None, now=None):
    """Service notices on the boards at ``now``: published (``visible_from`` passed) and
    not yet over: an outage stays until its restoration or end plus
    :data:`NOTICE_AFTERGLOW`; a notice without end, until it is cancelled or restored."""
    now = now or timezone.now()
    gone = now - NOTICE_AFTERGLOW
    notices = ServiceNotice.objects.filter(visible_from__lte=now).select_related("unit")
    notices = notices.exclude(status=NoticeStatus.RESTORED, restored_at__lt=gone)
    notices = notices.exclude(status=NoticeStatus.CANCELLED, state_at__lt=gone)
    notices = notices.exclude(ends_at__lt=gone)
    if unit is not None:
        notices = notices.filter(unit=unit)
    if utility:
        notices = notices.filter(utility=utility)
    return notices.prefetch_related("updates").order_by("starts_at", "id")


def notice_phase(notice, now=None):
    """What a reader is told a notice is at ``now``: "upcoming", "ongoing", "restored",
    "ended" or "cancelled" (the stored status, read against the clock)."""
    now = now or timezone.now()
    if notice.status == NoticeStatus.CANCELLED:
        return "cancelled"
    if notice.status == NoticeStatus.RESTORED:
        return "restored"
    if notice.ends_at is not None and notice.ends_at <= now:
        return "ended"
    if notice.starts_at > now:
        return "upcoming"
    return "ongoing"


def directory_entries(*, category=None):
    entries = DirectoryEntry.objects.filter(published=True).select_related("unit")
    if category:
        entries = entries.filter(category=category)
    return entries


@dataclass(frozen=True)
class Silence:
    """A watched stream that stopped: since when it has been silent."""

    unit: Unit
    kind: str
    last_data_at: datetime.datetime | None
    since: datetime.datetime | None  # when it became overdue (None: never brought data)
    expected_minutes: int

    @property
    def kind_label(self):
        return DataKind(self.kind).label


def silence_of(channel, now=None):
    """The :class:`Silence` of ``channel`` at ``now``, or None if it is on time or not watched."""
    now = now or timezone.now()
    if not channel.expected_minutes:
        return None
    if channel.last_data_at is None:
        return Silence(channel.unit, channel.kind, None, None, channel.expected_minutes)
    due = channel.last_data_at + datetime.timedelta(minutes=channel.expected_minutes)
    if due > now:
        return None
    return Silence(channel.unit, channel.kind, channel.last_data_at, due, channel.expected_minutes)


def expected_streams(unit):
    """The streams a window unit is expected to keep, by kind, with their interval in
    minutes: a transport unit's trips hourly; a utility's service information at least
    weekly (an outage board with nothing to say is normal for days, silence for a week
    is not). Set by the management centre per unit (services.channel_configure)."""
    if unit.kind != UnitKind.WINDOW_UNIT:
        return {}
    if unit_mode(unit):
        return {DataKind.TRIPS: 60}
    if is_utility(unit):
        return {DataKind.NOTICES: 7 * 24 * 60}
    return {}


def silences(*, unit=None, now=None):
    """Every watched stream (of ``unit``) that is overdue at ``now``, a unit's expected
    stream that never brought data included."""
    units = [unit] if unit is not None else live_units()
    return [silence for each in units for channel in channels_of(each)
            if (silence := silence_of(channel, now)) is not None]


def channels_of(unit):
    """``unit``'s streams: those stored, and the ones it is expected to keep that never
    brought data yet (unsaved, ``last_data_at`` None)."""
    stored = {channel.kind: channel for channel in Channel.objects.filter(unit=unit)}
    for kind, minutes in expected_streams(unit).items():
        stored.setdefault(kind, Channel(unit=unit, kind=kind, expected_minutes=minutes))
    return [stored[kind] for kind in sorted(stored)]
