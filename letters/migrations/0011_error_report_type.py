"""The letter type of the error-report channel (我为政府网站找错): every footer's link
opens a form whose reports become letters of this type, routed straight to the
unit of the site concerned and answered within 3 working days (the national
inspection indicators' limit). A row, like every type, so its limit is data.

Reversible: going back removes the row unless letters of the type exist."""

from django.db import migrations

CODE, NAME, LIMIT = "error_report", "我为政府网站找错", 3


def seed(apps, schema_editor):
    LetterType = apps.get_model("letters", "LetterType")
    LetterType.objects.get_or_create(code=CODE, defaults={
        "name": NAME, "time_limit": LIMIT, "sort_order": 900,
        "description": "网站页脚“我为政府网站找错”提交的留言,直接转网站主办单位办理。",
    })


def unseed(apps, schema_editor):
    LetterType = apps.get_model("letters", "LetterType")
    Letter = apps.get_model("letters", "Letter")
    if not Letter.objects.filter(letter_type__code=CODE).exists():
        LetterType.objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("letters", "0010_one_mayor_mailbox")]
    operations = [migrations.RunPython(seed, unseed)]
