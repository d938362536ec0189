"""Fixtures of the online-form tests: a guide of 东区 with an online form, its
handlers, and what an applicant sends (imported by the test modules)."""

import re
from types import SimpleNamespace

import pytest

from disclosure.formbuilder import credit_code_check_char, id_card_check_digit
from disclosure.models import GuideFormField, GuideMaterial, GuideStep, ServiceGuidePage
from portal.models import ColumnPage
from portal.services import page_create

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def id_card(first17="11010519491231002"):
    return first17 + id_card_check_digit(first17)


def credit_code(first17="91500103MA5U12345"):
    return first17 + credit_code_check_char(first17)


PERSON_ID = id_card("50010319900101123")
ELSEWHERE_ID = id_card("44030519851212302")  # 深圳: anyone may apply, from anywhere
CODE_RE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")

FORM_FIELDS = [
    ("居住地址", "singleline", True, ""),
    ("参保原因", "multiline", False, ""),
    ("月缴费基数(元)", "number", True, ""),
    ("开始参保日期", "date", True, ""),
    ("紧急联系人电话", "phone", False, ""),
    ("配偶身份证号码", "id_number", False, ""),
    ("缴费档次", "dropdown", True, "60%\n100%\n300%"),
    ("户籍类型", "radio", True, "本市户籍\n外地户籍"),
    ("领取方式", "checkboxes", False, "短信\n电子邮件\n邮寄"),
    ("承诺所填信息真实", "checkbox", True, ""),
]


@pytest.fixture
def guide(city):
    """《灵活就业人员参保登记》of 东区, with an online form and two electronic materials."""
    column = page_create(parent=city.district_site.site.root_page.specific,
                         page=ColumnPage(title="办事服务", slug="services", kind=city.kinds["services"]), publish=True)
    page = ServiceGuidePage(
        title="灵活就业人员参保登记", summary="灵活就业人员在东区办理职工养老保险参保登记。", handling_body="东区社保中心",
        place="东区政务服务中心2楼", phone="023-60000001", fees="不收费", hours="工作日 9:00-17:00",
        promised_limit_days=5, statutory_limit_days=10, online_form_enabled=True,
        legal_basis="《中华人民共和国社会保险法》第十条", conditions="在东区从事灵活就业、未参加职工基本养老保险的人员。",
        steps=[GuideStep(name="网上申请", actor="申请人"), GuideStep(name="预受理", actor="东区社保中心", limit_days=3),
               GuideStep(name="窗口核验办结", actor="东区社保中心", limit_days=2)],
        online_form_intro="请如实填写;上传身份证正反面扫描件。",
        form_fields=[GuideFormField(label=label, field_type=kind, required=required, choices=choices)
                     for label, kind, required, choices in FORM_FIELDS],
        materials=[
            GuideMaterial(name="居民身份证", form="both", original="both", required=True),
            GuideMaterial(name="灵活就业情况说明", form="electronic", original="original", required=False),
            GuideMaterial(name="户口簿", form="paper", original="original", required=True),
        ],
    )
    page = page_create(parent=column, page=page, publish=True)
    return ServiceGuidePage.objects.get(pk=page.pk)


@pytest.fixture
def handlers(city, make_user):
    return SimpleNamespace(
        reviewer=make_user("east_form_reviewer", city.district, ["reviewer"], email="review@east.cq.gov.cn"),
        leader=city.leader,
        editor=city.editor,
        dept_reviewer=make_user("edu_form_reviewer", city.dept, ["reviewer"], email="review@edu.cq.gov.cn"),
        centre=make_user("centre_form_admin", city.office, ["site_admin"]),
        supervisor=city.supervisor,
    )


def materials_of(guide):
    return {m.name: m for m in GuideMaterial.objects.filter(page=guide)}


def names_of(guide):
    return {f.label: f.clean_name for f in GuideFormField.objects.filter(page=guide)}


def good_identity(**changes):
    return {"applicant_type": "person", "applicant_name": "李小红", "id_number": PERSON_ID, "phone": "13912345678",
            "email": "lixh@example.com", **changes}


def good_values(guide, **changes):
    n = names_of(guide)
    values = {n["居住地址"]: "重庆市东区民主路8号", n["参保原因"]: "自由职业", n["月缴费基数(元)"]: "4500",
              n["开始参保日期"]: "2026-03-01", n["紧急联系人电话"]: "023-61234567", n["配偶身份证号码"]: "",
              n["缴费档次"]: "100%", n["户籍类型"]: "外地户籍", n["领取方式"]: ["短信", "邮寄"],
              n["承诺所填信息真实"]: "on"}
    values.update({n[label]: value for label, value in changes.items()})
    return values


def good_uploads(guide):
    return {materials_of(guide)["居民身份证"].pk: [("身份证.pdf", PDF)]}


@pytest.fixture
def submitted(guide, handlers):
    from disclosure import applyforms

    def make(**identity):
        return applyforms.submission_create(guide=guide, identity=good_identity(**identity), values=good_values(guide),
                                             uploads=good_uploads(guide))

    return make


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = ""
    return settings.PRIVATE_MEDIA_ROOT


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def solve(question):
    a, b = (int(x) for x in re.findall(r"\d+", question))
    return str(a + b)


def form_post(client, guide, identity=None, values=None, uploads=None):
    """Open the form as a citizen, answer its challenge and send it: the response."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.get(f"/banshi/apply/{guide.pk}/")
    html = page.content.decode()
    question = re.search(r"验证:([^<]+)</label>", html).group(1)
    token = re.search(r'name="challenge_token" value="([^"]+)"', html).group(1)
    data = {"challenge_token": token, "challenge_answer": solve(question), **(identity or good_identity())}
    for name, value in (values if values is not None else good_values(guide)).items():
        data[f"f-{name}"] = value
    for material_id, files in (uploads if uploads is not None else good_uploads(guide)).items():
        data[f"m-{material_id}"] = [SimpleUploadedFile(name, content) for name, content in files]
    return client.post(f"/banshi/apply/{guide.pk}/", data)
