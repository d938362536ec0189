"""The 长者模式 button: larger text for older readers, kept across pages."""

from playwright.sync_api import expect

ROOT_FONT_SIZE = "parseFloat(getComputedStyle(document.documentElement).fontSize)"


def test_elder_mode_toggles_class_and_enlarges_text(page):
    page.goto("/s/yuzhong/")
    html = page.locator("html")
    button = page.get_by_role("button", name="长者模式")
    expect(html).not_to_contain_class("elder")
    expect(button).to_have_attribute("aria-pressed", "false")
    standard = page.evaluate(ROOT_FONT_SIZE)

    button.click()
    expect(html).to_contain_class("elder")
    larger = page.evaluate(ROOT_FONT_SIZE)
    assert larger > standard, f"root font size did not grow: {standard}px → {larger}px"
    toggle = page.locator("[data-reading-mode]")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_text("标准模式")

    # The choice stays with the reader on the next page.
    page.goto("/")
    expect(html).to_contain_class("elder")
    assert page.evaluate(ROOT_FONT_SIZE) == larger

    page.get_by_role("button", name="标准模式").click()
    expect(html).not_to_contain_class("elder")
    assert page.evaluate(ROOT_FONT_SIZE) == standard
