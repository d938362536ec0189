"""The whole chain on the loopback corpus: each site probed 24 times, crawled, its
links checked, measured and judged by the 2019 indicators (the active ruleset the
data migration loads). Each site's verdict and score equal the ones worked out by
hand below from its defects (corpus.py, ``SITES[key]["expect"]``) and the rules'
points (rules.py), and each problem carries its evidence.

Every corpus site is an independent department site with external services: no
bonus (portals only), the services category kept, the rules of hosted sites'
database (guides, documents' interpretations, tampering) not checked, IPv6 not
checked (a loopback address tells nothing), and the rules a machine cannot judge
not checked. A well-kept corpus site has every column kind the indicators ask for.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from supervision.collect.crawler import crawl_site
from supervision.collect.probes import probe_site
from supervision.models import Verdict
from supervision.scoring import score_site
from supervision.tests.corpus import WRONG_STATEMENT, build_site, register, serve

pytestmark = pytest.mark.django_db

# key: (verdict, score, {rule: points taken}, vetoes) — worked out by hand:
HAND = {
    # Nothing wrong that a machine can see: 100.
    "clean": (Verdict.PASS, Decimal("100.00"), {}, []),
    # Three broken links on the home page × 0.2 + three elsewhere × 0.1 = 0.9 (cap 1);
    # no site search: −4. 100 − 0.9 − 4 = 95.1
    "broken_links": (Verdict.PASS, Decimal("95.10"), {"fn-links": 0.9, "fn-search": 4.0}, []),
    # Footer lacks the ICP and public-security numbers: 2 × 0.5 = 1; no 我为政府网站找错
    # entry in the footers: −3; the 10 sampled pages lack meta tags: 10 × 0.1 = 1 (cap 1).
    # 100 − 1 − 3 − 1 = 95
    "missing_footer_meta": (Verdict.PASS, Decimal("95.00"),
                            {"fn-footer": 1.0, "fn-error-report": 3.0, "fn-meta": 1.0}, []),
    # Its own four columns: 工作动态 20 days old (news, 2 weeks): −5; 通知公告 200 days
    # old (other columns, −1 each stale): −1; no overview, organisation or leaders
    # column: 3 × −2 = −6; no interpretation column: −5. 100 − 5 − 1 − 6 − 5 = 83
    "stale_columns": (Verdict.PASS, Decimal("83.00"),
                      {"pub-news": 5.0, "pub-other-columns": 1.0, "pub-overview": 2.0, "pub-organisation": 2.0,
                       "pub-leaders": 2.0, "pub-interpretation": 5.0}, []),
    # The old GBK site: two columns only (both on time, dates read from 2026年3月5日 and
    # 2026/03/05): no overview, organisation, leaders: −6; no policy-document column:
    # −5; no interpretation column: −5; none of its 7 pages has meta tags: 7 × 0.1 = 0.7.
    # 100 − 6 − 5 − 5 − 0.7 = 83.3
    "gbk_old": (Verdict.PASS, Decimal("83.30"),
                {"pub-overview": 2.0, "pub-organisation": 2.0, "pub-leaders": 2.0, "pub-policy": 5.0,
                 "pub-interpretation": 5.0, "fn-meta": 0.7}, []),
    # Veto items: no score.
    "stale_home": (Verdict.FAIL, None, {}, ["veto-home-stale"]),  # home page 30 days without an update
    "blank_columns": (Verdict.FAIL, None, {}, ["veto-columns-blank"]),  # six blank columns (≥ 5)
    "wrong_statement": (Verdict.FAIL, None, {}, ["veto-serious"]),  # 国务院总里
    "flaky": (Verdict.FAIL, None, {}, ["veto-unreachable"]),  # 6 of 24 probes failed: 25 % ≥ 5 %
}


@pytest.fixture(autouse=True)
def collector_settings(settings):
    settings.SUPERVISION_FETCH_TIMEOUT = 3
    settings.SUPERVISION_PROBE_TIMEOUT = 3


@pytest.fixture
def lexicon(db):
    from guard.services import lexicon_term_save

    return lexicon_term_save(**WRONG_STATEMENT)


def watched_and_scored(key, *, before_scoring=None):
    """Serve the corpus site ``key``, probe it 24 times over the past day, crawl it
    (links and page checks included) and score it."""
    site = build_site(key)
    start = timezone.now() - datetime.timedelta(hours=24)
    with serve(site) as served:
        record = register(served.url, key)
        for hour in range(24):
            probe_site(record, now=start + datetime.timedelta(hours=hour))
        crawl_site(record)
        if before_scoring:
            before_scoring(record)
        card = score_site(record)
    return served, card


@pytest.mark.parametrize("key", list(HAND))
def test_each_corpus_site_scores_what_was_worked_out_by_hand(key, lexicon):
    served, card = watched_and_scored(key)
    verdict, score, taken, vetoes = HAND[key]
    assert card.verdict == verdict, (card.vetoes, card.deductions)
    assert card.score == score
    assert card.bonus == 0
    assert sorted(v["rule"] for v in card.vetoes) == sorted(vetoes)
    if score is not None:
        assert {d["rule"]: d["points"] for d in card.deductions} == taken
    # Every problem is shown with its evidence.
    for item in card.vetoes + card.deductions:
        assert item["evidence"] and item["detail"], item
    # The rules nobody could check here are listed, never scored.
    not_checked = {n["rule"] for n in card.not_checked}
    assert {"fn-ipv6", "int-evasive", "svc-guides", "veto-tampering"} <= not_checked


def test_the_evidence_names_the_column_the_link_the_page_and_the_probes(lexicon):
    served, card = watched_and_scored("stale_columns")
    news = next(d for d in card.deductions if d["rule"] == "pub-news")
    assert any(e.get("url") == served.at("/gzdt/") for e in news["evidence"]) and "工作动态" in news["detail"]

    served, card = watched_and_scored("broken_links")
    links = next(d for d in card.deductions if d["rule"] == "fn-links")
    urls = {e.get("url") for e in links["evidence"]}
    assert {served.at("/missing-page.html"), served.at("/img/missing.png"), served.at("/files/gone.doc")} <= urls

    served, card = watched_and_scored("wrong_statement")
    serious = card.vetoes[0]
    assert serious["evidence"][0]["url"] == served.at("/gzdt/2.html") and WRONG_STATEMENT["term"] in serious["detail"]

    served, card = watched_and_scored("flaky")
    probes = card.vetoes[0]
    assert "6" in probes["detail"] and "24" in probes["detail"]


def test_a_mailbox_with_a_letter_unanswered_for_three_months_fails_the_site(lexicon):
    """The clean site, whose unit's mailbox holds a letter routed to it 100 days ago
    and never answered: the veto "poor interaction", with the letter as evidence."""
    from letters import services as letters
    from letters.models import Letter, LetterType, Mailbox, Status
    from orgs.models import Unit

    def unanswered_letter(record):
        unit = Unit.objects.get(pk=record.unit_id)
        mailbox = Mailbox.objects.create(unit=unit, name="示范局局长信箱", code="corpus-mailbox",
                                         email="mailbox@corpus.cs.gov.cn")
        kind = LetterType.objects.create(code="consultation", name="咨询", time_limit=10)
        letter, _code = letters.letter_submit(mailbox=mailbox, letter_type=kind, name="王小明", phone="13800138000",
                                              title="示范园区道路积水问题", body="示范园区东门道路每逢下雨积水严重,请尽快处理。")
        routed_long_ago = timezone.now() - datetime.timedelta(days=100)
        Letter.objects.filter(pk=letter.pk).update(status=Status.HANDLING, handling_unit=unit, received_at=routed_long_ago,
                                                   routed_at=routed_long_ago)
        return letter

    made = {}
    served, card = watched_and_scored("clean", before_scoring=lambda record: made.update(
        letter=unanswered_letter(record)))
    assert card.verdict == Verdict.FAIL and card.score is None
    veto = next(v for v in card.vetoes if v["rule"] == "veto-interaction")
    assert any(made["letter"].serial in e.get("what", "") + e.get("detail", "") for e in veto["evidence"])
