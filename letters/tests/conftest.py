import pytest

from letters.models import LetterType, Mailbox


@pytest.fixture
def mailboxes(city):
    from types import SimpleNamespace

    types = {
        code: LetterType.objects.create(code=code, name=name, time_limit=limit, sort_order=i)
        for i, (code, name, limit) in enumerate(
            [("consultation", "咨询", 5), ("complaint", "投诉", 13), ("suggestion", "建议", 10), ("help", "求助", 5)]
        )
    }
    return SimpleNamespace(
        mayor=Mailbox.objects.create(unit=city.office, name="市长信箱", code="mayor", email="mayor@mail.cq.gov.cn", is_mayor=True),
        east=Mailbox.objects.create(unit=city.district, name="东区区长信箱", code="east", email="east@mail.cq.gov.cn"),
        edu=Mailbox.objects.create(unit=city.dept, name="市教委信箱", code="edu", email="edu@mail.cq.gov.cn"),
        types=types,
    )


@pytest.fixture
def staff(city, make_user):
    from types import SimpleNamespace

    return SimpleNamespace(
        dispatcher=make_user("mayor_dispatcher", city.office, ["mailbox_handler"], email="dispatch@cq.gov.cn"),
        east_handler=make_user("east_handler", city.district, ["mailbox_handler"], email="east-h@cq.gov.cn"),
        east_handler2=make_user("east_handler2", city.district, ["mailbox_handler"]),
        east_leader=city.leader,
        edu_handler=make_user("edu_handler", city.dept, ["mailbox_handler"], email="edu-h@cq.gov.cn"),
        supervisor=city.supervisor,
    )


@pytest.fixture
def submit(mailboxes):
    from letters.services import letter_submit

    def make(mailbox=None, kind="complaint", **fields):
        values = dict(name="张晓明", phone="13812345678", email="zhang@example.com", title="小区夜间施工噪音扰民",
                      body="东区某工地每晚十一点后仍在施工,噪音很大,影响居民休息,请有关部门管一管。", consent_publish=True)
        values.update(fields)
        return letter_submit(mailbox=mailbox or mailboxes.mayor, letter_type=mailboxes.types[kind], **values)

    return make


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Each test's attachments in a private root of its own. MEDIA_ROOT stays the
    one the /media/ URL serves, so a test can show that URL does not reach them."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = ""
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def replied(submit, staff, city):
    """A letter routed to 东区, answered by its handler and signed by its leader with
    the given publication decision."""
    from letters import services

    def make(publish=True, reply_body="经现场检查,该餐馆已安装油烟净化设施,夜间施工已停止。", **fields):
        letter, code = submit(**fields)
        letter = services.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
        reply = services.reply_draft(letter=letter, body=reply_body, actor=staff.east_handler, version=letter.version)
        letter.refresh_from_db()
        letter = services.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version,
                                       publish=publish)
        return letter, code

    return make
