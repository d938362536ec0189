"""The citizen's forms: every error at once beside its field, and a form sent again
(refresh, back) or an address opened again shows the result, never a blank 405 or a
second letter."""

import re

import pytest

from guard import challenge
from letters import services as s
from letters.models import Feedback, Letter


def _form(mailboxes, **extra):
    question, token = challenge.new_challenge()
    a, b = (int(n) for n in re.findall(r"\d", question))
    data = {"letter_type": mailboxes.types["complaint"].pk, "name": "王丽", "phone": "13987654321", "email": "",
            "title": "路灯不亮", "body": "东区滨江路一段的路灯已经坏了一个星期,晚上行走很不安全。", "challenge_token": token,
            "challenge_answer": str(a + b), "website": ""}
    data.update(extra)
    return data


def _field_error(html, field):
    """The message shown beside ``field``, linked to its control by aria-describedby."""
    control = re.search(rf'<(?:input|select|textarea) id="{field}"[^>]*>', html)
    assert control, f"no control {field}"
    described = re.search(r'aria-describedby="([^"]+)"', control.group())
    assert described and 'aria-invalid="true"' in control.group(), f"{field} is not marked invalid: {control.group()}"
    message = re.search(rf'<p class="field-error" id="{described.group(1)}">([^<]+)</p>', html)
    assert message, f"no message with id {described.group(1)}"
    # beside the field: inside the same .field block as its control
    block = html[html.rfind('<div class="field', 0, control.start()):control.end()]
    assert message.group() in block, f"the message of {field} is not beside it"
    return message.group(1)


@pytest.mark.django_db
def test_the_write_form_shows_every_error_beside_its_field_in_one_answer(city, mailboxes, client):
    response = client.post("/mailbox/write/mayor/", _form(
        mailboxes, letter_type="", name="", phone="123", email="not-an-address", title="", body="太短"))
    assert response.status_code == 400
    html = response.content.decode()
    messages = {field: _field_error(html, field) for field in ("letter_type", "name", "phone", "email", "title", "body")}
    assert messages == {
        "letter_type": "请选择来信类型。", "name": "请填写姓名(不超过40个字)。",
        "phone": "请填写正确的手机号码或带区号的固定电话。", "email": "电子邮箱格式不正确。",
        "title": "请填写标题(不超过100个字)。", "body": "请把事情写清楚(至少10个字)。",
    }
    assert "请修改以下6处" in html  # the summary at the top, linking to each field
    for field in messages:
        assert f'<a href="#{field}">' in html
    assert 'value="" ' not in html.split('id="body"')[0][-5:]  # the writer's text is kept
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_a_wrong_challenge_answer_and_bad_fields_are_shown_together(city, mailboxes, client):
    response = client.post("/mailbox/write/mayor/", _form(mailboxes, challenge_answer="999", phone="1"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "验证题" in html
    assert _field_error(html, "phone") == "请填写正确的手机号码或带区号的固定电话。"
    assert 'value="路灯不亮"' in html  # what was written stays in the form


@pytest.mark.django_db
def test_the_tracking_form_shows_both_errors_beside_their_fields(city, client):
    response = client.post("/mailbox/track/", {"code": "", "check": "12"})
    assert response.status_code == 400
    html = response.content.decode()
    assert _field_error(html, "code") == "请填写查询码。"
    assert _field_error(html, "check") == "请填写手机号的后四位数字,或写信时留下的电子邮箱。"
    response = client.post("/mailbox/track/", {"code": "xyz", "check": ""})
    html = response.content.decode()
    assert "查询码格式不正确" in _field_error(html, "code") and "请填写手机号后四位" in _field_error(html, "check")


@pytest.mark.django_db
def test_the_write_form_sent_again_shows_its_result_not_a_second_letter(city, mailboxes, client):
    form = _form(mailboxes)
    first = client.post("/mailbox/write/mayor/", form)
    code = re.search(r"data-query-code>([0-9A-Z-]{14})<", first.content.decode()).group(1)
    again = client.post("/mailbox/write/mayor/", form)  # refresh or back: the browser sends the same form
    assert again.status_code == 200
    assert re.search(r"data-query-code>([0-9A-Z-]{14})<", again.content.decode()).group(1) == code
    assert Letter.objects.count() == 1
    other = client.post("/mailbox/write/mayor/", _form(mailboxes, title="另一封信"))  # a new form is a new letter
    assert other.status_code == 200 and Letter.objects.count() == 2


@pytest.mark.django_db
def test_another_browser_cannot_replay_a_form_to_read_its_code(city, mailboxes, client):
    from django.test import Client

    form = _form(mailboxes)
    code = re.search(r"data-query-code>([0-9A-Z-]{14})<", client.post("/mailbox/write/mayor/", form).content.decode()).group(1)
    stranger = Client().post("/mailbox/write/mayor/", form)
    assert code not in stranger.content.decode()


def _replied_letter(submit, staff, city):
    letter, code = submit()
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    reply = s.reply_draft(letter=letter, body="已责令施工单位夜间停工并加强巡查。", actor=staff.east_handler, version=letter.version)
    letter.refresh_from_db()
    s.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version)
    return letter, code


@pytest.mark.django_db
def test_opening_the_rating_address_shows_the_tracked_letter_not_a_405(submit, staff, city, client):
    letter, code = _replied_letter(submit, staff, city)
    fresh = client.get("/mailbox/rate/")
    assert fresh.status_code == 302 and fresh["Location"] == "/mailbox/track/"  # nothing tracked yet: the form
    client.post("/mailbox/track/", {"code": code, "check": "5678"})
    reopened = client.get("/mailbox/rate/")
    assert reopened.status_code == 200
    html = reopened.content.decode()
    assert letter.title in html and "已责令施工单位夜间停工" in html and "评价答复" in html
    # the rating form of the reopened page works without the code, for this browser only
    rated = client.post("/mailbox/rate/", {"rating": "satisfied"})
    assert rated.status_code == 200 and "感谢您的评价" in rated.content.decode()
    assert Feedback.objects.filter(letter=letter).count() == 1


@pytest.mark.django_db
def test_the_rating_sent_again_shows_the_rating_once(submit, staff, city, client):
    letter, code = _replied_letter(submit, staff, city)
    form = {"code": code, "check": "5678", "rating": "satisfied"}
    assert "感谢您的评价" in client.post("/mailbox/rate/", form).content.decode()
    again = client.post("/mailbox/rate/", form)
    assert again.status_code == 200 and "感谢您的评价" in again.content.decode()
    assert Feedback.objects.filter(letter=letter).count() == 1
    after_rating = client.get("/mailbox/rate/")
    assert after_rating.status_code == 200 and letter.title in after_rating.content.decode()


@pytest.mark.django_db
def test_rating_without_a_code_in_a_browser_that_tracked_nothing_is_refused(submit, staff, city, client):
    letter, _ = _replied_letter(submit, staff, city)
    response = client.post("/mailbox/rate/", {"rating": "satisfied"})
    assert response.status_code == 404 and "重新输入查询码" in response.content.decode()
    assert not Feedback.objects.exists()


def _admin_field_error(html, control_id):
    """The message Wagtail shows beside an admin field, as the control's aria-describedby names it."""
    control = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{control_id}"[^>]*>', html)
    assert control, f"no control {control_id}"
    described = re.search(r'aria-describedby="([^"]+)"', control.group())
    assert described, f"{control_id} points at no message: {control.group()}"
    errors_id = next(i for i in described.group(1).split() if i.endswith("-errors"))
    container = re.search(rf'<div class="w-field__errors" data-field-errors id="{errors_id}">(.*?)</div>', html, re.S)
    assert container, f"no error container {errors_id}"
    # beside the field: the container and the control are in the same field wrapper
    between = html[container.end():control.start()]
    assert "w-field__wrapper" not in between, f"the message of {control_id} is not beside it"
    return re.sub(r"<[^>]+>|\s+", " ", container.group(1)).strip()


@pytest.mark.django_db
def test_an_admin_form_shows_every_error_beside_its_field_in_one_answer(submit, staff, city, client):
    letter, _ = submit()
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    client.force_login(staff.east_handler)
    response = client.post(f"/admin/letters/{letter.pk}/", {"action": "extension_request", "version": letter.version,
                                                             "days": "99", "reason": ""})
    html = response.content.decode()
    assert "小于或等于30" in _admin_field_error(html, "id_extension_request_days")
    assert "必需字段" in _admin_field_error(html, "id_extension_request_reason")
    assert not letter.extensions.exists()


@pytest.mark.django_db
def test_the_calendar_form_shows_every_error_beside_its_field(staff, client):
    client.force_login(staff.supervisor)
    response = client.post("/admin/letters/calendar/", {"date": "not-a-date", "reason": ""})
    html = response.content.decode()
    assert "有效的日期" in _admin_field_error(html, "id_calendar_date")
    assert "必需字段" in _admin_field_error(html, "id_calendar_reason")
