"""Every step of a letter writes one entry of the platform's audit trail (guard.audit),
beside the letter's own Event; a member of staff opening the writer's personal data
is an audited read; the site history report reads the trail."""

import datetime as dt
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import ModelLogEntry

from letters import services as s
from letters.models import CalendarEntry
from orgs.errors import PermissionRefused

pytestmark = pytest.mark.django_db

REPLY = "经核查,该工地已被责令夜间停工,城管部门将持续巡查。"


def _mark():
    return ModelLogEntry.objects.aggregate(last=Max("pk"))["last"] or 0


def _since(mark):
    return list(ModelLogEntry.objects.filter(pk__gt=mark).order_by("pk"))


def _one(mark, action, obj, actor):
    """The single entry written since ``mark``: its action, object and actor checked."""
    entries = _since(mark)
    assert [e.action for e in entries] == [action]
    entry = entries[0]
    assert entry.content_type == ContentType.objects.get_for_model(obj)
    assert entry.object_id == str(obj.pk)
    assert entry.user_id == (actor.pk if actor else None)
    return entry


def _routed(submit, staff, city, **fields):
    letter, code = submit(**fields)
    return s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version), code


def _pending_reply(submit, staff, city, **fields):
    letter, _ = _routed(submit, staff, city, **fields)
    reply = s.reply_draft(letter=letter, body=REPLY, actor=staff.east_handler, version=letter.version)
    letter.refresh_from_db()
    return letter, reply


# --- State changes ---------------------------------------------------------------------------------

def test_a_submitted_letter_is_one_entry_with_no_actor_and_none_of_the_writers_data(submit):
    mark = _mark()
    letter, _ = submit()
    entry = _one(mark, "letters.letter.submit", letter, None)
    assert entry.data["after"] == {"status": "screening"} and entry.data["source"] == "web"
    stored = entry.label + json.dumps(entry.data, ensure_ascii=False)
    assert "张晓明" not in stored and "13812345678" not in stored and "zhang@example.com" not in stored


def test_submitting_costs_one_insert_into_the_trail_and_no_read(submit):
    submit(title="预热:内容类型进入缓存")
    with CaptureQueriesContext(connection) as queries:
        submit(title="第二封来信")
    touching = [q["sql"] for q in queries.captured_queries
                if "wagtailcore_" in q["sql"] or "django_content_type" in q["sql"] or "auth_user" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith('INSERT INTO "wagtailcore_modellogentry"')
    # 7 statements before the trail (counter, savepoint, letter, lexicon check, event, mail, release) + 1 insert.
    assert len(queries.captured_queries) == 8


def test_routing_records_the_unit_limit_and_due_date(submit, staff, city):
    letter, _ = submit()
    mark = _mark()
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    entry = _one(mark, "letters.letter.route", letter, staff.dispatcher)
    assert entry.data["before"] == {"status": "screening", "handling_unit": None}
    assert entry.data["after"] == {"status": "routed", "handling_unit": city.district.pk, "time_limit": 10,
                                   "due_on": letter.due_on.isoformat()}


@pytest.mark.parametrize("step, action, status", [
    ("reject", "letters.letter.reject", "not_accepted"),
    ("duplicate", "letters.letter.duplicate", "duplicate"),
    ("spam", "letters.letter.spam", "spam"),
])
def test_each_screening_decision_is_one_entry(submit, staff, step, action, status):
    original, _ = submit(title="先到的来信")
    letter, _ = submit()
    mark = _mark()
    if step == "reject":
        s.letter_reject(letter=letter, reason_code="unclear", actor=staff.dispatcher, version=letter.version)
    elif step == "duplicate":
        s.letter_mark_duplicate(letter=letter, original=original, actor=staff.dispatcher, version=letter.version)
    else:
        s.letter_mark_spam(letter=letter, actor=staff.dispatcher, version=letter.version)
    entry = _one(mark, action, letter, staff.dispatcher)
    assert entry.data["before"] == {"status": "screening"} and entry.data["after"]["status"] == status


def test_assigning_and_noting_are_one_entry_each(submit, staff, city):
    letter, _ = _routed(submit, staff, city)
    mark = _mark()
    letter = s.letter_assign(letter=letter, person=staff.east_handler2, actor=staff.east_handler,
                             version=letter.version)
    entry = _one(mark, "letters.letter.assign", letter, staff.east_handler)
    assert entry.data["before"] == {"status": "routed", "assignee": None}
    assert entry.data["after"] == {"status": "handling", "assignee": staff.east_handler2.pk}
    mark = _mark()
    s.letter_note(letter=letter, text="已电话联系施工方", actor=staff.east_handler, version=letter.version)
    entry = _one(mark, "letters.letter.note", letter, staff.east_handler)
    assert "已电话联系施工方" not in json.dumps(entry.data, ensure_ascii=False)  # the text stays in the letter's history


def test_transfer_and_return_record_the_handling_unit_before_and_after(submit, staff, city):
    letter, _ = _routed(submit, staff, city)
    mark = _mark()
    letter = s.letter_transfer(letter=letter, to_unit=city.dept, reason="属教育事项", actor=staff.east_handler,
                               version=letter.version)
    entry = _one(mark, "letters.letter.transfer", letter, staff.east_handler)
    assert entry.data["before"]["handling_unit"] == city.district.pk
    assert entry.data["after"]["handling_unit"] == city.dept.pk
    mark = _mark()
    letter = s.letter_return(letter=letter, reason="不属本单位职责", actor=staff.edu_handler, version=letter.version)
    entry = _one(mark, "letters.letter.return", letter, staff.edu_handler)
    assert entry.data["before"]["handling_unit"] == city.dept.pk
    assert entry.data["after"] == {"status": "screening", "handling_unit": None, "due_on": None}


def test_an_extension_request_and_its_decision_are_one_entry_each(submit, staff, city):
    letter, _ = _routed(submit, staff, city)
    due = letter.due_on
    mark = _mark()
    extension = s.extension_request(letter=letter, days=5, reason="需现场勘查", actor=staff.east_handler,
                                    version=letter.version)
    entry = _one(mark, "letters.extension.request", letter, staff.east_handler)
    assert entry.data == {"extension": extension.pk, "days": 5}
    mark = _mark()
    s.extension_decide(extension=extension, approve=True, actor=staff.supervisor)
    letter.refresh_from_db()
    entry = _one(mark, "letters.extension.approve", letter, staff.supervisor)
    assert entry.data["before"] == {"extension_days": 0, "due_on": due.isoformat()}
    assert entry.data["after"] == {"extension_days": 5, "due_on": letter.due_on.isoformat()}

    second = s.extension_request(letter=letter, days=3, reason="再需勘查", actor=staff.east_handler, version=letter.version)
    mark = _mark()
    s.extension_decide(extension=second, approve=False, actor=staff.supervisor, note="理由不足")
    assert _one(mark, "letters.extension.refuse", letter, staff.supervisor).data == {"extension": second.pk}


def test_a_draft_reply_and_the_leaders_refusal_are_one_entry_each(submit, staff, city):
    letter, _ = _routed(submit, staff, city)
    mark = _mark()
    reply = s.reply_draft(letter=letter, body=REPLY, actor=staff.east_handler, version=letter.version)
    entry = _one(mark, "letters.reply.draft", letter, staff.east_handler)
    assert entry.data["after"] == {"status": "reply_pending"} and entry.data["reply"] == reply.pk
    letter.refresh_from_db()
    mark = _mark()
    s.reply_decide(reply=reply, approve=False, reason="请补充处理结果", actor=staff.east_leader, version=letter.version)
    entry = _one(mark, "letters.reply.reject", letter, staff.east_leader)
    assert entry.data["before"] == {"status": "reply_pending"} and entry.data["after"] == {"status": "handling"}


@pytest.mark.parametrize("publish, body, decision", [
    (True, None, "letters.letter.publish"),
    (False, None, "letters.letter.not_publish"),
    (True, "附近有人公开销售六合彩,噪音也很大,请管一管。", "letters.letter.publication_hold"),
])
def test_signing_a_reply_is_one_entry_and_the_publication_decision_another(submit, staff, city, publish, body,
                                                                           decision):
    letter, reply = _pending_reply(submit, staff, city, **({"body": body} if body else {}))
    mark = _mark()
    letter = s.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version, publish=publish)
    entries = _since(mark)
    assert [e.action for e in entries] == ["letters.reply.approve", decision]
    assert all(e.user == staff.east_leader and e.object_id == str(letter.pk) for e in entries)
    assert entries[0].data["after"] == {"status": "replied"}
    assert entries[1].data["before"] == {"published": False}
    assert entries[1].data["after"] == {"published": decision == "letters.letter.publish"}


def test_the_writers_rating_is_one_entry_without_an_actor(submit, staff, city):
    letter, reply = _pending_reply(submit, staff, city)
    letter = s.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version)
    mark = _mark()
    letter = s.letter_rate(letter=letter, rating="unsatisfied", comment="晚上还在施工")
    entry = _one(mark, "letters.letter.rate", letter, None)
    assert entry.data["rating"] == "unsatisfied"
    assert entry.data["before"] == {"status": "replied"}
    assert entry.data["after"] == {"status": "handling", "reopened": True}


def test_the_sweep_records_reminding_and_escalation_as_the_system(submit, staff, city):
    letter, _ = _routed(submit, staff, city)
    day_after = letter.due_on + dt.timedelta(days=1)
    mark = _mark()
    s.deadlines_sweep(today=day_after)
    entry = _one(mark, "letters.letter.remind", letter, None)
    assert entry.data["after"] == {"reminded_on": day_after.isoformat()}
    mark = _mark()
    later = s.calendar.add_working_days(day_after, 5).due
    s.deadlines_sweep(today=later)
    assert _one(mark, "letters.letter.escalate", letter, None).data["after"] == {"escalated_on": later.isoformat()}


def test_a_calendar_correction_records_its_values_before_and_after(staff):
    day = timezone.localdate() + dt.timedelta(days=30)
    mark = _mark()
    s.calendar_entry_save(date=day, is_working_day=False, reason="临时休息", actor=staff.supervisor)
    entry = _one(mark, "letters.calendar.create", CalendarEntry.objects.get(date=day), staff.supervisor)
    assert entry.data["after"] == {"is_working_day": False, "reason": "临时休息"}
    mark = _mark()
    s.calendar_entry_save(date=day, is_working_day=True, reason="调休上班", actor=staff.supervisor)
    entry = _one(mark, "letters.calendar.update", CalendarEntry.objects.get(date=day), staff.supervisor)
    assert entry.data["before"] == {"is_working_day": False, "reason": "临时休息"}
    assert entry.data["after"] == {"is_working_day": True, "reason": "调休上班"}


# --- Reads of personal data ---------------------------------------------------------------------------

def test_opening_the_writers_contact_data_is_an_audited_read(submit, staff, city):
    letter, _ = _routed(submit, staff, city)
    mark = _mark()
    s.contact_view(letter=letter, viewer=staff.east_handler, purpose="电话回访")
    entry = _one(mark, "letters.letter.contact_view", letter, staff.east_handler)
    assert entry.data == {"purpose": "电话回访", "fields": ["name", "phone", "email"]}
    mark = _mark()
    with pytest.raises(PermissionRefused):
        s.contact_view(letter=letter, viewer=staff.edu_handler)
    assert _since(mark) == []


def test_staff_downloading_an_attachment_is_an_audited_read_and_a_refusal_writes_nothing(client, submit, staff, city):
    letter, _ = _routed(submit, staff, city, attachments=[("现场说明.txt", "现场情况说明:每晚施工。".encode())])
    item = letter.attachments.get()
    url = f"/admin/letters/{letter.pk}/attachments/{item.pk}/"
    client.force_login(staff.edu_handler)
    mark = _mark()
    assert client.get(url).status_code == 403
    assert _since(mark) == []
    client.force_login(staff.east_handler)
    assert client.get(url).status_code == 200
    entry = _one(mark, "letters.letter.attachment_view", letter, staff.east_handler)
    assert entry.data == {"attachment": item.pk, "name": "现场说明.txt"}


def test_the_writer_reading_their_own_letter_with_the_query_code_writes_no_entry(client, submit, staff, city):
    letter, code = _routed(submit, staff, city, attachments=[("现场说明.txt", "现场情况说明:每晚施工。".encode())])
    item = letter.attachments.get()
    mark = _mark()
    assert client.post("/mailbox/track/", {"code": code, "check": "5678"}).status_code == 200
    assert client.post(f"/mailbox/attachments/{item.pk}/", {"code": code, "check": "5678"}).status_code == 200
    assert _since(mark) == []


# --- The site history report ------------------------------------------------------------------------------

def test_the_site_history_report_names_a_letter_action_in_chinese_and_filters_by_it(client, submit, staff, city,
                                                                                    django_user_model):
    letter, _ = _routed(submit, staff, city)
    s.letter_note(letter=letter, text="先核实工地名称", actor=staff.dispatcher, version=letter.version)
    client.force_login(django_user_model.objects.create_superuser("centre_root", password="pw-Test-2026"))
    page = client.get("/admin/reports/site-history/").content.decode()
    assert "受理来信并分办" in page and "受理分办" in page  # the entry's message, and the action in the filter
    assert letter.serial in page and "来信" in page
    filtered = client.get("/admin/reports/site-history/results/", {"action": "letters.letter.route"}).content.decode()
    assert "受理来信并分办" in filtered and "在来信上记录了备注" not in filtered


def test_a_unit_editor_sees_no_letter_entries_in_the_report(client, submit, staff, city):
    letter, _ = _routed(submit, staff, city)
    client.force_login(city.editor)
    response = client.get("/admin/reports/site-history/results/")
    assert response.status_code == 200
    page = response.content.decode()
    assert letter.serial not in page and "受理来信并分办" not in page
    assert "letters.letter.route" not in client.get("/admin/reports/site-history/").content.decode()
