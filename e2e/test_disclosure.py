"""A citizen opens 政府信息公开 from the portal's home, browses the catalogue's tree,
filters it, opens a policy document and its interpretation; then applies for
disclosure, gets a query code and tracks the application. axe-core finds no WCAG 2.1
A/AA violation on the catalogue, the document, the interpretation, the application
form and the tracking pages, at desktop and at a 360-px phone width (where no page
scrolls sideways)."""

import re

from playwright.sync_api import expect

from .test_mailbox import CHALLENGE, QUERY_CODE, Accessibility, shot

DOCUMENT = "重庆市公共数据资源管理办法"
REPEALED = "重庆市政务信息资源共享管理办法"
INTERPRETATION = "一图读懂《重庆市公共数据资源管理办法》"
PHONE_NUMBER = "13512340987"


def _answer_challenge(page):
    a, b = CHALLENGE.search(page.locator("label[for=challenge_answer]").inner_text()).groups()
    page.locator("#challenge_answer").fill(str(int(a) + int(b)))


def _browse(page, a11y, phone=False):
    """From the portal's home to the interpretation of a filtered document; returns
    the addresses seen."""
    page.goto("/")
    if phone:
        page.locator("[data-menu-toggle]").click()
    page.locator("#site-menu").get_by_role("link", name="政府信息公开").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("政府信息公开")
    a11y.check(page, "catalogue", phone)
    tree = page.get_by_role("navigation", name="法定主动公开内容")
    tree.get_by_role("link", name="规范性文件", exact=True).click()
    expect(page.get_by_role("heading", name="规范性文件", level=2)).to_be_visible()
    page.get_by_label("主题分类").select_option(label="综合政务")
    page.get_by_role("button", name="筛选").click()
    listing = page.locator("ul.xxgk-items")
    expect(listing).to_contain_text(DOCUMENT)
    expect(listing).to_contain_text(REPEALED)
    repealed = listing.locator("li").filter(has=page.locator("p.xxgk-title").get_by_role("link", name=REPEALED))
    expect(repealed).to_contain_text("[已废止]")
    expect(repealed).to_contain_text(f"已被修改或替代:{DOCUMENT}")
    a11y.check(page, "catalogue filtered", phone)
    listing.get_by_role("link", name=DOCUMENT, exact=True).first.click()
    expect(page.get_by_role("heading", name=DOCUMENT, level=1)).to_be_visible()
    a11y.check(page, "document", phone)
    page.get_by_role("region", name="政策解读").get_by_role("link", name=INTERPRETATION).click()
    expect(page.get_by_role("heading", name=INTERPRETATION, level=1)).to_be_visible()
    expect(page.get_by_role("region", name="解读的文件").get_by_role("link", name=DOCUMENT)).to_be_visible()
    a11y.check(page, "interpretation", phone)


def _apply_and_track(page, a11y, phone=False):
    page.goto("/")
    if phone:
        page.locator("[data-menu-toggle]").click()
    page.locator("#site-menu").get_by_role("link", name="政府信息公开").click()
    page.get_by_role("navigation", name="政府信息公开").get_by_role("link", name="依申请公开").click()
    page.get_by_role("link", name="在线申请").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("申请政府信息公开")
    a11y.check(page, "application form", phone)
    # First without the description: refused field by field, nothing lost.
    page.get_by_label("姓名或单位名称(必填)").fill("孙立群")
    page.get_by_label("证件类型").select_option(label="居民身份证")
    page.get_by_label("证件号码").fill("11010519491231002X")
    page.get_by_label("联系电话(必填,查询时需要后四位)").fill(PHONE_NUMBER)
    page.get_by_label(re.compile("本人确认所填信息真实")).check()
    _answer_challenge(page)
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#form-errors")).to_contain_text("请具体描述所需的政府信息")
    expect(page.locator("#form-errors")).to_be_focused()  # read first, the keyboard starts there
    expect(page.get_by_label("姓名或单位名称(必填)")).to_have_value("孙立群")
    a11y.check(page, "application form with errors", phone)
    page.get_by_label(re.compile("所需信息的内容描述")).fill("申请公开2025年全市公共数据开放目录及其更新记录。")
    page.get_by_label(re.compile("本人确认所填信息真实")).check()
    _answer_challenge(page)
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申请已登记")
    code = page.locator("[data-query-code]").inner_text().strip()
    assert QUERY_CODE.match(code), code
    shot(page, "disclosure-applied" + ("-phone" if phone else ""))
    page.get_by_role("link", name="查询办理进度").click()
    a11y.check(page, "tracking form", phone)
    page.get_by_label("查询码").fill(code)
    page.get_by_label("联系电话后四位").fill(PHONE_NUMBER[-4:])
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("政府信息公开申请办理情况")
    expect(page.locator("table.disclosure-header")).to_contain_text("已登记")
    expect(page.locator("ol.timeline")).to_contain_text("在线提交申请")
    a11y.check(page, "tracking result", phone)


def test_a_citizen_browses_the_catalogue_and_applies_for_disclosure(page, phone_page):
    a11y = Accessibility()
    _browse(page, a11y)
    _apply_and_track(page, a11y)
    _browse(phone_page, a11y, phone=True)
    _apply_and_track(phone_page, a11y, phone=True)
    a11y.assert_clean()
