"""The not-accepted reasons that were code constants (letters.models.NotAcceptedReason
as TextChoices) become rows with exactly the same codes and labels, so every letter
already refused keeps its meaning; each gets an explanation for the citizen.

Reversible: going back removes the rows this migration wrote (the codes stay on the
letters, which is what the constants read). The test suite calls ``seed`` again
after a test that empties the tables (conftest.py)."""

from django.db import migrations

REASONS = [
    ("other_organs", "属党委、人大、政协、纪检监察、军队、法院、检察院等职责范围",
     "请向相应的党委部门、人大、政协、纪检监察机关、军队、法院或检察院反映。"),
    ("legal_procedure", "应通过诉讼、仲裁、行政复议或依申请公开等法定途径解决",
     "请依法通过诉讼、仲裁或行政复议等途径解决;申请公开政府信息,请通过有关单位网站的“依申请公开”栏目提出。"),
    ("repeat", "就正在办理或已办结事项重复来信",
     "您反映的事项正在办理或已经办结,可凭原来信的查询码查看办理情况和答复。"),
    ("petition_concluded", "信访事项已办结",
     "该信访事项已依法办结;如对处理意见不服,可以依照信访工作的有关规定请求复查或复核。"),
    ("unclear", "事实不清、无明确诉求对象或内容空泛",
     "请写明事情发生的时间、地点、经过和您的具体诉求后重新来信。"),
    ("advertising", "广告等无关内容", ""),
    ("banned", "含反动、淫秽、赌博、暴力等违禁内容", ""),
    ("outside_duties", "不属于政府职责范围",
     "该事项不属于政府部门的职责范围,可向有关企事业单位、社区或行业组织反映,也可拨打12345热线咨询。"),
    ("illegal", "内容违法或有违公序良俗", ""),
]


def seed(apps, schema_editor):
    Reason = apps.get_model("letters", "NotAcceptedReason")
    for order, (code, label, explanation) in enumerate(REASONS):
        Reason.objects.get_or_create(code=code, defaults={"label": label, "explanation": explanation,
                                                          "sort_order": (order + 1) * 10})


def unseed(apps, schema_editor):
    apps.get_model("letters", "NotAcceptedReason").objects.filter(code__in=[code for code, _, _ in REASONS]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("letters", "0008_not_accepted_reasons_table"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
