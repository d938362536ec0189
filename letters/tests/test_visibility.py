"""Who sees what in the mailbox: each rule has a test that fails when the rule is
dropped, and each asserts what IS on the page as well as what is not (issue 7)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from letters import services
from letters.models import Letter
from orgs.errors import NotFound

pytestmark = pytest.mark.django_db

QUEUE = "/admin/letters/"


def page_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def serials(html):
    return set(re.findall(r"X\d{13}", html))


@pytest.fixture
def two_units(submit, staff, city, mailboxes, make_user):
    """Letters of 东区 and of 市教委 in every state a queue tab lists."""
    from types import SimpleNamespace

    def route(unit, **fields):
        letter, _ = submit(**fields)
        return services.letter_route(letter=letter, unit=unit, actor=staff.dispatcher, version=letter.version)

    edu_leader = make_user("edu_leader", city.dept, ["leader"])
    east_open, edu_open = route(city.district, title="东区在办"), route(city.dept, title="教委在办")
    east_late, edu_late = route(city.district, title="东区超期"), route(city.dept, title="教委超期")
    Letter.objects.filter(pk__in=[east_late.pk, edu_late.pk]).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    east_sign, edu_sign = route(city.district, title="东区待签"), route(city.dept, title="教委待签")
    services.reply_draft(letter=east_sign, body="经核查,问题已经解决,感谢来信。", actor=staff.east_handler, version=east_sign.version)
    services.reply_draft(letter=edu_sign, body="经核查,问题已经解决,感谢来信。", actor=staff.edu_handler, version=edu_sign.version)
    east_ext, edu_ext = route(city.district, title="东区延期"), route(city.dept, title="教委延期")
    services.extension_request(letter=east_ext, days=3, reason="需现场核查", actor=staff.east_handler, version=east_ext.version)
    services.extension_request(letter=edu_ext, days=3, reason="需现场核查", actor=staff.edu_handler, version=edu_ext.version)
    east_new, _ = submit(mailbox=mailboxes.east, title="写给东区的新信")
    edu_new, _ = submit(mailbox=mailboxes.edu, title="写给教委的新信")
    mayor_new, _ = submit(title="写给市长的新信")
    return SimpleNamespace(**{k: v.serial if hasattr(v, "serial") else v for k, v in locals().items()
                              if k not in ("route", "submit", "staff", "city", "mailboxes", "make_user")})


@pytest.mark.parametrize("person, tab, sees, not_sees", [
    ("east_handler", "screening", {"east_new"}, {"edu_new", "mayor_new"}),
    ("edu_handler", "screening", {"edu_new"}, {"east_new", "mayor_new"}),
    ("dispatcher", "screening", {"east_new", "edu_new", "mayor_new"}, set()),
    ("east_handler", "mine", {"east_open", "east_late", "east_sign", "east_ext"}, {"edu_open", "edu_late", "edu_sign"}),
    ("edu_handler", "mine", {"edu_open", "edu_late", "edu_sign", "edu_ext"}, {"east_open", "east_late", "east_sign"}),
    ("east_leader", "sign", {"east_sign"}, {"edu_sign", "east_open"}),
    ("edu_leader", "sign", {"edu_sign"}, {"east_sign", "edu_open"}),
    ("east_handler", "overdue", {"east_late"}, {"edu_late", "east_open"}),
    ("edu_handler", "overdue", {"edu_late"}, {"east_late", "edu_open"}),
    ("supervisor", "overdue", {"east_late", "edu_late"}, {"east_open", "edu_open"}),
    ("supervisor", "extensions", {"east_ext", "edu_ext"}, {"east_open", "edu_open"}),
    ("supervisor", "all", {"east_open", "edu_open", "east_new", "edu_new", "mayor_new"}, set()),
])
def test_each_tab_of_the_queue_lists_a_units_own_letters_only(client, staff, two_units, person, tab, sees, not_sees):
    user = two_units.edu_leader if person == "edu_leader" else getattr(staff, person)
    client.force_login(user)
    html = page_of(client, f"{QUEUE}?tab={tab}")
    assert f"tab={tab}" in html
    shown = serials(html)
    assert {getattr(two_units, name) for name in sees} <= shown, tab
    assert not ({getattr(two_units, name) for name in not_sees} & shown), tab


@pytest.mark.parametrize("tab", ["all", "extensions"])
def test_a_units_handler_asking_for_a_supervisors_tab_gets_only_their_own_letters(client, staff, two_units, tab):
    client.force_login(staff.east_handler)
    shown = serials(page_of(client, f"{QUEUE}?tab={tab}"))
    assert shown and all(s in {two_units.east_new, two_units.east_open, two_units.east_late, two_units.east_sign,
                               two_units.east_ext} for s in shown)


def test_supervisors_by_role_and_by_their_units_flag_read_every_units_letters(client, staff, city, two_units, make_user):
    from orgs.services import unit_create

    inspection = unit_create(name="测试市政府督查室", code="inspect", kind="supervision_office", parent=city.gov,
                             sees_all_units=True)
    by_flag = make_user("inspect_leader", inspection, ["leader"])  # no supervisor role: the unit's flag
    by_role = make_user("edu_supervisor", city.dept, ["supervisor"])  # supervisor role in an ordinary unit
    plain = make_user("edu_leader2", city.dept, ["leader"])  # neither
    edu_letter = Letter.objects.get(serial=two_units.edu_open)
    east_letter = Letter.objects.get(serial=two_units.east_open)
    for person in (by_flag, by_role):
        client.force_login(person)
        shown = serials(page_of(client, f"{QUEUE}?tab=all"))
        assert {two_units.east_open, two_units.edu_open, two_units.mayor_new} <= shown, person
        assert client.get(f"{QUEUE}{east_letter.pk}/").status_code == 200
    client.force_login(plain)
    assert client.get(f"{QUEUE}{edu_letter.pk}/").status_code == 200
    response = client.get(f"{QUEUE}{east_letter.pk}/")
    assert response.status_code in (302, 403) and "东区在办" not in response.content.decode()
    # the flag lets read, not decide: extensions stay with the supervisor role
    client.force_login(by_flag)
    assert "tab=extensions" not in page_of(client, QUEUE + "?tab=all")
    client.force_login(by_role)
    assert "tab=extensions" in page_of(client, QUEUE + "?tab=all")


def test_a_letter_without_a_phone_is_tracked_by_its_e_mail_address(client, mailboxes):
    letter, code = services.letter_submit(
        mailbox=mailboxes.mayor, letter_type=mailboxes.types["complaint"], name="李华", phone="", email="Li.Hua@example.com",
        title="通过邮件反映的问题", body="小区门口的下水道堵塞一个月了,请有关部门尽快疏通。", source="email",
    )
    assert services.letter_find(code=code, check="li.hua@example.com").pk == letter.pk  # any case
    for wrong in ("other@example.com", "", "5678", "example.com"):
        with pytest.raises(NotFound):
            services.letter_find(code=code, check=wrong)
    found = client.post("/mailbox/track/", {"code": code, "check": "Li.Hua@example.com"})
    assert found.status_code == 200 and letter.serial in found.content.decode()
    refused = client.post("/mailbox/track/", {"code": code, "check": "other@example.com"})
    assert refused.status_code == 404 and letter.serial not in refused.content.decode()
    api = client.post("/api/v1/letters/track", {"query_code": code, "check": "li.hua@example.com"},
                      content_type="application/json")
    assert api.status_code == 200 and api.json()["serial"] == letter.serial


def test_a_letter_with_a_phone_is_not_tracked_by_its_e_mail_address(client, submit):
    letter, code = submit()
    with pytest.raises(NotFound):
        services.letter_find(code=code, check="zhang@example.com")
    assert services.letter_find(code=code, check="5678").pk == letter.pk


# --- Issue point 8: the mailbox bullets -----------------------------------------------------------

def test_the_routing_note_stays_internal_and_the_citizen_reads_only_the_note_for_them(client, submit, staff, city):
    letter, code = submit()
    client.force_login(staff.dispatcher)
    page = page_of(client, f"{QUEUE}{letter.pk}/")
    assert "内部分办说明(仅工作人员可见)" in page and "告知来信人" in page
    response = client.post(f"{QUEUE}{letter.pk}/", {
        "action": "route", "version": letter.version, "unit": city.district.pk,
        "reason": "该工地与街道关系复杂,请区城管局牵头", "citizen_note": "请保持电话畅通,办理人员会与您联系",
    })
    assert response.status_code == 302
    staff_page = page_of(client, f"{QUEUE}{letter.pk}/")
    assert "该工地与街道关系复杂" in staff_page  # staff still read it
    client.logout()

    tracking = client.post("/mailbox/track/", {"code": code, "check": "5678"})
    text = tracking.content.decode()
    assert tracking.status_code == 200
    assert "受理,转测试市东区人民政府办理" in text and "请保持电话畅通,办理人员会与您联系" in text
    assert "关系复杂" not in text and "牵头" not in text
    api = client.post("/api/v1/letters/track", {"query_code": code, "check": "5678"}, content_type="application/json")
    events = " ".join(e["text"] for e in api.json()["events"])
    assert "请保持电话畅通" in events and "关系复杂" not in events


@pytest.mark.parametrize("mailbox_code, unit_attr", [("mayor", "district"), ("mayor", "office"), ("east", "district")])
def test_the_time_limits_on_the_write_form_are_the_ones_routing_applies(client, mailboxes, staff, city, mailbox_code,
                                                                         unit_attr):
    mailbox = getattr(mailboxes, mailbox_code)
    page = page_of(client, f"/mailbox/write/{mailbox_code}/")
    for code, letter_type in mailboxes.types.items():
        option = re.search(rf'<option value="{letter_type.pk}" data-time-limit="(\d+)"[^>]*>([^<]*)</option>', page)
        assert option, code
        unit = getattr(city, unit_attr)
        letter, _ = services.letter_submit(mailbox=mailbox, letter_type=letter_type, name="王丽", phone="13987654321",
                                           title=f"关于{letter_type.name}的来信", body="东区滨江路的路灯坏了一个星期,请尽快修复。")
        actor = staff.dispatcher if mailbox.is_mayor else staff.east_handler
        letter = services.letter_route(letter=letter, unit=unit, actor=actor, version=letter.version)
        shown = f"{letter.time_limit} 个工作日内答复"
        assert shown in option.group(2), (code, option.group(2), letter.time_limit)
        if unit != mailbox.unit:
            assert int(option.group(1)) == letter.time_limit


def test_each_units_published_letters_link_lists_that_units_letters(client, submit, staff, city, kinds, replied,
                                                                    make_user):
    from portal.models import ColumnPage
    from portal.services import page_create

    east, _ = replied(title="东区的公开信")
    other, _ = submit(title="教委的公开信")
    other = services.letter_route(letter=other, unit=city.dept, actor=staff.dispatcher, version=other.version)
    reply = services.reply_draft(letter=other, body="已督促学校整改,感谢来信。", actor=staff.edu_handler, version=other.version)
    leader = make_user("edu_leader")  # no leader at 教委 in the fixture: give one
    from orgs.services import membership_grant

    membership_grant(user=leader, unit=city.dept, role="leader")
    other.refresh_from_db()
    services.reply_decide(reply=reply, approve=True, actor=leader, version=other.version, publish=True)

    page_create(parent=city.district_site.site.root_page.specific,
                page=ColumnPage(title="互动交流", slug="hudong", kind=kinds["interaction"]), publish=True)
    column = page_of(client, "/s/east/hudong/")
    link = re.search(r'<a href="([^"]+)">本单位信件公开</a>', column).group(1)
    listing = page_of(client, link)
    assert "东区的公开信" in listing and "教委的公开信" not in listing
    assert re.search(r'<option value="east" selected>', listing)  # the filter shows which unit is listed
    assert "教委的公开信" in page_of(client, "/mailbox/letters/unit/edu/") and "东区的公开信" not in page_of(
        client, "/mailbox/letters/unit/edu/")


def test_a_units_handler_finds_its_answered_letters_again_and_no_other_units(client, staff, two_units):
    from letters.models import Letter as L

    for serial, leader in ((two_units.east_sign, staff.east_leader), (two_units.edu_sign, two_units.edu_leader)):
        letter = L.objects.get(serial=serial)
        services.reply_decide(reply=letter.replies.get(), approve=True, actor=leader, version=letter.version)
    client.force_login(staff.east_handler)
    shown = serials(page_of(client, f"{QUEUE}?tab=done"))
    assert two_units.east_sign in shown
    assert two_units.edu_sign not in shown and two_units.east_open not in shown


def test_the_letter_types_api_promises_the_limit_routing_applies(client, mailboxes, staff, city):
    listed = {item["code"]: item for item in client.get("/api/v1/letter-types").json()}
    for code, letter_type in mailboxes.types.items():
        letter, _ = services.letter_submit(mailbox=mailboxes.mayor, letter_type=letter_type, name="王丽",
                                           phone="13987654321", title=f"关于{letter_type.name}的来信",
                                           body="东区滨江路的路灯坏了一个星期,请尽快修复。")
        letter = services.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
        assert listed[code]["assigned_time_limit"] == letter.time_limit, code
