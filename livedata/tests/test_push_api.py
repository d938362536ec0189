"""The push API as a unit's system uses it: tokens and scopes, per-record reports,
idempotency, the unit's own data only, rate limits and malformed bodies (issue 12)."""

import json

import pytest

from livedata.models import DirectoryEntry, ServiceNotice, Trip
from livedata.tests.conftest import flight

pytestmark = pytest.mark.django_db


@pytest.fixture
def airport_system(live, make_machine_client):
    return make_machine_client(live.airport, "机场航显系统", scopes=["livedata.trips"])


def post(client, path, body, headers=None):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(f"/api/v1/live/{path}", data=data, content_type="application/json", headers=headers or {})


def test_a_batch_is_stored_and_each_refused_record_reported(client, live, at, airport_system):
    batch = {"records": [flight(dep=at(2), arr=at(4.5)),
                         flight("MU1-1", number="MU5401", destination="XXX", dep=at(2), arr=at(4)),
                         flight("MU2-1", number="MU5402", destination="PVG", dep=at(3), arr=at(2))]}
    response = post(client, "airport/trips", batch, airport_system.headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["stale"]) == (1, 0, 0, [])
    assert [(r["index"], r["id"], r["errors"][0]["code"]) for r in body["rejected"]] == [
        (1, "MU1-1", "unknown_station"), (2, "MU2-1", "impossible_time")]
    assert "XXX" in body["rejected"][0]["errors"][0]["message"]
    assert list(Trip.objects.values_list("ref", flat=True)) == ["CA1405-1"]
    trip = Trip.objects.get()
    assert trip.changes.get().client == airport_system.client

    again = post(client, "airport/trips", batch, airport_system.headers).json()
    assert (again["created"], again["unchanged"]) == (0, 1)


def test_a_token_of_another_unit_or_without_the_scope_is_refused(client, live, at, airport_system,
                                                                   make_machine_client):
    record = {"records": [flight(dep=at(2), arr=at(4.5))]}
    refused = post(client, "rail/trips", record, airport_system.headers)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert "另一个单位" in refused.json()["message"]
    notices_only = make_machine_client(live.airport, "机场公告系统", scopes=["livedata.notices"])
    assert post(client, "airport/trips", record, notices_only.headers).status_code == 403
    assert post(client, "airport/trips", record).status_code == 401
    assert post(client, "airport/trips", record, {"Authorization": "Bearer nonsense"}).status_code == 401
    assert post(client, "nowhere/trips", record, airport_system.headers).status_code == 404
    assert not Trip.objects.exists()


@pytest.mark.parametrize("body", ['{"records": ', "[]", '{"records": {}}', '{"records": [], "extra": 1}',
                                  '{"rows": []}', "\u00ff\u00fe"])
def test_a_malformed_body_is_refused_whole_with_a_typed_error(client, live, airport_system, body):
    response = post(client, "airport/trips", body.encode("latin-1") if body.startswith("\u00ff") else body,
                    airport_system.headers)
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert response.json()["message"]


def test_a_batch_over_the_limit_is_refused_whole(client, live, at, airport_system):
    records = [flight(f"R{i}", dep=at(2), arr=at(4)) for i in range(1001)]
    response = post(client, "airport/trips", {"records": records}, airport_system.headers)
    assert response.status_code == 400 and "1000" in response.json()["message"]
    assert not Trip.objects.exists()


def test_too_many_batches_are_slowed_down_per_client(client, live, at, airport_system, settings):
    settings.LIVEDATA_BATCHES_PER_MINUTE = 3
    for _ in range(3):
        assert post(client, "airport/trips", {"records": []}, airport_system.headers).status_code == 200
    refused = post(client, "airport/trips", {"records": [flight(dep=at(2), arr=at(4))]}, airport_system.headers)
    assert refused.status_code == 429 and refused.json()["code"] == "too_many" and int(refused["Retry-After"]) >= 1
    assert not Trip.objects.exists()


def test_notices_and_directory_entries_are_pushed_with_their_own_scopes(client, live, at, make_machine_client):
    water = make_machine_client(live.water, "自来水调度系统", scopes=["livedata.notices", "livedata.directory"])
    notice = {"id": "TS-1", "kind": "planned_outage", "title": "东区民族路片区计划停水", "reason": "管网改造",
              "districts": ["东区"], "streets": ["民族路"], "starts_at": at(20).isoformat(), "ends_at": at(28).isoformat(),
              "area": {"type": "Polygon", "coordinates": [[[106.57, 29.55], [106.59, 29.55], [106.59, 29.57],
                                                           [106.57, 29.55]]]}}
    no_area = {"id": "TS-2", "kind": "emergency_outage", "title": "抢修停水", "starts_at": at(-1).isoformat()}
    abroad = dict(notice, id="TS-3", area={"type": "Point", "coordinates": [2.35, 48.85]})
    body = post(client, "water/notices", {"records": [notice, no_area, abroad]}, water.headers).json()
    assert body["created"] == 1
    assert [(r["id"], r["errors"][0]["code"]) for r in body["rejected"]] == [("TS-2", "no_area"), ("TS-3", "invalid")]
    stored = ServiceNotice.objects.get()
    assert stored.utility == "water" and stored.area["type"] == "Polygon" and stored.streets == ["民族路"]

    entry = {"id": "E-1", "provider": "东区水电安装服务部", "category": "水电报装代办", "title": "居民用水报装代办",
             "url": "javascript:alert(1)"}
    body = post(client, "water/directory", {"records": [entry, dict(entry, url="https://example.cn/")]},
                water.headers).json()
    assert body["created"] == 1 and body["rejected"][0]["errors"][0]["field"] == "url"
    assert DirectoryEntry.objects.get().url == "https://example.cn/"


def test_the_openapi_document_shows_each_records_schema(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/live/{unit_code}/trips"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    record = schema["properties"]["records"]["items"]
    assert {"id", "number", "origin", "scheduled_departure", "status", "tickets"} <= set(record["properties"])
    assert "$ref" not in json.dumps(record)
    assert any(s.get("scheme") == "bearer" for s in document["components"]["securitySchemes"].values())
