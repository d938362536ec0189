"""Rectification notices (整改通知): a supervisor issues one from a site's scorecard
with a deadline; the unit's people report the fix; the next scorecard confirms it
or reopens it with the problems still found; overdue notices are marked once. Every
step is a NoticeEvent and an audit entry; two people never overwrite each other."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from letters import calendar
from letters.models import Notification
from orgs.errors import DomainError, PermissionRefused
from supervision import outputs
from supervision.models import NoticeStatus, RectificationNotice, Verdict

from .outputs_helpers import BROKEN_LINK, MAR, STALE_NEWS, card, cards_for


@pytest.fixture
def people(city, make_user):
    from types import SimpleNamespace

    return SimpleNamespace(
        supervisor=city.supervisor,
        east_admin=make_user("east_site_admin", city.district, ["site_admin"], email="east-admin@cq.gov.cn"),
        east_supervisor=make_user("east_own_supervisor", city.district, ["supervisor"]),
        edu_editor=city.dept_editor,
    )


def _issue(cards, people, **extra):
    values = dict(actor=people.supervisor, scorecard=cards["east"], items=["links-broken", "column-stale"],
                  message="请于期限内修复首页链接并更新栏目。", deadline_days=5)
    values.update(extra)
    return outputs.notice_issue(**values)


def _audit(notice):
    return list(ModelLogEntry.objects.filter(object_id=str(notice.pk), action__startswith="supervision.notice")
                .order_by("id").values_list("action", flat=True))


def test_a_supervisor_issues_a_numbered_notice_with_a_working_day_deadline(city, people):
    cards = cards_for(city)
    notice = _issue(cards, people)
    assert notice.number == f"ZG{timezone.localdate():%Y}0001"
    assert notice.unit == city.district and notice.record == city.district_site
    assert notice.deadline == calendar.add_working_days(timezone.localdate(), 5).due
    assert [item["rule"] for item in notice.items] == ["links-broken", "column-stale"]
    assert notice.items[0]["evidence"][0]["url"] == "https://east.cq.gov.cn/old/notice.html"
    event = notice.events.get()
    assert (event.kind, event.actor) == ("issued", people.supervisor)
    assert _audit(notice) == ["supervision.notice.issue"]
    mail = Notification.objects.get(kind="notice_issued")
    assert mail.to == "east-admin@cq.gov.cn" and "链接不可用" in mail.body
    # While it is open, the same problems are not sent again.
    later = calendar.add_working_days(timezone.localdate(), 14).due
    with pytest.raises(DomainError) as refused:
        _issue(cards, people, items=["links-broken"], deadline=later, deadline_days=None)
    assert notice.number in refused.value.message and "链接不可用" in refused.value.message
    notice.status = "confirmed"
    notice.save()
    second = _issue(cards, people, items=["links-broken"], deadline=later, deadline_days=None)
    assert second.number == f"ZG{timezone.localdate():%Y}0002"
    assert second.deadline == later


def test_a_deadline_on_a_day_off_is_refused_with_the_reason(city, people):
    cards = cards_for(city)
    today = timezone.localdate()
    day_off = next(today + dt.timedelta(days=n) for n in range(1, 30)
                   if not calendar.day_kind(today + dt.timedelta(days=n))[0])
    with pytest.raises(DomainError) as refused:
        _issue(cards, people, deadline=day_off, deadline_days=None)
    assert refused.value.field == "deadline" and "应为工作日" in refused.value.message
    assert f"{day_off:%Y-%m-%d}" in refused.value.message


@pytest.mark.parametrize("changes, message", [
    ({"items": []}, "请至少选择一个要整改的问题"),
    ({"items": ["no-such-rule"]}, "所选问题不在这份评分表中"),
    ({"deadline_days": 0}, "整改期限应为1至60个工作日"),
    ({"deadline_days": None, "deadline": None}, "请填写整改期限"),
    ({"deadline_days": None, "deadline": "2020-01-01"}, "整改期限应在今天之后"),
    ({"deadline_days": None, "deadline": "明天"}, "日期格式"),
    ({"deadline_days": 5, "deadline": "2099-01-01"}, "只填一种"),  # never a silent choice between the two
])
def test_a_bad_notice_is_refused_with_a_reason_and_nothing_is_stored(city, people, changes, message):
    cards = cards_for(city)
    with pytest.raises(DomainError) as refused:
        _issue(cards, people, **changes)
    assert message in refused.value.message
    assert not RectificationNotice.objects.exists()


@pytest.mark.parametrize("who", ["east_admin", "east_supervisor", "edu_editor"])
def test_only_a_supervisor_of_every_site_issues_notices(city, people, who):
    cards = cards_for(city)
    with pytest.raises(PermissionRefused):
        _issue(cards, people, actor=getattr(people, who))
    assert not RectificationNotice.objects.exists()


def test_the_unit_reports_the_fix_and_another_unit_cannot(city, people):
    notice = _issue(cards_for(city), people)
    with pytest.raises(PermissionRefused):
        outputs.notice_report(actor=people.edu_editor, notice=notice, report="已经全部修复。", version=notice.version)
    with pytest.raises(DomainError, match="至少5个字"):
        outputs.notice_report(actor=people.east_admin, notice=notice, report="好", version=notice.version)
    reported = outputs.notice_report(actor=people.east_admin, notice=notice, report="首页3个失效链接已删除,区县动态已更新。",
                                     version=notice.version)
    assert reported.status == NoticeStatus.REPORTED and reported.version == notice.version + 1
    assert [e.kind for e in reported.events.all()] == ["issued", "reported"]
    assert _audit(reported) == ["supervision.notice.issue", "supervision.notice.report"]
    with pytest.raises(DomainError, match="刚被他人处理过"):  # the old version, as a second person would send it
        outputs.notice_report(actor=people.east_admin, notice=notice, report="再报一次整改情况。", version=notice.version)


def test_the_next_scorecard_confirms_a_fix(city, people):
    notice = _issue(cards_for(city), people)
    notice = outputs.notice_report(actor=people.east_admin, notice=notice, report="已全部整改完毕。", version=notice.version)
    assert outputs.notice_review(notice=notice) is None  # no scorecard since the report: nothing to say yet
    card(city.district_site, MAR, verdict=Verdict.PASS, score=95, computed_at=timezone.now() + dt.timedelta(minutes=1))
    confirmed = outputs.notice_review(notice=notice)
    assert confirmed.status == NoticeStatus.CONFIRMED and confirmed.confirmed_at is not None
    assert confirmed.events.last().kind == "confirmed"
    assert _audit(confirmed)[-1] == "supervision.notice.review"


def test_the_next_scorecard_reopens_a_notice_with_the_problems_still_found(city, people):
    notice = _issue(cards_for(city), people)
    notice = outputs.notice_report(actor=people.east_admin, notice=notice, report="链接已修复,栏目已更新。", version=notice.version)
    still = dict(BROKEN_LINK, detail="首页仍有1个不可用链接", points=2.0)
    card(city.district_site, MAR, verdict=Verdict.AT_RISK, score=68, deductions=[still],
         computed_at=timezone.now() + dt.timedelta(minutes=1))
    result = outputs.daily_sweep()
    assert result["reopened"] == 1 and result["confirmed"] == 0
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REOPENED
    event = notice.events.last()
    assert event.kind == "reopened" and [i["rule"] for i in event.data["still"]] == ["links-broken"]
    assert event.data["still"][0]["detail"] == "首页仍有1个不可用链接"
    assert "栏目更新不及时" not in event.note and "链接不可用" in event.note
    # Reopened, the unit reports again.
    again = outputs.notice_report(actor=people.east_admin, notice=notice, report="最后一个失效链接也已删除。",
                                  version=notice.version)
    assert again.status == NoticeStatus.REPORTED


def test_an_overdue_notice_is_marked_and_its_unit_told_once(city, people):
    notice = _issue(cards_for(city), people)
    later = notice.deadline + dt.timedelta(days=1)
    assert outputs.notices_overdue(notice.deadline) == 0
    assert outputs.notices_overdue(later) == 1
    assert outputs.notices_overdue(later + dt.timedelta(days=1)) == 0
    assert list(notice.events.filter(kind="overdue").values_list("kind", flat=True)) == ["overdue"]
    assert Notification.objects.filter(kind="notice_overdue").count() == 1


def test_the_admin_pages_issue_report_and_review(city, people):
    cards_for(city)
    supervisor, unit = Client(), Client()
    supervisor.force_login(people.supervisor)
    unit.force_login(people.east_admin)
    page = f"/admin/supervision/sites/{city.district_site.pk}/?period=2026-02"
    refused = unit.post(page, {"items": ["links-broken"], "deadline_days": "5"})
    # Refused (Wagtail's admin answers a refusal by sending the person back to the dashboard).
    assert refused.status_code in (302, 403) and refused.get("Location", "/admin/") == "/admin/"
    assert not RectificationNotice.objects.exists()
    bad = supervisor.post(page, {"deadline_days": "5"})
    assert bad.status_code == 400 and "请至少选择一个要整改的问题" in bad.content.decode()
    sent = supervisor.post(page, {"items": ["links-broken"], "deadline_days": "5", "message": "请修复。"})
    notice = RectificationNotice.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/admin/supervision/notices/{notice.pk}/"
    html = unit.get(sent["Location"]).content.decode()
    assert "链接不可用" in html and 'name="action" value="report"' in html
    reported = unit.post(sent["Location"], {"action": "report", "report": "失效链接已全部删除。", "version": notice.version})
    assert reported.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REPORTED
    stale = unit.post(sent["Location"], {"action": "report", "report": "再报一次。。。", "version": 1})
    assert stale.status_code == 400
    card(city.district_site, MAR, verdict=Verdict.PASS, score=90, deductions=[STALE_NEWS],
         computed_at=timezone.now() + dt.timedelta(minutes=1))
    supervisor.post(sent["Location"], {"action": "review", "version": notice.version})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CONFIRMED  # the notice named only the links, which are gone
