"""Every change to live data goes through these functions: the push API, the feeds,
the admin and the demo's clock all call the same upserts.

A batch is a list of records, each upserted by the unit's own ``id`` (``ref``):

- a record that fails its schema or its plausibility checks is *rejected* with typed
  errors (livedata.validation) and changes nothing; the others are kept;
- a record older than the stored state (its ``observed_at`` before the record's
  ``state_at``) is *stale*: a late message never overwrites a newer state;
- a record that changes nothing is *unchanged* (sending a batch twice is harmless);
- every creation and change is kept as a :class:`~livedata.models.Change` with its
  source, client or person, the source's time and the values before and after.

The whole batch is one transaction: either every accepted record is stored, or (a
database failure) none is; a rejected record never leaves half of itself behind.
"""

import datetime
import functools
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from guard import audit
from orgs.authority import manages_every_unit
from orgs.errors import DomainError, PermissionRefused
from orgs.models import Role
from orgs.queries import sees_every_unit, visible_units

from . import validation as v
from .kinds import MODE_OF_SECTOR, STATION_KIND_OF_MODE, UTILITY_SECTORS, DataKind, Mode, NoticeStatus
from .models import Change, Channel, DirectoryEntry, Feed, NoticeUpdate, ServiceNotice, Station, Trip
from .queries import expected_streams

TRIP_FIELDS = ("mode", "number", "operator", "origin", "destination", "scheduled_departure", "scheduled_arrival",
               "estimated_departure", "estimated_arrival", "actual_departure", "actual_arrival", "status",
               "position", "remark", "tickets")
TRIP_REQUIRED = ("number", "origin", "destination", "scheduled_departure", "scheduled_arrival")
NOTICE_FIELDS = ("kind", "title", "reason", "details", "districts", "streets", "area", "starts_at", "ends_at",
                 "status", "restored_at", "visible_from", "contact")
NOTICE_REQUIRED = ("kind", "title", "starts_at")
ENTRY_FIELDS = ("provider", "category", "title", "description", "address", "phone", "hours", "url", "published")
ENTRY_REQUIRED = ("provider", "category", "title")
# Text fields stored as "" rather than NULL.
BLANK_TEXT = {"operator", "position", "remark", "reason", "details", "contact", "description", "address", "phone",
              "hours", "url"}

BOARD_VERSION_KEY = "livedata:board:{unit}"


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: list = field(default_factory=list)      # ids of records older than the stored state
    rejected: list = field(default_factory=list)   # {"index", "id", "errors": [{code, field, message}]}

    def reject(self, index, raw_id, errors):
        self.rejected.append({"index": index, "id": raw_id if isinstance(raw_id, str) else "",
                              "errors": [{"code": e.code, "field": e.field, "message": e.message} for e in errors]})

    @property
    def accepted(self):
        return self.created + self.updated + self.unchanged

    def as_dict(self):
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "stale": self.stale, "rejected": self.rejected}


def _raw_id(raw):
    return raw.get("id") if isinstance(raw, dict) else None


def _check_batch(records):
    if not isinstance(records, list):
        raise DomainError("records 应为记录的列表。", code="invalid")
    if len(records) > v.MAX_RECORDS:
        raise DomainError(f"一批最多 {v.MAX_RECORDS} 条记录,这一批有 {len(records)} 条;请分批发送。", code="invalid")


def _parsed_batch(schema, records, *, unit, client, actor):
    """The batch's checks that come before any reading: its size, who sends it, and
    each record's shape. ``(result, [(index, record), ...])``: the records refused for
    their shape are already in ``result``."""
    _check_batch(records)
    _may_push(unit, client, actor)
    result, parsed = BatchResult(), []
    for index, raw in enumerate(records):
        try:
            parsed.append((index, v.parse(schema, raw)))
        except v.Refused as refused:
            result.reject(index, _raw_id(raw), refused.errors)
    return result, parsed


def _plain(value):
    if isinstance(value, Station):
        return value.code
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def _stored(value, name):
    if value is None and name in BLANK_TEXT:
        return ""
    return value


def _diff(obj, state, names):
    return {name: [_plain(getattr(obj, name)), _plain(state[name])] for name in names
            if getattr(obj, name) != state[name]}


def _update_rows(model, objects, names):
    """Write ``names`` of ``objects`` in one statement. Django's ``bulk_update`` builds
    a CASE per field over every row, which costs seconds for a batch of hundreds of
    rows. On PostgreSQL this is one ``UPDATE … FROM (VALUES …)``; elsewhere (SQLite,
    in-process) one parameterised UPDATE per row through ``executemany``."""
    objects = list(objects)
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    rows = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields] + [obj.pk]
            for obj in objects]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column, unnested into rows: a statement of a fixed size,
            # planned in microseconds whatever the number of rows.
            aliases = [f"c{i}" for i in range(len(fields))]
            setters = ", ".join(f"{quote(field.column)} = v.{alias}" for field, alias in zip(fields, aliases))
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
            cursor.execute(f"UPDATE {table} AS t SET {setters} FROM unnest({arrays}, %s::bigint[]) "
                           f"AS v({', '.join(aliases)}, id) WHERE t.{pk} = v.id", [list(column) for column in zip(*rows)])
        else:
            columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
            cursor.executemany(f"UPDATE {table} SET {columns} WHERE {pk} = %s", rows)


def board_changed(unit_id):
    """Tell the boards (their ETag) that ``unit_id``'s data changed."""
    key = BOARD_VERSION_KEY.format(unit=unit_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, int(timezone.now().timestamp() * 1000), timeout=None)


def board_version(unit_id):
    key = BOARD_VERSION_KEY.format(unit=unit_id)
    value = cache.get(key)
    if value is None:
        value = int(timezone.now().timestamp() * 1000)
        cache.add(key, value, timeout=None)
        value = cache.get(key, value)
    return value


def channel_touch(unit, kind, *, at, source):
    """``unit``'s stream of ``kind`` brought data at ``at``."""
    if not Channel.objects.filter(unit=unit, kind=kind).update(last_data_at=at, last_source=source):
        try:
            with transaction.atomic():
                Channel.objects.create(unit=unit, kind=kind, last_data_at=at, last_source=source,
                                       expected_minutes=expected_streams(unit).get(kind, 0))
        except IntegrityError:
            Channel.objects.filter(unit=unit, kind=kind).update(last_data_at=at, last_source=source)




def unit_mode(unit):
    return MODE_OF_SECTOR.get(unit.sector)


def _may_push(unit, client, actor):
    """A machine client or a person pushes only its own unit's data."""
    if client is not None and client.unit_id != unit.pk:
        raise PermissionRefused(f"接口客户端「{client.name}」属于另一个单位,不能提交「{unit.name}」的数据。")
    if actor is not None and client is None and not may_edit(actor, unit):
        raise PermissionRefused(f"您不能修改「{unit.name}」的实时数据。")


EDITING_ROLES = (Role.EDITOR, Role.SITE_ADMIN)


def editable_units(user):
    """Units whose live data ``user`` edits by hand: their own units' editors and site
    administrators; the portal management centre's, every unit's."""
    return visible_units(user, roles=EDITING_ROLES)


def may_edit(user, unit):
    return editable_units(user).filter(pk=unit.pk).exists()


def _retried_on_race(upsert):
    """Run ``upsert`` again once if a concurrent batch created one of its records first
    (the unique ``(unit, ref)`` refused the insert; the batch's transaction was rolled
    back whole, so the second run sees that record and updates it)."""

    @functools.wraps(upsert)
    def run(**kwargs):
        try:
            return upsert(**kwargs)
        except IntegrityError:
            return upsert(**kwargs)

    return run


# --- Trips -----------------------------------------------------------------------------

@_retried_on_race
def trips_upsert(*, unit, records, source, client=None, actor=None, feed=None, now=None):
    """Upsert ``records`` (dicts shaped as validation.TripIn) as ``unit``'s trips."""
    now = now or timezone.now()
    result, parsed = _parsed_batch(v.TripIn, records, unit=unit, client=client, actor=actor)
    if not parsed:
        return result
    own_mode = unit_mode(unit)
    codes = {code for _, rec in parsed for code in (rec.origin, rec.destination) if code}
    with transaction.atomic():
        stations = {}
        for station in Station.objects.filter(code__in=codes, active=True):
            stations[(station.kind, station.code)] = station
        home = set(Station.objects.filter(unit=unit).values_list("pk", flat=True))
        existing = {trip.ref: trip for trip in Trip.objects.select_for_update().filter(
            unit=unit, ref__in={rec.id for _, rec in parsed})}
        # The stored trips' stations, read once (a join per trip would build two more
        # objects per row; a batch's trips share a few dozen stations).
        ends = {pk for trip in existing.values() for pk in (trip.origin_id, trip.destination_id)}
        by_pk = {station.pk: station for station in stations.values()}
        by_pk.update((station.pk, station) for station in Station.objects.filter(pk__in=ends - set(by_pk)))
        for trip in existing.values():
            trip.origin, trip.destination = by_pk[trip.origin_id], by_pk[trip.destination_id]
        created, updated, changes, dirty = {}, {}, [], set()
        for index, rec in parsed:
            trip = existing.get(rec.id) or created.get(rec.id)
            values = v.given(rec)
            values.pop("id")
            observed = values.pop("observed_at", None) or now
            errors = v.check_observed(observed, received=now)
            if trip is not None and observed < trip.state_at:
                result.stale.append(rec.id)
                continue
            mode = values.get("mode") or (trip.mode if trip else own_mode)
            if mode is None:
                errors.append(v.RecordError("wrong_mode", "mode", "本单位不是航空、铁路或水运单位,请给出 mode。"))
            elif own_mode is not None and mode != own_mode:
                errors.append(v.RecordError("wrong_mode", "mode", f"本单位发布的是{Mode(own_mode).label},"
                                                                  f"不能发布{Mode(mode).label}。"))
            if trip is None:
                errors += [v.RecordError("missing_field", name, f"新班次须给出{v.FIELD_NAMES[name]}({name})。")
                           for name in TRIP_REQUIRED if values.get(name) is None]
            elif any(name in values and values[name] is None for name in TRIP_REQUIRED):
                errors += [v.RecordError("invalid", name, f"{v.FIELD_NAMES[name]}不能清空。")
                           for name in TRIP_REQUIRED if name in values and values[name] is None]
            if errors:
                result.reject(index, rec.id, errors)
                continue
            errors += v.check_number(mode, values.get("number"))
            kind = STATION_KIND_OF_MODE[Mode(mode)]
            for name in ("origin", "destination"):
                if name in values:
                    station = stations.get((kind, values[name]))
                    if station is None:
                        errors.append(v.RecordError("unknown_station", name,
                                                    f"{v.FIELD_NAMES[name]}“{values[name]}”不是已登记的{kind.label}代码。"))
                    values[name] = station
            if "tickets" in values:
                values["tickets"] = [ticket.model_dump(by_alias=True) for ticket in values["tickets"] or []]
            state = {name: getattr(trip, name) for name in TRIP_FIELDS} if trip else dict.fromkeys(TRIP_FIELDS)
            if trip is None:
                state.update(status="scheduled", tickets=[], **{n: "" for n in TRIP_FIELDS if n in BLANK_TEXT})
            state.update({name: _stored(value, name) for name, value in values.items()})
            state["mode"] = mode
            if not errors:
                if home and state["origin"].pk not in home and state["destination"].pk not in home:
                    errors.append(v.RecordError("not_our_station", "origin", "本单位只能发布从本站出发或到达本站的班次。"))
                errors += v.check_trip(state, now=now, received=now)
            if errors:
                result.reject(index, rec.id, errors)
                continue
            if trip is None:
                trip = Trip(unit=unit, ref=rec.id, source=source, feed=feed, state_at=observed,
                            service_date=timezone.localtime(state["scheduled_departure"]).date(), **state)
                trip.created_at = trip.updated_at = now
                created[rec.id] = trip
                changes.append(Change(trip=trip, created=True, state_at=observed, received_at=now, source=source,
                                      client=client, actor=actor, feed=feed,
                                      fields={name: [None, _plain(state[name])] for name in TRIP_FIELDS
                                              if state[name] not in (None, "", [])}))
                result.created += 1
                continue
            diff = _diff(trip, state, TRIP_FIELDS)
            dirty.update(diff)
            if not diff and observed == trip.state_at:
                result.unchanged += 1
                continue
            for name, value in state.items():
                setattr(trip, name, value)
            trip.service_date = timezone.localtime(trip.scheduled_departure).date()
            trip.state_at, trip.source, trip.updated_at = observed, source, now
            if feed is not None:
                trip.feed = feed
            if trip.pk is not None:
                updated[trip.pk] = trip
            if diff:
                changes.append(Change(trip=trip, fields=diff, state_at=observed, received_at=now, source=source,
                                      client=client, actor=actor, feed=feed))
                result.updated += 1
            else:
                result.unchanged += 1
        if created:
            Trip.objects.bulk_create(created.values(), batch_size=500)
        if updated:
            # Only the columns some row changed (a status update touches a few).
            written = [name for name in TRIP_FIELDS if name in dirty] + ["state_at", "source", "updated_at"]
            if "scheduled_departure" in dirty:
                written.append("service_date")
            if feed is not None:
                written.append("feed")
            _update_rows(Trip, updated.values(), written)
        if changes:
            Change.objects.bulk_create(changes, batch_size=500)
        if result.accepted:
            channel_touch(unit, DataKind.TRIPS, at=now, source=source)
        if created or updated:
            transaction.on_commit(lambda: board_changed(unit.pk))
    return result


# --- Notices ---------------------------------------------------------------------------

@_retried_on_race
def notices_upsert(*, unit, records, source, client=None, actor=None, feed=None, now=None):
    """Upsert ``records`` (dicts shaped as validation.NoticeIn) as ``unit``'s service notices."""
    now = now or timezone.now()
    result, parsed = _parsed_batch(v.NoticeIn, records, unit=unit, client=client, actor=actor)
    if not parsed:
        return result
    utility = unit.sector if unit.sector in UTILITY_SECTORS else "other"
    with transaction.atomic():
        existing = {notice.ref: notice for notice in ServiceNotice.objects.select_for_update().filter(
            unit=unit, ref__in={rec.id for _, rec in parsed})}
        known_updates = {(u.notice_id, u.at, u.text) for u in NoticeUpdate.objects.filter(
            notice__in=[n.pk for n in existing.values()])}
        touched = False
        for index, rec in parsed:
            notice = existing.get(rec.id)
            values = v.given(rec)
            values.pop("id")
            observed = values.pop("observed_at", None) or now
            progress = values.pop("updates", None) or []
            errors = v.check_observed(observed, received=now)
            if notice is not None and observed < notice.state_at:
                result.stale.append(rec.id)
                continue
            if notice is None:
                errors += [v.RecordError("missing_field", name, f"新的服务信息须给出{v.FIELD_NAMES[name]}({name})。")
                           for name in NOTICE_REQUIRED if values.get(name) is None]
            else:
                errors += [v.RecordError("invalid", name, f"{v.FIELD_NAMES[name]}不能清空。")
                           for name in NOTICE_REQUIRED if name in values and values[name] is None]
            if "area" in values:
                errors += v.check_area(values["area"])
            state = {name: getattr(notice, name) for name in NOTICE_FIELDS} if notice else dict.fromkeys(NOTICE_FIELDS)
            if notice is None:
                state.update(status=NoticeStatus.PLANNED, districts=[], streets=[], visible_from=now,
                             **{n: "" for n in NOTICE_FIELDS if n in BLANK_TEXT})
            state.update({name: ([] if value is None and name in ("districts", "streets") else _stored(value, name))
                          for name, value in values.items()})
            if state.get("visible_from") is None:
                state["visible_from"] = now
            if state.get("status") == NoticeStatus.RESTORED and not state.get("restored_at") and "restored_at" not in values:
                state["restored_at"] = observed
            if not errors:
                # The start is judged against today only when it is being set (an old
                # notice without end, a tariff, is still updated and cancelled).
                setting_start = notice is None or "starts_at" in values
                errors += v.check_notice(state, now=now if setting_start else None, received=now)
            for update in progress:
                if update.at > now + v.CLOCK_SKEW:
                    errors.append(v.RecordError("impossible_time", "updates", "进展的时间在将来。"))
                    break
            if errors:
                result.reject(index, rec.id, errors)
                continue
            was_new = notice is None
            if was_new:
                notice = ServiceNotice.objects.create(unit=unit, ref=rec.id, utility=utility, source=source, feed=feed,
                                                      state_at=observed, **state)
                existing[rec.id] = notice
                diff = {name: [None, _plain(state[name])] for name in NOTICE_FIELDS if state[name] not in (None, "", [])}
            else:
                diff = _diff(notice, state, NOTICE_FIELDS)
                if diff or observed != notice.state_at:
                    for name, value in state.items():
                        setattr(notice, name, value)
                    notice.state_at, notice.source = observed, source
                    notice.save()
            new_updates = []
            for update in progress:
                key = (notice.pk, update.at, update.text)
                if key not in known_updates:
                    known_updates.add(key)
                    new_updates.append(NoticeUpdate(notice=notice, at=update.at, text=update.text))
            if new_updates:
                NoticeUpdate.objects.bulk_create(new_updates)
                diff["updates"] = [None, [u.text for u in new_updates]]
            changed = was_new or bool(diff)
            if changed:
                Change.objects.create(notice=notice, created=was_new, fields=diff, state_at=observed, received_at=now,
                                      source=source, client=client, actor=actor, feed=feed)
            if was_new:
                result.created += 1
            elif changed:
                result.updated += 1
            else:
                result.unchanged += 1
            touched = touched or changed
        if result.accepted:
            channel_touch(unit, DataKind.NOTICES, at=now, source=source)
        if touched:
            transaction.on_commit(lambda: board_changed(unit.pk))
    return result


# --- The directory of firms' and intermediaries' services ------------------------------

@_retried_on_race
def entries_upsert(*, unit, records, source, client=None, actor=None, now=None):
    """Upsert ``records`` (dicts shaped as validation.EntryIn) into the directory, as registered by ``unit``."""
    now = now or timezone.now()
    result, parsed = _parsed_batch(v.EntryIn, records, unit=unit, client=client, actor=actor)
    if not parsed:
        return result
    with transaction.atomic():
        existing = {entry.ref: entry for entry in DirectoryEntry.objects.select_for_update().filter(
            unit=unit, ref__in={rec.id for _, rec in parsed})}
        for index, rec in parsed:
            entry = existing.get(rec.id)
            values = v.given(rec)
            values.pop("id")
            observed = values.pop("observed_at", None) or now
            errors = v.check_observed(observed, received=now)
            if entry is not None and observed < entry.state_at:
                result.stale.append(rec.id)
                continue
            missing = ENTRY_REQUIRED if entry is None else [n for n in ENTRY_REQUIRED if n in values and values[n] is None]
            errors += [v.RecordError("missing_field", name, f"须给出{v.FIELD_NAMES[name]}({name})。")
                       for name in missing if values.get(name) is None]
            if errors:
                result.reject(index, rec.id, errors)
                continue
            values = {name: (True if name == "published" and value is None else _stored(value, name))
                      for name, value in values.items()}
            if entry is None:
                existing[rec.id] = DirectoryEntry.objects.create(unit=unit, ref=rec.id, source=source, state_at=observed,
                                                                 **values)
                result.created += 1
                continue
            diff = {name: value for name, value in values.items() if getattr(entry, name) != value}
            if not diff and observed == entry.state_at:
                result.unchanged += 1
                continue
            for name, value in values.items():
                setattr(entry, name, value)
            entry.state_at, entry.source = observed, source
            entry.save()
            if diff:
                result.updated += 1
            else:
                result.unchanged += 1
        if result.accepted:
            channel_touch(unit, DataKind.DIRECTORY, at=now, source=source)
    return result


# --- Stations and freshness ----------------------------------------------------------

def may_set_watch(user):
    """Whether ``user`` sets how often units' streams are expected: the portal management
    centre and supervisors, never the watched unit itself (it could switch off the
    check that counts against it)."""
    return user is None or manages_every_unit(user) or sees_every_unit(user, roles=[Role.SUPERVISOR])


def channel_configure(*, unit, kind, expected_minutes, actor=None):
    """How often ``unit``'s stream of ``kind`` is expected (0: not watched)."""
    if not may_set_watch(actor):
        raise PermissionRefused("数据更新监测的间隔由门户网站管理中心或督查人员设置,本单位不能修改。")
    if expected_minutes < 0 or expected_minutes > 7 * 24 * 60:
        raise DomainError("应更新间隔应在 0 到 10080 分钟(7天)之间。", code="invalid")
    with transaction.atomic():
        before = Channel.objects.filter(unit=unit, kind=kind).values_list("expected_minutes", flat=True).first()
        channel, _ = Channel.objects.update_or_create(unit=unit, kind=kind,
                                                      defaults={"expected_minutes": expected_minutes})
        if before != expected_minutes:
            audit.record(channel, "livedata.channel_configure", actor=actor, before={"expected_minutes": before},
                         after={"expected_minutes": expected_minutes})
    board_changed(unit.pk)
    return channel


# --- A unit's configuration: the stations it runs, the feeds it publishes -----------

LOG_ACTIONS = (
    ("livedata.channel_configure", "设置数据更新监测", "设置了数据更新监测"),
    ("livedata.station_save", "保存站点", "保存了站点"),
    ("livedata.feed_save", "保存数据源", "保存了数据源"),
)
CONFIG_FIELDS = {Station: ("kind", "code", "name", "city", "active"),
                 Feed: ("name", "kind", "mode", "url", "every_seconds", "enabled")}


def config_save(*, instance, unit, actor):
    """Save ``instance`` (a Station or a Feed of ``unit``), as ``actor`` may: checked by
    the model, recorded in the audit trail with what changed, the boards told."""
    _may_push(unit, None, actor)
    model = type(instance)
    fields = CONFIG_FIELDS[model]
    before = {}
    if instance.pk is not None:
        stored = model.objects.filter(pk=instance.pk, unit=unit).values(*fields).first()
        if stored is None:
            raise PermissionRefused(f"这条记录不属于「{unit.name}」。")
        before = stored
    instance.unit = unit
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        after = {name: getattr(instance, name) for name in fields}
        changed = [name for name in fields if before.get(name) != after[name]]
        audit.record(instance, f"livedata.{model.__name__.lower()}_save", actor=actor,
                     before={name: before.get(name) for name in changed}, after={n: after[n] for n in changed})
        transaction.on_commit(lambda: board_changed(unit.pk))
    return instance
