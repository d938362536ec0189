"""The supervisors' pages: every site at a glance for a supervisor of a unit that
sees every unit, one's own unit's sites for anyone else (another unit's site or
notice answers 404; without a unit, nothing); worst problems first; trends drawn as SVG
with a table of the same figures; reports as XLSX and a printable page."""

import io
import re

import pytest
from django.test import Client

from supervision import outputs
from supervision.models import Ruleset, Verdict

from .outputs_helpers import MAR, STALE_NEWS, card, cards_for


@pytest.fixture
def people(city, make_user):
    from types import SimpleNamespace

    return SimpleNamespace(
        supervisor=city.supervisor,  # 监督人员 of the office, a unit that sees every unit
        east_admin=make_user("east_site_admin", city.district, ["site_admin"]),
        east_supervisor=make_user("east_own_supervisor", city.district, ["supervisor"]),
        edu_editor=city.dept_editor,
        nobody=make_user("no_unit_person"),
    )


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _site_names(html):
    return re.findall(r'<th scope="row"><a href="/admin/supervision/sites/\d+/[^"]*">([^<]+)</a></th>', html)


def test_a_supervisor_of_a_unit_that_sees_every_unit_sees_every_site(city, people):
    cards_for(city)
    html = _client(people.supervisor).get("/admin/supervision/?period=2026-02").content.decode()
    assert set(_site_names(html)) == {"测试门户", "东区政府网", "市教委网站"}
    # Worst first: the failing site, then the one at risk, then the one that passes.
    assert _site_names(html) == ["市教委网站", "东区政府网", "测试门户"]
    counts = dict(re.findall(r'<span class="sv-badge sv-(\w+)">[^<]+</span><strong>(\d+)</strong>', html))
    assert counts == {"fail": "1", "at_risk": "1", "pass": "1", "unscored": "0"}


def test_the_worst_problems_come_first_vetoes_then_the_biggest_deductions(city, people):
    cards_for(city)
    html = _client(people.supervisor).get("/admin/supervision/?period=2026-02").content.decode()
    worst = re.search(r'<ol id="worst">(.*?)</ol>', html, re.S).group(1)
    order = [name for name in ("站点无法访问", "链接不可用", "栏目更新不及时") if name in worst]
    assert order == ["站点无法访问", "链接不可用", "栏目更新不及时"]
    assert worst.index("站点无法访问") < worst.index("链接不可用") < worst.index("栏目更新不及时")


@pytest.mark.parametrize("who", ["east_admin", "east_supervisor"])
def test_a_units_people_see_only_their_own_sites(city, people, who):
    cards = cards_for(city)
    client = _client(getattr(people, who))
    html = client.get("/admin/supervision/?period=2026-02").content.decode()
    assert _site_names(html) == ["东区政府网"]
    assert "站点无法访问" not in html and "市教委网站" not in html
    assert client.get(f"/admin/supervision/sites/{city.district_site.pk}/").status_code == 200
    assert client.get(f"/admin/supervision/sites/{city.dept_site.pk}/").status_code == 404
    assert client.get(f"/admin/supervision/sites/{cards['portal'].record_id}/").status_code == 404


def test_another_units_notice_answers_404_and_no_unit_gets_nothing(city, people):
    cards = cards_for(city)
    notice = outputs.notice_issue(actor=people.supervisor, scorecard=cards["edu"], items=["site-down"],
                                  deadline_days=5)
    assert _client(people.east_admin).get(f"/admin/supervision/notices/{notice.pk}/").status_code == 404
    assert notice.number not in _client(people.east_admin).get("/admin/supervision/notices/").content.decode()
    assert _client(people.edu_editor).get(f"/admin/supervision/notices/{notice.pk}/").status_code == 200
    # Without a unit there is no admin access at all: sent to the login page, shown nothing.
    assert _client(people.nobody).get("/admin/supervision/").status_code == 302
    assert Client().get(f"/admin/supervision/sites/{city.dept_site.pk}/").status_code == 302


def test_a_scorecard_shows_each_problem_with_its_evidence_and_what_was_not_checked(city, people):
    cards_for(city)
    html = _client(people.supervisor).get(f"/admin/supervision/sites/{city.district_site.pk}/").content.decode()
    assert "链接不可用" in html and "https://east.cq.gov.cn/old/notice.html" in html and "HTTP 404" in html
    assert "区县动态40天未更新" in html
    assert "本机网络无法判断 IPv6" in html
    assert str(Ruleset.objects.get(version=1)) in html  # the version the card was computed with
    assert 'id="measure-links"' in html and "120" in html
    assert 'id="issue-form"' in html
    # The unit sees the same page without the form that issues notices.
    own = _client(people.east_admin).get(f"/admin/supervision/sites/{city.district_site.pk}/").content.decode()
    assert "链接不可用" in own and 'id="issue-form"' not in own


def test_trends_are_an_svg_with_a_table_of_the_same_figures(city, people):
    cards_for(city)
    card(city.district_site, MAR, verdict=Verdict.PASS, score=88)
    card(city.dept_site, MAR, verdict=Verdict.PASS, score=81)
    html = _client(people.supervisor).get("/admin/supervision/?period=2026-03").content.decode()
    svg = re.search(r"<svg [^>]*role=\"img\"[^>]*>(.*?)</svg>", html, re.S).group(1)
    assert "<title" in svg and svg.count("<rect") == 4  # Feb: pass, at risk, fail; Mar: one bar of two passes
    table = re.search(r'<table class="listing" id="trend-table">(.*?)</table>', html, re.S).group(1)
    rows = dict(re.findall(r'<th scope="row">(\d{4}-\d\d)</th><td>(\d+)</td>', table))
    assert rows["2026-02"] == "1" and rows["2026-03"] == "2"
    assert "84.5" in table  # March's mean score


def test_the_ranking_orders_scores_and_puts_vetoed_sites_last(city, people):
    cards_for(city)
    html = _client(people.supervisor).get("/admin/supervision/?period=2026-02").content.decode()
    ranking = re.search(r'<table class="listing" id="ranking">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'<th scope="row">([^<]+)</th>', ranking) == ["测试门户", "东区政府网", "市教委网站"]


def test_the_xlsx_report_holds_the_visible_sites_only(city, people):
    from openpyxl import load_workbook

    cards_for(city)
    response = _client(people.supervisor).get("/admin/supervision/report.xlsx?period=2026-02")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(response.content))
    summary = [row for row in book["评分汇总"].iter_rows(min_row=2, values_only=True)]
    assert {row[0] for row in summary} == {"测试门户", "东区政府网", "市教委网站"}
    east = next(row for row in summary if row[0] == "东区政府网")
    assert (east[3], east[4], east[7]) == ("有风险", 65.0, 8.0)
    details = list(book["问题明细"].iter_rows(min_row=2, values_only=True))
    assert details[0][1] == "单项否决" and "连接超时" in details[0][6]
    own = load_workbook(io.BytesIO(_client(people.east_admin).get("/admin/supervision/report.xlsx?period=2026-02").content))
    assert [row[0] for row in own["评分汇总"].iter_rows(min_row=2, values_only=True)] == ["东区政府网"]


def test_text_read_from_a_site_stays_text_in_the_xlsx_report(city, people):
    """A crawled page's words beginning with "=" would be a formula that runs when a
    supervisor opens the report."""
    from openpyxl import load_workbook

    quoted = dict(STALE_NEWS, detail='=HYPERLINK("https://evil.example/","点此查看")',
                  evidence=[{"what": "", "url": "", "detail": "=1+1"}])
    card(city.district_site, MAR, verdict=Verdict.AT_RISK, score=68, deductions=[quoted])
    response = _client(people.supervisor).get("/admin/supervision/report.xlsx?period=2026-03")
    details = load_workbook(io.BytesIO(response.content))["问题明细"]
    row = next(details.iter_rows(min_row=2))
    assert row[5].value.startswith("=HYPERLINK") and row[5].data_type == "s"
    assert row[6].value == "=1+1" and row[6].data_type == "s"


def test_the_printable_report_has_print_css_and_the_figures(city, people):
    cards_for(city)
    html = _client(people.supervisor).get("/admin/supervision/report/?period=2026-02").content.decode()
    assert "@media print" in html and "政府网站监管报告(2026年2月)" in html
    assert "市教委网站" in html and "站点无法访问" in html


def _in_menu(label, page):  # the sidebar's items are JSON in the page, non-ASCII escaped
    import json

    return json.dumps(label)[1:-1] in page or label in page


def test_the_admin_menu_offers_the_supervisors_pages(city, people):
    for user in (people.supervisor, people.east_admin):
        html = _client(user).get("/admin/").content.decode()
        for label in ("网站监管", "监管总览", "整改通知", "内容保障分工"):
            assert _in_menu(label, html), (user, label)


def test_equal_totals_share_a_rank_the_vetoed_come_last_and_an_unread_site_is_not_ranked(city, people):
    from .outputs_helpers import FEB

    card(city.portal_site, FEB, verdict=Verdict.PASS, score=90)
    card(city.district_site, FEB, verdict=Verdict.PASS, score=90)
    card(city.dept_site, FEB, verdict=Verdict.UNSCORED, score=None, measurements={
        "record": city.dept_site.pk, "period": ["2026-02-01", "2026-02-28", "2026-02-28"],
        "measures": {"home_update": {"code": "home_update", "state": "not_checked", "value": {}, "evidence": [],
                                     "reason": "网站无法访问:首页无法访问:域名无法解析", "measured_at": ""}}})
    html = _client(people.supervisor).get("/admin/supervision/?period=2026-02").content.decode()
    ranking = re.search(r'<table class="listing" id="ranking">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r"<tr><td>(\d+)</td><th", ranking) == ["1", "1"]  # 90 and 90: one rank
    assert "市教委网站" not in ranking
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*市教委网站(?:(?!</tr>).)*</tr>", html.split('id="ranking"')[0], re.S).group(0)
    assert "未评定" in row and "否决" not in row  # in the sites table: not scored, not vetoed
    unscored = re.search(r'<ul id="unscored">(.*?)</ul>', html, re.S).group(1)
    assert "市教委网站" in unscored and "域名无法解析" in unscored
    page = _client(people.supervisor).get(f"/admin/supervision/sites/{city.dept_site.pk}/?period=2026-02")
    text = page.content.decode()
    assert "未评定" in text and "单项否决" not in text.split('id="verdict"')[1][:400]
