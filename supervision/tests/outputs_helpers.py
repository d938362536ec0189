"""Records the outputs' tests start from: a ruleset and scorecards written with the
JSON shapes the Scorecard model documents (records, as the engine would leave them,
not mocks), and the people who look at them."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from supervision.models import Ruleset, RulesetStatus, Scorecard, Verdict

BROKEN_LINK = {"rule": "links-broken", "name": "链接不可用", "category": "publish", "check": "links", "points": 6.0,
               "detail": "首页有3个不可用链接", "evidence": [
                   {"what": "不可用链接", "url": "https://east.cq.gov.cn/old/notice.html", "detail": "HTTP 404"}]}
STALE_NEWS = {"rule": "column-stale", "name": "栏目更新不及时", "category": "publish", "check": "columns", "points": 2.0,
              "detail": "区县动态40天未更新", "evidence": [
                  {"what": "栏目", "url": "https://east.cq.gov.cn/news/", "detail": "最近更新 2026-01-20"}]}
DOWN = {"rule": "site-down", "name": "站点无法访问", "category": "", "check": "availability", "points": 0,
        "detail": "30次探测中有5次失败", "evidence": [
            {"what": "探测失败", "url": "https://edu.cq.gov.cn/", "detail": "连接超时", "at": "2026-02-03T10:00:00"}]}
NOT_CHECKED = {"rule": "ipv6", "name": "IPv6 支持", "check": "ipv6", "reason": "本机网络无法判断 IPv6"}


def ruleset():
    found = Ruleset.objects.filter(version=1).first()
    return found or Ruleset.objects.create(name="国办秘函〔2019〕19号", version=1, status=RulesetStatus.ACTIVE,
                                           effective_from=dt.date(2019, 4, 1))


def card(record, period_start, *, verdict=Verdict.FAIL, score=None, vetoes=(), deductions=(), computed_at=None,
         measurements=None):
    following = (period_start + dt.timedelta(days=32)).replace(day=1)
    return Scorecard.objects.create(
        record=record, ruleset=ruleset(), period_start=period_start, period_end=following - dt.timedelta(days=1),
        computed_at=computed_at or timezone.now(), verdict=verdict,
        score=None if score is None else Decimal(str(score)), vetoes=list(vetoes), deductions=list(deductions),
        not_checked=[NOT_CHECKED],
        categories=[{"code": "publish", "name": "发布解读", "points": 31, "deducted": sum(d["points"] for d in deductions),
                     "skipped": False}],
        measurements=measurements or {"record": record.pk, "period": [period_start.isoformat(),
                                                                      following.isoformat(), following.isoformat()],
                                      "measures": {"links": {"code": "links", "state": "problem",
                                                             "value": {"checked": 120}, "evidence": [], "reason": "",
                                                             "measured_at": ""}}},
    )


FEB = dt.date(2026, 2, 1)
MAR = dt.date(2026, 3, 1)


def cards_for(city):
    """February: 东区 at risk with two deductions, 市教委 failing on a veto, the portal passing."""
    return {
        "east": card(city.district_site, FEB, verdict=Verdict.AT_RISK, score=65, deductions=[BROKEN_LINK, STALE_NEWS]),
        "edu": card(city.dept_site, FEB, verdict=Verdict.FAIL, score=None, vetoes=[DOWN]),
        "portal": card(city.portal_site, FEB, verdict=Verdict.PASS, score=92),
    }
