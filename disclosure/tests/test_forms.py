"""Online forms and pre-acceptance (网上填表预受理, issue 9 part 3): the form built in
the admin, submission with a receipt and a query code, bad input refused field by
field with nothing stored, the correction loop keeping what was right, the staff's
answers, deadlines on the working-day calendar, reminders and statistics."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from disclosure import applyforms
from disclosure.formbuilder import credit_code_problem, id_card_problem
from disclosure.models import (
    AnswerLimit, SubmissionMaterial, SubmissionStatus, SubmissionVersion, FormSubmission, ServiceGuidePage,
)
from letters.models import Notification
from orgs.errors import DomainError, PermissionRefused
from wagtail.models import ModelLogEntry

from .forms_fixtures import (  # noqa: F401 (fixtures)
    CODE_RE, ELSEWHERE_ID, PDF, PERSON_ID, credit_code, form_post, good_identity, good_uploads, good_values, guide,
    handlers, id_card, materials_of, names_of, private_media, stored_files, submitted,
)

pytestmark = pytest.mark.django_db
S = SubmissionStatus


def at(monkeypatch, when):
    """Run the services as if it were ``when`` (local time)."""
    moment = timezone.make_aware(when) if isinstance(when, dt.datetime) else timezone.make_aware(
        dt.datetime.combine(when, dt.time(10)))
    monkeypatch.setattr(applyforms, "_now", lambda: moment)
    monkeypatch.setattr(applyforms, "_today", lambda: timezone.localtime(moment).date())


# --- Identity numbers ------------------------------------------------------------------------

def test_id_card_numbers_are_checked_by_their_check_digit_and_birth_date():
    assert id_card_problem("11010519491231002X") is None  # the standard's own example
    assert id_card_problem(PERSON_ID) is None and id_card_problem(ELSEWHERE_ID) is None
    wrong = PERSON_ID[:17] + ("0" if PERSON_ID[17] != "0" else "1")
    assert "校验位" in id_card_problem(wrong)
    assert "出生日期" in id_card_problem(id_card("50010319901301123"))
    assert "18位" in id_card_problem("50010319900101")
    # A number whose check digit is right but whose region is no province's is refused.
    assert "地区代码" in id_card_problem(id_card("00010319900101123"))
    assert "地区代码" in id_card_problem(id_card("99010319900101123"))
    assert id_card_problem(id_card("81000019900101123")) is None  # a Hong Kong resident's permit
    assert id_card_problem(id_card("95000019900101123")) is None  # a foreigner's permanent residence card


def test_credit_codes_are_checked_by_their_check_character():
    good = credit_code()
    assert credit_code_problem(good) is None
    assert "校验位" in credit_code_problem(good[:17] + ("1" if good[17] != "1" else "2"))
    assert "18位" in credit_code_problem("123")


# --- The form and the receipt -------------------------------------------------------------------

def test_the_form_is_offered_only_for_a_live_guide_with_the_online_form_enabled(client, guide):
    assert applyforms.online_form_url(guide) == f"/banshi/apply/{guide.pk}/"
    html = client.get(f"/banshi/apply/{guide.pk}/").content.decode()
    for label in ("居住地址", "月缴费基数(元)", "开始参保日期", "缴费档次", "户籍类型", "居民身份证", "灵活就业情况说明",
                  "申请人类型", "身份证号码", "请如实填写"):
        assert label in html, label
    assert "户口簿" not in html  # a paper material is brought to the window, not uploaded
    assert 'type="date"' in html and 'type="file"' in html
    guide_page = client.get(guide.url)
    assert f'href="/banshi/apply/{guide.pk}/"' in guide_page.content.decode() and "在线办理" in guide_page.content.decode()

    ServiceGuidePage.objects.filter(pk=guide.pk).update(online_form_enabled=False)
    guide.refresh_from_db()
    assert applyforms.online_form_url(guide) is None
    assert client.get(f"/banshi/apply/{guide.pk}/").status_code == 404
    ServiceGuidePage.objects.filter(pk=guide.pk).update(online_form_enabled=True, live=False)
    assert client.get(f"/banshi/apply/{guide.pk}/").status_code == 404


def test_a_submission_gets_a_receipt_number_a_query_code_and_an_email(client, guide, handlers):
    response = form_post(client, guide)
    assert response.status_code == 200, response.content.decode()[:3000]
    html = response.content.decode()
    application = FormSubmission.objects.get()
    today = timezone.localdate()
    assert re.fullmatch(rf"YS-{today:%Y%m%d}-0001", application.receipt_number)
    code = CODE_RE.search(html).group(0)
    assert application.receipt_number in html
    assert application.unit == guide.home.unit and application.status == S.PENDING
    assert application.data[names_of(guide)["领取方式"]] == ["短信", "邮寄"]
    assert application.data[names_of(guide)["承诺所填信息真实"]] is True
    assert application.data[names_of(guide)["月缴费基数(元)"]] == "4500"
    [item] = application.materials.all()
    assert item.material_name == "居民身份证" and item.file.read() == PDF

    receipt = Notification.objects.get(to="lixh@example.com")
    assert receipt.kind == "form_received"
    assert application.receipt_number in receipt.body and code in receipt.body
    assert "灵活就业人员参保登记" in receipt.body
    to_unit = set(Notification.objects.filter(kind="form_new").values_list("to", flat=True))
    assert to_unit == {"review@east.cq.gov.cn"}  # the unit's handlers with an address; not the other unit's

    second = form_post(client, guide, identity=good_identity(phone="13700001111"))
    assert second.status_code == 200
    assert FormSubmission.objects.order_by("id").last().receipt_number.endswith("-0002")
    entry = ModelLogEntry.objects.filter(action="disclosure.submission.submit").first()
    assert entry is not None and entry.user is None


def test_an_applicant_from_elsewhere_and_an_enterprise_may_apply(guide):
    person, _ = applyforms.submission_create(guide=guide, identity=good_identity(id_number=ELSEWHERE_ID),
                                              values=good_values(guide), uploads=good_uploads(guide))
    firm, _ = applyforms.submission_create(
        guide=guide, identity=good_identity(applicant_type="enterprise", applicant_name="重庆某某科技有限公司",
                                            id_number=credit_code().lower()),
        values=good_values(guide), uploads=good_uploads(guide))
    assert person.id_number == ELSEWHERE_ID and firm.id_number == credit_code()


def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(client, guide, private_media):
    bad_id = PERSON_ID[:17] + ("0" if PERSON_ID[17] != "0" else "1")
    response = form_post(
        client, guide,
        identity=good_identity(id_number=bad_id, phone="12345", email=""),
        values=good_values(guide, **{"居住地址": "", "月缴费基数(元)": "四千五", "开始参保日期": "2026-02-30",
                                     "缴费档次": "200%", "户籍类型": "", "紧急联系人电话": "110",
                                     "配偶身份证号码": "123456789012345678", "承诺所填信息真实": ""}),
        uploads={},
    )
    assert response.status_code == 400
    html = response.content.decode()
    n = names_of(guide)
    expected = {
        "id_number": "身份证号码校验位不正确", "phone": "请填写正确的手机号码", "email": "请填写电子邮箱",
        f"f-{n['居住地址']}": "请填写「居住地址」", f"f-{n['月缴费基数(元)']}": "「月缴费基数(元)」请填写数字",
        f"f-{n['开始参保日期']}": "请按 年-月-日 填写日期", f"f-{n['缴费档次']}": "「缴费档次」的选项不在列表中",
        f"f-{n['户籍类型']}": "请选择「户籍类型」", f"f-{n['紧急联系人电话']}": "请填写正确的手机号码或带区号的固定电话",
        f"f-{n['配偶身份证号码']}": "身份证号码", f"f-{n['承诺所填信息真实']}": "请勾选「承诺所填信息真实」",
        f"m-{materials_of(guide)['居民身份证'].pk}": "请上传「居民身份证」",
    }
    for key, message in expected.items():
        found = re.search(rf'<p class="field-error" id="{re.escape(key)}-error">([^<]*)</p>', html)
        assert found and message in found.group(1), (key, found and found.group(1))
        assert f'href="#{key}"' in html  # the summary leads to the field
    assert "请修改以下" in html
    assert 'value="重庆市东区民主路8号"' not in html  # the emptied address stays empty; typed values come back:
    assert 'value="四千五"' in html
    assert FormSubmission.objects.count() == 0 and stored_files(private_media) == []
    assert Notification.objects.count() == 0


def test_files_sent_with_a_form_that_comes_back_are_named_to_choose_again(client, guide, private_media):
    response = form_post(client, guide, identity=good_identity(phone="12345"))
    assert response.status_code == 400
    html = response.content.decode()
    key = f"m-{materials_of(guide)['居民身份证'].pk}"
    note = re.search(rf'<p class="field-note" id="{key}-again">([^<]*)</p>', html)
    assert note and "身份证.pdf" in note.group(1) and "请重新选择" in note.group(1)
    assert re.search(rf'<input type="file" id="{key}"[^>]*aria-describedby="[^"]*{key}-again', html)
    assert "已选择的文件没有保存" in html
    assert FormSubmission.objects.count() == 0 and stored_files(private_media) == []
    # A form sent without files says nothing of the kind.
    assert "请重新选择" not in form_post(client, guide, identity=good_identity(phone="12345"), uploads={}).content.decode()


@pytest.mark.parametrize("name, content, message", [
    ("身份证.exe", b"MZ\x90\x00" + b"\x00" * 60, "不允许上传"),
    ("身份证.pdf", b"<html><script>alert(1)</script></html>", "文件内容与扩展名 .pdf 不符"),
    ("身份证.pdf.js", b"alert(1)", "不允许上传"),
    ("身份证.html", b"<html></html>", "不允许上传"),
])
def test_a_forbidden_attachment_is_refused_with_nothing_stored(client, guide, private_media, name, content, message):
    identity_card = materials_of(guide)["居民身份证"]
    explanation = materials_of(guide)["灵活就业情况说明"]
    response = form_post(client, guide, uploads={identity_card.pk: [(name, content)],
                                                 explanation.pk: [("说明.pdf", PDF)]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert FormSubmission.objects.count() == 0 and SubmissionMaterial.objects.count() == 0
    assert stored_files(private_media) == []


def test_a_submission_whose_transaction_fails_leaves_no_file(guide, private_media, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away half-way")

    monkeypatch.setattr(applyforms, "_freeze_version", broken)
    with pytest.raises(RuntimeError):
        applyforms.submission_create(guide=guide, identity=good_identity(), values=good_values(guide),
                                      uploads=good_uploads(guide))
    assert FormSubmission.objects.count() == 0
    assert stored_files(private_media) == []


def test_the_challenge_and_the_hourly_quota_guard_the_form(client, guide, settings):
    page = client.get(f"/banshi/apply/{guide.pk}/").content.decode()
    token = re.search(r'name="challenge_token" value="([^"]+)"', page).group(1)
    data = {"challenge_token": token, "challenge_answer": "99", **good_identity()}
    response = client.post(f"/banshi/apply/{guide.pk}/", data)
    assert response.status_code == 400 and "验证题答案不正确" in response.content.decode()
    assert FormSubmission.objects.count() == 0

    settings.ONLINE_APPLICATIONS_PER_HOUR = 1
    assert form_post(client, guide).status_code == 200
    refused = form_post(client, guide, identity=good_identity(phone="13700002222"))
    assert refused.status_code == 429 and "太频繁" in refused.content.decode() and int(refused["Retry-After"]) > 0
    assert FormSubmission.objects.count() == 1


def test_the_same_form_sent_twice_is_one_application(client, guide):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.get(f"/banshi/apply/{guide.pk}/").content.decode()
    question = re.search(r"验证:([^<]+)</label>", page).group(1)
    token = re.search(r'name="challenge_token" value="([^"]+)"', page).group(1)
    a, b = (int(x) for x in re.findall(r"\d+", question))
    data = {"challenge_token": token, "challenge_answer": str(a + b), **good_identity(),
            **{f"f-{k}": v for k, v in good_values(guide).items()}}
    material = materials_of(guide)["居民身份证"].pk
    first = client.post(f"/banshi/apply/{guide.pk}/", {**data, f"m-{material}": SimpleUploadedFile("a.pdf", PDF)})
    again = client.post(f"/banshi/apply/{guide.pk}/", {**data, f"m-{material}": SimpleUploadedFile("a.pdf", PDF)})
    assert first.status_code == again.status_code == 200
    assert "已经提交过了" in again.content.decode()
    assert FormSubmission.objects.count() == 1


# --- Tracking --------------------------------------------------------------------------------------

def test_the_applicant_tracks_with_the_code_and_the_last_four_digits_of_the_phone(client, submitted):
    application, code = submitted()
    response = client.post("/banshi/track/", {"code": code.lower().replace("-", " "), "check": "5678"})
    html = response.content.decode()
    assert response.status_code == 200
    assert application.receipt_number in html and "待预审" in html and "网上提交申请" in html
    assert "重庆市东区民主路8号" in html
    wrong = client.post("/banshi/track/", {"code": code, "check": "1111"})
    assert wrong.status_code == 404 and "不正确" in wrong.content.decode()
    malformed = client.post("/banshi/track/", {"code": "abc", "check": "12"})
    assert malformed.status_code == 400 and "查询码格式不正确" in malformed.content.decode()


def test_guessed_codes_are_slowed_with_the_mailboxs_one_budget(client, submitted):
    from letters.views import letter_quota_key  # noqa: F401 (the mailbox shares the budget below)

    application, code = submitted()
    for _ in range(3):
        assert client.post("/banshi/track/", {"code": "AAAA-BBBB-CCCC", "check": "5678"}).status_code == 404
    # Two more wrong guesses at the mailbox's tracking page use up the same budget.
    for _ in range(2):
        client.post("/mailbox/track/", {"code": "AAAA-BBBB-CCCD", "check": "5678"})
    refused = client.post("/banshi/track/", {"code": code, "check": "5678"})
    assert refused.status_code == 429 and "15分钟" in refused.content.decode()


# --- The unit's answers ------------------------------------------------------------------------------

def test_pre_acceptance_tells_the_next_step_and_completion_follows(submitted, handlers, client):
    application, code = submitted()
    with pytest.raises(DomainError) as empty:
        applyforms.submission_pre_accept(application=application, next_step=" ", actor=handlers.reviewer,
                                          version=application.version)
    assert empty.value.field == "next_step"
    with pytest.raises(DomainError, match="只有已预受理"):
        applyforms.submission_complete(application=application, actor=handlers.reviewer, version=application.version)
    application = applyforms.submission_pre_accept(
        application=application, next_step="请于3月20日上午到东区政务服务中心2楼5号窗口,携带身份证原件。",
        actor=handlers.reviewer, version=application.version)
    assert application.status == S.PRE_ACCEPTED and application.answered_at is not None
    mail = Notification.objects.get(kind="form_pre_accepted")
    assert "5号窗口" in mail.body and application.receipt_number in mail.body
    html = client.post("/banshi/track/", {"code": code, "check": "5678"}).content.decode()
    assert "已预受理" in html and "携带身份证原件" in html

    application = applyforms.submission_complete(application=application, actor=handlers.leader,
                                                  version=application.version, note="已办理参保登记。")
    assert application.status == S.COMPLETED and application.completed_at is not None
    kinds = list(application.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "pre_accepted", "completed"]
    actions = set(ModelLogEntry.objects.filter(object_id=str(application.pk), action__startswith="disclosure.submission")
                  .values_list("action", flat=True))
    assert actions == {"disclosure.submission.submit", "disclosure.submission.pre_accept",
                       "disclosure.submission.complete"}


def test_not_accepting_needs_a_reason(submitted, handlers):
    application, _ = submitted()
    with pytest.raises(DomainError) as refused:
        applyforms.submission_not_accept(application=application, reason="", actor=handlers.reviewer,
                                          version=application.version)
    assert refused.value.field == "reason"
    application = applyforms.submission_not_accept(application=application, reason="该事项不属于本单位受理范围,请向户籍地社保机构申请。",
                                                     actor=handlers.reviewer, version=application.version)
    assert application.status == S.NOT_ACCEPTED
    assert "户籍地社保机构" in Notification.objects.get(kind="form_not_accepted").body


def test_only_the_units_reviewers_and_leaders_answer_and_versions_guard_against_overwriting(submitted, handlers):
    application, _ = submitted()
    for outsider in (handlers.editor, handlers.dept_reviewer, handlers.centre, handlers.supervisor):
        with pytest.raises(PermissionRefused):
            applyforms.submission_pre_accept(application=application, next_step="到窗口办理", actor=outsider,
                                              version=application.version)
    assert applyforms.may_view(handlers.centre, application) and applyforms.may_view(handlers.supervisor, application)
    assert not applyforms.may_view(handlers.dept_reviewer, application)
    assert not applyforms.may_view(handlers.editor, application)
    stale = application.version
    applyforms.submission_pre_accept(application=application, next_step="到窗口办理", actor=handlers.reviewer,
                                      version=stale)
    with pytest.raises(DomainError, match="刚被他人处理过"):
        applyforms.submission_not_accept(application=application, reason="重复申请", actor=handlers.leader, version=stale)


# --- The correction loop ----------------------------------------------------------------------------------

def _ask(application, handlers, guide, *items):
    n, m = names_of(guide), materials_of(guide)
    targets = {"居住地址": f"field:{n['居住地址']}", "月缴费基数(元)": f"field:{n['月缴费基数(元)']}",
               "居民身份证": f"material:{m['居民身份证'].pk}", "phone": "identity:phone"}
    return applyforms.submission_ask_correction(
        application=application, items=[{"target": targets[label], "note": note} for label, note in items],
        actor=handlers.reviewer, version=application.version)


def test_a_correction_names_fields_or_materials_each_with_a_note(submitted, handlers, guide):
    application, _ = submitted()
    for items in ([], [{"target": "field:nonexistent", "note": "x"}],
                  [{"target": f"field:{names_of(guide)['居住地址']}", "note": ""}]):
        with pytest.raises(DomainError):
            applyforms.submission_ask_correction(application=application, items=items, actor=handlers.reviewer,
                                                  version=application.version)
    application = _ask(application, handlers, guide, ("居住地址", "请填写到门牌号"), ("居民身份证", "扫描件不清晰,请重新上传"))
    assert application.status == S.CORRECTION
    assert [c["label"] for c in application.corrections] == ["居住地址", "材料:居民身份证"]
    mail = Notification.objects.get(kind="form_correction")
    assert "1. 居住地址:请填写到门牌号" in mail.body and "2. 材料:居民身份证:扫描件不清晰" in mail.body


def test_the_applicant_corrects_online_keeping_what_was_right(client, submitted, handlers, guide, private_media,
                                                              monkeypatch):
    at(monkeypatch, dt.date(2026, 3, 16))  # a Monday
    application, code = submitted()
    assert application.due_on == dt.date(2026, 3, 19)
    n, m = names_of(guide), materials_of(guide)
    at(monkeypatch, dt.date(2026, 3, 17))
    application = _ask(application, handlers, guide, ("居住地址", "请填写到门牌号"), ("居民身份证", "扫描件不清晰"))
    first_file = application.materials.get()

    page = client.post("/banshi/track/", {"code": code, "check": "5678"}).content.decode()
    assert "需要补正的内容" in page and "请填写到门牌号" in page and "扫描件不清晰" in page
    assert f'name="f-{n["居住地址"]}"' in page and f'name="m-{m["居民身份证"].pk}"' in page
    assert f'name="f-{n["月缴费基数(元)"]}"' not in page  # what was right is not offered for change

    from django.core.files.uploadedfile import SimpleUploadedFile

    # A bad correction is refused field by field and changes nothing.
    bad = client.post("/banshi/correct/", {"version": application.version, f"f-{n['居住地址']}": "",
                                           f"m-{m['居民身份证'].pk}": SimpleUploadedFile("id.exe", b"MZ")})
    assert bad.status_code == 400
    assert "请填写「居住地址」" in bad.content.decode() and "不允许上传" in bad.content.decode()
    application.refresh_from_db()
    assert application.status == S.CORRECTION and application.round == 1
    assert len(stored_files(private_media)) == 1

    at(monkeypatch, dt.date(2026, 3, 20))  # a Friday: the clock starts again from today
    response = client.post("/banshi/correct/", {
        "version": application.version, f"f-{n['居住地址']}": "重庆市东区民主路8号3单元501",
        f"f-{n['月缴费基数(元)']}": "99999",  # not asked for: ignored
        f"m-{m['居民身份证'].pk}": SimpleUploadedFile("身份证-清晰.pdf", PDF + b"clear"),
    })
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "补正已提交" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.PENDING and application.round == 2 and application.corrections == []
    assert application.data[n["居住地址"]] == "重庆市东区民主路8号3单元501"
    assert application.data[n["月缴费基数(元)"]] == "4500"
    assert application.data[n["领取方式"]] == ["短信", "邮寄"]
    assert application.due_on == dt.date(2026, 3, 25)  # 3 working days from Friday 20 March
    current = application.materials.get(current=True)
    assert current.name == "身份证-清晰.pdf" and current.round == 2
    assert application.materials.get(pk=first_file.pk).current is False  # kept, for the history
    first, second = SubmissionVersion.objects.filter(application=application).order_by("number")
    old_address = next(r["value"] for r in first.fields if r["name"] == n["居住地址"])
    assert old_address == "重庆市东区民主路8号"
    assert second.changed == [f"field:{n['居住地址']}", f"material:{m['居民身份证'].pk}"]
    assert [f["name"] for f in second.materials] == ["身份证-清晰.pdf"]
    assert Notification.objects.filter(kind="form_resubmitted").count() == 2  # the applicant and the unit's reviewer

    with pytest.raises(DomainError, match="不需要补正"):
        applyforms.submission_resubmit(application=application, identity={}, values={})


def test_a_correction_of_the_phone_changes_the_tracking_check(submitted, handlers, guide):
    application, code = submitted()
    application = _ask(application, handlers, guide, ("phone", "电话打不通,请留常用手机号"))
    applyforms.submission_resubmit(application=application, identity={"phone": "13811112222"}, values={},
                                    version=application.version)
    assert applyforms.submission_find(code=code, check="2222").pk == application.pk


# --- Deadlines and reminders -----------------------------------------------------------------------------------

def test_the_answer_limit_is_data_per_unit_with_the_platforms_default(guide, handlers, city, managers, monkeypatch):
    assert AnswerLimit.objects.get(unit__isnull=True).days == 3  # seeded by the migration
    assert applyforms.answer_limit_for(city.district) == 3
    with pytest.raises(PermissionRefused):
        applyforms.answer_limit_save(actor=managers.east_admin, unit=None, days=5)
    with pytest.raises(DomainError):
        applyforms.answer_limit_save(actor=managers.east_admin, unit=city.district, days=0)
    applyforms.answer_limit_save(actor=managers.east_admin, unit=city.district, days=5, note="东区承诺")
    assert applyforms.answer_limit_for(city.district) == 5 and applyforms.answer_limit_for(city.dept) == 3
    at(monkeypatch, dt.date(2026, 3, 16))
    application, _ = applyforms.submission_create(guide=guide, identity=good_identity(), values=good_values(guide),
                                                   uploads=good_uploads(guide))
    assert application.answer_limit_days == 5 and application.due_on == dt.date(2026, 3, 23)


def test_the_deadline_skips_the_national_day_holiday(guide, handlers, monkeypatch):
    at(monkeypatch, dt.date(2025, 9, 30))
    application, _ = applyforms.submission_create(guide=guide, identity=good_identity(), values=good_values(guide),
                                                   uploads=good_uploads(guide))
    # 1–8 October 2025 are the holiday; 9 and 10 October count, and so does Saturday
    # 11 October, a make-up working day: the third working day.
    assert application.due_on == dt.date(2025, 10, 11)
    assert "国庆节假期不计" in applyforms.deadline_explanation(application)


def test_reminders_before_the_deadline_and_when_overdue_go_to_the_units_handlers(guide, handlers, monkeypatch):
    at(monkeypatch, dt.date(2026, 3, 16))
    application, _ = applyforms.submission_create(guide=guide, identity=good_identity(), values=good_values(guide),
                                                   uploads=good_uploads(guide))
    assert application.due_on == dt.date(2026, 3, 19)
    assert applyforms.deadlines_sweep(today=dt.date(2026, 3, 17)) == {"warned": 0, "reminded": 0}
    assert applyforms.deadlines_sweep(today=dt.date(2026, 3, 18)) == {"warned": 1, "reminded": 0}
    assert applyforms.deadlines_sweep(today=dt.date(2026, 3, 19)) == {"warned": 0, "reminded": 0}  # once
    assert applyforms.deadlines_sweep(today=dt.date(2026, 3, 20)) == {"warned": 0, "reminded": 1}
    assert applyforms.deadlines_sweep(today=dt.date(2026, 3, 23)) == {"warned": 0, "reminded": 0}
    soon = Notification.objects.get(kind="form_due_soon")
    overdue = Notification.objects.get(kind="form_overdue")
    assert soon.to == overdue.to == "review@east.cq.gov.cn"
    assert application.receipt_number in overdue.body and "2026-03-19" in overdue.body
    assert list(application.events.filter(public=False).values_list("kind", flat=True)) == ["warned", "reminded"]
    assert applyforms.is_overdue(FormSubmission.objects.get(), today=dt.date(2026, 3, 20))

    # An answer after the deadline is counted late.
    at(monkeypatch, dt.date(2026, 3, 23))
    application.refresh_from_db()
    answered = applyforms.submission_pre_accept(application=application, next_step="到窗口办理",
                                                 actor=handlers.reviewer, version=application.version)
    assert answered.late_answers == 1
    assert answered.events.get(kind="pre_accepted").data == {"on_time": False}


def test_the_sweep_task_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"disclosure.forms_deadlines_sweep", "disclosure.forms_monthly_stats"} <= tasks
    from cityplatform.celery import app
    from disclosure import tasks as disclosure_tasks

    app.loader.import_default_modules()
    assert {"disclosure.forms_deadlines_sweep", "disclosure.forms_monthly_stats"} <= set(app.tasks)
    assert disclosure_tasks.forms_deadlines_sweep_task() == {"warned": 0, "reminded": 0}


@pytest.mark.django_db
def test_a_number_too_large_for_any_page_is_no_guide(client):
    for number in ("9223372036854775808", "99999999999999999999999"):
        assert client.get(f"/banshi/apply/{number}/").status_code == 404, number
