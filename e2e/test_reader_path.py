"""A reader finds a district's latest article from the portal within three clicks."""

import re

from playwright.sync_api import expect

from demo.city import SITES

DISTRICT = "重庆市渝中区人民政府"
DISTRICT_ID_CODE = next(code for _, _, name, _, code, _, _ in SITES if name == DISTRICT)


def meta(page, name):
    return page.locator(f'meta[name="{name}"]')


def test_portal_to_district_article_within_three_clicks(page):
    clicks = 0
    page.goto("/")

    directory = page.get_by_role("region", name="网站群")
    directory.get_by_role("link", name=DISTRICT, exact=True).click()
    clicks += 1
    expect(page).to_have_url(re.compile(r"/s/yuzhong/$"))
    expect(meta(page, "SiteName")).to_have_attribute("content", DISTRICT)

    news = page.get_by_role("region", name="区县动态")
    first_item = news.get_by_role("listitem").first.get_by_role("link")
    title = first_item.inner_text().strip()
    first_item.click()
    clicks += 1

    assert clicks <= 3
    expect(page).to_have_url(re.compile(r"/s/yuzhong/news/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main")).to_contain_text("发布时间")

    expect(meta(page, "SiteName")).to_have_attribute("content", DISTRICT)
    expect(meta(page, "SiteIDCode")).to_have_attribute("content", DISTRICT_ID_CODE)
    expect(meta(page, "ArticleTitle")).to_have_attribute("content", title)
    expect(meta(page, "PubDate")).to_have_attribute("content", re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))

    footer = page.get_by_role("contentinfo")
    expect(footer).to_contain_text("网站标识码")
    expect(footer).to_contain_text(DISTRICT_ID_CODE)
    expect(footer.get_by_role("link", name="我为政府网站找错")).to_be_visible()


def _to_interaction_column(page):
    page.get_by_role("navigation", name="栏目导航").get_by_role("link", name="互动交流", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("互动交流")
    return page.get_by_role("region", name="公开信箱")


def test_citizen_finds_published_letters_and_statistics_from_the_portal_home(page):
    page.goto("/")
    mailbox = _to_interaction_column(page)  # click 1
    mailbox.get_by_role("link", name="全部信件公开").click()  # click 2
    expect(page).to_have_url(re.compile(r"/mailbox/letters/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("信件公开")

    page.goto("/")
    mailbox = _to_interaction_column(page)
    mailbox.get_by_role("link", name="信箱统计").click()
    expect(page).to_have_url(re.compile(r"/mailbox/stats/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("信箱统计")
    expect(page.get_by_role("region", name="各信箱办理统计").locator("tbody tr").first).to_be_visible()

    page.goto("/")
    mailbox = _to_interaction_column(page)
    mailbox.get_by_role("link", name="公开信箱首页").click()
    expect(page).to_have_url(re.compile(r"/mailbox/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("公开信箱")


def test_a_unit_sites_interaction_column_offers_its_mailbox_and_its_published_letters(page):
    page.goto("/s/yuzhong/")
    mailbox = _to_interaction_column(page)
    expect(mailbox.get_by_role("link", name="写信给渝中区区县长信箱")).to_be_visible()
    expect(mailbox.get_by_role("link", name="写信给市长信箱")).to_be_visible()
    mailbox.get_by_role("link", name="本单位信件公开").click()
    expect(page).to_have_url(re.compile(r"/mailbox/letters/unit/yuzhong/$"))
