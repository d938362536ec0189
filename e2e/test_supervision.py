"""Supervision's outputs in a browser, on the demo city as `load_demo` leaves it:
crawled and scored by the engine (nothing written by this test).

A citizen reaches a district site from the portal's home, opens an article and
clicks 我为政府网站找错 in its footer: the form has the page's address filled in, the
report gets a query code and lands in 渝中区's handler queue. A supervisor of the
督查室 opens the dashboard from the admin menu, opens the scorecard of 万州区, which
the engine failed (no online services; its 政策文件 column 220 days old, planted in
demo/city.py), and sends a rectification notice; 万州区's leader sees only its own
site's problems (another site's scorecard answers 404) and reports the fix. axe-core
finds no WCAG 2.1 A/AA violation on those pages. The A2 division (one column behind
on purpose) comes from demo/supervision.py."""

import re
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS_DIR
from .helpers import admin_login, admin_logout, axe_violations, describe_violations

REPORTER_SITE = "重庆市渝中区人民政府"
FAILING = "重庆市万州区人民政府"
PROBLEM = "这篇文章的发布日期写成了2062年,应为2026年,请核实改正。"
OTHER_SITE = "print(__import__('orgs.models', fromlist=['SiteRecord']).SiteRecord.objects.get(unit__code='shizhu').pk)"


class Accessibility:
    def __init__(self):
        self.checked, self.problems = [], []

    def check(self, page, where):
        self.checked.append(where)
        violations = axe_violations(page)
        if violations:
            self.problems.append(f"{where} ({page.url}): {len(violations)} violation(s)\n{describe_violations(violations)}")

    def assert_clean(self):
        assert not self.problems, "\n".join(self.problems)


def shot(page, name):
    try:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS_DIR / f"test_supervision-{name}.png"), full_page=True, timeout=15_000)
    except Exception as exc:  # a screenshot must never hide the test's own result
        print(f"screenshot {name} not taken: {exc}")


@pytest.fixture(scope="module")
def other_site_id(server):
    return int(server.shell(OTHER_SITE).strip().splitlines()[-1])


def open_menu(page, item):
    page.goto("/admin/")
    page.get_by_role("button", name="网站监管").click()
    page.get_by_role("link", name=item).click()


def test_error_report_reaches_the_unit_and_a_notice_goes_round(page, server, other_site_id):
    a11y = Accessibility()

    # 1. A citizen: portal home -> 渝中区 -> an article -> the footer's 我为政府网站找错.
    page.goto("/")
    page.get_by_role("region", name="网站群").get_by_role("link", name=REPORTER_SITE, exact=True).click()
    news = page.get_by_role("region", name="区县动态")
    news.get_by_role("listitem").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/s/yuzhong/news/[^/]+/$"))
    article_url = page.url
    page.get_by_role("contentinfo").get_by_role("link", name="我为政府网站找错").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我为政府网站找错")
    expect(page.get_by_label(re.compile("^出错页面网址"))).to_have_value(unquote(article_url))
    a11y.check(page, "error-report form")
    page.get_by_label(re.compile("^错误内容")).fill(PROBLEM)
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("找错留言已提交")
    box = page.locator(".code-box").inner_text()
    serial = re.search(r"留言编号:\s*(X\d{13})", box)[1]
    assert REPORTER_SITE in box
    a11y.check(page, "error-report receipt")
    shot(page, "1-reported")

    # 2. It is in 渝中区's handler queue, with the 3-working-day limit.
    admin_login(page, "yuzhong_mailbox")
    page.goto("/admin/")
    page.get_by_role("button", name="公开信箱").click()
    page.get_by_role("link", name="来信队列").click()
    page.locator("nav.letters-tabs").get_by_role("link", name=re.compile("本单位待办")).click()
    page.get_by_role("link", name=serial, exact=True).click()
    expect(page.locator("body")).to_contain_text(PROBLEM)
    expect(page.locator("body")).to_contain_text("我为政府网站找错")
    admin_logout(page)

    # 3. The 督查室's supervisor: the dashboard, the failing site's scorecard, a notice.
    admin_login(page, "cq_dcs_supervisor")
    open_menu(page, "监管总览")
    expect(page.get_by_role("heading", level=1)).to_contain_text("监管总览")
    sites = page.locator("table#sites")
    failing = sites.locator("tbody tr", has_text=FAILING)
    expect(failing).to_contain_text("不合格")
    expect(page.locator("#worst")).to_contain_text("服务不实用")
    expect(page.locator("#trend-table")).to_be_visible()
    expect(page.locator("#unscored")).to_contain_text("重庆市公安局")  # no DNS here: not scored, never guessed
    a11y.check(page, "dashboard (supervisor)")
    shot(page, "2-dashboard")
    sites.get_by_role("link", name=FAILING, exact=True).click()
    expect(page.locator("#verdict")).to_have_text("不合格")
    expect(page.locator("#problems")).to_contain_text("政策文件")
    expect(page.locator("#problems")).to_contain_text("220天未更新")
    expect(page.locator("#not-checked")).to_contain_text("IPv6")
    a11y.check(page, "scorecard (supervisor)")
    form = page.locator("#issue-form")
    form.get_by_label("整改期限(工作日)").fill("5")
    form.get_by_label("整改要求").fill("请开通在线办事服务,按期更新政策文件栏目。")
    form.get_by_role("button", name="下发整改通知").click()
    expect(page.locator(".messages")).to_contain_text("已下发给" + FAILING)
    number = re.search(r"整改通知 (ZG\d{8})", page.locator("h1").inner_text())[1]
    expect(page.locator("#notice-status")).to_have_text("待整改")
    a11y.check(page, "notice (supervisor)")
    shot(page, "3-notice")
    # The A2 division of the demo: the column left behind on purpose is flagged.
    open_menu(page, "内容保障分工")
    behind = page.locator("#assignments tbody tr[data-behind=yes]")
    expect(behind).to_have_count(1)
    expect(behind).to_contain_text("规划计划")
    expect(behind).to_contain_text("重庆市发展和改革委员会")
    a11y.check(page, "content-assurance division (supervisor)")
    admin_logout(page)

    # 4. 万州区's leader sees its own site only, and reports the fix.
    admin_login(page, "wanzhou_leader")
    open_menu(page, "监管总览")
    rows = page.locator("table#sites tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(FAILING)
    expect(page.locator("body")).not_to_contain_text("石柱")
    a11y.check(page, "dashboard (unit)")
    response = page.goto(f"/admin/supervision/sites/{other_site_id}/")
    assert response.status == 404
    open_menu(page, "整改通知")
    page.get_by_role("link", name=number).click()
    expect(page.locator("#notice-items")).to_contain_text("服务不实用")
    a11y.check(page, "notice (unit)")
    page.get_by_label("整改了什么").fill("已在本站开通办事服务栏目,政策文件栏目已更新。")
    page.get_by_role("button", name="报告整改").click()
    expect(page.locator(".messages")).to_contain_text("整改情况已报告")
    expect(page.locator("#notice-status")).to_have_text("已报整改")
    expect(page.locator("#notice-events")).to_contain_text("报告整改")
    shot(page, "4-reported")

    a11y.assert_clean()
