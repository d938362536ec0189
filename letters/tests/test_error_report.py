"""我为政府网站找错: every footer's link opens a form with the page's address filled
in; a report becomes a letter routed straight to the unit of the site concerned,
with 3 working days, and reaches that unit's queue. Bad input is refused in Chinese
and stores nothing."""

import datetime as dt
import re
from html import unescape
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from letters import calendar, queries, services
from letters.models import Event, Letter, Mailbox, Status

FORM = "/mailbox/error-report/"
PROBLEM = "政策文件栏目里的《关于做好供水保障的通知》发布日期写成了2062年,请核实改正。"


def _post(client, **fields):
    values = {"address": "http://127.0.0.1:8000/s/east/", "problem": PROBLEM, "name": "", "phone": "", "email": ""}
    values.update(fields)
    return client.post(FORM, values)


def _field_error(html, field):
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    return unescape(match.group(1)) if match else None


@pytest.fixture
def base_url(settings):
    settings.PLATFORM_BASE_URL = "http://127.0.0.1:8000"
    settings.PLATFORM_PATH_SITES = True
    return settings.PLATFORM_BASE_URL


def test_the_type_is_written_by_the_data_migration(db):
    letter_type = queries.error_report_type()
    assert (letter_type.name, letter_type.time_limit) == ("我为政府网站找错", 3)


def test_every_footer_links_to_the_form_with_the_pages_address(city, mailboxes, base_url):
    client = Client()
    page = client.get("/s/east/news/", HTTP_HOST="127.0.0.1:8000")
    assert page.status_code == 200
    html = page.content.decode()
    link = re.search(r'<a href="([^"]*)">我为政府网站找错</a>', html)
    assert link is not None, "the footer has no 我为政府网站找错 link"
    href = unescape(link.group(1))
    assert href == FORM + "?page=" + quote("/s/east/news/", safe="")  # the same for every reader, baked or not
    form = client.get(href, HTTP_HOST="127.0.0.1:8000").content.decode()
    assert 'value="http://127.0.0.1:8000/s/east/news/"' in form


def test_the_general_write_form_does_not_offer_the_error_report_type(city, mailboxes):
    html = Client().get("/mailbox/write/mayor/").content.decode()
    assert "我为政府网站找错(" not in html and "咨询" in html


def test_an_anonymous_report_is_routed_to_the_sites_unit_with_three_working_days(city, mailboxes, staff, base_url):
    response = _post(Client(), address="http://127.0.0.1:8000/s/east/news/")
    assert response.status_code == 200, response.content.decode()[:2000]
    letter = Letter.objects.get()
    assert letter.letter_type.code == "error_report"
    assert (letter.status, letter.handling_unit, letter.mailbox) == (Status.ROUTED, city.district, mailboxes.east)
    assert letter.time_limit == 3
    start = timezone.localtime(letter.routed_at).date()
    assert letter.due_on == calendar.add_working_days(start, 3).due
    assert (letter.writer_name, letter.writer_phone, letter.writer_email) == ("", "", "")
    assert "http://127.0.0.1:8000/s/east/news/" in letter.body and PROBLEM in letter.body
    submitted = Event.objects.get(letter=letter, kind="submitted")
    assert submitted.data["error_report"]["site"] == city.district_site.pk
    html = response.content.decode()
    code = re.search(r"data-query-code>([A-Z0-9-]+)<", html).group(1)
    # The usual query code finds it (a report without contact data: with the serial's last four digits).
    assert Client().post("/mailbox/track/", {"code": code, "check": "0000" if letter.serial[-4:] != "0000" else "1111"}
                         ).status_code == 404
    tracked = Client().post("/mailbox/track/", {"code": code, "check": letter.serial[-4:]})
    assert tracked.status_code == 200 and "来信办理情况" in tracked.content.decode()
    # The district's handler finds it in the queue.
    handler = Client()
    handler.force_login(staff.east_handler)
    queue = handler.get("/admin/letters/").content.decode()
    assert letter.title in queue
    other = Client()
    other.force_login(staff.edu_handler)
    assert letter.title not in other.get("/admin/letters/").content.decode()


def test_a_report_with_a_phone_is_tracked_with_its_last_four_digits(city, mailboxes, base_url):
    response = _post(Client(), address="https://edu.cq.gov.cn/policy/", name="李雪梅", phone="13912345678",
                     email="li@example.com")
    letter = Letter.objects.get()
    assert letter.handling_unit == city.dept and letter.writer_phone == "13912345678"
    code = re.search(r"data-query-code>([A-Z0-9-]+)<", response.content.decode()).group(1)
    assert Client().post("/mailbox/track/", {"code": code, "check": letter.serial[-4:]}).status_code == 404
    assert Client().post("/mailbox/track/", {"code": code, "check": "5678"}).status_code == 200
    assert letter.notifications.filter(kind="received", to="li@example.com").exists()


def test_the_portals_pages_go_to_the_portals_unit_and_the_mayors_mailbox(city, mailboxes, base_url):
    _post(Client(), address="http://127.0.0.1:8000/news/")
    letter = Letter.objects.get()
    assert (letter.handling_unit, letter.mailbox) == (city.office, mailboxes.mayor)


def test_a_unit_without_an_open_mailbox_gets_it_through_the_mayors_mailbox(city, mailboxes, base_url):
    Mailbox.objects.filter(pk=mailboxes.edu.pk).update(active=False)
    _post(Client(), address="https://edu.cq.gov.cn/")
    letter = Letter.objects.get()
    assert (letter.handling_unit, letter.mailbox) == (city.dept, mailboxes.mayor)
    assert letter.status == Status.ROUTED


@pytest.mark.parametrize("fields, field, message", [
    ({"address": "https://www.example.com/"}, "address", "这个网址不属于本平台的网站"),
    ({"address": "javascript:alert(1)"}, "address", "这个网址不属于本平台的网站"),
    ({"address": ""}, "address", "请填写出错页面的网址"),
    ({"problem": "错"}, "problem", "请说明页面有什么错误"),
    ({"problem": "错" * 2001}, "problem", "内容过长"),
    ({"phone": "12345"}, "phone", "请填写正确的手机号码"),
    ({"email": "not-an-address"}, "email", "电子邮箱格式不正确"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(city, mailboxes, base_url, fields, field, message):
    response = _post(Client(), **fields)
    assert response.status_code == 400
    assert message in (_field_error(response.content.decode(), field) or "")
    assert not Letter.objects.exists() and not Event.objects.exists()


def test_reports_are_rate_limited_per_client(city, mailboxes, base_url, settings):
    settings.LETTERS_PER_ADDRESS_PER_HOUR = 2
    client = Client()
    statuses = [_post(client, problem=f"{PROBLEM}第{n}处").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert Letter.objects.count() == 2
    # A refused mistake does not use up the quota of another client.
    assert _post(Client(REMOTE_ADDR="10.1.2.3")).status_code == 200


def test_an_oversized_post_is_refused_before_anything_is_stored(city, mailboxes, base_url):
    response = _post(Client(), problem="错" * 40000)
    assert response.status_code == 413
    assert "过大" in response.content.decode()
    assert not Letter.objects.exists()


def test_the_form_needs_its_csrf_token(city, mailboxes, base_url):
    client = Client(enforce_csrf_checks=True)
    assert _post(client).status_code == 403
    assert not Letter.objects.exists()


def test_screening_hits_are_recorded_with_the_report(city, mailboxes, base_url):
    _post(Client(), problem="页面底部出现了六合彩广告链接,请删除。")
    event = Event.objects.get(kind="submitted")
    assert "六合彩" in event.data["screening"]


def test_the_indicator_query_counts_working_days_and_lateness(city, mailboxes, base_url):
    first, _ = services.error_report_submit(address="https://east.cq.gov.cn/a/", problem=PROBLEM)
    second, _ = services.error_report_submit(address="https://east.cq.gov.cn/b/", problem=PROBLEM)
    third, _ = services.error_report_submit(address="https://east.cq.gov.cn/c/", problem=PROBLEM)
    other, _ = services.error_report_submit(address="https://edu.cq.gov.cn/", problem=PROBLEM)
    monday = timezone.make_aware(dt.datetime(2025, 3, 3, 10, 0))  # an ordinary week of 2025
    Letter.objects.filter(pk__in=[first.pk, second.pk, third.pk]).update(received_at=monday, routed_at=monday)
    # first: answered on Thursday (3 working days), second: the Monday after (5: late), third: open.
    Letter.objects.filter(pk=first.pk).update(status=Status.REPLIED, replied_at=monday + dt.timedelta(days=3))
    Letter.objects.filter(pk=second.pk).update(status=Status.CLOSED, replied_at=monday + dt.timedelta(days=7))
    rows = queries.error_reports(unit_ids=[city.district.pk], since=dt.date(2025, 3, 1), until=dt.date(2025, 3, 31),
                                 today=dt.date(2025, 3, 6))
    by_serial = {row["serial"]: row for row in rows}
    assert set(by_serial) == {first.serial, second.serial, third.serial}
    assert (by_serial[first.serial]["working_days"], by_serial[first.serial]["late"]) == (3, False)
    assert (by_serial[second.serial]["working_days"], by_serial[second.serial]["late"]) == (5, True)
    assert by_serial[third.serial]["open"] and by_serial[third.serial]["working_days"] == 3
    assert not by_serial[third.serial]["late"]
    assert by_serial[first.serial]["page"] == "https://east.cq.gov.cn/a/"
    assert by_serial[first.serial]["site"] == city.district_site.pk
    later = queries.error_reports(unit_ids=[city.district.pk], since=dt.date(2025, 3, 1), until=dt.date(2025, 3, 31),
                                  today=dt.date(2025, 3, 7))
    assert {r["serial"]: r["late"] for r in later}[third.serial] is True
    assert other.serial not in by_serial


def test_the_api_and_the_email_intake_do_not_take_the_error_report_type(city, mailboxes):
    from letters import lookups

    assert lookups.letter_type_by_code("error_report") is None
    types = Client().get("/api/v1/letter-types").json()
    assert {"consultation", "complaint"} <= {t["code"] for t in types}
    assert "error_report" not in str(types)


def test_addresses_of_every_kind_of_site_are_recognised(city, base_url, settings):
    from hosting.sites import site_register_independent

    police = site_register_independent(
        unit=city.dept, kind="department", name="市公安局网站", hostname="gaj.cq.gov.cn", url="https://gaj.cq.gov.cn/",
        site_id_code="5000000107", icp_number="渝ICP备00000009号", psb_number="渝公网安备 50000000000009号",
        sponsor="测试市公安局", contact_phone="023-63960000")
    assert queries.site_for_address("https://gaj.cq.gov.cn/jwgk/index.html") == police
    assert queries.site_for_address("http://127.0.0.1:8000/s/edu/policy/") == city.dept_site
    assert queries.site_for_address("http://127.0.0.1:8000/") == city.portal_site
    assert queries.site_for_address("http://127.0.0.1:9999/s/edu/") is None  # another port: not the platform
    assert queries.site_for_address("https://east.cq.gov.cn/news/") == city.district_site
    assert queries.site_for_address("ftp://east.cq.gov.cn/") is None
    assert queries.site_for_address("https://east.cq.gov.cn.evil.example/") is None
    assert queries.site_for_address("http://[::1") is None  # malformed: refused, not a crash
    settings.PLATFORM_PATH_SITES = False
    assert queries.site_for_address("http://127.0.0.1:8000/s/edu/policy/") is None


def test_the_same_form_posted_again_shows_the_report_it_made_and_makes_no_second(city, mailboxes, base_url):
    client = Client()
    form = client.get("/mailbox/error-report/?page=/s/east/news/").content.decode()
    once = re.search(r'name="once" value="([^"]+)"', form).group(1)
    first = _post(client, address="http://127.0.0.1:8000/s/east/news/", once=once)
    again = _post(client, address="http://127.0.0.1:8000/s/east/news/", once=once)  # a reload of the receipt
    assert first.status_code == again.status_code == 200
    letter = Letter.objects.get()
    code = re.search(r"data-query-code>([A-Z0-9-]+)<", first.content.decode()).group(1)
    assert code in again.content.decode() and letter.serial in again.content.decode()
    # A fresh form (a new one-time key) is a new report.
    _post(client, address="http://127.0.0.1:8000/s/east/news/")
    assert Letter.objects.count() == 2


def test_a_page_with_a_chinese_address_is_shown_and_taken_as_written(city, mailboxes, base_url):
    form = Client().get("/mailbox/error-report/", {"page": "/s/east/news/渝中区举行发布会/"}).content.decode()
    assert 'value="http://testserver/s/east/news/渝中区举行发布会/"' in form  # not %E6%B8%9D…
    response = _post(Client(), address="http://127.0.0.1:8000/s/east/news/渝中区举行发布会/")
    assert response.status_code == 200, response.content.decode()[:1000]
    assert "/s/east/news/渝中区举行发布会/" in Letter.objects.get().body
