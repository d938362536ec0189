"""Publication is the leader's decision; only the masked text is ever public (issue 7)."""
# The room number (1507) cannot be read as a month and day, so it never matches a
# letter serial (X + YYYYMMDD + number) on the day the test runs.

import re

import pytest
from django.utils import timezone

from letters import services
from letters.models import Event, Status
from orgs.errors import DomainError

pytestmark = pytest.mark.django_db

LIST = "/mailbox/letters/"
PERSONAL_BODY = ("我叫张晓明,住在东区民族路188号龙湖花园5栋2单元1507,电话13812345678,身份证500103199001011234。"
                 "楼下餐馆油烟直排,请环保部门检查。")


def links(html):
    return re.findall(r'href="/mailbox/letters/(X\d+)/"', html)


def test_publishing_is_recorded_and_the_page_shows_number_type_dates_unit_and_rating(client, replied, staff):
    letter, code = replied(publish=True, title="张晓明反映餐馆油烟扰民", body=PERSONAL_BODY)
    assert letter.published and letter.public_title == "张**反映餐馆油烟扰民"
    event = Event.objects.get(letter=letter, kind="published")
    assert event.actor == staff.east_leader and event.public
    services.letter_rate(letter=letter, rating="basically")

    response = client.get(f"{LIST}{letter.serial}/")
    assert response.status_code == 200
    page = response.content.decode()
    fields = dict(re.findall(r'data-field="(\w+)">([^<]*)<', page))
    assert fields["serial"] == letter.serial and fields["type"] == "投诉"
    assert fields["received"] == timezone.localtime(letter.received_at).strftime("%Y-%m-%d %H:%M")
    assert fields["replied"] == timezone.localtime(letter.replied_at).strftime("%Y-%m-%d %H:%M")
    assert fields["unit"] == "测试市东区人民政府" and fields["rating"] == "基本满意"
    assert "<title>张**反映餐馆油烟扰民 · 信件公开" in page  # the page title is masked too
    assert "油烟直排" in page and "已安装油烟净化设施" in page
    for secret in ("张晓明", "13812345678", "500103199001011234", "188号", "1507"):
        assert secret not in page, secret


def test_deciding_not_to_publish_keeps_the_letter_off_every_public_page(client, replied, staff):
    shown, _ = replied(publish=True, title="路灯不亮")
    kept, _ = replied(publish=False, title="小区油烟扰民")
    assert kept.status == Status.REPLIED and not kept.published and kept.public_body == ""
    decision = Event.objects.get(letter=kept, kind="not_published")
    assert decision.actor == staff.east_leader and not decision.public
    listing = client.get(LIST)
    assert listing.status_code == 200 and links(listing.content.decode()) == [shown.serial]
    assert client.get(f"{LIST}{kept.serial}/").status_code == 404
    assert client.get(f"{LIST}{shown.serial}/").status_code == 200


def test_publishing_without_the_writers_consent_is_refused_and_changes_nothing(submit, staff, city):
    letter, _ = submit(consent_publish=False)
    letter = services.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    reply = services.reply_draft(letter=letter, body="经核查,该工地已被责令夜间停工。", actor=staff.east_handler,
                                 version=letter.version)
    letter.refresh_from_db()
    with pytest.raises(DomainError, match="未同意公开") as refused:
        services.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version, publish=True)
    assert refused.value.code == "no_consent"
    letter.refresh_from_db()
    reply.refresh_from_db()
    assert letter.status == Status.REPLY_PENDING and reply.approved_at is None and not letter.published
    # the same sign-off without publication goes through
    letter = services.reply_decide(reply=reply, approve=True, actor=staff.east_leader, version=letter.version)
    assert letter.status == Status.REPLIED and not letter.published
    assert Event.objects.get(letter=letter, kind="not_published").reason == "来信人未同意公开"


def test_letters_without_consent_or_held_by_screening_are_not_listed_or_shown(client, replied):
    shown, _ = replied(title="路灯不亮")
    no_consent, _ = replied(publish=False, consent_publish=False, title="不同意公开的来信")
    held, _ = replied(title="六合彩", body="附近有人公开销售六合彩,噪音也很大,请管一管。")
    assert Event.objects.filter(letter=held, kind="publication_held").exists() and not held.published
    listing = client.get(LIST)
    assert listing.status_code == 200 and links(listing.content.decode()) == [shown.serial]
    for letter in (no_consent, held):
        assert client.get(f"{LIST}{letter.serial}/").status_code == 404
        assert client.get(LIST, {"q": letter.title}).content.decode().count("/mailbox/letters/X") == 0


def test_the_leader_sees_the_public_version_beside_the_original_and_decides(client, submit, staff, city):
    letter, _ = submit(title="张晓明反映餐馆油烟扰民", body=PERSONAL_BODY)
    letter = services.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    reply = services.reply_draft(letter=letter, body="张晓明先生:您好!如有问题请拨打12345。", actor=staff.east_handler,
                                 version=letter.version)
    client.force_login(staff.east_leader)
    page = client.get(f"/admin/letters/{letter.pk}/").content.decode()
    table = re.search(r'<table[^>]*id="publication-compare".*?</table>', page, re.S).group(0)
    original = re.findall(r'data-side="original">(.*?)</td>', table, re.S)
    public = re.findall(r'data-side="public">(.*?)</td>', table, re.S)
    assert "张晓明反映" in original[0] and "13812345678" in original[1] and "张晓明先生" in original[2]
    assert "张**反映" in public[0] and "1**********" in public[1] and "张**先生" in public[2] and "12345" in public[2]
    assert "13812345678" not in "".join(public) and "张晓明" not in "".join(public)
    assert 'name="publish" value="1"' in page

    version = int(re.search(r'name="version" value="(\d+)" id="id_reply_decide_version"', page).group(1))
    response = client.post(f"/admin/letters/{letter.pk}/", {"action": "reply_decide", "version": version, "reply": reply.pk,
                                                            "decision": "approve", "publish": "1"})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.published and letter.public_title == "张**反映餐馆油烟扰民"
    assert "来信已按公开版本公开" in client.get(response["Location"]).content.decode()


def test_without_consent_the_sign_off_form_offers_no_publication(client, submit, staff, city):
    letter, _ = submit(consent_publish=False)
    letter = services.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    services.reply_draft(letter=letter, body="经核查,该工地已被责令夜间停工。", actor=staff.east_handler, version=letter.version)
    client.force_login(staff.east_leader)
    response = client.get(f"/admin/letters/{letter.pk}/")
    page = response.content.decode()
    assert response.status_code == 200 and 'id="publication-compare"' in page
    assert "来信人未同意公开,不能公开" in page
    assert 'name="publish" value="0"' in page and 'name="publish" value="1"' not in page


@pytest.mark.parametrize("query", ["张晓明", "晓明", "13812345678", "2345678", "500103199001011234", "188号", "1507"])
def test_search_finds_nothing_that_masking_removed(client, replied, query):
    letter, _ = replied(title="张晓明反映餐馆油烟扰民", body=PERSONAL_BODY,
                        reply_body="张晓明先生:您好!民族路188号的餐馆已安装油烟净化设施。")
    found = client.get(LIST, {"q": "油烟"})
    assert found.status_code == 200 and links(found.content.decode()) == [letter.serial]  # search works
    response = client.get(LIST, {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    assert links(page) == [] and "没有符合条件的公开信件" in page


def test_the_list_sitemap_and_unit_list_show_only_masked_text(client, replied):
    letter, _ = replied(title="张晓明反映餐馆油烟扰民", body=PERSONAL_BODY)
    for url in (LIST, "/mailbox/letters/unit/east/", f"{LIST}{letter.serial}/"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200 and "张**反映餐馆油烟扰民" in page, url
        assert "张晓明" not in page and "13812345678" not in page, url
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200 and "张晓明" not in sitemap.content.decode()


def test_a_published_reply_keeps_the_units_official_phone_and_address(client, replied, city):
    record = city.district_site
    record.address = "测试市东区人民路1号"
    record.save()
    letter, _ = replied(body="我的电话13812345678,家住东区民族路188号,楼下餐馆油烟直排。",
                        reply_body="您好!已责令整改。如有疑问请致电023-60000000,或到东区人民路1号办事大厅,也可拨打12345。"
                                   "您留的电话13812345678已回访。")
    page = client.get(f"{LIST}{letter.serial}/").content.decode()
    assert "致电023-60000000" in page and "东区人民路1号办事大厅" in page and "拨打12345" in page
    assert "13812345678" not in page and "民族路***号" in page and "您留的电话1**********已回访" in page


@pytest.mark.parametrize("name_field", ["我叫王小明", "王小明先生", "姓名：王小明"])
def test_the_writers_name_is_masked_in_the_reply_however_the_name_field_was_filled(client, replied, name_field):
    letter, _ = replied(name=name_field, reply_body="王小明您好!您反映的问题已经处理,感谢来信。")
    letter.refresh_from_db()
    assert letter.published and "王小明" not in letter.public_reply and letter.public_reply.startswith("王")
    found = client.get("/mailbox/letters/", {"q": "王小明"})
    assert found.status_code == 200 and letter.serial not in found.content.decode()
    assert letter.serial in client.get("/mailbox/letters/", {"q": "噪音"}).content.decode()


def test_a_published_letter_reaches_the_kept_home_pages_at_once(client, replied, settings):
    """The home pages' 互动交流 list the latest published replies: publishing a letter
    starts a new page-cache generation (a kept home would show the old list)."""
    from portal import pagecache

    settings.PAGE_CACHE_SECONDS = 600
    before = pagecache.generation()
    replied(publish=False, title="不公开的来信")
    assert pagecache.generation() == before  # a letter kept unpublished changes no public page
    replied(publish=True, title="关于小区路灯维修的建议")
    assert pagecache.generation() != before


def test_the_mailbox_summary_api_gives_a_baked_home_page_its_current_replies(client, replied, staff, city):
    """A baked home page loads its latest replies and figures from the API
    (static/js/live-pieces.js): masked titles only, per unit or for the city."""
    letter, _code = replied(publish=True, title="张晓明反映餐馆油烟扰民", body=PERSONAL_BODY)
    whole = client.get("/api/v1/mailbox-summary")
    assert whole.status_code == 200 and "max-age=60" in whole["Cache-Control"]
    data = whole.json()
    assert data["replies"][0] == {"title": "张**反映餐馆油烟扰民", "url": f"/mailbox/letters/{letter.serial}/",
                                  "unit": "测试市东区人民政府", "replied_at": data["replies"][0]["replied_at"]}
    assert set(data["figures"]) == {"received", "replied", "on_time_rate", "satisfaction"}
    assert "张晓明" not in whole.content.decode()
    own = client.get(f"/api/v1/mailbox-summary?unit={city.district.pk}").json()
    assert [r["title"] for r in own["replies"]] == ["张**反映餐馆油烟扰民"]
    assert client.get(f"/api/v1/mailbox-summary?unit={city.dept.pk}").json()["replies"] == []
    assert client.get("/api/v1/mailbox-summary?unit=999999").status_code == 404
    assert client.get("/api/v1/mailbox-summary?unit=abc").status_code == 422
    # The home page names the source it loads from.
    home = client.get("/s/east/").content.decode()
    assert f'data-live-src="/api/v1/mailbox-summary?unit={city.district.pk}"' in home
    assert "js/live-pieces.js" in home
