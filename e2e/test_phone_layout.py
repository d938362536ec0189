"""On a 360-px phone: the site menu folds behind one button (in 长者模式 too, and
stays usable without JavaScript), and the mailbox statistics stay readable without
the page scrolling sideways."""

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, _new_page
from .helpers import admin_login, assert_no_axe_violations

PAGE_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _menu(page):
    return page.get_by_role("navigation", name="栏目导航")


def _assert_site_name_not_squeezed(page):
    # The buttons share the header with the site's name: the name keeps at most two lines.
    name = page.locator(".site-name")
    font = name.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert name.bounding_box()["height"] <= 3.5 * font, name.bounding_box()


def _check_menu_button(page):
    _assert_site_name_not_squeezed(page)
    button = page.locator("[data-menu-toggle]")
    menu = _menu(page)
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-controls", "site-menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="互动交流")).to_be_visible()
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    assert_no_axe_violations(page, "menu open at 360 px")

    button.click()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()


def test_the_menu_folds_behind_one_button_on_a_phone(phone_page):
    phone_page.goto("/s/yuzhong/")
    _check_menu_button(phone_page)


def test_the_menu_button_works_in_elder_mode(phone_page):
    phone_page.goto("/s/yuzhong/")
    phone_page.get_by_role("button", name="长者模式").click()
    expect(phone_page.locator("html")).to_contain_class("elder")
    _check_menu_button(phone_page)
    # The button opens the menu with the keyboard as well, and Escape closes it.
    button = phone_page.locator("[data-menu-toggle]")
    button.focus()
    phone_page.keyboard.press("Enter")
    expect(_menu(phone_page)).to_be_visible()
    _menu(phone_page).get_by_role("link").first.focus()
    phone_page.keyboard.press("Escape")
    expect(_menu(phone_page)).to_be_hidden()
    expect(button).to_be_focused()


def test_the_menu_stays_open_on_a_wide_screen(page):
    page.goto("/s/yuzhong/")
    expect(page.locator("[data-menu-toggle]")).to_be_hidden()
    expect(_menu(page).get_by_role("link", name="互动交流")).to_be_visible()


def test_without_javascript_the_menu_is_shown_and_no_dead_button(browser, server):
    context, page = _new_page(browser, server, PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
    try:
        page.goto("/s/yuzhong/")
        expect(page.locator("[data-menu-toggle]")).to_be_hidden()
        expect(_menu(page).get_by_role("link", name="互动交流")).to_be_visible()
    finally:
        context.close()


def _assert_table_readable(page, table):
    # No header is squeezed into a column one character wide: each fits on one line.
    heights = table.locator("thead th").evaluate_all("cells => cells.map(c => c.getBoundingClientRect().height)")
    body_height = table.locator("tbody tr").first.locator("td").first.evaluate("c => c.getBoundingClientRect().height")
    assert max(heights) <= 2.2 * body_height, (heights, body_height)
    # The row's name stays on screen.
    box = table.locator("tbody tr").first.locator("th, td").first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_the_public_statistics_page_is_readable_at_360_px(phone_page, elder):
    phone_page.goto("/mailbox/stats/")
    if elder:
        phone_page.get_by_role("button", name="长者模式").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("信箱统计")
    assert phone_page.evaluate(PAGE_OVERFLOW) <= 0, "the page scrolls sideways"
    region = phone_page.get_by_role("region", name="各信箱办理统计")
    expect(region).to_be_visible()
    table = region.locator("table")
    expect(table.locator("caption")).to_contain_text("各信箱办理统计")
    _assert_table_readable(phone_page, table)
    # The figures are reached by scrolling the table's own box, not the page.
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")
    region.evaluate("r => { r.scrollLeft = r.scrollWidth; }")
    last = table.locator("thead th").last
    expect(last).to_be_in_viewport()
    assert phone_page.evaluate(PAGE_OVERFLOW) <= 0
    assert_no_axe_violations(phone_page, f"statistics at 360 px ({'elder' if elder else 'standard'})")


def test_the_staff_statistics_page_is_readable_at_360_px(phone_page):
    admin_login(phone_page, "cq_dcs_supervisor")
    phone_page.goto("/admin/letters/stats/")
    table = phone_page.locator("#stats-mailboxes")
    expect(table).to_be_visible()
    region = phone_page.get_by_role("region", name="按信箱")
    expect(region).to_be_visible()
    assert phone_page.evaluate(PAGE_OVERFLOW) <= 0, "the page scrolls sideways"
    _assert_table_readable(phone_page, table)
