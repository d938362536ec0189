"""Read a GTFS-Realtime FeedMessage into trip and notice records for
livedata.services. A trip update speaks of a trip the static timetable brought
(the same ref, ``{trip_id}:{start_date}``); an alert becomes a service notice of the
feed's unit. Nothing is stored here.

What a trip update says, as the board shows it:

- CANCELED: the trip is cancelled;
- the prediction at the trip's first stop is its estimated departure, at its last
  stop its estimated arrival; without a prediction at the last stop, the delay of
  the last stop predicted carries on to it (GTFS-Realtime's propagation);
- a predicted time already past is what happened: the actual departure or arrival,
  and the trip has departed or arrived;
- otherwise a delay of 5 minutes or more is "delayed", less is "on time".
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field

from django.utils import timezone
from google.protobuf.message import DecodeError
from google.transit import gtfs_realtime_pb2 as rt

from ..kinds import NoticeStatus, TripStatus
from ..models import ServiceNotice, Trip
from . import FeedError
from .stops import codes_of, names_of

DELAYED_FROM = datetime.timedelta(minutes=5)
CANCELED = rt.TripDescriptor.CANCELED
REF = re.compile(r"^[^\s/]{1,64}$")
ALERT_PREFIX = "alert:"
CAUSES = {"TECHNICAL_PROBLEM": "技术故障", "STRIKE": "罢工", "DEMONSTRATION": "集会活动", "ACCIDENT": "事故",
          "HOLIDAY": "节假日", "WEATHER": "天气原因", "MAINTENANCE": "设备维护", "CONSTRUCTION": "施工",
          "POLICE_ACTIVITY": "警方处置", "MEDICAL_EMERGENCY": "医疗急救"}


@dataclass
class Records:
    trips: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    unknown: list = field(default_factory=list)  # refs of updated trips the platform does not have


def parse(body):
    """The FeedMessage in ``body``, or a FeedError: garbage, a web page, no header."""
    if body.lstrip()[:1] == b"<":
        raise FeedError("not_protobuf", "数据源返回的是网页或 XML,不是 GTFS-Realtime(protobuf)数据。")
    message = rt.FeedMessage()
    try:
        message.ParseFromString(body)
    except (DecodeError, ValueError, RuntimeError):
        raise FeedError("not_protobuf", "数据源返回的不是有效的 GTFS-Realtime(protobuf)数据。") from None
    if not message.IsInitialized():
        raise FeedError("not_protobuf", "GTFS-Realtime 数据不完整(缺少消息头或版本号)。")
    if not message.header.timestamp:
        raise FeedError("no_timestamp", "GTFS-Realtime 消息头没有时间戳,无法判断新旧。")
    return message


def message_time(message):
    return _moment(message.header.timestamp)


def _moment(seconds):
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def records(feed, message, *, now):
    """The trip and notice records of ``message`` for ``feed``'s unit."""
    result = Records()
    sent = message_time(message)
    updates = [entity.trip_update for entity in message.entity
               if entity.HasField("trip_update") and not entity.is_deleted and entity.trip_update.trip.trip_id]
    trips = _trips_of(feed, updates, sent)
    codes = codes_of(feed.unit, feed.mode, {u.stop_id for update in updates for u in update.stop_time_update
                                             if u.stop_id})
    for update in updates:
        ref = trip_ref(update.trip, sent)
        trip = trips.get(ref)
        if trip is None:
            result.unknown.append(ref)
            continue
        observed = _moment(update.timestamp) if update.timestamp else sent
        result.trips.append({"id": ref, "observed_at": observed, **_trip_state(update, trip, codes, now)})
    alerts = [entity for entity in message.entity if entity.HasField("alert") and not entity.is_deleted]
    for entity in alerts:
        result.notices.append(_notice(feed, entity, sent))
    running = ServiceNotice.objects.filter(unit=feed.unit, feed=feed, ref__startswith=ALERT_PREFIX).exclude(
        status__in=(NoticeStatus.CANCELLED, NoticeStatus.RESTORED))
    if message.header.incrementality == rt.FeedHeader.FULL_DATASET:
        gone = running.exclude(ref__in={alert_ref(entity.id) for entity in alerts})
    else:
        gone = running.filter(ref__in={alert_ref(entity.id) for entity in message.entity if entity.is_deleted})
    result.notices += _withdrawn(gone, sent)
    return result


# --- Trip updates ---------------------------------------------------------------------

def trip_ref(descriptor, sent):
    """The trip's ref: its id and its service day (the message's local day if not given)."""
    day = descriptor.start_date or timezone.localtime(sent).strftime("%Y%m%d")
    return f"{descriptor.trip_id}:{day}"


def _trips_of(feed, updates, sent):
    refs = {trip_ref(update.trip, sent) for update in updates}
    trips = Trip.objects.filter(unit=feed.unit, ref__in=refs).select_related("origin", "destination")
    return {trip.ref: trip for trip in trips}


def _event(stop_update, *preferred):
    for name in preferred:
        if stop_update.HasField(name):
            return getattr(stop_update, name)
    return None


def _when(event, scheduled, fallback_delay=None):
    """A predicted moment: the event's own time, else the schedule shifted by its delay."""
    if event is not None and event.time:
        return _moment(event.time), True
    if event is not None and event.HasField("delay"):
        return scheduled + datetime.timedelta(seconds=event.delay), False
    if fallback_delay is not None:
        return scheduled + datetime.timedelta(seconds=fallback_delay), False
    return None, False


def _trip_state(update, trip, codes, now):
    if update.trip.schedule_relationship == CANCELED:
        return {"status": TripStatus.CANCELLED.value}
    stops = list(update.stop_time_update)
    at_origin = next((s for s in stops if codes.get(s.stop_id) == trip.origin.code), None)
    at_end = next((s for s in stops if codes.get(s.stop_id) == trip.destination.code), None)
    trip_delay = update.delay if update.HasField("delay") else None
    departure, departure_exact = _when(_event(at_origin, "departure", "arrival") if at_origin else None,
                                       trip.scheduled_departure, trip_delay)
    carried = trip_delay
    if at_end is None and stops:
        last = _event(stops[-1], "arrival", "departure")
        if last is not None and last.HasField("delay"):
            carried = last.delay
    arrival, arrival_exact = _when(_event(at_end, "arrival", "departure") if at_end else None,
                                   trip.scheduled_arrival, carried)
    state = {}
    if departure is not None:
        state["estimated_departure"] = departure
    if arrival is not None:
        state["estimated_arrival"] = arrival
    if arrival_exact and arrival <= now:
        state.update(actual_arrival=arrival, status=TripStatus.ARRIVED.value)
        if departure_exact and departure <= arrival:
            state["actual_departure"] = departure
    elif departure_exact and departure <= now:
        state.update(actual_departure=departure, status=TripStatus.DEPARTED.value)
    else:
        late = departure - trip.scheduled_departure if departure else (
            arrival - trip.scheduled_arrival if arrival else datetime.timedelta())
        state["status"] = (TripStatus.DELAYED if late >= DELAYED_FROM else TripStatus.ON_TIME).value
    return state


# --- Alerts ---------------------------------------------------------------------------

def alert_ref(entity_id):
    """A notice's ref for an alert: its entity id, or a hash of it when it cannot be a ref."""
    ref = f"{ALERT_PREFIX}{entity_id}"
    return ref if REF.match(ref) else f"{ALERT_PREFIX}#{hashlib.sha1(entity_id.encode()).hexdigest()[:16]}"


def text_of(translated):
    """The Chinese translation of a GTFS-Realtime text, else the one without a language, else the first."""
    texts = list(translated.translation)
    for wanted in (lambda t: t.language.lower().startswith("zh"), lambda t: not t.language, lambda t: True):
        found = next((t.text.strip() for t in texts if wanted(t) and t.text.strip()), "")
        if found:
            return found
    return ""


def _notice(feed, entity, sent):
    alert = entity.alert
    periods = list(alert.active_period)
    starts = [_moment(p.start) for p in periods if p.start]
    starts_at = min(starts) if starts else sent
    ends_at = None
    if periods and all(p.end for p in periods):
        ends_at = max(_moment(p.end) for p in periods)
    stop_ids = list(dict.fromkeys(e.stop_id for e in alert.informed_entity if e.stop_id))
    cause = rt.Alert.Cause.Name(alert.cause) if alert.HasField("cause") else ""
    return {
        "id": alert_ref(entity.id), "kind": "other", "observed_at": sent,
        "title": (text_of(alert.header_text) or "服务提示")[:120],
        "details": text_of(alert.description_text)[:4000],
        "reason": CAUSES.get(cause, ""),
        "streets": [name[:60] for name in names_of(feed.unit, feed.mode, stop_ids)][:200],
        "starts_at": starts_at, "ends_at": ends_at,
        "status": (NoticeStatus.IN_PROGRESS if starts_at <= sent else NoticeStatus.PLANNED).value,
    }


def _withdrawn(notices, sent):
    """Alerts withdrawn (a full message without them, or deleted by a differential
    one): one not yet begun is cancelled, a running one ends at the message's time."""
    records = []
    for notice in notices:
        if notice.ends_at is not None and notice.ends_at <= sent:
            continue
        if notice.starts_at > sent:
            records.append({"id": notice.ref, "status": NoticeStatus.CANCELLED.value, "observed_at": sent})
        else:
            records.append({"id": notice.ref, "ends_at": sent, "observed_at": sent})
    return records
