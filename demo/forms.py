"""The demo's online forms (网上填表预受理, issue 9 part 3): three matters take
applications online, and a few applications stand in different states.

The matters are found by title among the demo's guides (the guides' own slice
writes them); a title not found gets a short but complete guide of its own under
its unit's 办事服务 column, so this slice works on its own too.
"""

from disclosure import applyforms
from disclosure.formbuilder import id_card_check_digit
from disclosure.models import GuideFormField, GuideLegalBasis, GuideMaterial, GuideStep, ServiceGuidePage
from orgs.models import SiteRecord, Unit
from portal.models import ColumnPage
from portal.services import page_create

from .guides import LAW_DB

PDF = b"%PDF-1.4\n% demo material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# title, unit code, intro, fields (label, type, required, choices, help), the guide if it must be made
DEMO_FORMS = [
    ("灵活就业人员参保登记", "rlsbj",
     "以个体身份参加企业职工基本养老保险的灵活就业人员,可在此在线填报。提交后市人力社保局在3个工作日内预审,"
     "预受理后请按约定时间携带身份证原件到窗口办理。外地户籍人员同样可以申请。",
     [("现居住地址", "singleline", True, "", "写到门牌号"),
      ("就业形式", "dropdown", True, "个体工商户\n非全日制从业\n新就业形态(平台从业)\n其他灵活就业", ""),
      ("开始灵活就业日期", "date", True, "", ""),
      ("缴费基数档次", "radio", True, "60%\n100%\n200%\n300%", "按上年度全市职工月平均工资的比例"),
      ("参保证明领取方式", "checkboxes", False, "电子证明\n窗口领取\n邮寄", ""),
      ("本人承诺所填信息真实", "checkbox", True, "", "")],
     {"handling_body": "重庆市社会保险事务中心", "place": "重庆市渝北区市政务服务中心社保窗口",
      "fees": "不收费", "hours": "工作日 9:00–12:00,13:30–17:00", "phone": "023-60180001",
      "conditions": "在本市从事灵活就业、年满16周岁未达法定退休年龄、未参加企业职工基本养老保险的人员。",
      "legal_basis": "《中华人民共和国社会保险法》第十条", "promised_limit_days": 3, "statutory_limit_days": 15,
      "materials": [("居民身份证", "both", True), ("灵活就业情况说明", "electronic", False)]}),
    ("城乡居民医疗保险参保登记", "yuzhong",
     "未参加职工医保的城乡居民(含在渝中区居住的外地户籍人员和在校学生)可在此在线登记参保,"
     "渝中区在3个工作日内预审并告知缴费方式。",
     [("居住街道", "dropdown", True, "解放碑街道\n七星岗街道\n大溪沟街道\n上清寺街道\n化龙桥街道\n其他", ""),
      ("详细住址", "singleline", True, "", ""),
      ("参保人群", "radio", True, "成年居民\n未成年人\n在校学生", ""),
      ("家庭联系人电话", "phone", False, "", "未成年人参保请填写监护人电话"),
      ("监护人身份证号码", "id_number", False, "", "未成年人参保时填写"),
      ("备注", "multiline", False, "", "")],
     {"handling_body": "渝中区医疗保障事务中心", "place": "渝中区政务服务中心一楼医保窗口", "fees": "不收费(个人缴费按年度标准)",
      "hours": "工作日 9:00–17:00", "phone": "023-63800002",
      "conditions": "具有本区户籍或在本区居住、就读,未参加职工基本医疗保险的城乡居民。",
      "legal_basis": "《重庆市城乡居民合作医疗保险办法》", "promised_limit_days": 3, "statutory_limit_days": 10,
      "materials": [("居民身份证或户口簿", "both", True), ("居住证明", "electronic", False)]}),
    ("老旧小区加装电梯补助申请", "zfcxjw",
     "已完成加装电梯并通过验收的老旧小区,由业主代表在此提交补助申请。市住房城乡建委预审后告知现场核查时间。",
     [("小区名称", "singleline", True, "", ""),
      ("所在区县", "dropdown", True, "渝中区\n江北区\n沙坪坝区\n九龙坡区\n南岸区\n其他区县", ""),
      ("加装电梯数量(部)", "number", True, "", ""),
      ("竣工验收日期", "date", True, "", ""),
      ("业主代表联系电话", "phone", True, "", ""),
      ("加装情况说明", "multiline", True, "", "层数、户数、出资方式")],
     {"handling_body": "重庆市住房和城乡建设委员会物业处", "place": "重庆市渝北区冉家坝市住房城乡建委一楼大厅",
      "fees": "不收费", "hours": "工作日 9:00–17:00", "phone": "023-63600003",
      "conditions": "本市城镇2000年以前建成、无电梯的多层住宅,加装电梯已竣工验收并投入使用。",
      "legal_basis": "《重庆市老旧住宅加装电梯补助资金管理办法》", "promised_limit_days": 10, "statutory_limit_days": 20,
      "materials": [("电梯竣工验收报告", "electronic", True), ("业主同意加装证明", "both", True),
                    ("施工合同", "paper", True)]}),
]


def _id(first17):
    return first17 + id_card_check_digit(first17)


def enable_demo_forms():
    """Give the three demo matters their online forms (making a guide that is
    missing) and leave a few applications in different states. Safe to run again."""
    guides = []
    for title, unit_code, intro, fields, fallback in DEMO_FORMS:
        guide = ServiceGuidePage.objects.filter(title=title).first()
        if guide is None:
            guide = _make_guide(title, Unit.objects.get(code=unit_code), fallback)
        guide = _with_facets(guide.specific)
        if not GuideFormField.objects.filter(page=guide).exists():
            for order, (label, kind, required, choices, help_text) in enumerate(fields):
                GuideFormField.objects.create(page=guide, sort_order=order, label=label, field_type=kind,
                                              required=required, choices=choices, help_text=help_text)
        ServiceGuidePage.objects.filter(pk=guide.pk).update(online_form_enabled=True, online_form_intro=intro)
        guide.refresh_from_db()
        guides.append(guide)
    _demo_applications(guides)
    return guides


# The themes and life events of the online matters (codes of demo/guides.py), so they
# are found by theme and event like every other matter.
FACETS = {
    "灵活就业人员参保登记": (["shebao", "jiuye"], ["jiuye"]),
    "城乡居民医疗保险参保登记": (["shebao", "yiliao"], ["chusheng"]),
    "老旧小区加装电梯补助申请": (["zhufang"], ["zhiye"]),
}


def _with_facets(guide):
    from disclosure.models import LifeEvent, Theme

    theme_codes, event_codes = FACETS.get(guide.title, ([], []))
    if guide.themes.exists() or not theme_codes:
        return guide
    guide.themes = list(Theme.objects.filter(code__in=theme_codes))
    guide.life_events = list(LifeEvent.objects.filter(code__in=event_codes))
    guide.save_revision().publish()
    return ServiceGuidePage.objects.get(pk=guide.pk)


def _make_guide(title, unit, values):
    record = SiteRecord.objects.filter(unit=unit, site__isnull=False).first()
    home = record.site.root_page.specific
    column = ColumnPage.objects.child_of(home).filter(kind__code="services").first()
    values = dict(values)
    materials = values.pop("materials")
    page = ServiceGuidePage(
        title=title, summary=f"{unit.short_name or unit.name}办理的{title}事项。", audience="person", **values,
        materials=[GuideMaterial(name=name, form=form, original="original", copies=1, required=required, sort_order=i)
                   for i, (name, form, required) in enumerate(materials)],
        # The basis is linked (the national law database), so the guide has no flag.
        legal_bases=[GuideLegalBasis(citation=values["legal_basis"], url=LAW_DB)],
        steps=[GuideStep(name=name, actor=values["handling_body"], sort_order=i)
               for i, name in enumerate(("申请", "预审", "受理", "审核", "办结"))],
    )
    return page_create(parent=column, page=page, publish=True)


def _demo_applications(guides):
    from disclosure.models import FormSubmission

    if FormSubmission.objects.exists():
        return
    flexible, medical, lift = guides

    def answers(guide, by_label):
        return {f.clean_name: by_label[f.label] for f in GuideFormField.objects.filter(page=guide) if f.label in by_label}

    def uploads(guide):
        return {m.pk: [(f"{m.name}.pdf", PDF)] for m in applyforms.upload_materials(guide) if m.required}

    def leader(guide):
        unit = applyforms.guide_unit(guide)
        return applyforms.unit_handlers(unit.pk).first() or _any_handler(unit)

    waiting, _ = applyforms.submission_create(
        guide=flexible, identity={"applicant_type": "person", "applicant_name": "冉晓梅", "id_number": _id("50024019920315212"),
                                  "phone": "13983001234", "email": "ranxm@example.com"},
        values=answers(flexible, {"现居住地址": "渝北区龙溪街道金龙路", "就业形式": "新就业形态(平台从业)",
                                  "开始灵活就业日期": "2026-01-05", "缴费基数档次": "60%",
                                  "参保证明领取方式": ["电子证明"], "本人承诺所填信息真实": "on"}),
        uploads=uploads(flexible))
    applyforms.submission_ask_correction(
        application=waiting, actor=leader(flexible), version=waiting.version,
        items=[{"target": f"field:{GuideFormField.objects.get(page=flexible, label='现居住地址').clean_name}",
                "note": "请写到门牌号,如 金龙路12号3单元"}])

    accepted, _ = applyforms.submission_create(
        guide=medical, identity={"applicant_type": "person", "applicant_name": "欧阳帆", "id_number": _id("43010219980707351"),
                                 "phone": "18623005678", "email": "ouyf@example.com"},
        values=answers(medical, {"居住街道": "七星岗街道", "详细住址": "中山一路居民小区", "参保人群": "成年居民"}),
        uploads=uploads(medical))
    applyforms.submission_pre_accept(
        application=accepted, actor=leader(medical), version=accepted.version,
        next_step="已预受理。请于下周一至周五工作时间到渝中区政务服务中心一楼医保窗口,携带居民身份证原件办理参保缴费。")

    applyforms.submission_create(
        guide=lift, identity={"applicant_type": "person", "applicant_name": "谭国栋", "id_number": _id("50010619650412331"),
                              "phone": "13708309876", "email": "tangd@example.com"},
        values=answers(lift, {"小区名称": "沙坪坝区小龙坎正街某小区", "所在区县": "沙坪坝区", "加装电梯数量(部)": "2",
                              "竣工验收日期": "2026-02-10", "业主代表联系电话": "13708309876",
                              "加装情况说明": "7层住宅两个单元各加装1部电梯,共56户,业主按楼层分摊出资。"}),
        uploads=uploads(lift))


def _any_handler(unit):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_superuser=True).first()
