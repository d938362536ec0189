"""The live-data rule (issue 12: a window unit whose data stops arriving loses points
in 信息发布与解读) added to the stored rulesets, which are data supervisors edit.

A ruleset no scorecard names yet (a draft, or the active one of a new installation)
gets the rule in place, after 其他栏目. An active ruleset that scorecards name is never
changed (rules.py): a new draft version is made from it with the rule added, for the
supervisors to review and activate. Retired versions are left as they were."""

from decimal import Decimal

from django.db import migrations
from django.db.models import F

CODE, NAME, KIND, CATEGORY, EVALUATOR, AMOUNT, CAP, PARAMS = (
    "pub-live-data", "实时数据更新", "deduction", "publishing", "live_data_silent", 2, 4, {"site_kinds": ["window"]})
AFTER = "pub-other-columns"


def _add_rule(ruleset, Rule):
    rules = list(Rule.objects.filter(ruleset=ruleset).order_by("sort_order", "id"))
    place = next((r.sort_order + 1 for r in rules if r.code == AFTER), len(rules))
    Rule.objects.filter(ruleset=ruleset, sort_order__gte=place).update(sort_order=F("sort_order") + 1)
    Rule.objects.create(ruleset=ruleset, code=CODE, name=NAME, kind=KIND, category=CATEGORY, evaluator=EVALUATOR,
                        amount=Decimal(AMOUNT), cap=Decimal(CAP), params=dict(PARAMS), enabled=True, sort_order=place)


def _new_version(ruleset, Ruleset, RuleCategory, Rule):
    top = Ruleset.objects.order_by("-version").values_list("version", flat=True).first() or 0
    copy = Ruleset.objects.create(
        name=ruleset.name, version=top + 1, status="draft", effective_from=None, pass_mark=ruleset.pass_mark,
        risk_mark=ruleset.risk_mark, bonus_threshold=ruleset.bonus_threshold, bonus_cap=ruleset.bonus_cap,
        bonus_site_kinds=ruleset.bonus_site_kinds,
        notes=(ruleset.notes + "\n" if ruleset.notes else "") + f"由第{ruleset.version}版复制,增加“{NAME}”一项,待启用。")
    for category in RuleCategory.objects.filter(ruleset=ruleset):
        RuleCategory.objects.create(ruleset=copy, code=category.code, name=category.name, points=category.points,
                                    is_services=category.is_services, sort_order=category.sort_order)
    for rule in Rule.objects.filter(ruleset=ruleset):
        Rule.objects.create(ruleset=copy, code=rule.code, name=rule.name, kind=rule.kind, category=rule.category,
                            evaluator=rule.evaluator, amount=rule.amount, cap=rule.cap, params=rule.params,
                            enabled=rule.enabled, sort_order=rule.sort_order)
    return copy


def add(apps, schema_editor):
    Ruleset = apps.get_model("supervision", "Ruleset")
    RuleCategory = apps.get_model("supervision", "RuleCategory")
    Rule = apps.get_model("supervision", "Rule")
    for ruleset in Ruleset.objects.exclude(status="retired").order_by("version"):
        if Rule.objects.filter(ruleset=ruleset, code=CODE).exists():
            continue
        if not RuleCategory.objects.filter(ruleset=ruleset, code=CATEGORY).exists():
            continue  # a ruleset a supervisor rebuilt without 信息发布与解读: theirs to decide
        if ruleset.status == "active" and ruleset.scorecards.exists():
            if not Ruleset.objects.filter(status="draft").exists():
                _add_rule(_new_version(ruleset, Ruleset, RuleCategory, Rule), Rule)
            continue
        _add_rule(ruleset, Rule)


def remove(apps, schema_editor):
    Rule = apps.get_model("supervision", "Rule")
    Rule.objects.filter(code=CODE, ruleset__scorecards__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [("supervision", "0002_ruleset_2019")]

    operations = [migrations.RunPython(add, remove)]
