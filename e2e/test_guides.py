"""A citizen finds a service guide from the portal's home page and downloads its form;
the directory and the guide pass axe-core at desktop and phone widths."""

import re

from playwright.sync_api import expect

from .helpers import assert_no_axe_violations

MATTER = "失业保险金申领"


def _open_services_column(page):
    page.goto("/")
    page.get_by_role("navigation", name="栏目导航").get_by_role("link", name="办事服务", exact=True).click()  # click 1
    expect(page.get_by_role("heading", level=1)).to_have_text("办事服务")


def test_citizen_reaches_a_guide_from_the_portal_home_and_downloads_its_form(page):
    clicks = 0
    _open_services_column(page)
    clicks += 1
    directory = page.get_by_role("search", name="查找办事事项")
    directory.get_by_label("事项名称").fill("失业")  # typing and choosing are not clicks to another page
    directory.get_by_label("服务对象").select_option("person")
    directory.get_by_role("button", name="查询").click()
    clicks += 1
    expect(page.locator(".result-count")).to_contain_text("共 1 项")
    page.get_by_role("link", name=MATTER, exact=True).click()
    clicks += 1
    assert clicks <= 3
    expect(page.get_by_role("heading", level=1)).to_have_text(MATTER)

    steps = page.locator("ol.flowchart > li")
    expect(steps).to_have_count(5)
    expect(steps.first).to_contain_text("申请")
    table = page.get_by_role("table", name=re.compile("办理材料清单"))
    expect(table.get_by_role("columnheader", name="份数")).to_be_visible()

    with page.expect_download() as info:
        table.get_by_role("link", name=re.compile("空白表格")).first.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as fh:
        assert fh.read(2) == b"PK"  # a real XLSX (a zip)


def test_a_theme_facet_lists_its_matters_grouped(page):
    _open_services_column(page)
    page.get_by_role("navigation", name="按主题浏览").get_by_role("link", name=re.compile("^婚姻登记")).click()
    expect(page.locator(".guide-group h4")).to_have_text(["婚姻登记"])
    expect(page.locator(".guide-list li")).to_have_count(2)


def _check_pages(page):
    _open_services_column(page)
    assert_no_axe_violations(page, "办事服务目录")
    page.get_by_role("link", name=MATTER, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MATTER)
    assert_no_axe_violations(page, "办事指南")
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport + 1, f"the page scrolls sideways: {width} > {viewport}"


def test_the_directory_and_a_guide_pass_axe_on_the_desktop(page):
    _check_pages(page)


def test_the_directory_and_a_guide_pass_axe_on_a_phone(phone_page):
    phone_page.goto("/")
    # On a phone the menu folds behind a button (site-menu.js).
    toggle = phone_page.locator("[data-menu-toggle]")
    expect(toggle).to_be_visible()
    toggle.click()
    phone_page.get_by_role("navigation", name="栏目导航").get_by_role("link", name="办事服务", exact=True).click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("办事服务")
    assert_no_axe_violations(phone_page, "办事服务目录(手机)")
    phone_page.get_by_role("link", name=MATTER, exact=True).click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(MATTER)
    assert_no_axe_violations(phone_page, "办事指南(手机)")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 361, f"the guide scrolls sideways on a phone: {width}px"
