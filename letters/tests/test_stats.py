"""The statistics: the figures themselves, one grouped pass for every mailbox and
unit, the figures computed ahead for the pages (and saying when), and the queue's
paging by position."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from letters import queries, services as s, tasks
from letters.models import Letter, Mailbox, StatsSnapshot

pytestmark = pytest.mark.django_db

STATS, PUBLIC_STATS, QUEUE = "/admin/letters/stats/", "/mailbox/stats/", "/admin/letters/"


def replied(submit, staff, city, days_to_reply, **fields):
    letter, _ = submit(**fields)
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    reply = s.reply_draft(letter=letter, body="已安排现场检查并督促整改。", actor=staff.east_handler, version=letter.version)
    letter.refresh_from_db()
    s.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version)
    Letter.objects.filter(pk=letter.pk).update(routed_at=timezone.now() - dt.timedelta(days=days_to_reply))
    letter.refresh_from_db()
    return letter


def a_small_year(submit, staff, city, mailboxes):
    """Mayor's mailbox: two letters replied (after 7 and 14 days), rated satisfied and
    unsatisfied, one not accepted; the east mailbox: one letter in screening."""
    first = replied(submit, staff, city, 7, title="第一封")
    second = replied(submit, staff, city, 14, title="第二封")
    s.letter_rate(letter=first, rating="satisfied")
    s.letter_rate(letter=second, rating="basically")
    rejected, _ = submit(title="不归政府管")
    s.letter_reject(letter=rejected, reason_code="outside_duties", actor=staff.dispatcher, version=rejected.version)
    submit(mailbox=mailboxes.east, title="东区信箱来信")


def test_the_figures_of_a_mailbox_a_unit_and_all(submit, staff, city, mailboxes):
    a_small_year(submit, staff, city, mailboxes)
    mayor = queries.letter_stats(mailbox=mailboxes.mayor)
    assert {k: mayor[k] for k in ("received", "accepted", "not_accepted", "replied", "on_time", "open", "overdue")} == {
        "received": 3, "accepted": 2, "not_accepted": 1, "replied": 2, "on_time": 2, "open": 0, "overdue": 0,
    }
    assert mayor["not_accepted_by_reason"] == {"不属于政府职责范围": 1}
    assert mayor["ratings"] == {"满意": 1, "基本满意": 1, "不满意": 0} and mayor["satisfaction"] == 100.0
    assert mayor["avg_working_days_to_reply"] == round(10.5 * 5 / 7, 1) and mayor["on_time_rate"] == 100.0
    unit = queries.letter_stats(unit=city.district)
    assert (unit["received"], unit["replied"], unit["not_accepted"]) == (2, 2, 0)
    everything = queries.letter_stats()
    assert (everything["received"], everything["replied"], everything["not_accepted"]) == (4, 2, 1)
    empty = queries.letter_stats(mailbox=mailboxes.edu)
    assert empty["received"] == 0 and empty["avg_working_days_to_reply"] is None and empty["satisfaction"] is None


def test_every_mailbox_and_unit_come_from_three_grouped_queries(submit, staff, city, mailboxes):
    a_small_year(submit, staff, city, mailboxes)
    with CaptureQueriesContext(connection) as captured:
        rows = queries.stats_rows()
    assert len(captured.captured_queries) == 3
    for mailbox in Mailbox.objects.all():
        assert queries.summarise(rows, mailbox_id=mailbox.pk) == queries.letter_stats(mailbox=mailbox)
    assert queries.summarise(rows, unit_id=city.district.pk) == queries.letter_stats(unit=city.district)
    assert queries.summarise(rows) == queries.letter_stats()


def cells(page, row_id):
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', page, re.S)
    assert row, f"no row {row_id}"
    return {key: value.strip() for key, value in re.findall(r'data-stat="(\w+)">(?:<strong>)?([^<]*)<', row.group(1))}


def test_the_staff_page_shows_figures_computed_ahead_and_when(submit, staff, city, mailboxes, client):
    a_small_year(submit, staff, city, mailboxes)
    client.force_login(staff.supervisor)
    page = client.get(STATS).content.decode()
    assert cells(page, "mailbox-mayor")["received"] == "3" and cells(page, "unit-east")["replied"] == "2"
    assert not StatsSnapshot.objects.exists()  # before the task's first run the page counts, and stores nothing
    tasks.refresh_stats_task()
    page = client.get(STATS).content.decode()
    snapshot = StatsSnapshot.objects.get(period=f"{timezone.localdate().year}-01-01")
    assert f"数字统计截至 {timezone.localtime(snapshot.computed_at):%Y-%m-%d %H:%M}" in page

    submit(title="统计之后的来信")
    page = client.get(STATS).content.decode()
    assert cells(page, "mailbox-mayor")["received"] == "3"  # until the task runs again
    assert set(tasks.refresh_stats_task()) == {"all", f"{timezone.localdate().year}-01-01"}
    page = client.get(STATS).content.decode()
    assert cells(page, "mailbox-mayor")["received"] == "4" and cells(page, "total")["received"] == "5"

    # Any other date is counted on the spot, and the page says so.
    page = client.get(STATS, {"since": timezone.localdate().isoformat()}).content.decode()
    assert "按所选日期即时统计" in page and cells(page, "mailbox-mayor")["received"] == "4"

    client.force_login(staff.edu_handler)  # sees only the rows of its own unit
    page = client.get(STATS).content.decode()
    assert 'id="mailbox-edu"' in page and 'id="mailbox-mayor"' not in page and 'id="total"' not in page


def test_the_staff_page_costs_the_same_queries_for_more_mailboxes_and_units(submit, staff, city, mailboxes, client):
    from orgs.services import unit_create

    client.force_login(staff.supervisor)
    a_small_year(submit, staff, city, mailboxes)
    tasks.refresh_stats_task()  # the figures computed ahead

    def cost():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(STATS).status_code == 200
        return len(captured.captured_queries)

    before = cost()
    for i in range(3):
        unit = unit_create(name=f"测试市第{i}区人民政府", code=f"d{i}", kind="district_government", parent=city.gov)
        Mailbox.objects.create(unit=unit, name=f"第{i}区信箱", code=f"d{i}", email=f"d{i}@mail.cq.gov.cn")
        letter, _ = submit(title=f"第{i}区的来信")
        s.letter_route(letter=letter, unit=unit, actor=staff.dispatcher, version=letter.version)
    tasks.refresh_stats_task()
    assert cost() == before


def test_the_public_page_is_kept_and_says_when_its_figures_were_computed(submit, staff, city, mailboxes, client,
                                                                       clear_cache):
    a_small_year(submit, staff, city, mailboxes)
    tasks.refresh_stats_task()
    page = client.get(PUBLIC_STATS).content.decode()
    computed = StatsSnapshot.objects.get(period="all").computed_at
    assert f"本页数字统计截至 <time datetime=" in page and timezone.localtime(computed).strftime("%Y-%m-%d %H:%M") in page
    assert re.search(r"<th scope=\"row\">市长信箱</th><td>3</td>", page)

    submit(title="统计之后的来信")
    tasks.refresh_stats_task()
    with CaptureQueriesContext(connection) as captured:
        again = client.get(PUBLIC_STATS)
    assert captured.captured_queries == [] and "max-age=300" in again["Cache-Control"]
    clear_cache()
    assert re.search(r"<th scope=\"row\">市长信箱</th><td>4</td>", client.get(PUBLIC_STATS).content.decode())


def test_the_beat_schedule_refreshes_the_statistics():
    from cityplatform.celery import app

    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "letters.refresh_stats"]
    assert entry["schedule"] == queries.REFRESH_EVERY
    app.loader.import_default_modules()
    assert "letters.refresh_stats" in app.tasks


def test_the_queue_pages_by_position_and_keeps_order_among_letters_received_at_once(submit, staff, client):
    for i in range(120):
        submit(title=f"来信{i:03d}", email="")
    same_moment = timezone.now() - dt.timedelta(hours=1)
    Letter.objects.filter(title__in=[f"来信{i:03d}" for i in range(40, 70)]).update(received_at=same_moment)
    expected = list(Letter.objects.order_by("-received_at", "-id").values_list("serial", flat=True))
    client.force_login(staff.supervisor)

    def serials(page):
        return re.findall(r">(X\d{13})</a>", page)

    def link(page, label):
        match = re.search(rf'href="\?([^"]*)">{label}</a>', page)
        return match and match.group(1).replace("&amp;", "&")

    page = client.get(QUEUE, {"tab": "all"}).content.decode()
    shown = serials(page)
    pages = [shown]
    while link(page, "下一页"):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(QUEUE + "?" + link(page, "下一页")).content.decode()
        assert [q["sql"] for q in captured.captured_queries if "OFFSET" in q["sql"].upper()] == []
        pages.append(serials(page))
    assert [len(p) for p in pages] == [50, 50, 20] and sum(pages, []) == expected
    assert "第 3 页(第 101–120 封)" in page

    back = client.get(QUEUE + "?" + link(page, "上一页")).content.decode()
    assert serials(back) == pages[1] and "第 2 页(第 51–100 封)" in back
    first = client.get(QUEUE + "?" + link(back, "上一页")).content.decode()
    assert serials(first) == pages[0] and "上一页" not in first
    # A page reached by its number alone (an old or typed link) is still right.
    assert serials(client.get(QUEUE, {"tab": "all", "page": 2}).content.decode()) == pages[1]
