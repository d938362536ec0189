"""Home pages that read like real portals (N-1) and the unit profile (N-2.4a): a
citizen reaches 机构概况 → 领导信息 from the portal's home and sees a leader; every
kind of home has its sections, and axe-core finds no WCAG 2.1 A/AA violation on
them at desktop and 360-px widths, nor a page scrolling sideways on the phone."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import assert_no_axe_violations

HOMES = {
    "portal": "/",
    "district": "/s/yuzhong/",
    "department": "/s/fzggw/",
    "window": "/s/www.cqairport.cn/",
}
PAGE_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_a_citizen_reaches_the_leaders_from_the_portal_home(page):
    page.goto("/")
    profile = page.get_by_role("region", name="走进重庆")
    profile.get_by_role("link", name="领导信息").click()
    expect(page).to_have_url(re.compile(r"/leaders/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("领导信息")
    leader = page.get_by_role("heading", level=3, name="陈明远")
    expect(leader).to_be_visible()
    expect(page.locator("main")).to_contain_text("副秘书长")
    expect(page.get_by_role("img", name="陈明远的照片")).to_be_visible()
    # The section's other pages are one click away.
    page.get_by_role("navigation", name="走进重庆").get_by_role("link", name="机构职能").click()
    expect(page.locator("main")).to_contain_text("主要职责")


@pytest.mark.parametrize("kind", list(HOMES))
def test_every_kind_of_home_has_its_sections(page, kind):
    page.goto(HOMES[kind])
    regions = {
        "portal": ["要闻动态", "政务公开", "办事服务", "互动交流", "走进重庆", "网站群"],
        "district": ["区县动态", "政务公开", "办事服务", "互动交流", "区情概况"],
        "department": ["工作动态", "政务公开", "办事服务", "互动交流", "机构概况"],
        "window": ["服务指南", "企业动态", "互动交流", "单位概况"],
    }[kind]
    for name in regions:
        expect(page.get_by_role("region", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^写信给"))).not_to_have_count(0)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("kind", list(HOMES))
def test_home_pages_pass_axe_at_desktop_and_phone_widths(request, kind, viewport):
    page = request.getfixturevalue("page" if viewport == "desktop" else "phone_page")
    page.goto(HOMES[kind])
    assert_no_axe_violations(page, f"{kind} home ({viewport})")
    if viewport == "phone":
        assert page.evaluate(PAGE_OVERFLOW) <= 0


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_profile_pages_pass_axe(request, viewport):
    page = request.getfixturevalue("page" if viewport == "desktop" else "phone_page")
    for section in ("functions", "leaders", "departments", "contacts", "matters"):
        page.goto(f"/s/fzggw/overview/{section}/")
        assert_no_axe_violations(page, f"profile {section} ({viewport})")
        if viewport == "phone":
            assert page.evaluate(PAGE_OVERFLOW) <= 0, section
