"""Scoring stores one scorecard per site and period, with the snapshot of what it was
computed from; rescoring updates it; trends and the ranking read them."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.models import ColumnPage
from portal.services import page_create
from supervision import measures as contract
from supervision import queries, rules, scoring
from supervision.engine import evaluate
from supervision.measures import Measurements, Period
from supervision.models import Scorecard, Verdict
from supervision.services import watch_for

pytestmark = pytest.mark.django_db


def ago(days):
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def east(city, article_factory, kinds):
    article_factory(title="东区召开民生工作推进会", pub_date=ago(2))
    article_factory(column=city.district_notices, title="关于东区2026年春季征兵的通告", pub_date=ago(200))
    blank = ColumnPage(title="规划计划", slug="plans", kind=kinds["plans"], show_in_menus=True)
    page_create(parent=city.district_site.site.root_page.specific, page=blank, publish=True)
    return city


def item(card, code):
    return next(i for i in card.deductions + card.vetoes if i["rule"] == code)


def test_a_site_is_scored_once_per_period_with_its_snapshot(east):
    record = east.district_site
    card = scoring.score_site(record)
    assert Scorecard.objects.filter(record=record).count() == 1
    assert card.ruleset == rules.active_ruleset() and card.ruleset.version == 1
    today = timezone.localdate()
    assert card.period_start == today.replace(day=1) and card.period_end >= today
    snapshot = card.measurements
    assert snapshot["record"] == record.pk
    columns = snapshot["measures"]["columns"]["value"]["columns"]
    assert {c["title"]: (c["stale"], c["blank"]) for c in columns}["通知公告"] == (True, False)
    assert {c["title"]: c["blank"] for c in columns}["规划计划"] is True
    other = item(card, "pub-other-columns")
    assert other["points"] > 0
    whats = {e["what"]: e for e in other["evidence"]}
    assert whats["栏目“规划计划”"]["detail"] == "开设以来没有内容"
    assert "200天" in whats["栏目“通知公告”"]["detail"] and whats["栏目“通知公告”"]["url"].endswith("/notices/")
    # the snapshot alone explains the verdict: judged again from it, the same result
    again = evaluate(card.ruleset, Measurements.from_dict(snapshot), site_kind=record.kind,
                     external_services=watch_for(record).external_services)
    assert again.verdict == card.verdict and again.score == card.score
    assert again.to_dict()["deductions"] == card.deductions

    first_computed = card.computed_at
    article = ColumnPage.objects.get(pk=east.district_notices.pk)
    from portal.models import ArticlePage

    page_create(parent=article, page=ArticlePage(title="关于东区停水的通知", body="<p>停水。</p>", pub_date=ago(1)),
                publish=True)
    rescored = scoring.score_site(record)
    assert rescored.pk == card.pk and Scorecard.objects.filter(record=record).count() == 1  # updated, not doubled
    assert rescored.computed_at >= first_computed
    refreshed = {c["title"]: c["stale"] for c in rescored.measurements["measures"]["columns"]["value"]["columns"]}
    assert refreshed["通知公告"] is False


def test_a_past_period_gets_its_own_card_and_the_trend_reads_both(east):
    record = east.district_site
    today = timezone.localdate()
    last_month = Period.month_of(today.replace(day=1) - dt.timedelta(days=1))
    old = scoring.score_site(record, last_month)
    new = scoring.score_site(record)
    assert old.pk != new.pk and old.period_start == last_month.start
    trend = list(reversed(queries.site_history(record)))
    assert [t.period_start for t in trend] == [last_month.start, today.replace(day=1)]
    assert trend[-1].score == new.score and trend[-1].ruleset.version == 1
    assert queries.cards_of_period([record], last_month.start)[record.pk].pk == old.pk
    assert [c.pk for c in queries.latest_scorecards([record])] == [new.pk]


def test_score_all_scores_every_watched_site_and_ranks_them(east):
    watch = watch_for(east.dept_site)
    watch.active = False
    watch.save()
    assert scoring.score_all() == 2  # the portal and 东区; 市教委 is not watched
    assert set(Scorecard.objects.values_list("record_id", flat=True)) == {east.portal_site.pk, east.district_site.pk}
    cards = queries.cards_of_period(Scorecard.objects.values("record"), timezone.localdate().replace(day=1))
    ranked = queries.ranked_cards(cards.values())
    totals = [None if c.score is None else c.score + c.bonus for _rank, c in ranked]
    scored = [t for t in totals if t is not None]
    assert scored == sorted(scored, reverse=True)
    assert totals[len(scored):] == [None] * (len(totals) - len(scored))  # vetoed sites come last
    # The first scored site is 1st; a site failed by a veto item is listed last without a rank.
    assert [rank for rank, c in ranked if c.score is not None][:1] in ([], [1])
    assert all(rank is None for rank, c in ranked if c.score is None)
    worst_first = queries.latest_scorecards()
    order = queries.VERDICT_ORDER
    assert [order[c.verdict] for c in worst_first] == sorted(order[c.verdict] for c in worst_first)


def test_a_unit_without_external_services_skips_the_services_category(east):
    watch = watch_for(east.district_site)
    watch.external_services = False
    watch.save()
    card = scoring.score_site(east.district_site)
    categories = {c["code"]: c for c in card.categories}
    assert categories["services"]["skipped"] is True
    assert "veto-services" not in {v["rule"] for v in card.vetoes}  # no guides: no veto for such a unit


def broken_builder(record, period):
    raise RuntimeError("a collector's bug")


def test_a_failing_builder_costs_only_its_own_measures(east, monkeypatch):
    monkeypatch.setattr(contract, "BUILDERS", ("supervision.tests.test_scoring_cards.broken_builder",
                                               "supervision.collect.hosted.measures",
                                               "supervision.collect.no_such_module.measures"))
    card = scoring.score_site(east.district_site)
    assert "columns" in card.measurements["measures"]
    assert {n["rule"]: n["reason"] for n in card.not_checked}["fn-links"] == "未采集"


def test_the_command_prints_each_verdict(east):
    out = StringIO()
    call_command("supervision_score", "--site", "east.cq.gov.cn", stdout=out)
    card = Scorecard.objects.get(record=east.district_site)
    text = out.getvalue()
    assert f"东区政府网 {card.period_start:%Y-%m} {Verdict(card.verdict).label}" in text
    assert "共评分1个网站" in text
    out = StringIO()
    call_command("supervision_score", stdout=out)
    assert out.getvalue().count("\n") == 4 and Scorecard.objects.count() == 3
    with pytest.raises(Exception, match="没有登记这些域名"):
        call_command("supervision_score", "--site", "nowhere.cq.gov.cn")


def test_no_active_ruleset_is_said_not_guessed(east):
    from supervision.models import Ruleset

    Ruleset.objects.update(status="retired")
    assert scoring.score_all() == 0
    with pytest.raises(Exception, match="没有现行的检查指标"):
        scoring.score_site(east.district_site)
    assert Scorecard.objects.count() == 0
