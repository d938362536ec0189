"""A unit's feed-borne trips of today republished as one GTFS-Realtime FeedMessage
(a full dataset of TripUpdates), so what came in as a standard feed goes out as one,
with the platform's corrections and the hand edits of the unit's staff included.

Each trip's descriptor carries the feed's own trip id and service day (its ref is
``{trip_id}:{YYYYMMDD}``); its first and last stops carry the delay and the
expected or actual times; a cancelled trip is CANCELED.
"""

import datetime

from django.utils import timezone
from google.transit import gtfs_realtime_pb2 as rt

from ..kinds import TripStatus
from ..models import Trip
from .stops import stop_id_of


def feed_trips(unit, day=None):
    """``unit``'s trips of ``day`` (local; today) that came from a feed."""
    day = day or timezone.localdate()
    return Trip.objects.filter(unit=unit, feed__isnull=False, service_date=day).select_related(
        "origin", "destination").order_by("scheduled_departure", "id")


def feed_message(unit, *, now=None):
    """The FeedMessage of ``unit``'s feed-borne trips of today."""
    now = now or timezone.now()
    trips = list(feed_trips(unit, timezone.localdate(now)))
    message = rt.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.incrementality = rt.FeedHeader.FULL_DATASET
    message.header.timestamp = _seconds(max((trip.state_at for trip in trips), default=now))
    for trip in trips:
        _trip_entity(message.entity.add(), unit, trip)
    return message


def _seconds(moment):
    return int(moment.timestamp())


def _trip_entity(entity, unit, trip):
    entity.id = trip.ref
    update = entity.trip_update
    trip_id, _, day = trip.ref.rpartition(":")
    update.trip.trip_id = trip_id or trip.ref
    update.trip.start_date = day if len(day) == 8 and day.isdigit() else f"{trip.service_date:%Y%m%d}"
    update.timestamp = _seconds(trip.state_at)
    if trip.status == TripStatus.CANCELLED:
        update.trip.schedule_relationship = rt.TripDescriptor.CANCELED
        return
    update.trip.schedule_relationship = rt.TripDescriptor.SCHEDULED
    departure = trip.actual_departure or trip.estimated_departure
    arrival = trip.actual_arrival or trip.estimated_arrival
    origin = update.stop_time_update.add()
    origin.stop_id = stop_id_of(unit, trip.origin.code)
    _event(origin.departure, trip.scheduled_departure, departure)
    end = update.stop_time_update.add()
    end.stop_id = stop_id_of(unit, trip.destination.code)
    _event(end.arrival, trip.scheduled_arrival, arrival)
    if departure is not None:
        update.delay = _delay(trip.scheduled_departure, departure)


def _event(event, scheduled, expected):
    """The delay and the expected (or actual) time; on schedule when nothing is known."""
    moment = expected or scheduled
    event.time = _seconds(moment)
    event.delay = _delay(scheduled, moment)


def _delay(scheduled, moment):
    return int((moment - scheduled) / datetime.timedelta(seconds=1))
