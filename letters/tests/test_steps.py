import datetime as dt

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from letters import services as s
from letters.models import Event, Letter, Notification, Status
from orgs.errors import DomainError, NotFound, PermissionRefused


@pytest.mark.django_db
def test_submission_stores_the_letter_and_gives_an_unguessable_code(submit):
    letter, code = submit()
    assert len(code) == 14 and code.count("-") == 2
    assert letter.status == Status.SCREENING
    assert code not in (letter.query_code_hash, letter.query_nonce)
    assert s.letter_find(code=code, check="5678").pk == letter.pk
    assert s.letter_find(code=code.lower().replace("-", ""), check="5678").pk == letter.pk
    assert Event.objects.filter(letter=letter, kind="submitted").exists()
    receipt = Notification.objects.get(letter=letter, kind="received")
    assert receipt.to == "zhang@example.com" and code in receipt.body


@pytest.mark.django_db
def test_a_wrong_code_or_second_factor_finds_nothing(submit):
    letter, code = submit()
    for bad_code, check in ((code, "0000"), ("ABCD-EFGH-JKMN", "5678"), ("not a code", "5678"), (code, "")):
        with pytest.raises(NotFound):
            s.letter_find(code=bad_code, check=check)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, message",
    [
        ({"phone": "12345"}, "手机号码"),
        ({"email": "not-an-email"}, "电子邮箱"),
        ({"title": ""}, "标题"),
        ({"title": "长" * 101}, "标题"),
        ({"body": "太短"}, "至少10个字"),
        ({"body": "字" * 5001}, "内容过长"),
        ({"attachments": [("病毒.exe", b"MZ\x90\x00")]}, "附件"),
        ({"attachments": [("a.txt", b"x")] * 4}, "附件最多"),
    ],
)
def test_malformed_letters_are_refused_and_nothing_is_stored(submit, fields, message):
    with pytest.raises(DomainError, match=message):
        submit(**fields)
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_an_idempotency_key_makes_one_letter(submit):
    first, code1 = submit(idempotency_key="app-123")
    second, code2 = submit(idempotency_key="app-123")
    assert first.pk == second.pk and code1 == code2
    assert Letter.objects.count() == 1


@pytest.mark.django_db
def test_route_from_the_mayors_mailbox_gets_ten_working_days(submit, staff, city):
    letter, _ = submit()
    assert s.route_suggestion(letter) == city.district  # the letter mentions 东区
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    assert letter.status == Status.ROUTED and letter.time_limit == 10
    assert letter.due_on == s.calendar.add_working_days(timezone.localdate(), 10).due
    assert "10 个工作日" in s.deadline_explanation(letter)
    kinds = set(Notification.objects.filter(letter=letter).values_list("kind", flat=True))
    assert {"received", "accepted", "assigned"} <= kinds


@pytest.mark.django_db
def test_a_unit_mailbox_letter_takes_its_types_limit(submit, staff, city, mailboxes):
    letter, _ = submit(mailbox=mailboxes.east, kind="consultation")
    assert s.route_suggestion(letter) == city.district
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.east_handler, version=letter.version)
    assert letter.time_limit == 5


@pytest.mark.django_db
def test_only_a_supervisor_sets_another_limit(submit, staff, city):
    letter, _ = submit()
    with pytest.raises(PermissionRefused):
        s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version, time_limit=3)
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.supervisor, version=letter.version, time_limit=3)
    assert letter.time_limit == 3


@pytest.mark.django_db
def test_not_accepted_duplicate_and_spam_keep_the_letter(submit, staff):
    a, _ = submit()
    b, _ = submit(title="重复来信")
    c, _ = submit(title="广告")
    d, _ = submit(title="其他")
    with pytest.raises(DomainError, match="列表中选择"):
        s.letter_reject(letter=a, reason_code="because", actor=staff.dispatcher, version=a.version)
    a = s.letter_reject(letter=a, reason_code="outside_duties", actor=staff.dispatcher, version=a.version, note="请咨询物业公司")
    assert a.status == Status.NOT_ACCEPTED
    assert "不属于政府职责范围" in Notification.objects.get(letter=a, kind="not_accepted").body
    b = s.letter_mark_duplicate(letter=b, original=d, actor=staff.dispatcher, version=b.version)
    assert b.duplicate_of == d and Letter.objects.filter(pk=b.pk).exists()
    c = s.letter_mark_spam(letter=c, actor=staff.dispatcher, version=c.version)
    assert c.status == Status.SPAM and Letter.objects.count() == 4


@pytest.mark.django_db
def test_outsiders_cannot_screen_or_handle(submit, staff, city):
    letter, _ = submit()
    with pytest.raises(PermissionRefused):
        s.letter_route(letter=letter, unit=city.district, actor=staff.edu_handler, version=letter.version)
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    with pytest.raises(PermissionRefused):
        s.reply_draft(letter=letter, body="我们已经处理完毕,谢谢来信。", actor=staff.edu_handler, version=letter.version)


@pytest.mark.django_db
def test_two_people_acting_at_once_cannot_overwrite_each_other(submit, staff, city):
    letter, _ = submit()
    seen_version = letter.version
    s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=seen_version)
    with pytest.raises(DomainError, match="刚被他人处理过"):
        s.letter_reject(letter=letter, reason_code="unclear", actor=staff.dispatcher, version=seen_version)
    assert Letter.objects.get(pk=letter.pk).status == Status.ROUTED


@pytest.mark.django_db
def test_transfer_to_a_unit_that_does_not_exist_changes_nothing(submit, staff, city):
    letter, _ = submit()
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    with pytest.raises(NotFound, match="没有这个单位"):
        s.letter_transfer(letter=letter, to_unit=999999, reason="不属本单位", actor=staff.east_handler, version=letter.version)
    letter.refresh_from_db()
    assert letter.handling_unit == city.district
    letter = s.letter_transfer(letter=letter, to_unit=city.dept.code, reason="属教育事项", actor=staff.east_handler, version=letter.version)
    assert letter.handling_unit == city.dept
    assert "转测试市教育委员会" in Notification.objects.get(letter=letter, kind="transferred").body


@pytest.mark.django_db
def test_return_within_two_working_days_only(submit, staff, city):
    letter, _ = submit()
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    Letter.objects.filter(pk=letter.pk).update(routed_at=timezone.now() - dt.timedelta(days=10))
    letter.refresh_from_db()
    with pytest.raises(DomainError, match="不能退回"):
        s.letter_return(letter=letter, reason="不属本单位职责", actor=staff.east_handler, version=letter.version)
    Letter.objects.filter(pk=letter.pk).update(routed_at=timezone.now())
    letter.refresh_from_db()
    letter = s.letter_return(letter=letter, reason="不属本单位职责", actor=staff.east_handler, version=letter.version)
    assert letter.status == Status.SCREENING and letter.handling_unit is None


@pytest.mark.django_db
def test_extension_needs_a_reason_a_supervisor_and_the_citizen_is_told(submit, staff, city):
    letter, _ = submit()
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    due = letter.due_on
    with pytest.raises(DomainError, match="延期理由"):
        s.extension_request(letter=letter, days=5, reason=" ", actor=staff.east_handler, version=letter.version)
    ext = s.extension_request(letter=letter, days=5, reason="需现场勘查", actor=staff.east_handler, version=letter.version)
    with pytest.raises(PermissionRefused):
        s.extension_decide(extension=ext, approve=True, actor=staff.east_handler)
    s.extension_decide(extension=ext, approve=True, actor=staff.supervisor)
    letter.refresh_from_db()
    assert letter.due_on > due and letter.extension_days == 5
    assert "需现场勘查" in Notification.objects.get(letter=letter, kind="extended").body


@pytest.mark.django_db
def test_no_extension_after_the_deadline(submit, staff, city):
    letter, _ = submit()
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    Letter.objects.filter(pk=letter.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    letter.refresh_from_db()
    with pytest.raises(DomainError, match="已超过办理期限"):
        s.extension_request(letter=letter, days=5, reason="需现场勘查", actor=staff.east_handler, version=letter.version)


def _replied(submit, staff, city, publish=True, **fields):
    letter, code = submit(**fields)
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    letter = s.letter_assign(letter=letter, person=staff.east_handler2, actor=staff.east_handler, version=letter.version)
    reply = s.reply_draft(letter=letter, body="经核查,该工地已被责令夜间停工,城管部门将持续巡查。", actor=staff.east_handler2, version=letter.version)
    letter.refresh_from_db()
    with pytest.raises(PermissionRefused):
        s.reply_decide(reply=reply, approve=True, actor=staff.east_handler, version=letter.version)
    letter = s.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version, publish=publish)
    return letter, code


@pytest.mark.django_db
def test_the_leader_approves_the_reply_before_it_is_sent_and_published(submit, staff, city):
    letter, _ = _replied(submit, staff, city)
    assert letter.status == Status.REPLIED and letter.replied_at
    assert letter.published
    assert "已被责令夜间停工" in Notification.objects.get(letter=letter, kind="replied").body


@pytest.mark.django_db
def test_a_screening_hit_holds_publication_the_leader_asked_for(submit, staff, city):
    letter, _ = _replied(submit, staff, city, body="附近有人公开销售六合彩,噪音也很大,请管一管。")
    assert letter.status == Status.REPLIED and not letter.published
    held = Event.objects.get(letter=letter, kind="publication_held")
    assert "六合彩" in held.reason and held.actor == staff.east_leader and not held.public
    assert letter.public_title == letter.public_body == ""


@pytest.mark.django_db
def test_unsatisfied_reopens_once_then_closes(submit, staff, city):
    letter, _ = _replied(submit, staff, city)
    letter = s.letter_rate(letter=letter, rating="unsatisfied", comment="晚上还在施工")
    assert letter.status == Status.HANDLING and letter.reopened and letter.due_on
    reply = s.reply_draft(letter=letter, body="已再次现场检查并处罚施工单位,夜间施工已停止。", actor=staff.east_handler, version=letter.version)
    letter.refresh_from_db()
    letter = s.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version)
    letter = s.letter_rate(letter=letter, rating="unsatisfied")
    assert letter.status == Status.CLOSED
    with pytest.raises(DomainError, match="已答复"):
        s.letter_rate(letter=letter, rating="satisfied")


@pytest.mark.django_db
def test_calendar_change_moves_open_deadlines(submit, staff, city):
    letter, _ = submit()
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    due = letter.due_on
    first_working = s.calendar.add_working_days(timezone.localdate(), 1).due
    with pytest.raises(PermissionRefused):
        s.calendar_entry_save(date=first_working, is_working_day=False, reason="临时休息", actor=staff.dispatcher)
    assert s.calendar_entry_save(date=first_working, is_working_day=False, reason="临时休息", actor=staff.supervisor) == 1
    letter.refresh_from_db()
    assert letter.due_on > due


@pytest.mark.django_db
def test_reminder_the_day_after_and_escalation_five_working_days_later(submit, staff, city):
    letter, _ = submit()
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    due = letter.due_on
    assert not s.is_overdue(letter, today=due)
    assert s.is_overdue(letter, today=due + dt.timedelta(days=1))
    day_after = due + dt.timedelta(days=1)
    assert s.deadlines_sweep(today=day_after) == {"reminded": 1, "escalated": 0}
    assert s.deadlines_sweep(today=day_after) == {"reminded": 0, "escalated": 0}
    later = s.calendar.add_working_days(day_after, 5).due
    assert s.deadlines_sweep(today=later) == {"reminded": 0, "escalated": 1}
    kinds = list(Event.objects.filter(letter=letter).values_list("kind", flat=True))
    assert "reminded" in kinds and "escalated" in kinds
    assert Notification.objects.filter(letter=letter, kind="overdue", to="east-h@cq.gov.cn").exists()


@pytest.mark.django_db
def test_contact_data_only_for_units_the_letter_reached_and_every_view_is_logged(submit, staff, city):
    letter, _ = submit()
    with pytest.raises(PermissionRefused):
        s.contact_view(letter=letter, viewer=staff.edu_handler)
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    assert s.contact_view(letter=letter, viewer=staff.east_handler)["phone"] == "13812345678"
    assert s.contact_view(letter=letter, viewer=staff.supervisor)["name"] == "张晓明"
    views = ModelLogEntry.objects.filter(object_id=str(letter.pk), action="letters.letter.contact_view")
    assert sorted(views.values_list("user__username", flat=True)) == sorted([staff.east_handler.username,
                                                                            staff.supervisor.username])
    with pytest.raises(PermissionRefused):
        s.contact_view(letter=letter, viewer=staff.edu_handler)


@pytest.mark.django_db
def test_serials_continue_after_letters_the_counter_never_saw(submit):
    from letters.models import SerialCounter

    first, _ = submit(title="第一封")
    second, _ = submit(title="第二封")
    SerialCounter.objects.all().delete()  # as after a restore or on the day of deployment
    third, _ = submit(title="第三封")
    SerialCounter.objects.update(last=0)  # a counter that fell behind
    fourth, _ = submit(title="第四封")
    numbers = [int(letter.serial[9:]) for letter in (first, second, third, fourth)]
    assert numbers == sorted(set(numbers)) and numbers[2] == numbers[1] + 1
    assert Letter.objects.count() == 4


@pytest.mark.django_db
def test_whoever_drafted_a_reply_cannot_sign_it_off(submit, staff, city, django_user_model):
    """Separation of duties: a superuser may draft and may sign off, but not both of one reply."""
    root = django_user_model.objects.create_superuser("platform_root", "root@cq.gov.cn", "pw-Test-2026")
    letter, _ = submit()
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    reply = s.reply_draft(letter=letter, body="经核查,该工地已被责令夜间停工,城管部门将持续巡查。", actor=root,
                          version=letter.version)
    letter.refresh_from_db()
    with pytest.raises(PermissionRefused, match="拟稿人以外"):
        s.reply_decide(reply=reply, approve=True, actor=root, version=letter.version)
    letter.refresh_from_db()
    assert letter.status == Status.REPLY_PENDING
    assert s.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version).status == \
        Status.REPLIED
