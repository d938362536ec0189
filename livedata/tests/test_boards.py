"""The boards' faces (issue 12): the open JSON (shapes, filters, ETag and 304, the read
quota, silence), the notices coming and going with the clock, the pages of every kind
of live unit and the home sections, which carry nothing of the reader."""

import datetime
import json

import pytest
from django.utils import timezone

from livedata import services
from livedata.models import Channel
from livedata.tests.conftest import flight

pytestmark = pytest.mark.django_db


def push(unit, records):
    result = services.trips_upsert(unit=unit, records=records, source="api")
    assert not result.rejected, result.rejected
    return result


def notice(ref="N1", **fields):
    record = {"id": ref, "kind": "planned_outage", "title": "解放碑片区计划停水", "districts": ["渝中区"],
              "streets": ["解放碑街道"], "reason": "管网改造", "contact": "023-96968"}
    record.update({k: v.isoformat() if isinstance(v, datetime.datetime) else v for k, v in fields.items()})
    return record


def push_notices(unit, records, now=None):
    result = services.notices_upsert(unit=unit, records=records, source="api", now=now)
    assert not result.rejected, result.rejected
    return result


def day_of(value):
    return timezone.localtime(value).date().isoformat()


@pytest.fixture
def flights(live, at):
    """Three flights out of CKG today-ish and one into it."""
    push(live.airport, [
        flight("D1", number="CA1405", destination="PEK", dep=at(1), arr=at(3.5)),
        flight("D2", number="MU5401", destination="PVG", dep=at(2), arr=at(4.5), status="delayed",
               estimated_departure=at(3), remark="航路天气"),
        flight("D3", number="3U8881", destination="CTU", dep=at(1.5), arr=at(2.5), status="cancelled"),
        flight("A1", number="CZ3401", origin="CAN", destination="CKG", dep=at(-1), arr=at(1)),
    ])
    return live


def get(client, url, **headers):
    return client.get(url, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})


# --- Open JSON ------------------------------------------------------------------------

def test_the_departures_board_lists_rows_with_their_labels(client, flights, at):
    response = client.get(f"/api/v1/live/airport/board?date={day_of(at(1))}")
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "航班动态 · 出发" and data["direction"] == "departures" and data["mode"] == "flight"
    assert data["labels"]["number"] == "航班号" and data["labels"]["position"] == "登机口"
    rows = {row["number"]: row for row in data["rows"]}
    assert set(rows) <= {"CA1405", "MU5401", "3U8881"} and "CZ3401" not in rows
    delayed = rows["MU5401"]
    assert delayed["origin"] == {"code": "CKG", "name": "重庆江北国际机场"} and delayed["destination"]["code"] == "PVG"
    assert delayed["status"] == "delayed" and delayed["status_label"] == "延误"
    assert delayed["display"]["expected"] == timezone.localtime(at(3)).strftime("%H:%M")
    assert delayed["headline"] == f"MU5401 延误,预计 {timezone.localtime(at(3)):%H:%M} 起飞"
    assert delayed["scheduled_departure"].endswith("+08:00") and delayed["remark"] == "航路天气"
    assert data["silence"] == "" and data["generated_at"]
    assert response["Cache-Control"] == "public, max-age=1" and response["ETag"].startswith('W/"')


def test_arrivals_and_the_boarding_label_of_each_mode(client, flights, live, at):
    arrivals = client.get(f"/api/v1/live/airport/board?direction=arrivals&date={day_of(at(1))}").json()
    assert [row["number"] for row in arrivals["rows"]] == ["CZ3401"]
    assert arrivals["labels"]["place"] == "始发地" and arrivals["rows"][0]["display"]["place"] == "广州白云国际机场"
    push(live.rail, [{"id": "G1", "number": "G310", "origin": "CUW", "destination": "CXW", "status": "boarding",
                      "scheduled_departure": at(0.5).isoformat(), "scheduled_arrival": at(1).isoformat(),
                      "position": "A3"}])
    train = client.get(f"/api/v1/live/rail/board?date={day_of(at(0.5))}").json()["rows"][0]
    assert train["status_label"] == "正在检票" and train["headline"] == "G310 正在检票,检票口/站台 A3"


def test_filters_by_route_and_status_and_refuses_what_it_does_not_understand(client, flights, at):
    day = day_of(at(1))
    by_route = client.get(f"/api/v1/live/airport/board?date={day}&route=PEK").json()["rows"]
    assert [row["number"] for row in by_route] == ["CA1405"]
    by_city = client.get(f"/api/v1/live/airport/board?date={day}&route=上海").json()["rows"]
    assert [row["number"] for row in by_city] == ["MU5401"]
    by_status = client.get(f"/api/v1/live/airport/board?date={day}&status=delayed,cancelled").json()["rows"]
    assert {row["number"] for row in by_status} == {"MU5401", "3U8881"}
    bad_status = client.get("/api/v1/live/airport/board?status=landed")
    assert bad_status.status_code == 422 and bad_status.json()["code"] == "invalid_filter"
    assert bad_status.json()["field"] == "status" and "landed" in bad_status.json()["message"]
    bad_date = client.get("/api/v1/live/airport/board?date=2026-13-40")
    assert bad_date.status_code == 422 and bad_date.json()["field"] == "date"
    assert client.get("/api/v1/live/airport/board?direction=sideways").status_code == 422
    assert client.get("/api/v1/live/nowhere/board").status_code == 404
    assert client.get("/api/v1/live/water/board").status_code == 404  # a utility has no trips board


def test_an_unchanged_board_answers_304_and_a_change_gives_a_new_etag(client, flights, live, at,
                                                                      django_capture_on_commit_callbacks):
    url = f"/api/v1/live/airport/board?date={day_of(at(1))}"
    first = client.get(url)
    tag = first["ETag"]
    again = get(client, url, if_none_match=tag)
    assert again.status_code == 304 and again["ETag"] == tag and not again.content
    other_filter = client.get(url + "&route=PEK")
    assert other_filter["ETag"] != tag
    with django_capture_on_commit_callbacks(execute=True):  # the board's version moves on commit
        push(live.airport, [{"id": "D1", "status": "delayed", "estimated_departure": at(1.5).isoformat()}])
    changed = get(client, url, if_none_match=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag
    assert {row["number"]: row["status"] for row in changed.json()["rows"]}["CA1405"] == "delayed"


def test_too_many_reads_from_one_client_get_a_typed_429(client, flights, settings):
    settings.LIVEDATA_READS_PER_MINUTE = 30
    for _ in range(30):
        assert client.get("/api/v1/live/boards").status_code == 200
    refused = client.get("/api/v1/live/boards")
    assert refused.status_code == 429 and refused.json()["code"] == "too_many"
    assert int(refused["Retry-After"]) >= 1
    other = client.get("/api/v1/live/boards", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200  # the quota is per client


def test_the_list_of_boards_names_every_live_unit_and_its_silence(client, flights, live, at):
    Channel.objects.filter(unit=live.airport, kind="trips").update(last_data_at=at(-3), expected_minutes=60)
    boards = {item["code"]: item for item in client.get("/api/v1/live/boards").json()}
    assert set(boards) == {"airport", "rail", "ferry", "water", "power"}
    assert boards["airport"]["kind"] == "trips" and boards["water"]["kind"] == "notices"
    assert boards["airport"]["links"] == {"page": "/live/airport/", "api": "/api/v1/live/airport/board"}
    stale = timezone.localtime(at(-3))
    assert boards["airport"]["silence"] == f"数据自 {stale:%Y-%m-%d %H:%M} 起未更新,以下信息可能不是最新。"
    # A transport unit that never brought data is expected to: it says so.
    assert boards["rail"]["silence"] == "尚未收到实时数据,以下信息可能不是最新。"
    board = client.get(f"/api/v1/live/airport/board?date={day_of(at(1))}").json()
    assert board["silence"].startswith(f"数据自 {stale:%Y-%m-%d %H:%M}")


def test_a_notice_appears_when_published_and_goes_six_hours_after_its_end(client, live, at):
    push_notices(live.water, [notice(starts_at=at(2), ends_at=at(8), visible_from=at(1),
                                     updates=[{"at": at(-1.5).isoformat(), "text": "已通知沿线小区"}])], now=at(-1))

    def shown(now):
        from livedata import boards

        return [(n["id"], n["phase"]) for n in boards.notices(unit=live.water, now=now)]

    assert shown(at(0.5)) == []
    assert shown(at(1.5)) == [("N1", "upcoming")]
    assert shown(at(3)) == [("N1", "ongoing")]
    assert shown(at(9)) == [("N1", "ended")]
    assert shown(at(14.5)) == []

    data = client.get("/api/v1/live/notices?unit=water").json()
    assert data["notices"] == []  # not yet published at the real now
    push_notices(live.power, [notice("P1", title="观音岩片区抢修停电", kind="emergency_outage", starts_at=at(-1),
                                     ends_at=at(2), districts=["渝中区", "江北区"])])
    item = client.get("/api/v1/live/notices?district=江北区").json()["notices"][0]
    assert item["unit"]["code"] == "power" and item["kind_label"] == "抢修停电" and item["phase"] == "ongoing"
    assert item["phase_label"] == "进行中" and item["districts"] == ["渝中区", "江北区"]
    assert client.get("/api/v1/live/notices?district=沙坪坝区").json()["notices"] == []
    assert client.get("/api/v1/live/notices?utility=sewage").status_code == 422
    assert client.get("/api/v1/live/notices?unit=gov").status_code == 404


def test_the_directory_lists_published_entries(client, live, at):
    result = services.entries_upsert(unit=live.water, records=[
        {"id": "E1", "provider": "渝安管道维修", "category": "维修", "title": "上门疏通", "phone": "023-60000000"},
        {"id": "E2", "provider": "不公开的公司", "category": "维修", "title": "隐藏", "published": False},
    ], source="api")
    assert result.created == 2
    entries = client.get("/api/v1/live/directory").json()["entries"]
    assert [(e["provider"], e["phone"]) for e in entries] == [("渝安管道维修", "023-60000000")]


def test_the_open_api_is_documented_in_chinese(client):
    schema = client.get("/api/v1/openapi.json").json()
    board = schema["paths"]["/api/v1/live/{unit_code}/board"]["get"]
    assert board["summary"] == "一个单位的航班、列车或客船动态" and "invalid_filter" in board["description"]
    assert "/api/v1/live/notices" in schema["paths"] and "/api/v1/live/boards" in schema["paths"]


# --- Pages ----------------------------------------------------------------------------

def test_the_service_page_lists_every_live_unit_with_a_link(client, flights, live, at):
    push_notices(live.water, [notice(starts_at=at(-1), ends_at=at(3))])
    page = client.get("/live/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>便民服务</h1>" in html
    for code in ("airport", "rail", "ferry", "water", "power"):
        assert f'href="/live/{code}/"' in html
    assert "解放碑片区计划停水" in html and "计划停水" in html
    assert "sessionid" not in page.cookies


@pytest.mark.parametrize("code", ["airport", "rail", "ferry", "water", "power"])
def test_every_kind_of_unit_has_a_board_page(client, flights, live, at, code):
    push(live.ferry, [{"id": "F1", "number": "长江1号", "origin": "CTM", "destination": "WZP",
                       "scheduled_departure": at(1).isoformat(), "scheduled_arrival": at(9).isoformat()}])
    push_notices(live.power, [notice("P1", title="观音岩片区抢修停电", kind="emergency_outage", starts_at=at(-1),
                                     ends_at=at(2), updates=[{"at": at(-0.5).isoformat(), "text": "抢修人员已到场"}])])
    response = client.get(f"/live/{code}/?date={day_of(at(1))}")
    assert response.status_code == 200
    html = response.content.decode()
    if code in ("airport", "rail"):
        assert 'aria-current="page">出发</a>' in html and ">到达</a>" in html
        assert 'data-live-src="/api/v1/live/' + code + '/board?direction=departures' in html
        assert '<form class="live-filters" method="get"' in html
    if code == "airport":
        assert "MU5401" in html and "延误" in html and "CZ3401" not in html
    if code == "ferry":  # no pier of its own: one list, no tabs
        assert "长江1号" in html and "始发 → 到达" in html and 'class="live-tabs"' not in html
    if code == "power":
        assert "观音岩片区抢修停电" in html and "抢修人员已到场" in html and "进行中" in html
    if code == "water":
        assert "目前没有停水、停电等服务信息" in html


def test_the_board_page_filters_without_script_and_says_what_it_did_not_understand(client, flights, at):
    day = day_of(at(1))
    html = client.get(f"/live/airport/?date={day}&status=cancelled").content.decode()
    assert 'data-id="D3"' in html and 'data-id="D2"' not in html
    arrivals = client.get(f"/live/airport/?direction=arrivals&date={day}").content.decode()
    assert 'data-id="A1"' in arrivals and 'data-id="D1"' not in arrivals
    odd = client.get("/live/airport/?date=yesterday&status=landed").content.decode()
    assert "不是 年-月-日 格式" in odd and "没有这种状态" in odd


def test_an_unknown_or_non_live_unit_has_no_board_page(client, live):
    assert client.get("/live/nowhere/").status_code == 404
    assert client.get("/live/gov/").status_code == 404


# --- Home sections --------------------------------------------------------------------

def home_of(unit, kind):
    from types import SimpleNamespace

    return SimpleNamespace(site_kind=kind, unit_id=unit.pk if unit else None, unit=unit)


def render_section(section):
    from django.template.loader import render_to_string

    return render_to_string(section["template"], {"section": section})


def test_a_window_units_home_leads_with_its_board_marked_to_refresh(flights, live, at):
    from livedata.home import live_section

    section = live_section(home_page=home_of(live.airport, "window"), columns=[], request=None)["live"]
    html = render_section(section)
    assert 'data-live-src="/api/v1/live/airport/board?direction=departures&amp;upcoming=true&amp;limit=8"' in html
    assert "data-live-board" in html and "MU5401" in html and 'href="/live/airport/"' in html
    assert 'aria-live="polite"' in html


def test_a_utilitys_home_shows_its_notices_and_the_portal_links_to_the_service_page(live, at):
    from livedata.home import live_section

    push_notices(live.water, [notice(starts_at=at(-1), ends_at=at(3))])
    water = render_section(live_section(home_page=home_of(live.water, "window"), columns=[], request=None)["live"])
    assert "解放碑片区计划停水" in water and 'href="/live/water/"' in water
    assert 'data-live-board="notices"' in water and 'data-live-src="/api/v1/live/notices?unit=water"' in water
    portal = render_section(live_section(home_page=home_of(None, "portal"), columns=[], request=None)["live"])
    assert 'href="/live/"' in portal and "便民服务" in portal and 'href="/live/airport/"' in portal
    assert live_section(home_page=home_of(live.gov, "department"), columns=[], request=None) is None


def test_the_home_section_is_the_same_for_every_reader(client, flights, live):
    """Rendered for an anonymous request and for a logged-in editor, the section is the
    same bytes apart from its clock: a baked home page holds nothing of its reader."""
    from django.test import RequestFactory

    from livedata.home import live_section

    anonymous = RequestFactory().get("/")
    editor = RequestFactory().get("/")
    editor.user = live.airport_editor
    first = live_section(home_page=home_of(live.airport, "window"), columns=[], request=anonymous)["live"]
    second = live_section(home_page=home_of(live.airport, "window"), columns=[], request=editor)["live"]
    strip = (lambda s: json.dumps({**s, "board": {**s["board"], "generated_at": ""}}, default=str, sort_keys=True))
    assert strip(first) == strip(second)
    assert "airport_editor" not in render_section(second)


def test_the_home_sections_short_list_keeps_the_next_trips_only(client, live, at):
    push(live.airport, [
        flight("OLD", number="CA1001", dep=at(-3), arr=at(-2.5), status="arrived", actual_departure=at(-3),
               actual_arrival=at(-2.5)),
        flight("N1", number="CA1002", dep=at(0.5), arr=at(3)),
        flight("N2", number="CA1003", dep=at(0.75), arr=at(4)),
    ])
    day = day_of(at(-3))
    if day != day_of(at(0.75)):
        pytest.skip("the trips straddle midnight in Beijing")
    rows = client.get(f"/api/v1/live/airport/board?date={day}&upcoming=true&limit=1").json()["rows"]
    assert [row["id"] for row in rows] == ["N1"]
    everything = client.get(f"/api/v1/live/airport/board?date={day}").json()["rows"]
    assert [row["id"] for row in everything] == ["OLD", "N1", "N2"]
    assert client.get("/api/v1/live/airport/board?limit=0").status_code == 422


def test_the_notices_are_listed_a_page_at_a_time(client, live, at):
    push_notices(live.water, [notice(f"N{i}", starts_at=at(1 + i / 60), ends_at=at(5)) for i in range(60)])
    first = client.get("/api/v1/live/notices?unit=water").json()
    assert first["total"] == 60 and [n["id"] for n in first["notices"]] == [f"N{i}" for i in range(50)]
    rest = client.get("/api/v1/live/notices?unit=water&offset=50&limit=200").json()
    assert [n["id"] for n in rest["notices"]] == [f"N{i}" for i in range(50, 60)]
    assert client.get("/api/v1/live/notices?limit=201").status_code == 422
    assert client.get("/api/v1/live/notices?district=渝中区&limit=5").json()["total"] == 60


def test_an_arrivals_board_speaks_of_arriving(client, flights, at):
    push(flights.airport, [{"id": "A1", "status": "boarding", "position": "行李转盘3"}])
    board = client.get(f"/api/v1/live/airport/board?direction=arrivals&date={day_of(at(1))}").json()
    assert board["labels"]["position"] == "行李转盘" and board["labels"]["place"] == "始发地"
    row = board["rows"][0]
    assert row["status_label"] == "始发站登机中" and "登机口" not in row["headline"]
    departures = client.get(f"/api/v1/live/airport/board?date={day_of(at(1))}").json()
    assert departures["labels"]["position"] == "登机口"


def test_a_board_finds_a_number_by_its_beginning_or_an_operator_and_shows_both_directions(client, flights, at):
    day = day_of(at(1))
    numbers = [r["number"] for r in client.get(f"/api/v1/live/airport/board?date={day}&route=MU").json()["rows"]]
    assert numbers == ["MU5401"]
    by_operator = client.get(f"/api/v1/live/airport/board?date={day}&route=中国国际航空").json()["rows"]
    assert {r["number"] for r in by_operator} == {"CA1405", "MU5401", "3U8881"}  # the test flights share an operator
    both = client.get(f"/api/v1/live/airport/board?date={day}&direction=all").json()
    assert both["direction"] == "all" and "CZ3401" in {r["number"] for r in both["rows"]}
    assert len(both["rows"]) == 4
