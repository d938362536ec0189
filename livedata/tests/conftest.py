"""Window units of every kind, their home stations and a clock to build times from."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from conftest import user_make


@pytest.fixture
def live(db):
    """An airport (runs CKG), a railway station (runs CUW), a ferry operator (runs no
    pier), a water company and a power company; an editor of the airport."""
    from livedata.models import Station
    from orgs.services import unit_create

    gov = unit_create(name="测试市人民政府", code="gov", kind="municipal_government")

    def window(code, name, sector):
        return unit_create(name=name, code=code, kind="window_unit", sector=sector, parent=gov)

    units = SimpleNamespace(
        gov=gov,
        airport=window("airport", "测试市国际机场", "aviation"),
        rail=window("rail", "测试市北站", "rail"),
        ferry=window("ferry", "测试市长江客运公司", "water_transport"),
        water=window("water", "测试市自来水公司", "water"),
        power=window("power", "测试市供电公司", "power"),
    )
    Station.objects.filter(kind="airport", code="CKG").update(unit=units.airport)
    Station.objects.filter(kind="rail", code="CUW").update(unit=units.rail)
    units.airport_editor = user_make("airport_editor", units.airport, ["editor"])
    units.rail_editor = user_make("rail_editor", units.rail, ["editor"])
    return units


@pytest.fixture
def at():
    """``at(hours)``: an aware time ``hours`` from now, on the minute (floats allowed)."""
    base = timezone.now().replace(second=0, microsecond=0)

    def make(hours=0.0):
        return base + datetime.timedelta(hours=hours)

    return make


def flight(ref="CA1405-1", *, number="CA1405", origin="CKG", destination="PEK", dep=None, arr=None, **more):
    """A flight record as a unit's system sends it (times as ISO strings)."""
    record = {"id": ref, "number": number, "operator": "中国国际航空", "origin": origin, "destination": destination}
    if dep is not None:
        record["scheduled_departure"] = dep.isoformat()
    if arr is not None:
        record["scheduled_arrival"] = arr.isoformat()
    for name, value in more.items():
        record[name] = value.isoformat() if isinstance(value, datetime.datetime) else value
    return record
