"""What a board shows, as plain dicts: the one shape the pages, the home sections and
the open JSON share, so a row reads the same whether the server rendered it or the
boards' script re-rendered it from the API (static/js/live-boards.js).

Every row carries its raw values (codes, ISO times in Beijing time) for programs and
a ``display`` dict of the strings a reader sees, made here once: the script only
writes them into the cells, so the wording lives in one place.
"""

import datetime
import hashlib

from django.urls import reverse
from django.utils import timezone

from . import queries
from .kinds import (
    ARRIVAL_POSITION_LABEL,
    ARRIVING_BOARDING_LABEL,
    BOARD_TITLE,
    BOARDING_LABEL,
    NUMBER_LABEL,
    OUTAGE_WORD,
    POSITION_LABEL,
    Availability,
    DataKind,
    Mode,
    NoticeKind,
    TripStatus,
)

DIRECTIONS = ("departures", "arrivals")
DIRECTION_LABEL = {"departures": "出发", "arrivals": "到达", "all": "全部"}
PHASE_LABEL = {"upcoming": "即将开始", "ongoing": "进行中", "restored": "已恢复", "ended": "已结束", "cancelled": "已取消"}
NOTICES_TITLE = "服务信息"
# The home section shows the next few trips only; the unit's board page has the day.
HOME_ROWS = 8
HOME_NOTICES = 5


def local(value):
    return timezone.localtime(value) if value is not None else None


def iso(value):
    return local(value).isoformat() if value is not None else None


def hhmm(value, day=None):
    """``10:30``; a time on another day than ``day`` carries its date (``12-03 01:10``)."""
    if value is None:
        return ""
    value = local(value)
    if day is not None and value.date() != day:
        return value.strftime("%m-%d %H:%M")
    return value.strftime("%H:%M")


def today():
    return timezone.localdate()


# --- Units ----------------------------------------------------------------------------

def board_kind(unit):
    """``trips`` for a transport unit, ``notices`` for a utility."""
    return DataKind.TRIPS.value if queries.unit_mode(unit) else DataKind.NOTICES.value


def unit_title(unit):
    mode = queries.unit_mode(unit)
    return str(BOARD_TITLE[mode]) if mode else NOTICES_TITLE


def silence_text(unit, now=None):
    """"数据自 12-02 09:40 起未更新" when the unit's stream of its board's kind is overdue
    (queries.silence_of), else "". The time said is the last data's, which is what a
    reader needs to judge the board; a stream that never brought data says so."""
    kind = board_kind(unit)
    for silence in queries.silences(unit=unit, now=now):
        if silence.kind != kind:
            continue
        if silence.last_data_at is None:
            return "尚未收到实时数据,以下信息可能不是最新。"
        return f"数据自 {local(silence.last_data_at):%Y-%m-%d %H:%M} 起未更新,以下信息可能不是最新。"
    return ""


def unit_summary(unit, now=None):
    """One live unit as the 便民服务 page and /live/boards list it."""
    kind = board_kind(unit)
    code = unit.code
    links = {"page": reverse("livedata:unit_board", args=[code]),
             "api": f"/api/v1/live/{code}/board" if kind == "trips" else f"/api/v1/live/notices?unit={code}"}
    mode = queries.unit_mode(unit)
    return {"code": code, "name": unit.name, "kind": kind, "mode": mode.value if mode else None,
            "sector": unit.sector, "title": unit_title(unit), "links": links, "silence": silence_text(unit, now)}


def has_home_stations(unit):
    return bool(queries.home_stations(unit))


# --- Trips ----------------------------------------------------------------------------

def status_label(status, mode, direction="departures"):
    if status == TripStatus.BOARDING:
        labels = ARRIVING_BOARDING_LABEL if direction == "arrivals" else BOARDING_LABEL
        return str(labels.get(mode, TripStatus.BOARDING.label))
    try:
        return str(TripStatus(status).label)
    except ValueError:
        return status


def tickets_text(tickets):
    parts = []
    for ticket in tickets or []:
        try:
            label = str(Availability(ticket.get("status")).label)
        except ValueError:
            label = ""
        seats = ticket.get("seats")
        text = f"{ticket.get('class', '')} {label}".strip()
        if seats is not None and ticket.get("status") != Availability.SOLD_OUT:
            text += f" {seats}张"
        parts.append(text)
    return ";".join(parts)


def _times(trip, direction):
    """The scheduled and the expected (actual, else estimated) time of the board's end."""
    if direction == "arrivals":
        return trip.scheduled_arrival, trip.actual_arrival or trip.estimated_arrival
    return trip.scheduled_departure, trip.actual_departure or trip.estimated_departure


def _verb(mode, direction):
    if direction == "arrivals":
        return "到达"
    return "起飞" if mode == Mode.FLIGHT else "出发"


def headline(trip, direction, day):
    """What the live region says when a row changes: "CA1405 延误,预计 10:30 起飞"."""
    label = status_label(trip.status, trip.mode, direction)
    scheduled, expected = _times(trip, direction)
    verb = _verb(trip.mode, direction)
    if trip.status == TripStatus.CANCELLED:
        return f"{trip.number} {label}"
    if trip.status in (TripStatus.DEPARTED, TripStatus.ARRIVED) and expected:
        return f"{trip.number} {label},实际 {hhmm(expected, day)}"
    if expected and expected != scheduled:
        return f"{trip.number} {label},预计 {hhmm(expected, day)} {verb}"
    text = f"{trip.number} {label}"
    if trip.status == TripStatus.BOARDING and trip.position and direction != "arrivals":
        text += f",{POSITION_LABEL[trip.mode]} {trip.position}"
    return text


def trip_row(trip, direction, day):
    """One row of a board: raw values and the strings a reader sees."""
    scheduled, expected = _times(trip, direction)
    if direction == "arrivals":
        place = trip.origin.name
    elif direction == "departures":
        place = trip.destination.name
    else:  # one list of a unit without a home station
        place = f"{trip.origin.name} → {trip.destination.name}"
    label = status_label(trip.status, trip.mode, direction)
    return {
        "id": trip.ref, "number": trip.number, "operator": trip.operator, "mode": trip.mode,
        "origin": {"code": trip.origin.code, "name": trip.origin.name},
        "destination": {"code": trip.destination.code, "name": trip.destination.name},
        "service_date": trip.service_date.isoformat(),
        "scheduled_departure": iso(trip.scheduled_departure), "scheduled_arrival": iso(trip.scheduled_arrival),
        "estimated_departure": iso(trip.estimated_departure), "estimated_arrival": iso(trip.estimated_arrival),
        "actual_departure": iso(trip.actual_departure), "actual_arrival": iso(trip.actual_arrival),
        "status": trip.status, "status_label": label, "position": trip.position,
        "tickets": [{"class": t.get("class", ""), "status": t.get("status", ""), "seats": t.get("seats")}
                    for t in trip.tickets or []],
        "remark": trip.remark,
        "display": {
            "number": trip.number, "operator": trip.operator, "place": place,
            "scheduled": hhmm(scheduled, day),
            "expected": hhmm(expected, day) if expected and expected != scheduled else "",
            "status": label, "position": trip.position, "tickets": tickets_text(trip.tickets), "remark": trip.remark,
        },
        "headline": headline(trip, direction, day),
    }


def board_labels(mode, direction):
    """The column headings of a board of ``mode``, keyed as the rows' ``display``."""
    place = {"departures": "目的地", "arrivals": "始发地"}.get(direction, "始发 → 到达")
    when = {"arrivals": "计划到达"}.get(direction, "计划出发")
    return {"number": str(NUMBER_LABEL[mode]), "operator": "承运人", "place": place, "scheduled": when,
            "expected": "预计/实际", "status": "状态",
            "position": str((ARRIVAL_POSITION_LABEL if direction == "arrivals" else POSITION_LABEL)[mode]), "tickets": "票务",
            "remark": "说明"}


def _still_current(trip, now):
    """A trip that left or arrived long ago drops off a home section's short list."""
    ends = trip.actual_arrival or trip.estimated_arrival or trip.scheduled_arrival
    return ends >= now - queries.TRIP_AFTERGLOW


def board(unit, *, direction="departures", day=None, route="", status=(), limit=None, upcoming=False, now=None):
    """``unit``'s board: title, column labels, rows, silence, and when it was made."""
    now = now or timezone.now()
    mode = queries.unit_mode(unit)
    day = day or today()
    single = not has_home_stations(unit)
    shown_direction = "all" if single or direction == "all" else direction
    trips = queries.board_trips(unit, direction=direction, day=day, route=route or None, status=list(status) or None)
    if upcoming:
        trips = [trip for trip in trips if _still_current(trip, now)]
    if limit:
        trips = list(trips[:limit])
    title = str(BOARD_TITLE[mode])
    if not single:
        title += f" · {DIRECTION_LABEL[direction]}"
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "title": title, "mode": mode.value, "direction": shown_direction, "date": day.isoformat(),
        "directions": [] if single else list(DIRECTIONS),
        "labels": board_labels(mode, shown_direction),
        "rows": [trip_row(trip, shown_direction, day) for trip in trips],
        "generated_at": iso(now), "silence": silence_text(unit, now),
    }


def status_choices(mode):
    return [(status.value, status_label(status.value, mode)) for status in TripStatus]


# The columns of a board page and of a home section's short list.
COLUMNS = ("number", "place", "scheduled", "expected", "status", "position", "tickets", "remark")
HOME_COLUMNS = ("number", "place", "scheduled", "expected", "status", "position")


def table(board, keys=COLUMNS):
    """``board`` laid out for a template: its columns and each row's cells in order
    (a template cannot look a dict up by a variable key)."""
    columns = [(key, board["labels"][key]) for key in keys]
    rows = [{"row": row, "cells": [(key, label, row["display"][key]) for key, label in columns]}
            for row in board["rows"]]
    return {"columns": columns, "rows": rows}


# --- Notices and the directory -------------------------------------------------------

def notice_title_kind(notice):
    if notice.kind in (NoticeKind.PLANNED_OUTAGE, NoticeKind.EMERGENCY_OUTAGE):
        word = OUTAGE_WORD.get(notice.utility)
        prefix = "计划" if notice.kind == NoticeKind.PLANNED_OUTAGE else "抢修"
        return f"{prefix}{word}" if word else str(NoticeKind(notice.kind).label)
    return str(NoticeKind(notice.kind).label)


def notice_item(notice, now):
    phase = queries.notice_phase(notice, now)
    day = local(now).date()
    return {
        "id": notice.ref, "unit": {"code": notice.unit.code, "name": notice.unit.name},
        "kind": notice.kind, "kind_label": notice_title_kind(notice), "utility": notice.utility,
        "title": notice.title, "reason": notice.reason, "details": notice.details,
        "districts": list(notice.districts or []), "streets": list(notice.streets or []), "area": notice.area,
        "starts_at": iso(notice.starts_at), "ends_at": iso(notice.ends_at), "restored_at": iso(notice.restored_at),
        "status": notice.status, "phase": phase, "phase_label": PHASE_LABEL[phase], "contact": notice.contact,
        "updates": [{"at": iso(u.at), "text": u.text} for u in notice.updates.all()],
        "display": {"starts": hhmm(notice.starts_at, day), "ends": hhmm(notice.ends_at, day) or "另行通知",
                    "restored": hhmm(notice.restored_at, day)},
    }


# The most notices one page or one answer lists (a utility could publish thousands,
# each with an area of thousands of points).
NOTICES_PER_PAGE = 50


def notices_page(*, unit=None, utility=None, district=None, limit=NOTICES_PER_PAGE, offset=0, now=None):
    """``(items, total)``: the notices shown at ``now``, ``limit`` of them from
    ``offset``; only those are built (their areas and progress read)."""
    now = now or timezone.now()
    shown = queries.notices_shown(unit=unit, utility=utility, now=now)
    if district:
        shown = [notice for notice in shown.prefetch_related(None) if any(district in name for name in notice.districts)]
        total, window = len(shown), shown[offset:offset + limit]
        window = queries.notices_shown(now=now).filter(pk__in=[notice.pk for notice in window])
    else:
        total, window = shown.count(), shown[offset:offset + limit]
    return [notice_item(notice, now) for notice in window], total


def notices(*, unit=None, utility=None, district=None, limit=NOTICES_PER_PAGE, now=None):
    return notices_page(unit=unit, utility=utility, district=district, limit=limit, now=now)[0]


def directory_item(entry):
    return {"id": entry.ref, "unit": {"code": entry.unit.code, "name": entry.unit.name}, "provider": entry.provider,
            "category": entry.category, "title": entry.title, "description": entry.description,
            "address": entry.address, "phone": entry.phone, "hours": entry.hours, "url": entry.url}


def directory(category=None):
    return [directory_item(entry) for entry in queries.directory_entries(category=category)]


# --- Versions (ETags) ----------------------------------------------------------------

def etag(*parts):
    """A weak ETag of ``parts`` and the current minute: the minute moves notices on and
    off the boards and silences on, which no push announces."""
    minute = timezone.now().replace(second=0, microsecond=0).isoformat()
    digest = hashlib.sha256(repr((parts, minute)).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def to_date(value):
    """A date of ``YYYY-MM-DD``, or None if it is not one."""
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
