"""The engine's verdicts on hand-built measurements, under the 2019 ruleset the data
migration loads (version 1, active) and under small rulesets built in the test.
Every expected score is worked out by hand in a comment."""

from decimal import Decimal

import pytest

from supervision import rules
from supervision.engine import applies_to, evaluate
from supervision.measures import Evidence
from supervision.models import Verdict

from .engine_helpers import build, clean_values, column

pytestmark = pytest.mark.django_db

HUMAN_RULES = {"veto-faking", "svc-grouped", "svc-online", "svc-statistics", "svc-accuracy", "int-login", "int-evasive",
               "fn-domain", "fn-login", "fn-compat"}


@pytest.fixture
def ruleset():
    active = rules.active_ruleset()
    assert active is not None and active.version == 1  # the data migration's
    return active


def deduction(result, code):
    return next(d for d in result.deductions if d["rule"] == code)


def test_a_clean_department_site_passes_with_full_marks_and_the_human_rules_not_checked(ruleset):
    result = evaluate(ruleset, build(), site_kind="department", external_services=True)
    # 100 − 0 = 100; no bonus: bonuses are for portals only.
    assert result.verdict == Verdict.PASS
    assert result.score == Decimal("100.00")
    assert result.bonus == 0
    assert result.vetoes == [] and result.deductions == []
    skipped = {n["rule"] for n in result.not_checked}
    # The rules a machine cannot judge show as not checked, each with its reason.
    assert HUMAN_RULES <= skipped
    assert all(n["reason"] for n in result.not_checked)
    assert {c["code"]: c["deducted"] for c in result.categories} == {
        "publishing": 0, "services": 0, "interaction": 0, "function": 0}


def test_a_clean_portal_gets_its_bonus(ruleset):
    result = evaluate(ruleset, build(), site_kind="portal", external_services=True)
    # score 100 > 80 (bonus threshold), portal: every column fresh +3, 9 of 10 answers
    # within a working day (≥ 80 %) +3 → bonus 6 (cap 30); innovation is not checked.
    assert result.score == Decimal("100.00")
    assert result.bonus == Decimal("6.00")
    assert {b["rule"]: b["points"] for b in result.bonuses} == {"bonus-columns": 3.0, "bonus-answers": 3.0}
    assert "bonus-innovation" in {n["rule"] for n in result.not_checked}
    assert result.total == Decimal("106.00")


def test_deductions_with_rule_caps_hit(ruleset):
    values = clean_values()
    columns = values["columns"]["columns"]
    columns[3] = column("工作动态", "news", period_days=14, days_since=20)  # news 20 days old
    columns[6] = column("通知公告", "notices", period_days=182, blank=True)
    columns.append(column("统计信息", "other", period_days=365, blank=True))
    columns[8] = column("规划计划", "plans", period_days=365, days_since=400)
    values["links"] = {"checked": 500, "broken_home": [
        {"url": f"https://east.example.gov.cn/img/{i}.png", "found_on": "/", "status": 404, "kind": "image"}
        for i in range(3)], "broken_other": [
        {"url": f"https://east.example.gov.cn/a/{i}", "found_on": "/news/", "status": 404, "kind": "page"}
        for i in range(12)]}
    values["footer"]["missing"] = ["网站标识码", "公安机关备案标识"]
    result = evaluate(ruleset, build(values), site_kind="department", external_services=True)
    # 100 − 5 (news 20 days > 14: pub-news −5)
    #     − 4 (other columns: 2 blank × 2 + 1 stale × 1 = 5, capped at 4)
    #     − 1 (links: 3 on the home page × 0.2 + 12 elsewhere × 0.1 = 1.8, capped at 1)
    #     − 1 (footer: 2 items × 0.5)
    #     = 89
    assert result.verdict == Verdict.PASS
    assert result.score == Decimal("89.00")
    assert deduction(result, "pub-news")["points"] == 5.0
    assert deduction(result, "pub-other-columns")["points"] == 4.0
    assert deduction(result, "fn-links")["points"] == 1.0
    assert deduction(result, "fn-footer")["points"] == 1.0
    news = deduction(result, "pub-news")
    assert news["check"] == "columns" and news["category"] == "publishing"
    assert any("工作动态" in e["what"] and e["url"].endswith("/news/") for e in news["evidence"])
    blank = deduction(result, "pub-other-columns")
    assert {e["what"] for e in blank["evidence"]} >= {"栏目“通知公告”", "栏目“统计信息”", "栏目“规划计划”"}
    assert {c["code"]: c["deducted"] for c in result.categories}["publishing"] == 9.0
    # a stale column takes the bonus away, but a department gets none anyway
    assert result.bonus == 0


def test_a_veto_fails_the_site_without_a_score(ruleset):
    values = clean_values()
    values["home_update"] = {"last_update": "2026-10-30", "days_since": 21, "navigation_only": False}
    measurements = build(values, evidence={"home_update": [
        Evidence("首页最新信息", "https://east.example.gov.cn/news/1/", "东区召开民生工作推进会", "2026-10-30")]})
    result = evaluate(ruleset, measurements, site_kind="portal", external_services=True)
    # home page 21 days without an update > 14 → veto: 不合格, no score, no bonus
    assert result.verdict == Verdict.FAIL
    assert result.score is None and result.bonus == 0
    [veto] = result.vetoes
    assert veto["rule"] == "veto-home-stale" and veto["points"] == 0
    assert veto["evidence"][0]["url"] == "https://east.example.gov.cn/news/1/"
    assert "21天" in veto["detail"]
    assert result.to_dict()["score"] is None


def test_five_blank_columns_are_a_veto_four_are_not(ruleset):
    values = clean_values()
    values["columns"]["columns"] += [column(f"空白栏目{i}", "other", period_days=365, blank=True) for i in range(4)]
    result = evaluate(ruleset, build(values), site_kind="department", external_services=True)
    # four blank "other" columns: 4 × 2 = 8, capped at 4 → 96, no veto
    assert result.verdict == Verdict.PASS and result.score == Decimal("96.00")
    values["columns"]["columns"].append(column("空白栏目4", "other", period_days=365, blank=True))
    result = evaluate(ruleset, build(values), site_kind="department", external_services=True)
    assert result.verdict == Verdict.FAIL and result.score is None
    [veto] = result.vetoes
    assert veto["rule"] == "veto-columns-blank"
    assert len(veto["evidence"]) == 5 and all("开设以来没有内容" == e["detail"] for e in veto["evidence"])


def test_a_unit_without_external_services_is_scored_out_of_75_then_rescaled(ruleset):
    values = clean_values()
    values["guides"] = {"total": 0, "lacking_four_or_more": 0, "sample": [], "services_unusable": False,
                        "without_forms": 0}  # no guides at all: a veto, but only for units with services
    values["interaction"]["published"] = 0
    values["columns"]["columns"][3] = column("工作动态", "news", period_days=14, days_since=30)
    result = evaluate(ruleset, build(values), site_kind="department", external_services=False)
    # services skipped (no veto, no deduction); 75 − 6 (nothing published) − 5 (news stale) = 64;
    # 64 × 100 / 75 = 85.33
    assert result.verdict == Verdict.PASS
    assert result.score == Decimal("85.33")
    assert {c["code"]: c["skipped"] for c in result.categories}["services"] is True
    assert not any(d["category"] == "services" for d in result.deductions)
    # the same site with external services: no guides → "services not usable" veto
    result = evaluate(ruleset, build(values), site_kind="department", external_services=True)
    assert result.verdict == Verdict.FAIL and [v["rule"] for v in result.vetoes] == ["veto-services"]


def test_a_pass_below_the_risk_mark_is_at_risk(ruleset):
    values = clean_values()
    kept = [c for c in values["columns"]["columns"] if c["kind"] not in ("news", "policy", "interpretation")]
    values["columns"] = {"columns": kept, "present_kinds": sorted({c["kind"] for c in kept})}
    for doc in values["documents"]["sampled"]:
        doc["has_interpretation"] = False
    values["interaction"]["published"] = 0
    values["search"] = {"present": False, "tested": [], "not_found": [], "grouped": None}
    values["guides"]["lacking_four_or_more"] = 2
    values["guides"]["sample"][0]["missing"] = ["设定依据", "申请条件", "办理材料", "办理地点"]
    values["guides"]["sample"][1]["missing"] = ["收费标准"] * 12
    result = evaluate(ruleset, build(values), site_kind="district", external_services=True)
    # 100 − 5 (no news column) − 5 (no policy column) − 5 (no interpretation column)
    #     − 3 (3 sampled documents without an interpretation × 1) − 6 (no letters published)
    #     − 4 (no site search) − 8 (16 missing elements × 0.5 = 8, cap 8) = 64 → at risk (60 ≤ 64 < 70)
    assert result.score == Decimal("64.00")
    assert result.verdict == Verdict.AT_RISK
    assert deduction(result, "svc-guides")["points"] == 8.0
    assert deduction(result, "pub-news")["detail"] == "没有新闻动态栏目"


def test_measures_not_taken_are_not_checked_never_scored(ruleset):
    values = clean_values()
    del values["links"]
    values["ipv6"] = {"has_aaaa": None}
    measurements = build(values, not_checked={"availability": "本机网络无法访问该网站"})
    result = evaluate(ruleset, measurements, site_kind="department", external_services=True)
    # links never measured (未采集), IPv6 unknown, availability not checked: 100, nothing guessed
    assert result.score == Decimal("100.00") and result.verdict == Verdict.PASS
    reasons = {n["rule"]: n["reason"] for n in result.not_checked}
    assert reasons["fn-links"] == "未采集"
    assert reasons["veto-unreachable"] == "本机网络无法访问该网站"
    assert "fn-ipv6" in reasons


def test_unreachable_needs_enough_probes_and_five_percent(ruleset):
    values = clean_values()
    values["availability"] = {"probes": 10, "failures": 10, "failure_ratio": 1.0, "days": 1, "timeout_seconds": 15}
    result = evaluate(ruleset, build(values), site_kind="department", external_services=True)
    assert result.verdict == Verdict.PASS  # 10 probes are too few to judge
    assert "探测次数不足" in {n["rule"]: n["reason"] for n in result.not_checked}["veto-unreachable"]
    values["availability"] = {"probes": 160, "failures": 8, "failure_ratio": 0.05, "days": 7, "timeout_seconds": 15}
    result = evaluate(ruleset, build(values), site_kind="department", external_services=True)
    assert [v["rule"] for v in result.vetoes] == ["veto-unreachable"]  # 8 / 160 = 5 % → veto


def _custom(**changes):
    spec = {
        "name": "测试指标", "pass_mark": 60, "risk_mark": 70, "bonus_threshold": 80, "bonus_cap": 4,
        "bonus_site_kinds": "portal,district", "notes": "",
        "categories": [{"code": "a", "name": "甲", "points": 10, "is_services": False},
                       {"code": "b", "name": "乙", "points": 90, "is_services": False}],
        "rules": [
            {"code": "links", "name": "链接", "kind": "deduction", "category": "a", "evaluator": "broken_links",
             "amount": 3, "cap": 6, "params": {"home_points": 3, "other_points": 3}, "enabled": True},
            {"code": "meta", "name": "元数据", "kind": "deduction", "category": "a", "evaluator": "meta_lacking",
             "amount": 4, "cap": 8, "params": {}, "enabled": True},
            {"code": "footer", "name": "页脚", "kind": "deduction", "category": "b", "evaluator": "footer_missing",
             "amount": 7, "cap": 14, "params": {}, "enabled": True},
            {"code": "b1", "name": "栏目", "kind": "bonus", "category": "", "evaluator": "bonus_columns_fresh",
             "amount": 3, "cap": 3, "params": {}, "enabled": True},
            {"code": "b2", "name": "答复", "kind": "bonus", "category": "", "evaluator": "bonus_fast_answers",
             "amount": 3, "cap": 3, "params": {}, "enabled": True},
        ],
    }
    spec.update(changes)
    return rules.ruleset_save(actor=None, spec=spec)


def test_a_category_never_loses_more_than_its_points_and_the_bonus_is_capped():
    ruleset = _custom()
    values = clean_values()
    values["links"]["broken_other"] = [{"url": f"/x/{i}", "found_on": "/", "status": 500} for i in range(2)]
    values["meta"]["lacking"] = [{"url": f"/p/{i}", "missing": ["PubDate"]} for i in range(2)]
    result = evaluate(ruleset, build(values), site_kind="district")
    # category 甲 (10 points): links 2 × 3 = 6 (cap 6) + meta 2 × 4 = 8 (cap 8) = 14 → capped at 10
    # 100 − 10 = 90 > 80 → bonus 3 + 3 = 6, capped at 4 (district is a bonus kind here)
    assert result.score == Decimal("90.00")
    assert {c["code"]: c["deducted"] for c in result.categories} == {"a": 10.0, "b": 0.0}
    assert [d["points"] for d in result.deductions] == [6.0, 4.0]  # the second rule gets what is left
    assert result.bonus == Decimal("4.00")
    assert sum(b["points"] for b in result.bonuses) == 4.0


def test_no_bonus_at_or_below_the_threshold():
    ruleset = _custom()
    values = clean_values()
    values["footer"]["missing"] = ["网站标识码", "ICP备案编号", "联系方式"]
    result = evaluate(ruleset, build(values), site_kind="portal")
    # 100 − 14 (3 items × 7 = 21, capped at 14) = 86 → bonus (capped 4)
    assert result.score == Decimal("86.00") and result.bonus == Decimal("4.00")
    values["links"]["broken_other"] = [{"url": f"/x/{i}", "found_on": "/", "status": 500} for i in range(2)]
    result = evaluate(ruleset, build(values), site_kind="portal")
    # 100 − 14 − 6 = 80: not above 80 → no bonus
    assert result.score == Decimal("80.00") and result.bonus == 0
    assert all(b["points"] == 0 for b in result.bonuses)


def test_a_measure_of_the_wrong_shape_is_not_checked_not_a_crash(ruleset):
    values = clean_values()
    values["links"] = {"checked": 1, "broken_home": "garbage", "broken_other": 5}
    result = evaluate(ruleset, build(values), site_kind="department")
    assert result.score == Decimal("100.00")
    assert "测量数据格式不正确" in {n["rule"]: n["reason"] for n in result.not_checked}["fn-links"]


def test_to_dict_has_the_documented_shapes(ruleset):
    values = clean_values()
    values["footer"]["missing"] = ["网站标识码"]
    data = evaluate(ruleset, build(values), site_kind="department").to_dict()
    assert set(data) == {"verdict", "score", "bonus", "vetoes", "deductions", "bonuses", "not_checked", "categories"}
    [item] = data["deductions"]
    assert set(item) == {"rule", "name", "category", "check", "points", "detail", "evidence"}
    assert isinstance(item["points"], float)
    assert set(data["not_checked"][0]) == {"rule", "name", "check", "reason"}
    assert set(data["categories"][0]) == {"code", "name", "points", "deducted", "skipped"}


def test_a_site_nothing_could_be_measured_of_is_not_scored_not_passed(ruleset):
    from supervision.measures import CHECKS, Measurements

    from .engine_helpers import PERIOD

    nothing = Measurements(1, PERIOD)
    result = evaluate(ruleset, nothing, site_kind="department", external_services=True)
    # every rule 未检测: no score, and neither 合格 nor 不合格
    assert result.verdict == Verdict.UNSCORED and result.score is None and result.bonus == 0
    assert len(result.not_checked) == sum(1 for r in ruleset.rules.all() if r.enabled and applies_to(r, "department"))
    unreachable = build({}, not_checked={code: "本机网络无法访问该网站" for code in CHECKS})
    assert evaluate(ruleset, unreachable, site_kind="portal").verdict == Verdict.UNSCORED
    # a site whose home page and columns could not be read gets no score, whatever
    # else was measured (an error-report count, IPv6): it would score high unseen
    only_ipv6 = build({"ipv6": {"has_aaaa": False}})
    assert evaluate(ruleset, only_ipv6, site_kind="department").verdict == Verdict.UNSCORED
    # read, it is judged by what was measured
    values = clean_values()
    read = build({"home_update": values["home_update"], "columns": values["columns"], "ipv6": {"has_aaaa": False}})
    result = evaluate(ruleset, read, site_kind="department")
    assert result.verdict == Verdict.PASS and result.score == Decimal("99.00")  # 100 − 1 (no IPv6)


def test_a_rule_for_government_sites_does_not_apply_to_a_window_unit(ruleset):
    values = clean_values()
    kept = [c for c in values["columns"]["columns"] if c["kind"] not in ("policy", "interpretation")]
    values["columns"] = {"columns": kept, "present_kinds": sorted({c["kind"] for c in kept})}
    # a department: 100 − 5 (no policy column) − 5 (no interpretation column) = 90
    department = evaluate(ruleset, build(values), site_kind="department")
    assert department.score == Decimal("90.00")
    # an airport publishes no policy documents: those rules do not apply (site_kinds), 100
    window = evaluate(ruleset, build(values), site_kind="window")
    assert window.score == Decimal("100.00")
    assert not {"pub-policy", "pub-interpretation"} & {n["rule"] for n in window.not_checked}


def test_nothing_published_by_a_unit_that_received_no_letter_is_not_a_fault(ruleset):
    values = clean_values()
    values["interaction"].update(published=0, received=0, sample=[], days_since_published=None)
    result = evaluate(ruleset, build(values), site_kind="department")
    # no letter in the past year: nothing to publish, not −6
    assert result.score == Decimal("100.00")
    assert "没有收到来信" in {n["rule"]: n["reason"] for n in result.not_checked}["int-published"]
    values["interaction"]["received"] = 3
    assert evaluate(ruleset, build(values), site_kind="department").score == Decimal("94.00")  # 100 − 6
