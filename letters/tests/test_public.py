import re

import pytest
from django.utils import timezone

from guard import challenge
from letters import services as s
from letters.tests.helpers import api_challenge, solve
from letters.models import Letter, Status


def _form(mailboxes, **extra):
    question, token = challenge.new_challenge()
    data = {"letter_type": mailboxes.types["complaint"].pk, "name": "王丽", "phone": "13987654321", "email": "",
            "title": "路灯不亮", "body": "东区滨江路一段的路灯已经坏了一个星期,晚上行走很不安全。", "challenge_token": token,
            "challenge_answer": solve(question), "website": ""}
    data.update(extra)
    return data


@pytest.mark.django_db
def test_a_citizen_writes_from_the_interaction_column_and_gets_a_code(city, mailboxes, client, kinds):
    from portal.models import ColumnPage
    from portal.services import page_create

    page_create(parent=city.district_site.site.root_page.specific,
                page=ColumnPage(title="互动交流", slug="hudong", kind=kinds["interaction"]), publish=True)
    column = client.get("/s/east/hudong/").content.decode()
    assert "/mailbox/write/east/" in column and "/mailbox/write/mayor/" in column
    page = client.get("/mailbox/write/east/").content.decode()
    assert "不予受理" in page and "受理范围" in page
    response = client.post("/mailbox/write/east/", _form(mailboxes))
    assert response.status_code == 200
    code = re.search(r"data-query-code>([0-9A-Z-]{14})<", response.content.decode()).group(1)
    letter = Letter.objects.get()
    assert s.letter_find(code=code, check="4321") == letter
    assert response["Cache-Control"].startswith("max-age=0")  # the code is never cached


@pytest.mark.django_db
@pytest.mark.parametrize("tamper, message", [
    ({"challenge_answer": "999"}, "验证题"),
    ({"challenge_token": "forged"}, "验证题"),
    ({"website": "http://spam.example"}, "校验"),
    ({"phone": "123"}, "手机号码"),
    ({"letter_type": "x"}, "来信类型"),
])
def test_bad_submissions_get_a_clear_message_and_store_nothing(city, mailboxes, client, tamper, message):
    response = client.post("/mailbox/write/mayor/", _form(mailboxes, **tamper))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_too_many_letters_from_one_address_are_slowed_down(city, mailboxes, client):
    for i in range(5):
        assert client.post("/mailbox/write/mayor/", _form(mailboxes, title=f"第{i}封")).status_code == 200
    response = client.post("/mailbox/write/mayor/", _form(mailboxes, title="第六封"))
    assert response.status_code == 429 and "太频繁" in response.content.decode() and int(response["Retry-After"]) > 0
    assert Letter.objects.count() == 5


@pytest.mark.django_db
def test_tracking_shows_history_deadline_and_reply_then_rating(submit, staff, city, client):
    letter, code = submit()
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    html = client.post("/mailbox/track/", {"code": code, "check": "5678"}).content.decode()
    assert "测试市东区人民政府" in html and "个工作日" in html and "受理,转测试市东区人民政府办理" in html
    assert "13812345678" not in html
    reply = s.reply_draft(letter=letter, body="已责令施工单位夜间停工并加强巡查。", actor=staff.east_handler, version=letter.version)
    letter.refresh_from_db()
    s.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version, publish=True)
    html = client.post("/mailbox/track/", {"code": code, "check": "5678"}).content.decode()
    assert "已责令施工单位夜间停工" in html and "评价答复" in html
    html = client.post("/mailbox/rate/", {"code": code, "check": "5678", "rating": "satisfied"}).content.decode()
    assert "感谢您的评价" in html
    assert Letter.objects.get(pk=letter.pk).status == Status.CLOSED


@pytest.mark.django_db
def test_repeated_wrong_codes_are_slowed_down(submit, client):
    letter, code = submit()
    for _ in range(5):
        assert client.post("/mailbox/track/", {"code": "ABCD-EFGH-JKMN", "check": "5678"}).status_code == 404
    blocked = client.post("/mailbox/track/", {"code": code, "check": "5678"})
    assert blocked.status_code == 429 and "15分钟" in blocked.content.decode()


@pytest.mark.django_db
def test_api_submit_is_idempotent_and_track_works(mailboxes, client):
    payload = {"mailbox": "mayor", "letter_type": "suggestion", "name": "赵敏", "phone": "13700001111",
               "title": "建议增开夜班公交", "body": "建议在大学城到市区之间增开夜班公交线路,方便学生和上班族。"}
    first = client.post("/api/v1/letters", {**payload, **api_challenge(client)}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="hotline-0001")
    again = client.post("/api/v1/letters", {**payload, **api_challenge(client)}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="hotline-0001")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Letter.objects.count() == 1
    tracked = client.post("/api/v1/letters/track", {"query_code": first.json()["query_code"], "check": "1111"},
                          content_type="application/json")
    assert tracked.status_code == 200 and tracked.json()["status"] == "screening"


@pytest.mark.django_db
def test_api_rejects_bad_letters_with_typed_errors(mailboxes, client):
    bad = client.post("/api/v1/letters", {"mailbox": "mayor"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    unknown = client.post("/api/v1/letters", {"mailbox": "nowhere", "letter_type": "complaint", "name": "a", "phone": "13700001111",
                                              "title": "t", "body": "一二三四五六七八九十", **api_challenge(client)},
                          content_type="application/json")
    assert unknown.status_code == 404 and unknown.json()["message"] == "没有这个信箱。"
    short = client.post("/api/v1/letters", {"mailbox": "mayor", "letter_type": "complaint", "name": "a", "phone": "13700001111",
                                            "title": "t", "body": "短", **api_challenge(client)}, content_type="application/json")
    assert short.status_code == 400 and "至少10个字" in short.json()["message"]
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_published_letter_shows_times_unit_and_reply_with_personal_data_masked(submit, staff, city, client):
    body = ("我叫张晓明,住在东区民族路188号龙湖花园5栋2单元1507,电话13812345678,身份证500103199001011234。"
            "楼下餐馆油烟直排,请环保部门检查。")
    letter, _ = submit(title="张晓明反映餐馆油烟扰民", body=body)
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    reply = s.reply_draft(letter=letter, body="张晓明先生:您好!经现场检查,该餐馆已安装油烟净化设施。如有问题请拨打12345。",
                          actor=staff.east_handler, version=letter.version)
    letter.refresh_from_db()
    s.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version, publish=True)

    listing = client.get("/mailbox/letters/", {"unit": "east", "type": "complaint"}).content.decode()
    assert "张**反映餐馆油烟扰民" in listing
    detail = client.get(f"/mailbox/letters/{letter.serial}/").content.decode()
    for secret in ("张晓明", "13812345678", "500103199001011234", "188号", "1507"):
        assert secret not in detail, secret
    assert "油烟直排" in detail and "已安装油烟净化设施" in detail and "12345" in detail
    assert "测试市东区人民政府" in detail and timezone.localtime(letter.received_at).strftime("%Y-%m-%d") in detail
    assert client.get("/mailbox/letters/", {"q": "油烟"}).content.decode().count("/mailbox/letters/X") == 1
    assert client.get("/mailbox/letters/", {"q": "不存在的词"}).content.decode().count("/mailbox/letters/X") == 0


@pytest.mark.django_db
def test_statistics_page_is_public(submit, staff, city, client):
    letter, _ = submit()
    s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    html = client.get("/mailbox/stats/").content.decode()
    assert "市长信箱" in html and "督办通报" in html


@pytest.mark.django_db
def test_the_pager_keeps_the_filters(submit, staff, city, client):
    for i in range(21):
        letter, _ = submit(title=f"第{i}封关于油烟的来信", consent_publish=True)
        letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
        reply = s.reply_draft(letter=letter, body="已安排执法人员现场检查并督促整改。", actor=staff.east_handler, version=letter.version)
        letter.refresh_from_db()
        s.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version, publish=True)
    html = client.get("/mailbox/letters/", {"unit": "east", "type": "complaint"}).content.decode()
    assert "unit=east&amp;type=complaint&amp;page=2" in html


@pytest.mark.django_db
def test_the_api_slows_down_wrong_codes_like_the_pages(submit, client):
    letter, code = submit()
    for _ in range(5):
        wrong = client.post("/api/v1/letters/track", {"query_code": "ABCD-EFGH-JKMN", "check": "5678"},
                            content_type="application/json")
        assert wrong.status_code == 404 and wrong.json()["code"] == "not_found"
    blocked = client.post("/api/v1/letters/track", {"query_code": code, "check": "5678"}, content_type="application/json")
    assert blocked.status_code == 429 and blocked.json()["code"] == "too_many"
