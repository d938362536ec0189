"""The 2019 national indicators (国办秘函〔2019〕19号) as ruleset version 1, active:
from the first day every site is scored against them (supervision/rules.py)."""

from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    from supervision.rules import default_spec

    Ruleset = apps.get_model("supervision", "Ruleset")
    RuleCategory = apps.get_model("supervision", "RuleCategory")
    Rule = apps.get_model("supervision", "Rule")
    if Ruleset.objects.exists():
        return
    spec = default_spec()
    ruleset = Ruleset.objects.create(
        version=1, status="active", name=spec["name"], pass_mark=spec["pass_mark"], risk_mark=spec["risk_mark"],
        bonus_threshold=spec["bonus_threshold"], bonus_cap=spec["bonus_cap"],
        bonus_site_kinds=spec["bonus_site_kinds"], notes=spec["notes"])
    for order, c in enumerate(spec["categories"]):
        RuleCategory.objects.create(ruleset=ruleset, code=c["code"], name=c["name"], points=Decimal(str(c["points"])),
                                    is_services=c["is_services"], sort_order=order)
    for order, r in enumerate(spec["rules"]):
        Rule.objects.create(ruleset=ruleset, code=r["code"], name=r["name"], kind=r["kind"], category=r["category"],
                            evaluator=r["evaluator"], amount=Decimal(str(r["amount"])),
                            cap=None if r["cap"] is None else Decimal(str(r["cap"])), params=r["params"],
                            enabled=True, sort_order=order)


def unload(apps, schema_editor):
    Ruleset = apps.get_model("supervision", "Ruleset")
    Ruleset.objects.filter(version=1, scorecards__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
