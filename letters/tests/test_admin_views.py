"""The staff side of the public mailbox in the Wagtail admin, through the test client."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from letters import calendar, services
from letters.models import CalendarEntry, Event, Extension, Letter, Reply, Status

pytestmark = pytest.mark.django_db

QUEUE, CALENDAR, STATS = "/admin/letters/", "/admin/letters/calendar/", "/admin/letters/stats/"


def detail(letter):
    return f"/admin/letters/{letter.pk}/"


def html(response):
    return response.content.decode()


def refused(response):
    """Wagtail answers a PermissionDenied in its admin with a redirect to the admin home
    page and a message (a plain 403 for an XHR)."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def routed(submit, staff, city, **fields):
    letter, _ = submit(**fields)
    return services.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)


def form_version(page, action):
    match = re.search(rf'name="version" value="(\d+)" id="id_{action}_version"', page)
    assert match, f"no {action} form on the page"
    return int(match.group(1))


def stat_cells(page, row_id):
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', page, re.S)
    assert row, f"no row {row_id}"
    return {key: value.strip() for key, value in re.findall(r'data-stat="(\w+)">(?:<strong>)?([^<]*)<', row.group(1))}


def test_a_dispatcher_sees_a_new_letter_in_screening_and_routes_it(client, submit, staff, city):
    letter, _ = submit()
    client.force_login(staff.dispatcher)
    page = html(client.get(QUEUE + "?tab=screening"))
    assert letter.serial in page and letter.title in page

    page = html(client.get(detail(letter)))
    assert form_version(page, "route") == letter.version
    # the unit the letter mentions (东区) is preselected
    assert re.search(rf'<option value="{city.district.pk}" selected>', page)
    assert 'id="id_route_time_limit"' not in page  # only supervisors set another limit

    response = client.post(detail(letter), {"action": "route", "version": letter.version, "unit": city.district.pk})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Status.ROUTED and letter.handling_unit == city.district and letter.due_on
    assert Event.objects.get(letter=letter, kind="routed").actor == staff.dispatcher
    assert "已受理,分办给测试市东区人民政府" in html(client.get(response["Location"]))
    assert letter.serial not in html(client.get(QUEUE + "?tab=screening"))


def test_screening_steps_and_a_bad_input_changes_nothing(client, submit, staff):
    original, _ = submit(title="第一封")
    copy, _ = submit(title="第二封")
    junk, _ = submit(title="第三封")
    client.force_login(staff.dispatcher)

    response = client.post(detail(copy), {"action": "duplicate", "version": copy.version, "original": "X1900010100001"})
    assert response.status_code == 200 and "没有编号为 X1900010100001 的来信" in html(response)
    response = client.post(detail(copy), {"action": "reject", "version": copy.version, "reason_code": "because"})
    assert response.status_code == 200 and "请按提示修改后再提交" in html(response)
    copy.refresh_from_db()
    assert copy.status == Status.SCREENING and list(copy.events.values_list("kind", flat=True)) == ["submitted"]

    data = {"action": "duplicate", "version": copy.version, "original": original.serial.lower()}  # typed in lower case
    response = client.post(detail(copy), data)
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.status == Status.DUPLICATE and copy.duplicate_of == original
    client.post(detail(junk), {"action": "spam", "version": junk.version})
    client.post(detail(original), {"action": "reject", "version": original.version, "reason_code": "outside_duties",
                                   "note": "请联系物业公司"})
    assert Letter.objects.get(pk=junk.pk).status == Status.SPAM
    original.refresh_from_db()
    assert original.status == Status.NOT_ACCEPTED and original.not_accepted_reason == "outside_duties"


def test_another_units_handler_can_neither_see_nor_act_on_a_letter(client, submit, staff, city):
    letter = routed(submit, staff, city)
    client.force_login(staff.east_handler)
    assert client.get(detail(letter)).status_code == 200

    client.force_login(staff.edu_handler)
    assert refused(client.get(detail(letter)))
    version = letter.version
    for data in (
        {"action": "note", "text": "看看"},
        {"action": "transfer", "to_unit": city.dept.pk, "reason": "转给我们"},
        {"action": "reply_draft", "body": "我们已经处理完毕,谢谢来信。"},
        {"action": "contact"},
    ):
        assert refused(client.post(detail(letter), {**data, "version": version}))
    letter.refresh_from_db()
    assert letter.version == version and letter.handling_unit == city.district
    assert not Event.objects.filter(actor=staff.edu_handler).exists()
    assert not _contact_views().exists()
    own, _ = submit(mailbox=None, title="教委自己的来信")
    own = services.letter_route(letter=own, unit=city.dept, actor=staff.dispatcher, version=own.version)
    for tab in ("screening", "mine", "overdue"):
        response = client.get(f"{QUEUE}?tab={tab}")
        assert response.status_code == 200, tab
        assert letter.serial not in html(response), tab
    assert own.serial in html(client.get(f"{QUEUE}?tab=mine"))  # the page lists the unit's own letters


def test_a_stale_version_shows_the_conflict_and_changes_nothing(client, submit, staff, city):
    letter, _ = submit()
    client.force_login(staff.dispatcher)
    seen = form_version(html(client.get(detail(letter))), "route")
    # someone else acts on the letter after the page was shown
    services.letter_note(letter=letter, text="先核实工地名称", actor=staff.supervisor, version=seen)

    response = client.post(detail(letter), {"action": "route", "version": seen, "unit": city.district.pk})
    assert response.status_code == 200
    page = html(response)
    assert "这封来信刚被他人处理过,请刷新后再操作。" in page
    letter.refresh_from_db()
    assert letter.status == Status.SCREENING and letter.handling_unit is None and letter.version == seen + 1
    assert not Event.objects.filter(letter=letter, kind="routed").exists()
    # the page now carries the current version, and shows the other person's note
    assert form_version(page, "route") == seen + 1 and "先核实工地名称" in page


def _contact_views():
    from wagtail.models import ModelLogEntry

    return ModelLogEntry.objects.filter(action="letters.letter.contact_view")


def test_contact_data_is_shown_only_after_the_button_and_every_view_is_logged(client, submit, staff, city):
    letter = routed(submit, staff, city)
    client.force_login(staff.east_handler)
    response = client.get(detail(letter))
    page = html(response)
    assert "查看联系方式" in page
    assert "13812345678" not in page and "zhang@example.com" not in page and "张晓明" not in page
    assert not _contact_views().exists()

    response = client.post(detail(letter), {"action": "contact", "purpose": "电话回访"})
    assert response.status_code == 200
    page = html(response)
    assert "13812345678" in page and "zhang@example.com" in page
    assert "no-store" in response["Cache-Control"]
    view = _contact_views().get()
    assert view.object_id == str(letter.pk) and view.user == staff.east_handler and view.data["purpose"] == "电话回访"

    again = client.get(detail(letter))  # shown once: the next visit asks again
    assert again.status_code == 200 and "查看联系方式" in html(again) and "13812345678" not in html(again)


def test_the_leader_finds_the_draft_in_to_sign_and_approves_it(client, submit, staff, city):
    letter = routed(submit, staff, city)
    client.force_login(staff.east_handler)
    page = html(client.get(detail(letter)))
    response = client.post(detail(letter), {"action": "reply_draft", "version": form_version(page, "reply_draft"),
                                            "body": "经核查,该工地已停止夜间施工,感谢您的监督。"})
    assert response.status_code == 302
    reply = Reply.objects.get(letter=letter)
    handler_page = client.get(detail(letter))  # a handler does not sign
    assert handler_page.status_code == 200 and 'id="action-note"' in html(handler_page)
    assert 'value="reply_decide"' not in html(handler_page)

    client.force_login(staff.east_leader)
    assert letter.serial in html(client.get(QUEUE + "?tab=sign"))
    page = html(client.get(detail(letter)))
    assert "经核查,该工地已停止夜间施工" in page
    response = client.post(detail(letter), {"action": "reply_decide", "version": form_version(page, "reply_decide"),
                                            "reply": reply.pk, "decision": "approve"})
    assert response.status_code == 302
    letter.refresh_from_db()
    reply.refresh_from_db()
    assert letter.status == Status.REPLIED and reply.approved_by == staff.east_leader
    assert Event.objects.filter(letter=letter, kind="replied", actor=staff.east_leader).exists()
    assert letter.serial not in html(client.get(QUEUE + "?tab=sign"))


def test_a_supervisor_approves_an_extension(client, submit, staff, city):
    letter = routed(submit, staff, city)
    extension = services.extension_request(letter=letter, days=5, reason="需要现场核查", actor=staff.east_handler,
                                           version=letter.version)
    letter.refresh_from_db()
    due_before = letter.due_on

    client.force_login(staff.east_handler)  # a handler cannot decide on it
    response = client.post(detail(letter), {"action": "extension_decide", "version": letter.version,
                                            "extension": extension.pk, "decision": "approve"})
    assert response.status_code == 200 and "只有监督人员可以审批延期" in html(response)
    extension.refresh_from_db()
    assert extension.approved is None

    client.force_login(staff.supervisor)
    page = html(client.get(QUEUE + "?tab=extensions"))
    assert letter.serial in page and "需要现场核查" in page
    page = html(client.get(detail(letter)))
    version = form_version(page, "extension_decide")
    response = client.post(detail(letter), {"action": "extension_decide", "version": version, "extension": extension.pk,
                                            "decision": "approve"})
    assert response.status_code == 302
    extension.refresh_from_db()
    letter.refresh_from_db()
    assert extension.approved is True and extension.decided_by == staff.supervisor
    assert letter.extension_days == 5 and letter.due_on > due_before
    assert not Extension.objects.filter(approved__isnull=True).exists()


def test_a_calendar_entry_moves_open_deadlines(client, submit, staff, city):
    letter = routed(submit, staff, city)
    due_before = letter.due_on
    day = calendar.add_working_days(timezone.localdate(), 1).due  # a working day the deadline counts
    data = {"date": day.isoformat(), "is_working_day": "0", "reason": "突发停工"}

    client.force_login(staff.dispatcher)
    response = client.post(CALENDAR, data)
    assert response.status_code == 200 and "只有监督人员和门户网站管理中心可以调整工作日历" in html(response)
    assert not CalendarEntry.objects.exists()

    client.force_login(staff.supervisor)
    response = client.post(CALENDAR, data)
    assert response.status_code == 302
    page = html(client.get(response["Location"]))
    assert "1 封在办来信的截止日期随之调整" in page and "突发停工" in page
    entry = CalendarEntry.objects.get(date=day)
    assert entry.is_working_day is False and entry.created_by == staff.supervisor
    letter.refresh_from_db()
    assert letter.due_on > due_before


def test_the_stats_page_shows_the_numbers(client, submit, staff, city, mailboxes):
    late = routed(submit, staff, city)
    rejected, _ = submit(title="不归政府管")
    services.letter_reject(letter=rejected, reason_code="outside_duties", actor=staff.dispatcher,
                           version=rejected.version)
    submit(mailbox=mailboxes.east, title="东区信箱来信")
    services.deadlines_sweep(today=late.due_on + dt.timedelta(days=1))
    services.deadlines_sweep(today=late.due_on + dt.timedelta(days=21))  # reminded, then escalated

    client.force_login(staff.supervisor)
    page = html(client.get(STATS))
    mayor = stat_cells(page, "mailbox-mayor")
    assert (mayor["received"], mayor["accepted"], mayor["not_accepted"], mayor["open"]) == ("2", "1", "1", "1")
    assert stat_cells(page, "mailbox-east")["received"] == "1"
    assert stat_cells(page, "unit-east")["escalated"] == "1"
    assert stat_cells(page, "total")["received"] == "3"
    assert "不属于政府职责范围:1" in page
    criticism = re.search(r'<table[^>]*id="criticism".*?</table>', page, re.S).group(0)
    assert "测试市东区人民政府" in criticism

    client.force_login(staff.edu_handler)  # sees only the rows of its own unit
    page = html(client.get(STATS))
    assert 'id="mailbox-edu"' in page and 'id="mailbox-mayor"' not in page and 'id="total"' not in page


def test_the_queue_costs_the_same_number_of_queries_for_5_or_60_letters(client, submit, staff, city):
    def add(n, start):
        for i in range(start, start + n):
            letter, _ = submit(title=f"来信{i}")
            if i % 4 == 0:
                services.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)

    def cost(user, url):
        client.force_login(user)
        client.get(url)  # warm the caches a first request fills
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), html(response)

    pages = [(staff.dispatcher, QUEUE + "?tab=screening"), (staff.supervisor, QUEUE + "?tab=all"),
             (staff.east_handler, QUEUE + "?tab=mine")]
    add(5, 0)
    few = [cost(user, url)[0] for user, url in pages]
    add(55, 5)
    many = [cost(user, url) for user, url in pages]
    assert [n for n, _ in many] == few
    assert "下一页" in many[1][1] and "第 1–50 封" in many[1][1]
    # 全部 is paged without counting the whole table
    client.force_login(staff.supervisor)
    with CaptureQueriesContext(connection) as queries:
        client.get(QUEUE + "?tab=all&page=2")
    letter_sql = [q["sql"].upper() for q in queries.captured_queries if '"LETTERS_LETTER"' in q["sql"].upper()]
    assert letter_sql and not any("COUNT(" in sql and "WHERE" not in sql for sql in letter_sql)


def test_without_a_mailbox_role_there_is_no_access(client, submit, staff, city, make_user):
    letter, _ = submit()
    client.force_login(city.editor)  # may use the admin, but has no mailbox role
    for url in (QUEUE, detail(letter), CALENDAR, STATS):
        assert refused(client.get(url))
    assert refused(client.post(detail(letter), {"action": "note", "text": "看看", "version": letter.version}))
    assert refused(client.get(QUEUE, headers={"x-requested-with": "XMLHttpRequest"}))
    assert "/admin/letters/" not in html(client.get("/admin/"))
    client.force_login(staff.dispatcher)
    assert "/admin/letters/" in html(client.get("/admin/"))

    client.force_login(make_user("citizen_account"))  # no admin access at all
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    letter.refresh_from_db()
    assert list(letter.events.values_list("kind", flat=True)) == ["submitted"]
