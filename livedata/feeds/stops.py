"""A feed's stops as stations. A stop whose id already is a known station code of
the feed's kind (CTM, CUW …) is that station; any other stop becomes a station of
the feed's unit, coded ``{unit code}:{stop_id}`` so two operators' stop "1" never
meet. A code that would pass the 40 characters of Station.code ends in a short hash
of the stop id instead.

A feed's stations are the unit's by their code, not as its home (``Station.unit``):
a home station splits a unit's board into departures from it and arrivals to it,
and the upserts refuse a trip touching none of a unit's homes, so marking an
operator's stops as homes would hide, or refuse, its trips between known piers.
Staff make a station a unit's home in the admin; a feed never changes that."""

import hashlib

from ..kinds import STATION_KIND_OF_MODE, Mode
from ..models import Station

CODE_LENGTH = 40


def station_kind(mode):
    return STATION_KIND_OF_MODE[Mode(mode)]


def own_code(unit, stop_id):
    """The platform's code of ``unit``'s own stop ``stop_id``."""
    code = f"{unit.code}:{stop_id}"
    if len(code) <= CODE_LENGTH:
        return code
    return f"{unit.code}:#{hashlib.sha1(stop_id.encode()).hexdigest()[:10]}"[:CODE_LENGTH]


def codes_of(unit, mode, stop_ids):
    """``{stop_id: station code}`` for ``stop_ids`` of ``unit``'s feed of ``mode``."""
    stop_ids = set(stop_ids)
    known = set(Station.objects.filter(kind=station_kind(mode), code__in=stop_ids).values_list("code", flat=True))
    return {stop_id: stop_id if stop_id in known else own_code(unit, stop_id) for stop_id in stop_ids}


def stop_id_of(unit, code):
    """The feed's stop id behind a station code (the reverse of :func:`codes_of`)."""
    prefix = f"{unit.code}:"
    return code[len(prefix):] if code.startswith(prefix) else code


def stations_store(unit, mode, stops):
    """Create or rename ``unit``'s own stations for ``stops`` (``{stop_id: name}``);
    known stations are used as they are (their names are not the feed's to change).
    Returns ``{stop_id: station code}``."""
    kind = station_kind(mode)
    codes = codes_of(unit, mode, stops)
    own = {codes[stop_id]: name[:60] for stop_id, name in stops.items() if codes[stop_id] != stop_id}
    stored = {station.code: station for station in Station.objects.filter(kind=kind, code__in=own)}
    new = [Station(kind=kind, code=code, name=name) for code, name in own.items() if code not in stored]
    Station.objects.bulk_create(new, batch_size=500)
    renamed = [station for code, station in stored.items() if station.name != own[code]]
    for station in renamed:
        station.name = own[station.code]
    Station.objects.bulk_update(renamed, ["name"], batch_size=500)
    return codes


def names_of(unit, mode, stop_ids):
    """The station names of ``stop_ids`` (those that are stations), in the given order."""
    codes = codes_of(unit, mode, stop_ids)
    names = dict(Station.objects.filter(kind=station_kind(mode), code__in=codes.values()).values_list("code", "name"))
    return [names[codes[stop_id]] for stop_id in stop_ids if codes[stop_id] in names]
