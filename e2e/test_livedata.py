"""The live boards in a browser (issue 12): a reader goes from the portal's home to the
airport's departures by clicking, a delay is pushed into the server's database (through
livedata.services, as the push API would) and the row changes and is announced without
the page reloading; axe-core finds no WCAG 2.1 A/AA violation on 便民服务 nor on the
airport's board, at desktop and phone widths, and the phone does not scroll sideways.
An outage notice pushed for the water company appears on its page the same way.

Until the demo city publishes flights, the test gives the airport its station (CKG)
and a flight of its own (a number no demo flight uses)."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import assert_no_axe_violations

AIRPORT = "重庆江北国际机场"
REF = "e2e-GJ8417"
PAGE_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"

SEED = f"""
import datetime
from django.utils import timezone
from orgs.models import Unit
from livedata import services
from livedata.models import Station
unit = Unit.objects.get(code="airport")
Station.objects.filter(kind="airport", code="CKG").update(unit=unit)
dep = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=20)
result = services.trips_upsert(unit=unit, source="api", records=[{{
    "id": "{REF}", "number": "GJ8417", "operator": "浙江长龙航空", "origin": "CKG", "destination": "HGH",
    "scheduled_departure": dep.isoformat(), "scheduled_arrival": (dep + datetime.timedelta(hours=2)).isoformat(),
    "position": "B17", "observed_at": timezone.now().isoformat()}}])
assert not result.rejected, result.rejected
print(timezone.localtime(dep).date().isoformat())
"""

DELAY = f"""
import datetime
from django.utils import timezone
from orgs.models import Unit
from livedata import services
from livedata.models import Trip
unit = Unit.objects.get(code="airport")
trip = Trip.objects.get(unit=unit, ref="{REF}")
later = trip.scheduled_departure + datetime.timedelta(minutes=55)
result = services.trips_upsert(unit=unit, source="api", records=[{{
    "id": "{REF}", "status": "delayed", "estimated_departure": later.isoformat(),
    "estimated_arrival": (later + datetime.timedelta(hours=2)).isoformat(), "remark": "航路天气",
    "observed_at": timezone.now().isoformat()}}])
assert result.updated == 1, result.as_dict()
print(timezone.localtime(later).strftime("%H:%M"))
"""


OUTAGE = """
import datetime
from django.utils import timezone
from orgs.models import Unit
from livedata import services
unit = Unit.objects.get(code="water")
start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(hours=1)
result = services.notices_upsert(unit=unit, source="api", records=[{
    "id": "e2e-outage", "kind": "planned_outage", "title": "较场口片区管网检修停水", "districts": ["渝中区"],
    "streets": ["较场口", "七星岗"], "starts_at": start.isoformat(),
    "ends_at": (start + datetime.timedelta(hours=6)).isoformat(), "reason": "主管道阀门更换"}])
assert result.created == 1, result.as_dict()
"""


@pytest.fixture(scope="module")
def flight_day(server):
    return server.shell(SEED).strip().splitlines()[-1]


def test_a_reader_sees_a_delay_appear_on_the_airports_departures(page, server, flight_day):
    page.goto("/")
    page.get_by_role("region", name="便民服务").get_by_role("link", name="全部便民服务").click()
    expect(page).to_have_url(re.compile(r"/live/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("便民服务")
    page.get_by_role("link", name=AIRPORT, exact=True).click()
    expect(page).to_have_url(re.compile(r"/live/airport/$"))
    expect(page.get_by_role("link", name="出发", exact=True)).to_have_attribute("aria-current", "page")
    row = page.locator(f'tr[data-id="{REF}"]')
    expect(row).to_contain_text("杭州萧山国际机场")
    expect(row.locator('[data-col="status"]')).to_have_text("计划")

    # The page must not reload: a mark left on the window outlives the change.
    page.evaluate("window.__stayed = true")
    page.get_by_label("班次号或站名").focus()
    expected = server.shell(DELAY).strip().splitlines()[-1]
    expect(row.locator('[data-col="status"]')).to_have_text("延误", timeout=15_000)
    expect(row.locator('[data-col="expected"]')).to_have_text(expected)
    expect(page.locator('[data-live="announce"]')).to_have_text(f"GJ8417 延误,预计 {expected} 起飞。")
    assert page.evaluate("window.__stayed === true")
    assert page.evaluate("document.activeElement && document.activeElement.id") == "live-route"


def test_an_outage_notice_appears_on_the_water_companys_page_without_reloading(page, server):
    page.goto("/")
    page.get_by_role("region", name="便民服务").get_by_role("link", name="全部便民服务").click()
    page.get_by_role("link", name="重庆市自来水有限公司", exact=True).click()
    expect(page).to_have_url(re.compile(r"/live/water/$"))
    page.evaluate("window.__stayed = true")
    server.shell(OUTAGE)
    notice = page.get_by_role("article", name=re.compile("较场口片区管网检修停水"))
    expect(notice).to_be_visible(timeout=25_000)
    expect(notice).to_contain_text("渝中区:较场口、七星岗")
    expect(notice).to_contain_text("即将开始")
    assert page.evaluate("window.__stayed === true")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("path", ["/live/", "/live/airport/"])
def test_the_boards_pass_axe_at_desktop_and_phone_widths(request, flight_day, path, viewport):
    page = request.getfixturevalue("page" if viewport == "desktop" else "phone_page")
    page.goto(path)
    if path == "/live/airport/":
        expect(page.locator(f'tr[data-id="{REF}"]')).to_be_visible()
    assert_no_axe_violations(page, f"{path} ({viewport})")
    if viewport == "phone":
        assert page.evaluate(PAGE_OVERFLOW) <= 0
