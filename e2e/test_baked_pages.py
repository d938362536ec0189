"""Published pages as files (issue 10): the demo city is baked when it loads, the
reader is served the files, and a home page's changing pieces load from the API."""

import json
import urllib.request

from playwright.sync_api import expect


def test_the_reader_is_served_baked_pages(page, server):
    seen = []
    page.on("response", lambda r: seen.append((r.url, r.headers.get("x-delivery"))) if r.request.resource_type == "document" else None)
    page.goto("/")
    page.get_by_role("navigation", name="栏目导航").get_by_role("link").nth(1).click()
    page.wait_for_load_state()
    assert [d for _u, d in seen] == ["baked", "baked"], seen


def test_a_baked_home_loads_its_latest_replies_from_the_api(page, server):
    with urllib.request.urlopen(server.url("/api/v1/mailbox-summary")) as response:
        summary = json.load(response)
    with page.expect_response(lambda r: "/api/v1/mailbox-summary" in r.url):
        page.goto("/")
    section = page.locator("[data-live-src]")
    expect(section.locator('[data-live="received"]')).to_have_text(f"{summary['figures']['received']} 件")
    titles = section.locator('[data-live="replies"] li a')
    expect(titles).to_have_count(len(summary["replies"]))
    for index, reply in enumerate(summary["replies"]):
        expect(titles.nth(index)).to_have_text(reply["title"])
