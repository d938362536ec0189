"""Pull a feed: fetch, read, store, and keep the feed's state (when tried, when last
good, the last error, consecutive failures, ETag, content hash, message time).

A feed that is down changes no trip and no notice: the stored state stays as it was
and only the feed's failure count grows. Data arriving is what moves the unit's
Channel (the upserts call services.channel_touch), so a unit whose feed stays down
shows on its boards since when nothing came.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .. import services
from ..kinds import Source
from ..models import Feed, FeedKind
from ..validation import MAX_RECORDS
from . import FeedError, gtfs_static, realtime
from .fetch import MAX_REALTIME_BYTES, MAX_STATIC_BYTES, fetch
from .stops import stations_store

# Days a static timetable is read for: today and tomorrow (local time).
STATIC_DAYS = 2
FEED_FIELDS = ["last_attempt_at", "last_ok_at", "last_error", "failures", "etag", "content_hash", "source_time"]


@dataclass
class PullResult:
    """What one pull did: ``outcome`` is "stored", "not_modified", "unchanged" (the same
    content), "older" (a message not newer than the last) or "failed"."""

    outcome: str
    error: str = ""
    trips: dict = field(default_factory=dict)
    notices: dict = field(default_factory=dict)
    unknown: list = field(default_factory=list)

    @property
    def ok(self):
        return self.outcome != "failed"

    def as_dict(self):
        return {"outcome": self.outcome, "error": self.error, "trips": self.trips, "notices": self.notices,
                "unknown": self.unknown}


def feeds_due(now=None):
    """Enabled feeds whose interval has passed since their last attempt."""
    now = now or timezone.now()
    feeds = Feed.objects.filter(enabled=True).select_related("unit").order_by("pk")
    return [feed for feed in feeds if feed.last_attempt_at is None
            or feed.last_attempt_at + datetime.timedelta(seconds=feed.every_seconds) <= now]


def feed_claim(feed, now):
    """Take ``feed`` for this pull; False when another worker took it first (two beats
    or a slow pull never pull the same feed twice at once)."""
    taken = Feed.objects.filter(pk=feed.pk, last_attempt_at=feed.last_attempt_at).update(last_attempt_at=now)
    if taken:
        feed.last_attempt_at = now
    return bool(taken)


def feed_pull(feed, now=None):
    """Pull ``feed`` once and record how it went on the feed; returns a :class:`PullResult`."""
    now = now or timezone.now()
    feed.last_attempt_at = now
    static = feed.kind == FeedKind.GTFS_STATIC
    # A timetable is read for today and tomorrow: on a new day the same zip gives new trips.
    same_day = feed.last_ok_at is not None and timezone.localdate(feed.last_ok_at) == timezone.localdate(now)
    try:
        fetched = fetch(feed.url, max_bytes=MAX_STATIC_BYTES if static else MAX_REALTIME_BYTES,
                        etag=feed.etag if same_day or not static else "")
        if fetched.not_modified:
            return _succeeded(feed, now, PullResult("not_modified"), etag=fetched.etag)
        digest = hashlib.sha256(fetched.body).hexdigest()
        if digest == feed.content_hash and (same_day or not static):
            return _succeeded(feed, now, PullResult("unchanged"), etag=fetched.etag)
        if static:
            result = _store_static(feed, fetched.body, now, published=timetable_time(fetched.last_modified, now))
        else:
            result = _store_realtime(feed, fetched.body, now)
    except FeedError as error:
        return feed_failed(feed, error.message, now)
    return _succeeded(feed, now, result, etag=fetched.etag, digest=digest)


def feed_failed(feed, message, now):
    """Count a failure of ``feed``; nothing else changes."""
    feed.last_attempt_at = now
    feed.failures += 1
    feed.last_error = message[:500]
    feed.save(update_fields=["last_attempt_at", "failures", "last_error"])
    return PullResult("failed", error=feed.last_error)


def _succeeded(feed, now, result, *, etag, digest=None):
    feed.last_ok_at, feed.failures, feed.etag = now, 0, etag[:200]
    if digest is not None:
        feed.content_hash = digest
    feed.last_error = _rejections(result)
    feed.save(update_fields=FEED_FIELDS)
    return result


def _rejections(result):
    """Records refused while the feed itself was good: said on the feed for its staff."""
    rejected = result.trips.get("rejected", []) + result.notices.get("rejected", [])
    if not rejected:
        return ""
    first = rejected[0]
    return f"{len(rejected)} 条记录未被接受,如 {first['id']}:{first['errors'][0]['message']}"[:500]


def _batches(records):
    for start in range(0, len(records), MAX_RECORDS):
        yield records[start:start + MAX_RECORDS]


def _merge(total, part):
    for key, value in part.as_dict().items():
        total[key] = total.get(key, [] if isinstance(value, list) else 0) + value
    return total


def _upsert(upsert, feed, records, now):
    total = {}
    for batch in _batches(records):
        _merge(total, upsert(unit=feed.unit, records=batch, source=Source.FEED, feed=feed, now=now))
    return total


def timetable_time(last_modified, now):
    """The time a timetable's trips are stated at: when the server says it was last
    changed, else the start of today. Not the pull's time: a timetable pulled after a
    realtime message must not make that message look late (a trip's state_at guards
    its live status), while a timetable published later than a message is newer."""
    if last_modified is not None and last_modified <= now:
        return last_modified
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(now), datetime.time()))


def _store_static(feed, body, now, *, published):
    today = timezone.localdate(now)
    days = [today + datetime.timedelta(days=n) for n in range(STATIC_DAYS)]
    timetable = gtfs_static.read(body, days=days, mode=feed.mode)
    with transaction.atomic():
        codes = stations_store(feed.unit, feed.mode, timetable.stops)
        records = [{"id": trip.ref, "mode": feed.mode, "number": trip.number, "operator": trip.operator,
                    "origin": codes[trip.origin], "destination": codes[trip.destination],
                    "scheduled_departure": trip.departure, "scheduled_arrival": trip.arrival,
                    "observed_at": published}
                   for trip in timetable.trips]
        trips = _upsert(services.trips_upsert, feed, records, now)
    return PullResult("stored", trips=trips)


def _store_realtime(feed, body, now):
    message = realtime.parse(body)
    sent = realtime.message_time(message)
    if feed.source_time is not None and sent <= feed.source_time:
        return PullResult("older")
    found = realtime.records(feed, message, now=now)
    with transaction.atomic():
        trips = _upsert(services.trips_upsert, feed, found.trips, now) if found.trips else {}
        notices = _upsert(services.notices_upsert, feed, found.notices, now) if found.notices else {}
    feed.source_time = sent
    return PullResult("stored", trips=trips, notices=notices, unknown=found.unknown)
