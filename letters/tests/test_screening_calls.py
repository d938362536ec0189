"""Letters are screened as written by the one screening service."""

import pytest

from letters import services as s
from letters.models import Event


def _replied(submit, staff, city, **fields):
    letter, _ = submit(**fields)
    letter = s.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    letter = s.letter_assign(letter=letter, person=staff.east_handler2, actor=staff.east_handler, version=letter.version)
    reply = s.reply_draft(letter=letter, body="经核查,已责令整改,有关部门将持续巡查。", actor=staff.east_handler2,
                          version=letter.version)
    letter.refresh_from_db()
    return s.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version, publish=True)


@pytest.mark.django_db
@pytest.mark.parametrize("fields", [
    {"body": "附近有人公开销售六 合 彩,噪音也很大,请管一管。"},
    {"body": "附近有人公开销售六\u200b合\u200c彩,请管一管。"},
    {"body": "附近有人公开销售ＬＨＣ六.合.彩,请管一管。"},
    {"title": "<六合彩>销售点扰民"},
])
def test_a_letter_with_an_evasive_term_is_held_from_publication(submit, staff, city, fields):
    letter = _replied(submit, staff, city, **fields)
    assert not letter.published
    assert Event.objects.filter(letter=letter, kind="publication_held").exists()


@pytest.mark.django_db
def test_the_screening_at_submission_sees_a_title_with_angle_brackets(submit):
    letter, _ = submit(title="关于<六合彩>的投诉", body="楼下每天都有人聚集,请有关部门管一管。")
    assert Event.objects.get(letter=letter, kind="submitted").data["screening"] == ["六合彩"]
