"""What the database knows of a hosted site, measured on a small city built in the
test: stale and blank columns with their evidence, the home page's newest item, the
mailbox's unanswered and late letters, the guides, tampering not put right."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from delivery.models import IntegrityEvent
from letters.models import Letter, LetterType, Mailbox, Status
from portal.models import ColumnPage
from portal.services import page_create
from supervision.collect import hosted
from supervision.measures import OK, PROBLEM, Period

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = Period.month_of(TODAY)


def ago(days, hours=0):
    return timezone.now() - dt.timedelta(days=days, hours=hours)


def by_code(record, period=PERIOD):
    return {m.code: m for m in hosted.measures(record, period)}


def column_row(measure, title):
    return next(c for c in measure.value["columns"] if c["title"] == title)


@pytest.fixture
def east(city, article_factory, kinds):
    """东区: fresh news, notices 200 days old, a personnel column never filled."""
    article_factory(title="东区召开民生工作推进会", pub_date=ago(3))
    article_factory(title="东区部署防汛工作", pub_date=ago(30))
    article_factory(column=city.district_notices, title="关于东区2026年春季征兵的通告", pub_date=ago(200))
    personnel = ColumnPage(title="人事信息", slug="personnel", kind=kinds["personnel"], show_in_menus=True)
    page_create(parent=city.district_site.site.root_page.specific, page=personnel, publish=True)
    return city


def test_stale_and_blank_columns_are_found_with_their_evidence(east):
    measures = by_code(east.district_site)
    columns = measures["columns"]
    assert columns.state == PROBLEM
    news = column_row(columns, "区县动态")
    assert news["kind"] == "news" and news["top_level"] and news["period_days"] == 14
    assert news["days_since"] == 3 and not news["stale"] and not news["blank"]
    assert news["newest_title"] == "东区召开民生工作推进会"
    notices = column_row(columns, "通知公告")
    assert notices["kind"] == "notices" and notices["period_days"] == 182
    assert notices["days_since"] == 200 and notices["stale"] and not notices["blank"]
    assert notices["last_update"] == timezone.localtime(ago(200)).date().isoformat()
    personnel = column_row(columns, "人事信息")
    assert personnel["blank"] and personnel["last_update"] is None
    # the services and interaction columns show the directory and the mailbox: not columns of items
    assert not any(c["title"] == "互动交流" for c in columns.value["columns"])
    evidence = {e.what: e for e in columns.evidence}
    stale = evidence["栏目“通知公告”"]
    assert stale.url.endswith("/notices/") and "关于东区2026年春季征兵的通告" in stale.detail and "200天" in stale.detail
    assert evidence["栏目“人事信息”"].detail == "开设以来没有内容"
    assert evidence["栏目“人事信息”"].url.endswith("/personnel/")
    assert "区县动态" not in " ".join(evidence)  # a fresh column is no evidence of anything


def test_a_past_month_is_measured_as_it_was_then(east, article_factory):
    # the city's columns were opened long ago; 人事信息 today
    ColumnPage.objects.filter(pk__in=[east.district_news.pk, east.district_notices.pk]).update(
        first_published_at=ago(400))
    article_factory(column=east.district_notices, title="关于东区停水的通知", pub_date=ago(1))
    now = by_code(east.district_site)
    assert column_row(now["columns"], "通知公告")["days_since"] == 1
    then = Period.month_of(TODAY - dt.timedelta(days=60))
    earlier = by_code(east.district_site, then)
    notices = column_row(earlier["columns"], "通知公告")
    assert notices["days_since"] == (then.until - timezone.localtime(ago(200)).date()).days
    assert not any(c["title"] == "人事信息" for c in earlier["columns"].value["columns"])  # not opened yet


def test_the_home_page_update_is_its_newest_listed_item(east):
    home = by_code(east.district_site)["home_update"]
    assert home.state == OK and home.value["days_since"] == 3
    assert home.evidence[0].what == "首页最新信息《东区召开民生工作推进会》"
    assert home.evidence[0].url
    bare = by_code(east.dept_site)["home_update"]  # 市教委: nothing published at all
    assert bare.state == PROBLEM and bare.value["last_update"] is None


def _letter(mailbox, letter_type, unit, *, received, status, replied=None, published=False, reply=""):
    return Letter.objects.create(
        serial=f"L{uuid.uuid4().hex[:12]}", query_code_hash=uuid.uuid4().hex, query_nonce="n", mailbox=mailbox,
        letter_type=letter_type, writer_name="张三", writer_phone="13800000000", title="道路维修", body="请维修道路。",
        status=status, handling_unit=unit, received_at=received, routed_at=received, replied_at=replied,
        published=published, public_title="道路维修" if published else "", public_reply=reply)


def test_the_mailbox_unanswered_late_and_published_letters(east):
    unit = east.district
    mailbox = Mailbox.objects.create(unit=unit, name="东区区长信箱", code="east", email="east@example.gov.cn")
    kind = LetterType.objects.create(code="advice", name="建议", time_limit=15)
    old = _letter(mailbox, kind, unit, received=ago(100), status=Status.HANDLING)
    _letter(mailbox, kind, unit, received=ago(10), status=Status.HANDLING)  # open, but young
    _letter(mailbox, kind, unit, received=ago(400), status=Status.HANDLING)  # beyond the past year
    late = _letter(mailbox, kind, unit, received=ago(40), status=Status.REPLIED, replied=ago(20), published=True,
                   reply="已安排维修。")
    newest = _letter(mailbox, kind, unit, received=ago(6), status=Status.REPLIED, replied=ago(5), published=True,
                     reply="")
    interaction = by_code(east.district_site)["interaction"]
    value = interaction.value
    assert value["has_channel"] is True
    assert [u["serial"] for u in value["unanswered_over_limit"]] == [old.serial]
    assert value["unanswered_over_limit"][0]["days_open"] == 100
    assert [a["serial"] for a in value["late_answers"]] == [late.serial]
    assert value["late_answers"][0]["working_days"] > 5
    assert value["published"] == 2 and value["answered"] == 2
    assert value["received"] == 4  # accepted in the past year (not the one 400 days old)
    assert {s["serial"]: s["missing"] for s in value["sample"]}[late.serial] == []
    assert ["reply"] in [s["missing"] for s in value["sample"]]  # published without a reply text
    assert value["days_since_published"] == (TODAY - timezone.localtime(newest.replied_at).date()).days
    assert any(e.what == f"来信 {old.serial}" and "100天" in e.detail for e in interaction.evidence)


def test_guides_and_tampering(east):
    from disclosure.tests.guides_helpers import create, guide, services_column

    create(services_column(east.district_site), guide())
    IntegrityEvent.objects.create(kind="changed", path="/s/east/index.html", site=east.district_site.site,
                                  unit=east.district)
    measures = by_code(east.district_site)
    guides = measures["guides"]
    assert guides.value["total"] == 1 and guides.value["lacking_four_or_more"] == 0
    assert guides.value["sample"][0]["title"] == "东区城乡居民医疗保险参保登记"
    assert guides.value["without_forms"] == 1  # no blank form or sample to download
    assert by_code(east.dept_site)["guides"].value["total"] == 0
    integrity = measures["integrity"]
    [event] = integrity.value["unhandled"]
    assert event["path"] == "/s/east/index.html" and event["restored"] is False
    assert integrity.evidence[0].url == "/s/east/index.html"


def test_an_independent_site_gets_only_the_mailbox_and_only_when_its_unit_has_one(east):
    from hosting.sites import site_register_independent

    record = site_register_independent(
        unit=east.dept, kind="department", name="市教委旧网站", hostname="old.edu.cq.gov.cn",
        url="https://old.edu.cq.gov.cn/", site_id_code="5000000099", icp_number="渝ICP备00000002号",
        psb_number="渝公网安备 50000000000002号", sponsor=east.dept.name, contact_phone="023-60000001")
    assert hosted.measures(record, PERIOD) == []
    Mailbox.objects.create(unit=east.dept, name="市教委信箱", code="edu", email="edu@example.gov.cn")
    assert [m.code for m in hosted.measures(record, PERIOD)] == ["interaction"]


def test_the_portals_services_are_the_whole_citys_guides(east):
    from disclosure.tests.guides_helpers import create, guide, services_column

    create(services_column(east.district_site), guide())
    assert by_code(east.portal_site)["guides"].value["total"] == 1  # 东区's guide, in the city's directory
    assert by_code(east.dept_site)["guides"].value["total"] == 0
