"""Applications for disclosure: the form, the clock, the answers, tracking."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from disclosure import applications
from disclosure.models import AnswerDocument, Application, AppStatus
from letters import calendar
from letters.models import Notification
from orgs.errors import DomainError, PermissionRefused

ID_CARD = "11010519491231002X"  # a well-formed number (the standard's example)
CREDIT_CODE = "91350100M000100Y43"


def _aware(*args):
    return timezone.make_aware(dt.datetime(*args))


FIELDS = dict(applicant_type="citizen", name="李明", id_type="id_card", id_number=ID_CARD, phone="13912345678",
              email="liming@example.com", description="请提供东区2025年度城市道路维修工程的招标文件和中标结果。",
              delivery="online")


@pytest.fixture
def staff(city, make_user):
    from types import SimpleNamespace

    return SimpleNamespace(
        handler=make_user("east_gk", city.district, ["mailbox_handler"], email="gk@east.example.com"),
        leader=city.leader, editor=city.editor, other=make_user("edu_gk", city.dept, ["mailbox_handler"]),
    )


def _submit(city, now=None, **changes):
    return applications.application_submit(unit=city.district, now=now, **{**FIELDS, **changes})


def _post_form(client, city, **changes):
    from guard import challenge

    page = client.get(f"/xxgk/apply/{city.district.code}/").content.decode()
    token = re.search(r'name="challenge_token" value="([^"]+)"', page).group(1)
    question = re.search(r"验证:(\d) 加 (\d) 等于几", page)
    data = {**FIELDS, "consent": "on", "challenge_token": token,
            "challenge_answer": str(int(question.group(1)) + int(question.group(2))), **changes}
    assert challenge  # the form's own challenge, answered as a person would
    return client.post(f"/xxgk/apply/{city.district.code}/", {k: v for k, v in data.items() if v is not None})


# --- The form ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_application_is_registered_with_a_number_a_code_and_an_e_mail(city, staff, client):
    response = _post_form(client, city)
    assert response.status_code == 200
    html = response.content.decode()
    app = Application.objects.get()
    code = re.search(r"data-query-code>([0-9A-Z-]+)<", html).group(1)
    assert app.serial in html and re.fullmatch(r"G\d{8}\d{4}", app.serial)
    received = timezone.localtime(app.received_at).date()
    assert app.due_on == calendar.add_working_days(received, 20).due
    notes = {n.to: n for n in Notification.objects.all()}
    assert code in notes["liming@example.com"].body and app.serial in notes["liming@example.com"].body
    assert "gk@east.example.com" in notes  # the unit's handlers are told
    assert applications.application_find(code=code, check="5678").pk == app.pk
    assert app.events.get().kind == "submitted"


@pytest.mark.django_db
def test_invalid_fields_are_refused_field_by_field_and_nothing_is_stored(city, client):
    response = _post_form(client, city, name="", id_number="110105194912310021", phone="12345", email="not-an-email",
                          description="太短", delivery="", postcode="12ab", consent=None)
    assert response.status_code == 400
    html = response.content.decode()
    for message in ("请填写姓名", "身份证号码校验位不正确", "请填写正确的手机号码", "电子邮箱格式不正确",
                    "请具体描述所需的政府信息", "请选择获取信息的方式", "邮政编码应为6位数字", "请确认所填信息真实"):
        assert message in html, message
    assert 'aria-invalid="true" aria-describedby="phone-error"' in html
    assert not Application.objects.exists() and not Notification.objects.exists()


@pytest.mark.django_db
def test_an_organisation_gives_its_credit_code_and_a_contact(city):
    errors = applications.application_field_errors(**{**FIELDS, "applicant_type": "organisation",
                                                       "name": "东区某某建筑有限公司", "credit_code": "913501",
                                                       "contact_person": ""})
    assert set(errors) == {"credit_code", "contact_person"}
    app, _code = _submit(city, applicant_type="organisation", name="东区某某建筑有限公司", credit_code=CREDIT_CODE,
                         contact_person="张工")
    assert app.credit_code == CREDIT_CODE and app.id_number == ""


@pytest.mark.django_db
def test_delivery_by_e_mail_or_post_needs_the_address_to_deliver_to(city):
    assert "email" in applications.application_field_errors(**{**FIELDS, "email": "", "delivery": "email"})
    assert "address" in applications.application_field_errors(**{**FIELDS, "delivery": "post", "address": ""})
    assert applications.application_field_errors(**{**FIELDS, "delivery": "post", "address": "东区人民路8号"}) == {}


def test_id_card_and_credit_code_check_digits():
    assert applications.id_card_valid(ID_CARD)
    assert not applications.id_card_valid("110105194912310021")
    assert applications.credit_code_valid(CREDIT_CODE)
    assert not applications.credit_code_valid("91350100M000100Y44")


@pytest.mark.django_db
def test_a_client_is_limited_in_how_many_applications_it_sends(city, client):
    for _ in range(applications_per_hour()):
        assert _post_form(client, city, description=f"请提供东区第{_}号会议纪要的公开部分。").status_code == 200
        client.cookies.clear()  # a new browser each time: the limit is per client address
    response = _post_form(client, city, description="再申请一份东区会议纪要的公开部分。")
    assert response.status_code == 429 and "太频繁" in response.content.decode() and int(response["Retry-After"]) > 0


def applications_per_hour():
    from disclosure.views import APPLICATIONS_PER_HOUR

    return APPLICATIONS_PER_HOUR


# --- The clock ------------------------------------------------------------------------------------

# Received Friday 26 September 2025: National Day and Mid-autumn are 1–8 October, with
# Sunday 28 September and Saturday 11 October working days (chinesecalendar).
RECEIVED = (2025, 9, 26, 10)


@pytest.mark.django_db
def test_the_answer_is_due_twenty_working_days_after_receipt_holidays_not_counted(city):
    app, _ = _submit(city, now=_aware(*RECEIVED))
    assert app.due_on == dt.date(2025, 10, 30)
    assert "国庆节假期" in applications.deadline_explanation(app)


@pytest.mark.django_db
def test_one_extension_of_twenty_working_days_with_a_reason_a_second_refused(city, staff):
    app, _ = _submit(city, now=_aware(*RECEIVED))
    with pytest.raises(PermissionRefused):
        applications.extension_grant(application=app, reason="涉及多个部门,需要协调", actor=staff.handler,
                                     version=app.version, today=dt.date(2025, 10, 20))
    with pytest.raises(DomainError, match="理由"):
        applications.extension_grant(application=app, reason="", actor=staff.leader, version=app.version,
                                     today=dt.date(2025, 10, 20))
    app = applications.extension_grant(application=app, reason="涉及多个部门,需要协调", actor=staff.leader,
                                       version=app.version, today=dt.date(2025, 10, 20))
    assert app.due_on == dt.date(2025, 11, 27) and app.extension_reason == "涉及多个部门,需要协调"
    assert Notification.objects.filter(kind="disclosure.extended", to=FIELDS["email"]).exists()
    with pytest.raises(DomainError, match="只能延长一次"):
        applications.extension_grant(application=app, reason="还需要时间", actor=staff.leader, version=app.version,
                                     today=dt.date(2025, 11, 3))
    assert Application.objects.get(pk=app.pk).due_on == dt.date(2025, 11, 27)


@pytest.mark.django_db
def test_clarification_pauses_the_clock_across_the_holiday_and_it_resumes_with_the_days_left(city, staff, client):
    app, code = _submit(city, now=_aware(*RECEIVED))
    app = applications.clarification_request(application=app, request_text="请说明所需招标文件对应的具体路段名称。",
                                             actor=staff.handler, version=app.version, today=dt.date(2025, 9, 30))
    assert app.status == AppStatus.CLARIFICATION and app.due_on is None
    assert app.days_used == 3  # 28, 29 and 30 September
    # Tracking shows the request and the pause.
    html = client.post("/xxgk/track/", {"code": code, "check": "5678"}).content.decode()
    assert "需要补正" in html and "暂停计算" in html and "具体路段名称" in html
    app = applications.clarification_answer(application=app, text="人民路和解放路两段。", today=dt.date(2025, 10, 9))
    # 17 working days left, counted after 9 October: one day later than without the pause.
    assert app.status == AppStatus.HANDLING and app.due_on == dt.date(2025, 10, 31)
    assert "补正前已计 3 个工作日" in applications.deadline_explanation(app)
    with pytest.raises(DomainError, match="只能要求一次"):
        applications.clarification_request(application=app, request_text="请再说明一次具体的路段名称。",
                                           actor=staff.handler, version=app.version, today=dt.date(2025, 10, 10))
    # The extension adds its 20 to what is left.
    app = applications.extension_grant(application=app, reason="需调取档案", actor=staff.leader, version=app.version,
                                       today=dt.date(2025, 10, 13))
    assert app.due_on == calendar.add_working_days(dt.date(2025, 10, 9), 37).due == dt.date(2025, 11, 28)


@pytest.mark.django_db
def test_clarification_across_the_spring_festival(city, staff):
    # Received Friday 24 January 2025; the Spring Festival holiday is 28 January – 4 February,
    # with Sunday 26 January and Saturday 8 February working days.
    app, _ = _submit(city, now=_aware(2025, 1, 24, 16))
    plain = app.due_on
    app = applications.clarification_request(application=app, request_text="请提供所需信息的时间范围和文件名称。",
                                             actor=staff.handler, version=app.version, today=dt.date(2025, 1, 27))
    assert app.days_used == 2  # 26 and 27 January
    app = applications.clarification_answer(application=app, text="2024年全年的文件。", today=dt.date(2025, 2, 10))
    assert app.due_on == calendar.add_working_days(dt.date(2025, 2, 10), 18).due
    assert app.due_on > plain
    deadline = calendar.add_working_days(dt.date(2025, 2, 10), 18)
    assert not any(day.month == 1 for day, _why in deadline.skipped)  # the pause took the holiday out of the count


@pytest.mark.django_db
def test_clarification_is_asked_within_seven_working_days_of_receipt(city, staff):
    app, _ = _submit(city, now=_aware(*RECEIVED))
    with pytest.raises(DomainError, match="7个工作日"):
        applications.clarification_request(application=app, request_text="请说明所需信息的具体范围和时间。",
                                           actor=staff.handler, version=app.version, today=dt.date(2025, 10, 14))


@pytest.mark.django_db
def test_an_unanswered_clarification_counts_as_withdrawn(city, staff):
    app, _ = _submit(city, now=_aware(*RECEIVED))
    app = applications.clarification_request(application=app, request_text="请说明所需信息的具体范围和时间。",
                                             actor=staff.handler, version=app.version, today=dt.date(2025, 9, 29))
    result = applications.deadlines_sweep(today=app.clarification_due + dt.timedelta(days=1))
    assert result["abandoned"] == 1
    assert Application.objects.get(pk=app.pk).status == AppStatus.WITHDRAWN


@pytest.mark.django_db
def test_handlers_are_reminded_before_the_deadline_and_told_once_when_it_passed(city, staff):
    app, _ = _submit(city, now=_aware(*RECEIVED))
    assert applications.deadlines_sweep(today=dt.date(2025, 10, 20))["reminded"] == 0
    assert applications.deadlines_sweep(today=dt.date(2025, 10, 27))["reminded"] == 1
    assert applications.deadlines_sweep(today=dt.date(2025, 10, 28))["reminded"] == 0
    assert applications.deadlines_sweep(today=dt.date(2025, 10, 31))["overdue"] == 1
    assert applications.deadlines_sweep(today=dt.date(2025, 11, 3))["overdue"] == 0
    kinds = list(Notification.objects.filter(to="gk@east.example.com").values_list("kind", flat=True))
    assert kinds.count("disclosure.due_soon") == 1 and kinds.count("disclosure.overdue") == 1


# --- Answers -----------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.django_db
def test_a_partly_disclosed_answer_is_read_and_downloaded_online_with_the_code(city, staff, client):
    app, code = _submit(city)
    with pytest.raises(DomainError) as refused:
        applications.application_answer(application=app, kind="partly", text="短", actor=staff.handler,
                                        version=app.version, documents=[("a.exe", b"MZ")])
    assert set(refused.value.field_errors) == {"text", "refusal_reason", "documents"}
    assert not AnswerDocument.objects.exists()
    with pytest.raises(PermissionRefused):
        applications.application_answer(application=app, kind="disclosed", text="现将招标文件提供给您。",
                                        actor=staff.other, version=app.version, documents=[("招标文件.pdf", PDF)])
    app = applications.application_answer(
        application=app, kind="partly", refusal_reason="third_party", actor=staff.handler, version=app.version,
        text="招标文件予以公开;投标人报价明细涉及商业秘密,不予公开。", documents=[("招标文件.pdf", PDF)])
    assert app.status == AppStatus.ANSWERED and app.answer_kind == "partly"
    assert Notification.objects.filter(kind="disclosure.answered", to=FIELDS["email"]).exists()
    html = client.post("/xxgk/track/", {"code": code, "check": "5678"}).content.decode()
    assert "部分公开" in html and "保护第三方合法权益" in html and "招标文件.pdf" in html
    document = app.documents.get()
    response = client.post(f"/xxgk/documents/{document.pk}/", {"code": code, "check": "5678"})
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert client.post(f"/xxgk/documents/{document.pk}/", {"code": code, "check": "0000"}).status_code == 404
    assert client.get(f"/xxgk/documents/{document.pk}/").status_code == 405


@pytest.mark.django_db
def test_not_this_units_names_the_unit_that_holds_it(city, staff, client):
    app, code = _submit(city)
    applications.application_answer(application=app, kind="not_ours", holder_unit="测试市教育委员会",
                                    text="您申请的信息由市教育委员会制作并保存,请向其申请。", actor=staff.handler,
                                    version=app.version)
    html = client.post("/xxgk/track/", {"code": code, "check": "5678"}).content.decode()
    assert "不属于本机关公开" in html and "该信息由测试市教育委员会掌握" in html


@pytest.mark.django_db
def test_a_step_on_a_stale_version_is_refused(city, staff):
    app, _ = _submit(city)
    stale = app.version
    applications.application_note(application=app, text="已联系档案室调阅。", actor=staff.handler, version=stale)
    with pytest.raises(DomainError, match="刚被他人处理过"):
        applications.application_answer(application=app, kind="not_exist", text="经检索,本机关未制作该信息。",
                                        actor=staff.handler, version=stale)


@pytest.mark.django_db
def test_every_step_is_an_audited_event(city, staff):
    from wagtail.models import ModelLogEntry

    app, _ = _submit(city, now=_aware(*RECEIVED))
    app = applications.clarification_request(application=app, request_text="请说明所需信息的具体范围和时间。",
                                             actor=staff.handler, version=app.version, today=dt.date(2025, 9, 29))
    app = applications.clarification_answer(application=app, text="2025年第三季度。", today=dt.date(2025, 9, 30))
    app = applications.extension_grant(application=app, reason="需调取档案", actor=staff.leader, version=app.version,
                                       today=dt.date(2025, 10, 9))
    applications.application_answer(application=app, kind="not_exist", text="经检索,本机关未制作该信息。",
                                    actor=staff.handler, version=app.version)
    actions = list(ModelLogEntry.objects.filter(object_id=str(app.pk), content_type__model="application")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["disclosure.application.submit", "disclosure.application.clarify",
                       "disclosure.application.clarified", "disclosure.application.extend",
                       "disclosure.application.answer"]
    assert list(app.events.values_list("kind", flat=True)) == [
        "submitted", "clarification", "clarified", "extended", "answered"]


# --- Tracking ------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_guessed_codes_are_slowed(city, client):
    _app, code = _submit(city)
    for _ in range(5):
        response = client.post("/xxgk/track/", {"code": "AAAA-BBBB-CCCC", "check": "5678"})
        assert response.status_code == 404
    response = client.post("/xxgk/track/", {"code": code, "check": "5678"})
    assert response.status_code == 429 and "查询失败次数过多" in response.content.decode()


@pytest.mark.django_db
def test_the_applicant_clarifies_online(city, staff, client):
    app, code = _submit(city)
    applications.clarification_request(application=app, request_text="请说明所需招标文件对应的具体路段名称。",
                                       actor=staff.handler, version=app.version)
    response = client.post("/xxgk/clarify/", {"code": code, "check": "5678", "text": ""})
    assert response.status_code == 400 and "请填写补正内容" in response.content.decode()
    response = client.post("/xxgk/clarify/", {"code": code, "check": "5678", "text": "人民路和解放路两段。"})
    assert response.status_code == 200 and "补正已提交" in response.content.decode()
    assert Application.objects.get(pk=app.pk).status == AppStatus.HANDLING


@pytest.mark.django_db
def test_staff_see_only_their_units_applications_in_the_admin(city, staff, client):
    app, _ = _submit(city)
    client.force_login(staff.other)
    assert client.get(f"/admin/xxgk/applications/{app.pk}/").status_code == 404
    client.force_login(staff.handler)
    assert app.serial in client.get("/admin/xxgk/applications/").content.decode()
    response = client.post(f"/admin/xxgk/applications/{app.pk}/", {
        "action": "answer", "version": app.version, "answer-kind": "not_exist",
        "answer-text": "经检索,本机关未制作或保存该信息。"})
    assert response.status_code == 302
    assert Application.objects.get(pk=app.pk).answer_kind == "not_exist"
    client.force_login(city.supervisor)
    assert app.serial in client.get("/admin/xxgk/applications/?tab=all").content.decode()
    # The supervisor reads the application; the applicant's ID number only masked.
    number = app.id_number
    html = client.get(f"/admin/xxgk/applications/{app.pk}/").content.decode()
    assert number not in html and f"{number[:6]}********{number[-4:]}" in html
    client.force_login(staff.handler)
    assert number in client.get(f"/admin/xxgk/applications/{app.pk}/").content.decode()
