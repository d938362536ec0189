"""The indicators as data: the 2019 ruleset the migration loads, the reasons an
invalid ruleset is refused, and the versions (save, copy, activate) with their audit
entries."""

import datetime
import decimal

import pytest
from wagtail.models import ModelLogEntry

from orgs.errors import DomainError, PermissionRefused
from supervision import rules
from supervision.engine import EVALUATORS
from supervision.models import Rule, Ruleset, RulesetStatus, Scorecard, Verdict

pytestmark = pytest.mark.django_db


def test_the_migration_loads_the_2019_indicators_as_version_1_active():
    ruleset = rules.active_ruleset()
    assert ruleset.version == 1 and ruleset.status == RulesetStatus.ACTIVE
    points = {c.code: c.points for c in ruleset.categories.all()}
    assert points == {"publishing": 31, "services": 25, "interaction": 23, "function": 21}
    assert [c.code for c in ruleset.categories.all() if c.is_services] == ["services"]
    assert ruleset.pass_mark == 60 and ruleset.bonus_threshold == 80 and ruleset.bonus_cap == 30
    assert ruleset.bonus_site_kinds == "portal"
    codes = {r.code: r for r in ruleset.rules.all()}
    assert all(r.evaluator in EVALUATORS for r in codes.values())
    # thresholds of the reference as params, not code
    assert codes["veto-unreachable"].params == {"max_failure_ratio": 0.05, "min_probes": 20}
    assert codes["veto-home-stale"].params == {"days": 14}
    assert codes["veto-columns-stale"].params == {"news_days": 14, "notices_days": 182, "minimum": 5}
    assert codes["veto-columns-blank"].params == {"minimum": 5}
    assert codes["veto-interaction"].params == {"days": 90}
    assert codes["int-answers"].params["working_days"] == 5
    assert codes["fn-links"].params == {"home_points": 0.2, "other_points": 0.1}
    assert codes["pub-other-columns"].cap == 4
    assert codes["pub-policy"].params["site_kinds"] == ["portal", "district", "department"]  # not window units
    # what a machine cannot judge is there, as not measurable with a reason
    for code in ("int-login", "fn-login", "fn-compat", "svc-accuracy", "int-evasive"):
        assert codes[code].evaluator == "not_measurable" and codes[code].params["reason"]
    assert rules.validate_spec(rules.spec_of(ruleset)) == []


def _spec():
    return rules.default_spec()


def _rule(spec, code):
    return next(r for r in spec["rules"] if r["code"] == code)


def _refused(spec, *fragments):
    errors = rules.validate_spec(spec)
    for fragment in fragments:
        assert any(fragment in e for e in errors), (fragment, errors)
    with pytest.raises(DomainError) as caught:
        rules.ruleset_save(actor=None, spec=spec)
    for fragment in fragments:
        assert fragment in caught.value.message
    return errors


def test_invalid_rulesets_are_refused_with_the_reason():
    count = Ruleset.objects.count()
    spec = _spec()
    _rule(spec, "pub-news")["evaluator"] = "guess_the_score"
    _refused(spec, "检查方法“guess_the_score”不存在")

    spec = _spec()
    _rule(spec, "veto-home-stale")["params"] = {"days": "两周"}
    _refused(spec, "参数“天数”应为整数")

    spec = _spec()
    _rule(spec, "veto-unreachable")["params"] = {"max_failure_ratio": 5, "min_probes": 20}
    _refused(spec, "参数“失败比例”应在0到1之间")

    spec = _spec()
    _rule(spec, "fn-links")["params"] = {"home_points": 0.2, "per_link": 1}
    _refused(spec, "没有参数“per_link”")

    spec = _spec()
    _rule(spec, "pub-news")["params"] = ["news"]
    _refused(spec, "参数应为键值对")

    spec = _spec()
    next(c for c in spec["categories"] if c["code"] == "function")["points"] = -5
    reasons = rules.validate_spec(spec)
    # The category's own reason, not one more for each of its rules.
    assert not [r for r in reasons if "超过了所属类别的分值" in r], reasons

    spec = _spec()
    _rule(spec, "fn-meta")["category"] = ""
    _refused(spec, "扣分项“页面元数据”没有所属类别")

    spec = _spec()
    _rule(spec, "fn-meta")["category"] = "design"
    _refused(spec, "所属类别“design”不存在")

    spec = _spec()
    _rule(spec, "fn-search")["amount"] = 25
    _rule(spec, "fn-search")["cap"] = 30
    _refused(spec, "每项扣25分,超过了所属类别的分值21", "最多扣30分,超过了所属类别的分值21")

    spec = _spec()
    _rule(spec, "veto-serious")["amount"] = 5
    _refused(spec, "单项否决指标“严重表述错误或不良内容”不扣分")

    spec = _spec()
    _rule(spec, "fn-ipv6")["amount"] = -1
    _refused(spec, "每项分值不能为负数")

    spec = _spec()
    spec["categories"][0]["points"] = -31
    _refused(spec, "分值不能为负数", "合计应为100")

    spec = _spec()
    spec["categories"][1]["points"] = 20
    _refused(spec, "各类别分值合计应为100,现为95")

    spec = _spec()
    spec["rules"].append(dict(_rule(spec, "fn-ipv6")))
    _refused(spec, "两个指标使用了同一代码“fn-ipv6”")

    spec = _spec()
    spec["categories"][0]["points"] = "三十一"
    _refused(spec, "应为数字")

    spec = _spec()
    spec["bonus_site_kinds"] = "portal,blog"
    _refused(spec, "未知的网站类别“blog”")

    spec = _spec()
    _rule(spec, "pub-policy")["params"]["site_kinds"] = ["portal", "township"]
    _refused(spec, "适用网站类别“township”未知")

    spec = _spec()
    spec["risk_mark"] = 50
    _refused(spec, "预警分不能低于合格分")

    spec = _spec()
    _rule(spec, "fn-ipv6")["cap"] = "0.5"
    _refused(spec, "最多分值(0.5)小于每项分值(1)")

    spec = _spec()
    spec["status"] = RulesetStatus.ACTIVE
    with pytest.raises(DomainError, match="不能直接设为现行版本"):
        rules.ruleset_save(actor=None, spec=spec)
    assert Ruleset.objects.count() == count  # nothing stored


def test_saving_an_active_version_makes_a_new_draft_and_keeps_the_old(city):
    actor = city.supervisor  # 督查室-like: a supervisor of a unit that sees every unit
    v1 = rules.active_ruleset()
    card = Scorecard.objects.create(record=city.district_site, ruleset=v1, period_start=datetime.date(2026, 10, 1),
                                    period_end=datetime.date(2026, 10, 31), computed_at=datetime.datetime(
                                        2026, 11, 1, tzinfo=datetime.UTC), verdict=Verdict.PASS, score=90)
    spec = rules.spec_of(v1)
    _rule(spec, "pub-news")["params"]["stale_days"] = 7
    v2 = rules.ruleset_save(actor=actor, spec=spec, instance=v1)
    assert v2.pk != v1.pk and v2.version == 2 and v2.status == RulesetStatus.DRAFT
    v1.refresh_from_db()
    assert v1.status == RulesetStatus.ACTIVE
    assert Rule.objects.get(ruleset=v1, code="pub-news").params["stale_days"] == 14  # the old one kept
    assert Rule.objects.get(ruleset=v2, code="pub-news").params["stale_days"] == 7
    # a draft is changed in place
    spec["pass_mark"] = 65
    again = rules.ruleset_save(actor=actor, spec=spec, instance=v2)
    assert again.pk == v2.pk and Ruleset.objects.get(pk=v2.pk).pass_mark == 65

    copy = rules.ruleset_copy(actor=actor, ruleset=v2)
    assert copy.version == 3 and copy.rules.count() == v2.rules.count()

    rules.ruleset_activate(actor=actor, ruleset=v2)
    statuses = dict(Ruleset.objects.values_list("version", "status"))
    assert statuses == {1: RulesetStatus.RETIRED, 2: RulesetStatus.ACTIVE, 3: RulesetStatus.DRAFT}
    assert rules.active_ruleset().version == 2
    card.refresh_from_db()
    assert card.ruleset_id == v1.pk  # a scorecard names the version it was computed with
    with pytest.raises(DomainError, match="已是现行版本"):
        rules.ruleset_activate(actor=actor, ruleset=v2)

    actions = list(ModelLogEntry.objects.filter(action__startswith="supervision.ruleset.").order_by("pk")
                   .values_list("action", "object_id", "user_id"))
    assert actions == [
        ("supervision.ruleset.create", str(v2.pk), actor.pk),
        ("supervision.ruleset.update", str(v2.pk), actor.pk),
        ("supervision.ruleset.copy", str(copy.pk), actor.pk),
        ("supervision.ruleset.retire", str(v1.pk), actor.pk),
        ("supervision.ruleset.activate", str(v2.pk), actor.pk),
    ]


def test_activating_an_invalid_version_is_refused(city):
    draft = rules.ruleset_copy(actor=city.supervisor, ruleset=rules.active_ruleset())
    draft.categories.filter(code="function").update(points=decimal.Decimal(10))  # edited behind the service's back
    with pytest.raises(DomainError, match="合计应为100"):
        rules.ruleset_activate(actor=city.supervisor, ruleset=draft)
    assert rules.active_ruleset().version == 1


def test_only_supervisors_of_a_unit_that_sees_every_unit_change_the_indicators(city, make_user):
    district_supervisor = make_user("east_supervisor", city.district, ["supervisor"])
    for person in (city.editor, district_supervisor):
        with pytest.raises(PermissionRefused):
            rules.ruleset_copy(actor=person, ruleset=rules.active_ruleset())
    assert rules.may_edit_rules(city.supervisor)
    assert not rules.may_edit_rules(district_supervisor)
