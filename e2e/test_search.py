"""A reader searches from the header of the portal's home page, reads the results
(grouped by type, highlighted) and opens one; the results page passes axe-core."""

import re

from playwright.sync_api import expect

from .helpers import assert_no_axe_violations


def test_reader_searches_from_the_header_and_opens_a_result(page, server):
    # The demo city is indexed as it loads (load_demo); nothing else is run here.
    page.goto("/")
    first = page.locator("main ul.item-list a").first
    title = first.inner_text().strip()
    query = title[:6]

    header = page.get_by_role("banner")
    box = header.get_by_role("searchbox")
    expect(box).to_be_visible()
    box.fill(query)
    header.get_by_label("搜全部网站").check()
    header.get_by_role("button", name="搜索").click()

    expect(page).to_have_url(re.compile(r"/search/\?"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("站内搜索")
    expect(page.get_by_role("status")).to_contain_text("找到")
    expect(page.get_by_role("navigation", name="按类型查看")).to_be_visible()
    result = page.locator(".search-hit h2 a", has_text=title).first
    expect(result).to_be_visible()
    expect(page.locator(".search-hit mark").first).to_be_visible()
    assert_no_axe_violations(page, "search results")

    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_search_results_on_a_phone(phone_page, server):
    phone_page.goto("/search/?q=%E9%87%8D%E5%BA%86&site=all")
    expect(phone_page.get_by_role("status")).to_be_visible()
    assert_no_axe_violations(phone_page, "search results on a phone")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360 + 1, f"the results page scrolls sideways ({width}px)"


def test_the_demo_city_answers_the_help_example_documents_and_bad_filters(page, server):
    # The box's own example of pinyin initials finds a matter of the demo city.
    page.goto("/search/?site=all")
    example = re.search(r"如 ([a-z]+)", page.locator("#s-q-help").inner_text()).group(1)
    page.get_by_label("搜索词", exact=True).fill(example)
    page.locator("form.search-form").get_by_role("button", name="搜索").click()
    expect(page.get_by_role("status")).to_contain_text("找到")
    expect(page.locator(".search-hit h2 a").first).to_contain_text("失业保险")

    # A miss with nothing close gets no "did you mean" (it used to offer 2026 or t3b).
    page.goto("/search/?q=sfz&site=all")
    expect(page.get_by_role("status")).to_contain_text("没有找到")
    expect(page.locator(".search-suggestion")).to_have_count(0)

    # 政府文件 snippets say their summary once, and a filter not understood is named.
    page.goto("/search/?q=%E6%B8%9D%E5%BA%9C%E5%8F%91&site=all&type=document&validity=bogus")
    expect(page.get_by_role("alert")).to_contain_text("效力状态条件(validity)“bogus”无法识别")
    snippets = page.locator(".search-snippet").all_inner_texts()
    assert snippets
    for text in snippets:
        sentences = [s for s in text.replace("…", "").split("。") if len(s) > 8]
        assert len(sentences) == len(set(sentences)), text
