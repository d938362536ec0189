"""The admin pages of the mailbox's configuration (mailboxes, letter types,
not-accepted reasons, the working-day calendar), through the test client as a
superuser, the management centre's site administrator, 东区's site administrator and
an editor: every save goes through ``letters.configuration`` (an audit entry with
before and after), a rule broken is refused with its reason and nothing stored."""

import datetime as dt
import importlib
import json

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from letters import calendar, configuration, services
from letters.models import CalendarEntry, LetterType, Mailbox, NotAcceptedReason, Notification
from orgs.errors import DomainError, PermissionRefused

pytestmark = pytest.mark.django_db

CALENDAR = "/admin/letters/calendar/"


def url(viewset, view, obj=None):
    return reverse(f"letters_{viewset}:{view}", args=[obj.pk] if obj is not None else [])


def html(response):
    return response.content.decode()


def refused(response):
    """Wagtail answers a page the person may not use by sending them to the dashboard."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def entries(obj, action):
    return ModelLogEntry.objects.filter(content_type__model=obj._meta.model_name, object_id=str(obj.pk), action=action)


def mailbox_data(mailbox, **changes):
    data = {"unit": mailbox.unit_id, "name": mailbox.name, "code": mailbox.code, "email": mailbox.email,
            "scope": mailbox.scope, "sort_order": mailbox.sort_order}
    data.update({flag: "on" for flag in ("is_mayor", "active") if getattr(mailbox, flag)})
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


NEW_MAILBOX = {"name": "测试市人民政府信箱", "code": "gov", "email": "gov@mail.cq.gov.cn", "scope": "", "active": "on",
               "sort_order": "5"}


# --- Mailboxes ------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["superuser", "centre"])
def test_the_management_centre_opens_a_mailbox_through_the_service(client, managers, mailboxes, city, who):
    person = getattr(managers, who)
    client.force_login(person)
    response = client.post(url("mailboxes", "add"), dict(NEW_MAILBOX, unit=city.gov.pk))
    assert response.status_code == 302, html(response)
    mailbox = Mailbox.objects.get(code="gov")
    assert mailbox.unit == city.gov and not mailbox.is_mayor
    entry = entries(mailbox, "letters.mailbox.create").get()
    assert entry.user == person and entry.data["after"]["email"] == "gov@mail.cq.gov.cn"


def test_a_mailbox_without_a_unit_is_refused_and_nothing_stored(client, managers, mailboxes):
    client.force_login(managers.centre)
    response = client.post(url("mailboxes", "add"), dict(NEW_MAILBOX, unit=""))
    assert response.status_code == 200 and "信箱须属于一个单位" in html(response)
    assert not Mailbox.objects.filter(code="gov").exists()


def test_a_mailbox_with_an_address_already_used_is_refused_beside_the_field(client, managers, mailboxes, city):
    client.force_login(managers.centre)
    response = client.post(url("mailboxes", "add"), dict(NEW_MAILBOX, unit=city.gov.pk, email="east@mail.cq.gov.cn"))
    assert response.status_code == 200 and "收信地址" in html(response)
    assert not Mailbox.objects.filter(code="gov").exists()


def test_the_centre_changes_any_mailbox_and_the_change_is_recorded(client, managers, mailboxes):
    east = mailboxes.east
    client.force_login(managers.centre)
    response = client.post(url("mailboxes", "edit", east), mailbox_data(east, email="dongqu@mail.cq.gov.cn"))
    assert response.status_code == 302, html(response)
    east.refresh_from_db()
    assert east.email == "dongqu@mail.cq.gov.cn"
    entry = entries(east, "letters.mailbox.update").get()
    assert entry.data["before"] == {"email": "east@mail.cq.gov.cn"}
    assert entry.data["after"] == {"email": "dongqu@mail.cq.gov.cn"}
    history = client.get(url("mailboxes", "history", east))
    assert history.status_code == 200 and "修改了信箱设置" in html(history)


def test_a_units_admin_changes_the_public_text_of_their_own_mailbox_only(client, managers, mailboxes):
    east = mailboxes.east
    client.force_login(managers.east_admin)
    page = html(client.get(url("mailboxes", "edit", east)))
    assert "由门户网站管理中心设置" in page
    # The address is not theirs to change: the field is shown, what is posted for it is ignored.
    data = mailbox_data(east, name="东区政府信箱", scope="受理东区范围内的咨询、投诉和建议。", email="evil@example.com")
    response = client.post(url("mailboxes", "edit", east), data)
    assert response.status_code == 302, html(response)
    east.refresh_from_db()
    assert (east.name, east.scope, east.email) == ("东区政府信箱", "受理东区范围内的咨询、投诉和建议。", "east@mail.cq.gov.cn")
    entry = entries(east, "letters.mailbox.update").get()
    assert entry.user == managers.east_admin and set(entry.data["after"]) == {"name", "scope"}


def test_a_units_admin_cannot_change_another_units_mailbox(client, managers, mailboxes):
    edu = mailboxes.edu
    client.force_login(managers.east_admin)
    index = html(client.get(url("mailboxes", "index")))
    assert mailboxes.east.name in index and edu.name not in index
    assert client.get(url("mailboxes", "edit", edu)).status_code == 404
    response = client.post(url("mailboxes", "edit", edu), mailbox_data(edu, name="被改掉的信箱"))
    assert response.status_code == 404
    assert client.get(url("mailboxes", "history", edu)).status_code == 404
    edu.refresh_from_db()
    assert edu.name == "市教委信箱" and not entries(edu, "letters.mailbox.update").exists()


def test_a_units_admin_cannot_open_a_mailbox(client, managers, mailboxes, city):
    client.force_login(managers.east_admin)
    assert url("mailboxes", "add") not in html(client.get(url("mailboxes", "index")))
    assert refused(client.post(url("mailboxes", "add"), dict(NEW_MAILBOX, unit=city.district.pk)))
    assert not Mailbox.objects.filter(code="gov").exists()


def test_the_service_refuses_a_units_admin_the_centres_fields(managers, mailboxes):
    with pytest.raises(PermissionRefused, match="收信地址"):
        configuration.mailbox_update(mailbox=mailboxes.east, actor=managers.east_admin, email="x@cq.gov.cn")
    mailboxes.east.refresh_from_db()
    assert mailboxes.east.email == "east@mail.cq.gov.cn"


@pytest.mark.parametrize("who", ["editor", "east_handler"])
def test_people_without_a_site_admin_role_cannot_reach_the_mailbox_settings(client, managers, mailboxes, staff, who):
    person = managers.editor if who == "editor" else staff.east_handler
    client.force_login(person)
    assert refused(client.get(url("mailboxes", "index")))
    assert refused(client.post(url("mailboxes", "edit", mailboxes.east), mailbox_data(mailboxes.east, name="改名")))
    mailboxes.east.refresh_from_db()
    assert mailboxes.east.name == "东区区长信箱"


def test_ticking_the_mayor_on_another_mailbox_moves_the_role_there(client, managers, mailboxes):
    mayor, east = mailboxes.mayor, mailboxes.east
    client.force_login(managers.centre)
    response = client.post(url("mailboxes", "edit", east), mailbox_data(east, is_mayor="on"))
    assert response.status_code == 302, html(response)
    assert list(Mailbox.objects.filter(is_mayor=True)) == [east]
    assert entries(east, "letters.mailbox.update").get().data["after"] == {"is_mayor": True}
    assert entries(mayor, "letters.mailbox.update").get().data["before"] == {"is_mayor": True}


def test_the_mayors_mailbox_cannot_just_stop_being_it(client, managers, mailboxes):
    mayor = mailboxes.mayor
    client.force_login(managers.centre)
    data = mailbox_data(mayor)
    del data["is_mayor"]
    response = client.post(url("mailboxes", "edit", mayor), data)
    assert response.status_code == 200 and "平台须有一个市长信箱" in html(response)
    assert list(Mailbox.objects.filter(is_mayor=True)) == [mayor]


def test_the_database_holds_one_mayors_mailbox_at_most(mailboxes, city):
    with pytest.raises(IntegrityError), transaction.atomic():
        Mailbox.objects.create(unit=city.gov, name="第二个市长信箱", code="mayor2", email="m2@cq.gov.cn", is_mayor=True)


def test_the_first_mailbox_of_the_platform_is_the_mayors(managers, city):
    with pytest.raises(DomainError, match="请先设立市长信箱"):
        configuration.mailbox_create(actor=managers.centre, unit=city.district, name="东区信箱", code="east",
                                     email="east@cq.gov.cn")
    mayor = configuration.mailbox_create(actor=managers.centre, unit=city.office, name="市长信箱", code="mayor",
                                         email="mayor@cq.gov.cn", is_mayor=True)
    assert mayor.is_mayor


# --- Letter types ------------------------------------------------------------------------------

NEW_TYPE = {"code": "report", "name": "举报", "time_limit": "15", "description": "", "active": "on", "sort_order": "9"}


def type_data(letter_type, **changes):
    data = {"code": letter_type.code, "name": letter_type.name, "time_limit": str(letter_type.time_limit),
            "description": letter_type.description, "sort_order": str(letter_type.sort_order)}
    if letter_type.active:
        data["active"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_centre_adds_a_letter_type_through_the_service(client, managers, mailboxes):
    client.force_login(managers.centre)
    response = client.post(url("letter_types", "add"), NEW_TYPE)
    assert response.status_code == 302, html(response)
    letter_type = LetterType.objects.get(code="report")
    assert letter_type.time_limit == 15 and letter_type.revisions.count() == 1
    assert entries(letter_type, "letters.letter_type.create").get().user == managers.centre


@pytest.mark.parametrize("limit", ["0", "61"])
def test_a_time_limit_out_of_bounds_is_refused_and_nothing_stored(client, managers, mailboxes, limit):
    complaint = mailboxes.types["complaint"]
    client.force_login(managers.centre)
    response = client.post(url("letter_types", "add"), dict(NEW_TYPE, time_limit=limit))
    assert response.status_code == 200 and "办理时限应为1到60个工作日" in html(response)
    assert not LetterType.objects.filter(code="report").exists()
    response = client.post(url("letter_types", "edit", complaint), type_data(complaint, time_limit=limit))
    assert response.status_code == 200 and "办理时限应为1到60个工作日" in html(response)
    complaint.refresh_from_db()
    assert complaint.time_limit == 13 and not entries(complaint, "letters.letter_type.update").exists()


def test_a_changed_time_limit_is_recorded_and_applies_to_letters_routed_afterwards(
        client, managers, mailboxes, submit, staff, city):
    complaint = mailboxes.types["complaint"]
    earlier, _ = submit(mailbox=mailboxes.east)
    earlier = services.letter_route(letter=earlier, unit=city.district, actor=staff.east_handler,
                                    version=earlier.version)
    client.force_login(managers.superuser)
    response = client.post(url("letter_types", "edit", complaint), type_data(complaint, time_limit="15"))
    assert response.status_code == 302, html(response)
    entry = entries(complaint, "letters.letter_type.update").get()
    assert (entry.data["before"], entry.data["after"]) == ({"time_limit": 13}, {"time_limit": 15})
    later, _ = submit(mailbox=mailboxes.east)
    later = services.letter_route(letter=later, unit=city.district, actor=staff.east_handler, version=later.version)
    earlier.refresh_from_db()
    assert (earlier.time_limit, later.time_limit) == (13, 15)
    assert "修改了来信类型" in html(client.get(url("letter_types", "history", complaint)))


def test_a_letter_types_code_is_typed_once(managers, mailboxes):
    complaint = mailboxes.types["complaint"]
    with pytest.raises(DomainError, match="代码创建后不能修改"):
        configuration.letter_type_save(actor=managers.centre, instance=complaint, code="complaints", name="投诉",
                                       time_limit=13)


@pytest.mark.parametrize("who", ["east_admin", "editor"])
def test_only_the_centre_reaches_letter_types_and_reasons(client, managers, mailboxes, who):
    complaint = mailboxes.types["complaint"]
    reason = NotAcceptedReason.objects.get(code="unclear")
    client.force_login(getattr(managers, who))
    for viewset in ("letter_types", "not_accepted_reasons"):
        assert refused(client.get(url(viewset, "index")))
    assert refused(client.post(url("letter_types", "add"), NEW_TYPE))
    assert refused(client.post(url("letter_types", "edit", complaint), type_data(complaint, time_limit="30")))
    assert refused(client.post(url("not_accepted_reasons", "edit", reason), reason_data(reason, label="改掉")))
    complaint.refresh_from_db()
    reason.refresh_from_db()
    assert complaint.time_limit == 13 and reason.label == "事实不清、无明确诉求对象或内容空泛"
    assert not LetterType.objects.filter(code="report").exists()


# --- Not-accepted reasons ------------------------------------------------------------------------

def reason_data(reason, **changes):
    data = {"code": reason.code, "label": reason.label, "explanation": reason.explanation,
            "sort_order": str(reason.sort_order)}
    if reason.active:
        data["active"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_migration_seeds_exactly_the_reasons_that_were_constants():
    # The first migration holds the choices the letters were refused with until now.
    initial = importlib.import_module("letters.migrations.0001_initial")
    letter = next(op for op in initial.Migration.operations if getattr(op, "name", "") == "Letter")
    choices = dict(letter.fields)["not_accepted_reason"].choices
    assert len(choices) == 9
    assert list(NotAcceptedReason.objects.order_by("sort_order").values_list("code", "label")) == list(choices)
    assert all(NotAcceptedReason.objects.values_list("active", flat=True))


def test_the_centre_adds_a_reason_and_dispatchers_are_offered_it(client, managers, submit, staff):
    letter, _ = submit()
    client.force_login(managers.centre)
    data = {"code": "anonymous_threat", "label": "以匿名方式恐吓、威胁他人", "explanation": "", "active": "on",
            "sort_order": "95"}
    response = client.post(url("not_accepted_reasons", "add"), data)
    assert response.status_code == 302, html(response)
    reason = NotAcceptedReason.objects.get(code="anonymous_threat")
    assert entries(reason, "letters.not_accepted_reason.create").get().data["after"]["label"] == "以匿名方式恐吓、威胁他人"
    client.force_login(staff.dispatcher)
    assert 'value="anonymous_threat"' in html(client.get(f"/admin/letters/{letter.pk}/"))


def test_a_reason_without_a_label_is_refused_and_nothing_stored(client, managers):
    client.force_login(managers.centre)
    data = {"code": "empty", "label": "", "explanation": "", "active": "on", "sort_order": "1"}
    response = client.post(url("not_accepted_reasons", "add"), data)
    assert response.status_code == 200 and "理由" in html(response)
    assert not NotAcceptedReason.objects.filter(code="empty").exists()


def test_a_deactivated_reason_is_not_offered_but_old_letters_keep_its_label(client, managers, submit, staff):
    old, code = submit(title="推销保健品的广告")
    services.letter_reject(letter=old, reason_code="advertising", actor=staff.dispatcher, version=old.version)
    reason = NotAcceptedReason.objects.get(code="advertising")
    client.force_login(managers.centre)
    edit_page = html(client.get(url("not_accepted_reasons", "edit", reason)))
    assert url("not_accepted_reasons", "delete", reason) not in edit_page
    response = client.post(url("not_accepted_reasons", "edit", reason), reason_data(reason, active=None))
    assert response.status_code == 302, html(response)
    assert entries(reason, "letters.not_accepted_reason.update").get().data["after"] == {"active": False}

    new, _ = submit(title="又一封广告")
    client.force_login(staff.dispatcher)
    assert 'value="advertising"' not in html(client.get(f"/admin/letters/{new.pk}/"))
    with pytest.raises(DomainError, match="请从列表中选择"):
        services.letter_reject(letter=new, reason_code="advertising", actor=staff.dispatcher, version=new.version)
    page = html(client.get(f"/admin/letters/{old.pk}/"))
    assert "广告等无关内容" in page and "该理由已停用" in page
    client.logout()
    status = html(client.post("/mailbox/track/", {"code": code, "check": "5678"}))
    assert "广告等无关内容" in status
    client.force_login(managers.centre)
    assert refused(client.post(url("not_accepted_reasons", "delete", reason)))
    assert NotAcceptedReason.objects.filter(pk=reason.pk).exists()


def test_a_reasons_explanation_reaches_the_citizen(client, submit, staff, mailboxes):
    letter, code = submit(title="咨询楼盘质量纠纷")
    services.letter_reject(letter=letter, reason_code="outside_duties", actor=staff.dispatcher, version=letter.version)
    explanation = NotAcceptedReason.objects.get(code="outside_duties").explanation
    assert explanation and explanation in Notification.objects.get(letter=letter, kind="not_accepted").body
    assert explanation in html(client.post("/mailbox/track/", {"code": code, "check": "5678"}))
    assert explanation in html(client.get(f"/mailbox/write/{mailboxes.mayor.code}/"))


def test_a_reasons_code_is_typed_once_and_the_last_reason_stays_active(managers):
    unclear = NotAcceptedReason.objects.get(code="unclear")
    with pytest.raises(DomainError, match="代码创建后不能修改"):
        configuration.not_accepted_reason_save(actor=managers.centre, instance=unclear, code="vague",
                                               label=unclear.label)
    NotAcceptedReason.objects.exclude(pk=unclear.pk).update(active=False)
    with pytest.raises(DomainError, match="至少要有一个启用的不予受理理由"):
        configuration.not_accepted_reason_save(actor=managers.centre, instance=unclear, code="unclear",
                                               label=unclear.label, active=False)


# --- The working-day calendar --------------------------------------------------------------------

def test_the_centre_keeps_the_calendar_and_a_removal_is_recorded(client, managers, submit, staff, city):
    letter, _ = submit()
    letter = services.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    due = letter.due_on
    day = calendar.add_working_days(timezone.localdate(), 1).due
    client.force_login(managers.centre)  # a site administrator with no mailbox role
    response = client.post(CALENDAR, {"date": day.isoformat(), "is_working_day": "0", "reason": "全市停水停电"})
    assert response.status_code == 302, html(response)
    entry = CalendarEntry.objects.get(date=day)
    letter.refresh_from_db()
    assert letter.due_on > due

    response = client.post(reverse("letters_admin:calendar_remove", args=[entry.pk]))
    assert response.status_code == 302
    page = html(client.get(CALENDAR))
    assert "1 封在办来信的截止日期随之调整" in page and "删除了工作日历的一条调整" in page
    assert not CalendarEntry.objects.exists()
    letter.refresh_from_db()
    assert letter.due_on == due
    removal = ModelLogEntry.objects.get(action="letters.calendar.remove")
    assert removal.user == managers.centre and removal.data["before"]["reason"] == "全市停水停电"


def test_only_supervisors_and_the_centre_remove_calendar_entries(client, managers, staff):
    entry = CalendarEntry.objects.create(date=timezone.localdate(), is_working_day=False, reason="临时休息")
    client.force_login(staff.dispatcher)  # reads the calendar, does not change it
    page = html(client.get(CALENDAR))
    assert "临时休息" in page and reverse("letters_admin:calendar_remove", args=[entry.pk]) not in page
    client.post(reverse("letters_admin:calendar_remove", args=[entry.pk]))
    assert CalendarEntry.objects.filter(pk=entry.pk).exists()
    assert not ModelLogEntry.objects.filter(action="letters.calendar.remove").exists()
    client.force_login(managers.east_admin)  # neither a mailbox role nor the centre
    assert refused(client.get(CALENDAR))
    assert refused(client.post(reverse("letters_admin:calendar_remove", args=[entry.pk])))
    assert CalendarEntry.objects.filter(pk=entry.pk).exists()


def test_the_mayors_mailbox_cannot_be_closed(client, managers, mailboxes):
    mayor = mailboxes.mayor
    client.force_login(managers.centre)
    data = mailbox_data(mayor)
    del data["active"]
    response = client.post(url("mailboxes", "edit", mayor), data)
    assert response.status_code == 200 and "市长信箱不能关闭" in html(response)
    mayor.refresh_from_db()
    assert mayor.active


def test_two_active_letter_types_of_one_name_are_refused(client, managers, mailboxes):
    client.force_login(managers.centre)
    existing = LetterType.objects.filter(active=True).first()
    response = client.post(url("letter_types", "add"), {**NEW_TYPE, "name": existing.name})
    assert response.status_code == 200 and "已有一个启用的来信类型" in html(response)
    assert LetterType.objects.filter(name=existing.name).count() == 1


def test_the_management_centre_finds_the_mailbox_settings_in_the_menu(client, managers, mailboxes):
    def in_menu(label, page):  # the sidebar's items are JSON in the page, non-ASCII escaped
        return json.dumps({"label": label})[1:-1] in page

    client.force_login(managers.centre)
    menu = html(client.get("/admin/"))
    assert in_menu("信箱设置", menu) and in_menu("来信类型", menu) and in_menu("不予受理理由", menu)
    client.force_login(managers.east_admin)
    menu = html(client.get("/admin/"))
    assert in_menu("信箱设置", menu) and not in_menu("来信类型", menu)


def test_calendar_dates_far_from_today_are_refused(staff):
    today = timezone.localdate()
    for far in (today.replace(year=1900), today.replace(year=today.year + 50)):
        with pytest.raises(DomainError, match="只能调整"):
            services.calendar_entry_save(date=far, is_working_day=True, reason="测试", actor=staff.supervisor)
    assert not CalendarEntry.objects.exists()


def test_a_year_without_its_holidays_is_asked_for_on_the_dashboard_until_a_day_is_registered(client, managers, staff):
    from letters.calendar import library_knows, years_to_register

    unknown = next(y for y in range(2026, 2100) if not library_knows(y))
    # From November on, next year is asked for; before, only this year if it is unknown.
    assert years_to_register(dt.date(unknown - 1, 11, 1)) == [unknown]
    assert unknown not in years_to_register(dt.date(unknown - 1, 10, 31))
    assert years_to_register(dt.date(unknown, 3, 1)) == [unknown]

    today = timezone.localdate()
    expected = years_to_register()
    client.force_login(managers.centre)
    dashboard = html(client.get("/admin/"))
    for year in expected:
        assert f"{year}年的法定节假日和调休安排尚未载入工作日历" in dashboard
        assert f"{year}年" in html(client.get(CALENDAR))
    client.force_login(staff.east_handler)  # reads deadlines, does not keep the calendar
    assert "尚未载入工作日历" not in html(client.get("/admin/"))

    CalendarEntry.objects.create(date=dt.date(unknown, 1, 1), is_working_day=False, reason="元旦")
    assert unknown not in years_to_register(dt.date(unknown - 1, 12, 1))
    client.force_login(managers.centre)
    if expected == [unknown] and today.year in (unknown, unknown - 1):
        assert "尚未载入工作日历" not in html(client.get("/admin/"))
