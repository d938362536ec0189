"""One unit's editors cannot reach another unit's pages in the admin."""

import re
import urllib.parse

from playwright.sync_api import expect

from .helpers import admin_login, admin_logout, admin_messages, page_ids_linked


def search_pages(page, text):
    page.goto("/admin/pages/search/?q=" + urllib.parse.quote(text))
    return page.locator("main a[href$='/edit/']").filter(has_text=text)


def test_editor_cannot_open_or_see_another_units_pages(page):
    # What 渝中区's own editor sees: its site, its columns and one of its articles.
    admin_login(page, "yuzhong_editor")
    page.goto("/admin/pages/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("重庆市渝中区人民政府")
    yuzhong_ids = page_ids_linked(page)
    page.goto("/s/yuzhong/news/")
    article_title = page.locator("main ul.item-list a").first.inner_text().strip()
    found = search_pages(page, article_title)
    expect(found).to_have_count(1)
    edit_href = found.get_attribute("href")
    article_id = int(re.search(r"/admin/pages/(\d+)/edit/", edit_href).group(1))
    yuzhong_ids.add(article_id)
    page.goto("/admin/pages/")
    home_id = int(re.search(r"/admin/pages/(\d+)/", page.url).group(1))
    yuzhong_ids.add(home_id)
    admin_logout(page)

    # 江北区's editor is refused the edit view of that article...
    admin_login(page, "jiangbei_editor")
    response = page.goto(edit_href)
    refused = response.status == 403 or "没有权限" in admin_messages(page)
    assert refused, f"jiangbei_editor opened {edit_href} (status {response.status}, now at {page.url})"
    expect(page).not_to_have_url(re.compile(re.escape(edit_href) + "$"))
    expect(page.locator("form input[name=title]")).to_have_count(0)

    # ...does not find it in search...
    expect(search_pages(page, article_title)).to_have_count(0)

    # ...and does not see 渝中区's pages in the explorer, even when asking for them.
    page.goto("/admin/pages/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("重庆市江北区人民政府")
    assert not page_ids_linked(page) & yuzhong_ids
    page.goto(f"/admin/pages/{home_id}/")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("渝中区")
    assert not page_ids_linked(page) & yuzhong_ids
