"""Trips pushed in batches: upserts by the unit's own id, partial updates, history,
late messages, idempotency and the plausibility checks (issue 12)."""

import pytest

from livedata import services
from livedata.models import Change, Channel, Trip
from livedata.tests.conftest import flight

pytestmark = pytest.mark.django_db


def push(unit, records, **kw):
    return services.trips_upsert(unit=unit, records=records, source="api", **kw)


def test_a_new_flight_is_stored_with_its_history(live, at):
    result = push(live.airport, [flight(dep=at(2), arr=at(4.5), position="B12",
                                        tickets=[{"class": "经济舱", "status": "few", "seats": 6}])])
    assert result.as_dict() == {"created": 1, "updated": 0, "unchanged": 0, "stale": [], "rejected": []}
    trip = Trip.objects.get(unit=live.airport, ref="CA1405-1")
    assert (trip.mode, trip.number, trip.origin.code, trip.destination.code) == ("flight", "CA1405", "CKG", "PEK")
    assert trip.status == "scheduled" and trip.position == "B12"
    assert trip.tickets == [{"class": "经济舱", "status": "few", "seats": 6}]
    change = Change.objects.get(trip=trip)
    assert change.created and change.source == "api" and change.fields["number"] == [None, "CA1405"]
    assert Channel.objects.get(unit=live.airport, kind="trips").last_data_at is not None


def test_a_status_update_carries_only_what_changed_and_is_kept_in_the_history(live, at):
    push(live.airport, [flight(dep=at(2), arr=at(4.5), observed_at=at(-1))])
    result = push(live.airport, [{"id": "CA1405-1", "status": "delayed", "estimated_departure": at(3).isoformat(),
                                  "remark": "航路天气", "observed_at": at(-0.5).isoformat()}])
    assert result.updated == 1
    trip = Trip.objects.get(ref="CA1405-1")
    assert trip.status == "delayed" and trip.estimated_departure == at(3) and trip.destination.code == "PEK"
    change = trip.changes.order_by("id").last()
    assert change.fields["status"] == ["scheduled", "delayed"] and set(change.fields) == {
        "status", "estimated_departure", "remark"}
    assert change.state_at == at(-0.5)


def test_a_late_message_never_overwrites_a_newer_state(live, at):
    push(live.airport, [flight(dep=at(2), arr=at(4.5), status="boarding", observed_at=at(-0.2))])
    result = push(live.airport, [{"id": "CA1405-1", "status": "delayed", "observed_at": at(-0.5).isoformat()}])
    assert result.stale == ["CA1405-1"] and result.updated == 0
    assert Trip.objects.get(ref="CA1405-1").status == "boarding"
    assert Change.objects.filter(trip__ref="CA1405-1").count() == 1


def test_sending_the_same_batch_twice_changes_nothing(live, at):
    batch = [flight(dep=at(2), arr=at(4.5), observed_at=at(-1)),
             flight("MU5401-1", number="MU5401", destination="PVG", dep=at(3), arr=at(5.5), observed_at=at(-1))]
    assert push(live.airport, batch).created == 2
    again = push(live.airport, batch)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Change.objects.count() == 2


def test_bad_records_are_refused_with_typed_errors_and_the_good_ones_kept(live, at):
    batch = [
        flight(dep=at(2), arr=at(4.5)),                                               # good
        flight("X-2", number="CA1406", destination="ZZZ", dep=at(2), arr=at(4)),     # unknown airport
        flight("X-3", number="CA1407", dep=at(5), arr=at(4)),                         # arrives before it leaves
        flight("X-4", number="CA1408", origin="PEK", destination="PVG", dep=at(2), arr=at(4)),  # not ours
        flight("X-5", number="CA1409", dep=at(2), arr=at(4), status="landed"),        # no such status
        {"id": "X-6", "number": "CA1410"},                                            # new, lacks the rest
        flight("X-7", number="1234", dep=at(2), arr=at(4)),                           # not a flight number
        flight("X-8", number="CA1411", dep=at(-2), arr=at(1), actual_departure=at(-1.9),
               actual_arrival=at(0.9)),                                               # has not arrived yet
        "not a record",
        flight("X-10", number="CA1412", dep=at(2), arr=at(4), mode="train"),          # a train at an airport
    ]
    result = push(live.airport, batch)
    assert result.created == 1
    codes = {item["index"]: (item["id"], [(e["code"], e["field"]) for e in item["errors"]]) for item in result.rejected}
    assert codes[1] == ("X-2", [("unknown_station", "destination")])
    assert codes[2] == ("X-3", [("impossible_time", "scheduled_arrival")])
    assert codes[3] == ("X-4", [("not_our_station", "origin")])
    assert codes[4][1] == [("invalid", "status")]
    assert {code for code, _ in codes[5][1]} == {"missing_field"}
    assert codes[6] == ("X-7", [("invalid", "number")])
    assert codes[7] == ("X-8", [("impossible_time", "actual_arrival")])
    assert codes[8] == ("", [("invalid", "record")])
    assert codes[9] == ("X-10", [("wrong_mode", "mode")])
    assert list(Trip.objects.values_list("ref", flat=True)) == ["CA1405-1"]
    assert all(e["message"] for item in result.rejected for e in item["errors"])


def test_a_refused_update_leaves_the_stored_trip_as_it_was(live, at):
    push(live.airport, [flight(dep=at(2), arr=at(4.5), observed_at=at(-1))])
    result = push(live.airport, [{"id": "CA1405-1", "status": "arrived", "actual_arrival": at(1).isoformat()}])
    assert result.rejected and result.updated == 0
    trip = Trip.objects.get(ref="CA1405-1")
    assert trip.status == "scheduled" and trip.actual_arrival is None and trip.changes.count() == 1


def test_another_units_client_and_an_editor_of_another_unit_are_refused(live, at, make_machine_client):
    from orgs.errors import PermissionRefused

    rail_client = make_machine_client(live.rail, "北站客票系统", scopes=["livedata.trips"]).client
    with pytest.raises(PermissionRefused):
        push(live.airport, [flight(dep=at(2), arr=at(4.5))], client=rail_client)
    with pytest.raises(PermissionRefused):
        services.trips_upsert(unit=live.airport, records=[flight(dep=at(2), arr=at(4.5))], source="admin",
                              actor=live.rail_editor)
    assert not Trip.objects.exists()
    assert services.trips_upsert(unit=live.airport, records=[flight(dep=at(2), arr=at(4.5))], source="admin",
                                 actor=live.airport_editor).created == 1


def test_a_ferry_operator_publishes_between_any_piers(live, at):
    result = push(live.ferry, [{"id": "F1", "number": "长江1号", "origin": "CTM",
                                "destination": "WZP", "scheduled_departure": at(1).isoformat(),
                                "scheduled_arrival": at(9).isoformat()}])
    assert result.created == 1 and Trip.objects.get(ref="F1").mode == "ship"


def test_a_batch_too_large_is_refused_whole(live, at):
    from orgs.errors import DomainError

    with pytest.raises(DomainError):
        push(live.airport, [flight(f"R{i}", dep=at(2), arr=at(4)) for i in range(1001)])
    assert not Trip.objects.exists()


@pytest.mark.parametrize("change, field", [
    ({"scheduled_departure": "0001-01-01T00:00:00+14:00", "scheduled_arrival": "0001-01-01T02:00:00+14:00"},
     "scheduled_departure"),
    ({"estimated_departure": "9999-12-31T23:59:59-12:00"}, "estimated_departure"),
    ({"remark": "航路\x00天气"}, "remark"),
    ({"tickets": [{"class": "经济舱", "status": "few", "seats": float("inf")}]}, "tickets.0.seats"),
])
def test_extreme_times_and_control_characters_are_refused_in_chinese(live, at, change, field):
    record = flight(dep=at(2), arr=at(4.5))
    record.update(change)
    errors = push(live.airport, [record]).rejected[0]["errors"]
    assert (errors[0]["code"], errors[0]["field"]) == ("invalid", field), errors
    assert not any(c.isascii() and c.isalpha() for c in errors[0]["message"].split(":", 1)[-1].replace("ISO", ""))
    assert not Trip.objects.exists()
