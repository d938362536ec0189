"""The demo city, loaded once (it takes a while) and checked as one scenario."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from demo import city as data
from demo.loader import already_loaded, load
from disclosure.models import GovDocumentPage
from orgs.models import Membership, Role, SiteRecord, Unit
from portal.models import ColumnKind, ColumnPage, ContentPage


@pytest.mark.django_db
def test_the_demo_city_is_complete(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # its files, as on a fresh machine, whatever ran before
    load(items_per_column=1)
    assert already_loaded()
    _every_kind_of_site_is_there_and_answers(client)
    _columns_of_every_kind_some_fresh_some_stale_some_blank()
    _the_2005_notice_is_a_normative_document_of_the_general_office(client)
    _a_demo_account_exists_for_every_role(client)
    _every_sites_home_reaches_the_mailbox_within_three_clicks(client)
    _every_unit_a_letter_can_be_routed_to_has_a_handler_and_a_leader()
    _people_are_named_family_name_first()
    _business_systems_hold_their_scopes()
    _matters_over_several_units_with_complete_guides_and_a_few_flawed(client)
    _three_matters_take_applications_online(client)
    _no_two_sites_share_a_headline_but_for_the_place_name()
    _every_hosted_unit_has_its_profile_with_leaders_and_photos(client)
    _the_catalogues_are_filled(client)


def _three_matters_take_applications_online(client):
    from demo.forms import DEMO_FORMS, enable_demo_forms
    from disclosure.applyforms import online_form_url
    from disclosure.models import SubmissionStatus, FormSubmission, ServiceGuidePage

    for title, *_ in DEMO_FORMS:
        guide = ServiceGuidePage.objects.live().get(title=title)
        url = online_form_url(guide)
        assert url and client.get(url).status_code == 200, title
        assert "在线办理" in client.get(guide.url).content.decode(), title
        assert guide.themes.exists() and guide.life_events.exists(), title  # found by theme and event too
    states = set(FormSubmission.objects.values_list("status", flat=True))
    assert {SubmissionStatus.CORRECTION, SubmissionStatus.PRE_ACCEPTED, SubmissionStatus.PENDING} <= states
    count = FormSubmission.objects.count()
    enable_demo_forms()  # again: nothing doubled
    assert FormSubmission.objects.count() == count


def _no_two_sites_share_a_headline_but_for_the_place_name():
    import re

    names = sorted({n for u in Unit.objects.all() for n in (u.name, u.short_name) if n}
                   | set(SiteRecord.objects.values_list("name", flat=True)), key=len, reverse=True)

    def bare(title):
        for name in names:
            title = title.replace(name, "")
        return re.sub(r"(第\d+期)$", "", title)

    from disclosure.models import AnnualReportPage

    seen = {}
    for record in SiteRecord.objects.filter(hosting="hosted").select_related("site"):
        # Every site's annual disclosure report bears the title the rules give it (unit, year).
        written = ContentPage.objects.descendant_of(record.site.root_page).not_type(AnnualReportPage)
        titles = {bare(t) for t in written.values_list("title", flat=True)}
        for title in titles:
            assert title not in seen, f"{record.name} and {seen[title]} share the headline {title!r}"
            seen[title] = record.name
    assert len(seen) > 50


def _every_hosted_unit_has_its_profile_with_leaders_and_photos(client):
    from disclosure.models import ContactPhone, InternalDepartment, ProfilePage, UnitPerson, UnitProfile

    for record in SiteRecord.objects.filter(hosting="hosted").select_related("unit"):
        unit = record.unit
        assert UnitProfile.objects.get(unit=unit).duty_items, unit.name
        leaders = UnitPerson.objects.filter(unit=unit, kind="leader")
        assert leaders.exists() and all(p.photo_id for p in leaders), unit.name
        assert InternalDepartment.objects.filter(unit=unit).exists() and ContactPhone.objects.filter(unit=unit).exists()
        page = ProfilePage.objects.descendant_of(record.site.root_page).get(section="leaders")
        assert leaders.first().name in client.get(page.get_url()).content.decode()


def _the_catalogues_are_filled(client):
    from disclosure import queries
    from disclosure.catalogue import catalogue_column
    from disclosure.models import AnnualReportPage, Application, InterpretationPage

    assert InterpretationPage.objects.live().count() >= 3
    assert queries.policy_documents_without_interpretation().exists()
    # Every interpretation in the 政策解读 columns interprets a document of its unit.
    from portal.models import ArticlePage
    assert not InterpretationPage.objects.filter(interprets__isnull=True).exists()
    plain = ArticlePage.objects.live().filter(title__endswith="政策解读")
    assert not [p.title for p in plain if GovDocumentPage.objects.live().descendant_of(p.get_site().root_page).filter(
        title=p.title.split("》")[0].lstrip("《")).exists()]
    repealed = GovDocumentPage.objects.get(validity="repealed", title="重庆市政务信息资源共享管理办法")
    assert repealed.later_versions.get().title == "重庆市公共数据资源管理办法"
    assert GovDocumentPage.objects.filter(validity="amended", superseded_by__isnull=False).exists()
    assert AnnualReportPage.objects.filter(live=True, year=2025).count() == 1
    assert AnnualReportPage.objects.filter(live=False).exists()
    assert set(Application.objects.values_list("status", flat=True)) >= {"clarification", "handling", "answered",
                                                                       "received"}
    assert Application.objects.filter(extension_days=20).exists()
    assert Application.objects.filter(answer_kind="partly").exists()
    for record in SiteRecord.objects.filter(site__isnull=False):
        root = catalogue_column(record.site.root_page.specific)
        assert client.get(root.get_url() + "?ml=gfxwj").status_code == 200, record.name


def _business_systems_hold_their_scopes():
    from orgs.models import MachineClient

    clients = {c.name: c for c in MachineClient.objects.select_related("unit")}
    assert {(c.unit.code, name, tuple(c.scopes)) for name, c in clients.items()} == {
        (code, name, tuple(scopes)) for code, name, scopes in data.MACHINE_CLIENTS}
    assert all(c.state() == "active" and not c.user.has_usable_password() for c in clients.values())


def _every_sites_home_reaches_the_mailbox_within_three_clicks(client):
    from portal.tests.reader_paths import MAILBOX, clicks_to

    for record in SiteRecord.objects.filter(hosting="hosted"):
        found = clicks_to(client, record.public_url, set(MAILBOX.values()))
        assert set(found) == set(MAILBOX.values()) and max(found.values()) <= 3, (record.name, found)


def _every_kind_of_site_is_there_and_answers(client):
    hosted = SiteRecord.objects.filter(hosting="hosted")
    assert hosted.filter(kind="portal").get().name == "中国重庆"
    assert hosted.filter(kind="district").count() >= 4
    assert hosted.filter(kind="department").count() >= 6
    sectors = set(Unit.objects.filter(kind="window_unit").values_list("sector", flat=True))
    assert {"aviation", "rail", "water"} <= sectors
    assert SiteRecord.objects.filter(hosting="independent").exists()
    for record in hosted:
        assert client.get(record.public_url).status_code == 200, record.name


def _columns_of_every_kind_some_fresh_some_stale_some_blank():
    used = set(ColumnPage.objects.values_list("kind__code", flat=True))
    assert used == set(ColumnKind.objects.values_list("code", flat=True))
    now = timezone.now()
    ages = {"fresh": 0, "stale": 0, "blank": 0}
    for column in ColumnPage.objects.filter(kind__category="news"):
        newest = ContentPage.objects.child_of(column).live().order_by("-pub_date").first()
        if newest is None:
            ages["blank"] += 1
        elif now - newest.pub_date > timedelta(days=14):
            ages["stale"] += 1
        else:
            ages["fresh"] += 1
    assert all(ages.values()), ages


def _the_2005_notice_is_a_normative_document_of_the_general_office(client):
    notice = GovDocumentPage.objects.get(document_number="渝办发〔2005〕209号")
    assert notice.doc_type == "normative" and notice.issuing_organ == "重庆市人民政府办公厅"
    assert notice.home.unit.code == "cq-bgt"
    html = client.get(notice.get_url()).content.decode()
    assert "渝办发〔2005〕209号" in html
    if data_seed_present():
        assert "政府公众信息网站" in html and "各区县" in html


def data_seed_present():
    from demo.loader import seed_notice_path

    return seed_notice_path().exists()


def _a_demo_account_exists_for_every_role(client):
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    user = get_user_model().objects.get(username="yuzhong_editor")
    assert user.check_password(data.PASSWORD)
    assert client.login(username="yuzhong_editor", password=data.PASSWORD)


def _every_unit_a_letter_can_be_routed_to_has_a_handler_and_a_leader():
    # The dispatcher's routing form offers every unit (letters.admin_forms._units).
    for unit in Unit.objects.all():
        roles = set(Membership.objects.filter(unit=unit).values_list("role", flat=True))
        assert {Role.MAILBOX_HANDLER, Role.LEADER} <= roles, unit.name
    # The demo's replied letters were drafted and signed by the handling unit's own people.
    from letters.models import Reply

    for reply in Reply.objects.filter(approved_at__isnull=False).select_related("letter__handling_unit"):
        unit = reply.letter.handling_unit
        assert Membership.objects.filter(user=reply.drafted_by, unit=unit, role=Role.MAILBOX_HANDLER).exists()
        assert Membership.objects.filter(user=reply.approved_by, unit=unit, role=Role.LEADER).exists()


def _people_are_named_family_name_first():
    for username, _code, _roles, name, _email in data.people():
        user = get_user_model().objects.get(username=username)
        assert user.get_full_name() == name and " " not in name


def test_the_printed_logins_name_roles_in_chinese():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_demo", "--logins-only", stdout=out)
    text = out.getvalue()
    for word in ("编辑", "审核人", "分管领导", "信箱办理人", "调度员", "监督人员"):
        assert word in text, word
    import re

    assert not re.search(r" (editor|reviewer|leader|mailbox_handler|supervisor|site_admin)\b", text), text
    assert "shapingba_mailbox" in text and "shapingba_leader" in text


def _matters_over_several_units_with_complete_guides_and_a_few_flawed(client):
    from disclosure.queries import unit_guide_report
    from disclosure.models import GuideMaterial

    report = unit_guide_report()
    live = [row for row in report.rows if row.page.live]
    complete = [row for row in live if not row.result.problems]
    assert len(complete) >= 40, len(complete)
    assert len({row.unit_name for row in complete}) >= 8
    vague = {row.page.title: {p.kind for p in row.result.problems} for row in live if row.result.problems}
    assert vague == {"住房租赁合同登记备案": {"catch_all"}, "用水性质变更": {"catch_all"},
                     "巡游出租汽车车辆营运证核发": {"unlinked_policy"}}, vague
    drafts = {row.page.title: row.result.missing_count for row in report.rows if not row.page.live}
    assert drafts == {"职业技能培训补贴申领": 5, "母婴保健技术服务执业许可": 2}, drafts
    titles = [row.page.title for row in report.rows]
    assert len(titles) == len(set(titles))  # each unit's matters are its own
    with_forms = GuideMaterial.objects.filter(blank_form__isnull=False, sample__isnull=False)
    assert with_forms.values("page").distinct().count() >= 10
    material = with_forms.first()
    response = client.get(material.blank_form.url)
    assert response.status_code == 200
    # Downloaded under the material's own name (percent-encoded UTF-8), with no content coding.
    from urllib.parse import quote
    assert quote(f"{material.name}-空白表格.xlsx") in response["Content-Disposition"]
    assert "Content-Encoding" not in response.headers
