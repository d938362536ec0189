"""Hand editing of live data in the admin (issue 12): scoped to the person's units
(another unit's records are never listed and answer 404), saved through the same
upserts as the push API with the person as actor, the services' errors on the form's
fields, and each record's history."""

import json

import pytest
from django.utils import timezone

from conftest import user_make
from livedata import services
from livedata.models import Change, Channel, DirectoryEntry, ServiceNotice, Trip
from livedata.tests.conftest import flight

pytestmark = pytest.mark.django_db


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def trip_form(at, **changes):
    data = {"ref": "CA1405-1", "number": "CA1405", "operator": "中国国际航空", "origin": "CKG", "destination": "PEK",
            "scheduled_departure": local(at(2)), "scheduled_arrival": local(at(4.5)), "status": "scheduled",
            "position": "B12", "remark": "", "tickets": "经济舱,余票紧张,6"}
    data.update(changes)
    return data


@pytest.fixture
def airport_trip(live, at):
    services.trips_upsert(unit=live.airport, records=[flight(dep=at(2), arr=at(4.5))], source="api")
    return Trip.objects.get(unit=live.airport, ref="CA1405-1")


def test_the_menu_and_the_unit_page_list_only_the_persons_unit(client, live, airport_trip):
    client.force_login(live.airport_editor)
    admin = client.get("/admin/").content.decode()
    assert json.dumps("实时数据")[1:-1] in admin  # the sidebar's items are JSON, non-ASCII escaped
    page = client.get("/admin/live/", follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert "CA1405" in html and live.airport.name in html


def test_an_editor_of_another_unit_gets_404(client, live, airport_trip):
    client.force_login(live.rail_editor)
    assert client.get(f"/admin/live/airport/trips/{airport_trip.pk}/").status_code == 404
    assert client.get("/admin/live/airport/").status_code == 404
    # Nor by putting the airport's record under the person's own unit.
    assert client.get(f"/admin/live/rail/trips/{airport_trip.pk}/").status_code == 404
    response = client.post(f"/admin/live/rail/trips/{airport_trip.pk}/", {"status": "cancelled"})
    assert response.status_code == 404
    assert Trip.objects.get(pk=airport_trip.pk).status == "scheduled"
    assert "CA1405" not in client.get("/admin/live/rail/").content.decode()


def test_someone_without_an_editing_role_is_refused(client, live):
    reader = user_make("airport_leader", live.airport, ["leader"])
    client.force_login(reader)
    assert json.dumps("实时数据")[1:-1] not in client.get("/admin/").content.decode()
    assert client.get("/admin/live/").status_code in (302, 403)
    assert client.get("/admin/live/airport/").status_code in (302, 403)


def test_a_trip_is_created_by_hand_through_the_service_with_the_person_as_actor(client, live, at):
    client.force_login(live.airport_editor)
    response = client.post("/admin/live/airport/trips/new/", trip_form(at))
    trip = Trip.objects.get(unit=live.airport, ref="CA1405-1")
    assert response.status_code == 302 and response["Location"].endswith(f"/trips/{trip.pk}/")
    assert trip.source == "admin" and trip.tickets == [{"class": "经济舱", "status": "few", "seats": 6}]
    change = Change.objects.get(trip=trip)
    assert change.actor == live.airport_editor and change.source == "admin"
    assert Channel.objects.get(unit=live.airport, kind="trips").last_source == "admin"


def test_the_services_checks_show_on_the_forms_fields(client, live, at):
    client.force_login(live.airport_editor)
    response = client.post("/admin/live/airport/trips/new/",
                           trip_form(at, destination="XXX", scheduled_arrival=local(at(1))))
    assert response.status_code == 200
    form = response.context["form"]
    assert "“XXX”不是已登记的机场代码" in form.errors["destination"][0]
    assert not Trip.objects.exists()
    response = client.post("/admin/live/airport/trips/new/", trip_form(at, scheduled_arrival=local(at(1))))
    assert "计划到达" in response.context["form"].errors["scheduled_arrival"][0]
    html = response.content.decode()
    assert "不能早于或等于计划出发" in html
    response = client.post("/admin/live/airport/trips/new/", trip_form(at, tickets="经济舱,很多"))
    assert "第1行" in response.context["form"].errors["tickets"][0]
    assert not Trip.objects.exists()


def test_editing_a_trip_keeps_its_history(client, live, at, airport_trip):
    client.force_login(live.airport_editor)
    url = f"/admin/live/airport/trips/{airport_trip.pk}/"
    page = client.get(url)
    assert page.context["form"].initial["origin"] == "CKG"
    response = client.post(url, trip_form(at, status="delayed", estimated_departure=local(at(3)), remark="航路天气"))
    assert response.status_code == 302
    trip = Trip.objects.get(pk=airport_trip.pk)
    assert trip.status == "delayed" and trip.estimated_departure == at(3)
    page = client.get(url)
    history = [row["change"] for row in page.context["history"]]
    assert [c.source for c in history] == ["admin", "api"]
    assert history[0].fields["status"] == ["scheduled", "delayed"] and history[0].actor == live.airport_editor
    assert "状态:计划 → 延误" in page.content.decode()


def test_a_notice_with_progress_is_created_and_updated(client, live, at):
    editor = user_make("water_editor", live.water, ["editor"])
    client.force_login(editor)
    data = {"ref": "WE-1", "kind": "emergency_outage", "title": "较场口片区临时停水", "reason": "管道爆管",
            "districts": "渝中区", "streets": "较场口,七星岗街道", "area": "", "starts_at": local(at(-1)),
            "ends_at": local(at(3)), "status": "in_progress", "restored_at": "", "visible_from": "", "contact": "",
            "details": "", "update": "抢修人员已到场"}
    response = client.post("/admin/live/water/notices/new/", data)
    notice = ServiceNotice.objects.get(unit=live.water, ref="WE-1")
    assert response.status_code == 302 and notice.streets == ["较场口", "七星岗街道"]
    assert [u.text for u in notice.updates.all()] == ["抢修人员已到场"]
    data.update(status="restored", update="已恢复供水")
    response = client.post(f"/admin/live/water/notices/{notice.pk}/", data)
    assert response.status_code == 200
    assert "须给出恢复时间" in response.context["form"].errors["restored_at"][0]
    data["restored_at"] = local(at(0))
    assert client.post(f"/admin/live/water/notices/{notice.pk}/", data).status_code == 302
    notice.refresh_from_db()
    assert notice.status == "restored" and notice.updates.count() == 2
    page = client.get(f"/admin/live/water/notices/{notice.pk}/")
    assert "已恢复供水" in page.content.decode()
    # One change per save: the progress given with a save is part of that save's change.
    history = [row["change"] for row in page.context["history"]]
    assert len(history) == 2 and history[0].fields["status"] == ["in_progress", "restored"]
    assert history[0].fields["updates"] == [None, ["已恢复供水"]] and history[1].created
    listing = client.get("/admin/live/water/")
    assert listing.status_code == 200 and "较场口片区临时停水" in listing.content.decode()


def test_an_outage_without_an_area_and_bad_geojson_are_refused(client, live, at):
    editor = user_make("water_editor", live.water, ["editor"])
    client.force_login(editor)
    data = {"ref": "WP-1", "kind": "planned_outage", "title": "计划停水", "starts_at": local(at(5)), "status": "planned",
            "area": "{not json"}
    response = client.post("/admin/live/water/notices/new/", data)
    assert "GeoJSON" in response.context["form"].errors["area"][0]
    data["area"] = ""
    response = client.post("/admin/live/water/notices/new/", data)
    assert "至少一项" in response.context["form"].errors["districts"][0]
    assert not ServiceNotice.objects.exists()


def test_a_directory_entry_and_the_channels_settings(client, live):
    client.force_login(live.airport_editor)
    response = client.post("/admin/live/airport/directory/new/", {
        "ref": "taxi-1", "provider": "测试出租汽车公司", "category": "出租汽车", "title": "机场出租车", "published": "on",
        "url": "ftp://bad"})
    assert "网址" in response.context["form"].errors["url"][0]
    response = client.post("/admin/live/airport/directory/new/", {
        "ref": "taxi-1", "provider": "测试出租汽车公司", "category": "出租汽车", "title": "机场出租车", "published": "on"})
    assert response.status_code == 302 and DirectoryEntry.objects.get(ref="taxi-1").source == "admin"
    # The watched unit cannot switch off the check that counts against it.
    refused = client.post("/admin/live/airport/channels/", {"trips": "0", "notices": "0", "directory": "0"})
    assert refused.status_code in (302, 403)
    assert not Channel.objects.filter(unit=live.airport, kind="trips", expected_minutes=0).exists()
    assert "设置监测" not in client.get("/admin/live/airport/").content.decode()
    centre = user_make("centre_admin", live.gov, ["site_admin"])
    live.gov.sees_all_units = True
    live.gov.save()
    client.force_login(centre)
    response = client.post("/admin/live/airport/channels/", {"trips": "30", "notices": "0", "directory": "0"})
    assert response.status_code == 302
    assert Channel.objects.get(unit=live.airport, kind="trips").expected_minutes == 30
    response = client.post("/admin/live/airport/channels/", {"trips": "-5", "notices": "0", "directory": "0"})
    assert response.status_code == 200 and response.context["form"].errors["trips"]


def test_stations_and_feeds_of_the_unit_only(client, live):
    from livedata.models import Feed, Station

    client.force_login(live.airport_editor)
    response = client.post("/admin/live/airport/stations/new/", {"kind": "rail", "code": "WXN2", "name": "万州机场新航站楼",
                                                                "city": "重庆", "active": "on"})
    assert response.status_code == 200 and response.context["form"].errors["kind"]  # an airport runs airports
    response = client.post("/admin/live/airport/stations/new/", {"kind": "airport", "code": "CKG", "name": "重复",
                                                                "city": "重庆", "active": "on"})
    assert response.status_code == 200 and not Station.objects.filter(name="重复").exists()
    response = client.post("/admin/live/airport/feeds/new/", {"name": "航班动态", "kind": "gtfs_rt", "mode": "flight",
                                                             "url": "http://127.0.0.1:9/rt.pb", "every_seconds": "5",
                                                             "enabled": "on"})
    assert "不能少于" in response.context["form"].errors["every_seconds"][0]
    response = client.post("/admin/live/airport/feeds/new/", {"name": "航班动态", "kind": "gtfs_rt", "mode": "flight",
                                                             "url": "http://127.0.0.1:9/rt.pb", "every_seconds": "60",
                                                             "enabled": "on"})
    assert response.status_code == 302
    feed = Feed.objects.get(name="航班动态")
    assert feed.unit == live.airport
    client.force_login(live.rail_editor)
    assert client.get(f"/admin/live/rail/feeds/{feed.pk}/").status_code == 404
    ckg = Station.objects.get(kind="airport", code="CKG")
    assert client.get(f"/admin/live/rail/stations/{ckg.pk}/").status_code == 404


def test_a_feed_saved_in_the_admin_is_in_the_audit_trail(client, live):
    from wagtail.models import ModelLogEntry

    from livedata.models import Feed

    admin = user_make("ferry_admin", live.ferry, ["site_admin"])
    client.force_login(admin)
    data = {"name": "客船实时动态", "kind": "gtfs_rt", "mode": "ship", "url": "https://ferry.example.cn/rt.pb",
            "every_seconds": "60", "enabled": "on"}
    assert client.post("/admin/live/ferry/feeds/new/", data).status_code == 302
    feed = Feed.objects.get(unit=live.ferry)
    client.post(f"/admin/live/ferry/feeds/{feed.pk}/", dict(data, url="https://ferry.example.cn/rt2.pb"))
    entries = ModelLogEntry.objects.filter(action="livedata.feed_save", object_id=str(feed.pk)).order_by("id")
    assert [e.user for e in entries] == [admin, admin]
    assert entries[1].data["after"] == {"url": "https://ferry.example.cn/rt2.pb"}


def test_a_new_record_with_an_id_already_used_is_refused_not_merged(client, live, at, airport_trip):
    client.force_login(live.airport_editor)
    response = client.post("/admin/live/airport/trips/new/", trip_form(at, ref=airport_trip.ref, status="cancelled"))
    assert response.status_code == 200 and "已有这个编号" in response.context["form"].errors["ref"][0]
    assert Trip.objects.get(pk=airport_trip.pk).status == airport_trip.status
