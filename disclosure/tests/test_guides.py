"""Service guides (办事指南): the completeness check, the rule that an incomplete guide
is never published (in every way of publishing), the admin report and lists."""

import pytest
from django.contrib.messages import get_messages
from wagtail.models import ModelLogEntry, WorkflowPage
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from disclosure.guides import (
    CATCH_ALL, DEFAULT_CATCH_ALL_PHRASES, ELEMENTS, MISSING, MISSING_ELEMENT, NO_TIME_LIMIT, UNCLEAR_MATERIAL,
    UNLINKED_POLICY, VAGUE, GuideIncomplete, catch_all_phrase_save, find_catch_all, guide_completeness,
    services_column_ensure, theme_save,
)
from disclosure.models import GuideLegalBasis, GuideMaterial, ServiceGuidePage
from disclosure.queries import unit_guide_report
from disclosure.services import site_sections_ensure
from orgs.errors import PermissionRefused
from portal.models import ColumnCategory, ColumnPage
from portal.services import page_review, page_submit_for_review

from .guides_helpers import create, guide, services_column

pytestmark = pytest.mark.django_db
PHRASES = list(DEFAULT_CATCH_ALL_PHRASES)


def _kinds(result):
    return [(p.kind, p.severity, p.element) for p in result.problems]


# --- The completeness check ---------------------------------------------------------------

def test_a_complete_guide_has_no_problem():
    result = guide_completeness(guide(), phrases=PHRASES)
    assert result.problems == [] and result.is_complete


BLANKED = {
    "name": {"title": ""},
    "legal_basis": {"legal_basis": "", "_no_bases": True},
    "conditions": {"conditions": "  "},
    "materials": {"_no_materials": True},
    "place": {"place": ""},
    "handling_body": {"handling_body": ""},
    "fees": {"fees": ""},
    "hours": {"hours": ""},
    "phone": {"phone": ""},
    "procedure": {"_no_steps": True},
}


def _blanked(element):
    fields = dict(BLANKED[element])
    flags = {k: fields.pop(k) for k in list(fields) if k.startswith("_")}
    page = guide(**fields)
    if flags.get("_no_bases"):
        page.legal_bases = []
    if flags.get("_no_materials"):
        page.materials = []
    if flags.get("_no_steps"):
        page.steps = []
    return page


@pytest.mark.parametrize("element", [code for code, _label in ELEMENTS])
def test_each_of_the_ten_elements_missing_is_named_as_missing(element):
    assert set(BLANKED) == {code for code, _label in ELEMENTS}
    result = guide_completeness(_blanked(element), phrases=PHRASES)
    assert _kinds(result) == [(MISSING_ELEMENT, MISSING, element)]
    assert not result.is_complete and result.missing_elements == [element]
    label = dict(ELEMENTS)[element]
    assert result.missing[0].message == f"缺少“{label}”"


def test_a_legal_basis_kept_only_as_linked_documents_is_not_missing():
    page = guide(legal_basis="")
    assert guide_completeness(page, phrases=PHRASES).problems == []


@pytest.mark.parametrize("phrase", DEFAULT_CATCH_ALL_PHRASES)
def test_each_catch_all_phrase_in_a_material_is_vague_not_missing(phrase):
    page = guide()
    page.materials = [GuideMaterial(name=f"营业执照副本、{phrase}", form="paper", original="copy", copies=1)]
    result = guide_completeness(page, phrases=PHRASES)
    assert result.is_complete
    assert [(p.kind, p.severity) for p in result.problems] == [(CATCH_ALL, VAGUE)]
    assert f"“{phrase}”" in result.problems[0].message


def test_catch_all_wording_in_the_conditions_is_flagged():
    result = guide_completeness(guide(conditions="本区户籍居民,以及法律法规规定的其他条件。"), phrases=PHRASES)
    assert _kinds(result) == [(CATCH_ALL, VAGUE, "conditions")]
    assert "法律法规规定的其他条件" in result.problems[0].message


def test_a_longer_phrase_is_reported_once_not_again_as_the_phrase_inside_it():
    assert find_catch_all("身份证及其他相关材料", PHRASES) == ["其他相关材料"]
    assert find_catch_all("相关材料;其他相关材料", PHRASES) == ["其他相关材料", "相关材料"]


def test_a_policy_named_in_the_legal_basis_but_not_linked_is_flagged():
    page = guide(legal_basis="《中华人民共和国社会保险法》第二十五条;《重庆市城乡居民合作医疗保险办法》第八条")
    result = guide_completeness(page, phrases=PHRASES)
    assert _kinds(result) == [(UNLINKED_POLICY, VAGUE, "legal_basis")]
    assert "《重庆市城乡居民合作医疗保险办法》" in result.problems[0].message
    page.legal_bases = list(page.legal_bases.all()) + [
        GuideLegalBasis(citation="《重庆市城乡居民合作医疗保险办法》", url="https://www.example.gov.cn/yb.html")]
    assert guide_completeness(page, phrases=PHRASES).problems == []


def test_a_citation_without_a_document_or_address_does_not_link_the_policy():
    page = guide()
    page.legal_bases = [GuideLegalBasis(citation="《中华人民共和国社会保险法》第二十五条")]
    assert _kinds(guide_completeness(page, phrases=PHRASES)) == [(UNLINKED_POLICY, VAGUE, "legal_basis")]


def test_a_policy_linked_to_a_document_of_the_library_counts_as_linked(city):
    from disclosure.tests.test_documents import _document

    document = _document(city, title="中华人民共和国社会保险法")
    page = guide()
    page.legal_bases = [GuideLegalBasis(document=document, citation="第二十五条")]
    assert guide_completeness(page, phrases=PHRASES).problems == []


def test_a_material_without_form_original_or_copies_is_unclear():
    page = guide()
    page.materials = [GuideMaterial(name="户口簿"), GuideMaterial(name="电子照片", form="electronic", original="original")]
    result = guide_completeness(page, phrases=PHRASES)
    assert _kinds(result) == [(UNCLEAR_MATERIAL, VAGUE, "materials")]
    assert result.problems[0].message == "材料“户口簿”未注明材料形式、原件或复印件、份数"


def test_a_guide_without_any_time_limit_is_flagged_as_vague():
    result = guide_completeness(guide(statutory_limit_days=None, promised_limit_days=None), phrases=PHRASES)
    assert _kinds(result) == [(NO_TIME_LIMIT, VAGUE, "limits")] and result.is_complete


def test_the_catch_all_list_is_data_the_management_centre_edits(city, make_user):
    page = guide(conditions="须提供街道出具的情况说明。")
    assert guide_completeness(page).problems == []
    with pytest.raises(PermissionRefused):
        catch_all_phrase_save(actor=city.editor, phrase="情况说明")
    centre = make_user("centre_admin", city.office, ["site_admin"])
    phrase = catch_all_phrase_save(actor=centre, phrase="情况说明", note="说明什么不清楚")
    assert [p.kind for p in guide_completeness(page).problems] == [CATCH_ALL]
    assert ModelLogEntry.objects.filter(action="disclosure.catch_all_phrase.create", object_id=str(phrase.pk)).exists()
    catch_all_phrase_save(actor=centre, phrase="情况说明", active=False, instance=phrase)
    assert guide_completeness(page).problems == []


def test_themes_are_kept_by_the_management_centre_only(city, make_user):
    with pytest.raises(PermissionRefused):
        theme_save(actor=city.editor, code="shebao", name="社会保障")
    centre = make_user("centre_admin", city.office, ["site_admin"])
    theme = theme_save(actor=centre, code="shebao", name="社会保障", audience="person", sort_order=1)
    assert ModelLogEntry.objects.filter(action="disclosure.theme.create", object_id=str(theme.pk)).exists()


# --- Never published incomplete -------------------------------------------------------------

def test_a_guide_with_missing_elements_is_kept_as_a_draft_and_refused_publication(city):
    column = services_column(city.district_site)
    page = guide(place="", fees="")
    page.steps = []
    with pytest.raises(GuideIncomplete, match="办理地点、收费标准、办理流程"):
        create(column, page, publish=True)
    assert not ServiceGuidePage.objects.filter(title=page.title).exists()

    draft = create(column, _blanked("procedure"), publish=False, actor=city.editor)
    assert not draft.live
    with pytest.raises(GuideIncomplete, match="办理流程"):
        draft.get_latest_revision().publish()
    draft.refresh_from_db()
    assert not draft.live


def test_vague_wording_does_not_keep_a_guide_from_being_published(city):
    page = guide()
    page.materials = [GuideMaterial(name="其他相关材料", form="paper", original="copy", copies=1)]
    assert create(services_column(city.district_site), page).live


def _edit_form_data(page, *, steps, action="action-publish"):
    materials = [{"id": m.pk, "name": m.name, "form": m.form, "original": m.original, "copies": m.copies,
                  "required": "on", "note": ""} for m in page.materials.all()]
    bases = [{"id": b.pk, "citation": b.citation, "url": b.url, "document": ""} for b in page.legal_bases.all()]
    data = nested_form_data({
        "title": page.title, "slug": page.slug, "matter_code": page.matter_code, "matter_type": page.matter_type,
        "audience": page.audience, "summary": "", "legal_basis": page.legal_basis, "conditions": page.conditions,
        "place": page.place, "handling_body": page.handling_body, "fees": page.fees, "hours": page.hours,
        "phone": page.phone, "statutory_limit_days": page.statutory_limit_days,
        "promised_limit_days": page.promised_limit_days, "notes": rich_text(""),
        "pub_date": page.pub_date.strftime("%Y-%m-%d %H:%M"),
        "legal_bases": inline_formset(bases, initial=len(bases)),
        "materials": inline_formset(materials, initial=len(materials)),
        "steps": inline_formset(steps), "form_fields": inline_formset([]), "attachments": inline_formset([]), "comments": inline_formset([]),
    })
    data[action] = action
    return data


def test_the_editors_publish_button_refuses_an_incomplete_guide_and_keeps_the_draft(city, client, django_user_model):
    WorkflowPage.objects.all().delete()  # no review workflow anywhere: the editor may publish
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-Test-2026")
    client.force_login(admin)
    draft = create(services_column(city.district_site), _blanked("procedure"), publish=False, actor=admin)
    url = f"/admin/pages/{draft.pk}/edit/"

    response = client.post(url, _edit_form_data(draft, steps=[]))
    assert response.status_code == 302 and response["Location"] == url
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "缺少要素,不能发布:办理流程" in message
    draft.refresh_from_db()
    assert not draft.live and draft.revisions.count() == 2  # the draft was saved

    editor_page = client.get(url).content.decode()
    assert "缺少 1 项要素,补齐前不能发布" in editor_page and "缺少“办理流程”" in editor_page

    steps = [{"name": "受理", "actor": "窗口", "description": "", "limit_days": 1},
             {"name": "办结", "actor": "中心", "description": "", "limit_days": 2}]
    response = client.post(url, _edit_form_data(draft, steps=steps))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.live and [s.name for s in draft.steps.all()] == ["受理", "办结"]


def test_an_incomplete_guide_is_not_sent_for_review_and_its_draft_is_kept(city, client):
    from wagtail.models import WorkflowState

    column = services_column(city.district_site)
    draft = create(column, _blanked("procedure"), publish=False, actor=city.editor)
    client.force_login(city.editor)
    url = f"/admin/pages/{draft.pk}/edit/"
    response = client.post(url, {**_edit_form_data(draft, steps=[], action="action-submit"), "title": "新生儿入户登记(修订)"})
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("缺少要素,不能提交审核:办理流程" in m for m in messages), messages
    assert len(messages) == 1, messages  # not also Wagtail's "updated"
    assert not WorkflowState.objects.filter(object_id=str(draft.pk)).exists()  # no reviewer was asked
    draft.refresh_from_db()
    assert draft.get_latest_revision_as_object().title == "新生儿入户登记(修订)"  # the edit was kept

    steps = [{"name": "受理", "actor": "窗口", "description": "", "limit_days": 1},
             {"name": "办结", "actor": "中心", "description": "", "limit_days": 2}]
    response = client.post(url, _edit_form_data(draft, steps=steps, action="action-submit"))
    assert response.status_code == 302
    state = WorkflowState.objects.get(object_id=str(draft.pk))
    assert state.status == "in_progress"


def _approve_as(client, user, page):
    client.force_login(user)
    state = page.current_workflow_state.current_task_state
    return client.post(f"/admin/pages/workflow/action/{page.pk}/approve/{state.pk}/", {"comment": ""},
                       HTTP_REFERER=f"http://testserver/admin/pages/{page.pk}/edit/")


def test_the_last_review_approval_refuses_an_incomplete_guide_with_the_missing_elements(city, client):
    column = services_column(city.district_site)
    draft = create(column, _blanked("phone"), publish=False, actor=city.editor)
    page_submit_for_review(page=draft, actor=city.editor)
    page_review(page=draft, actor=city.reviewer, approve=True)

    response = _approve_as(client, city.leader, draft)
    assert response.status_code == 302 and response["Location"].endswith(f"/admin/pages/{draft.pk}/edit/")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("缺少要素,不能发布:联系电话" in m for m in messages), messages
    draft.refresh_from_db()
    assert not draft.live
    state = draft.current_workflow_state
    assert state is not None and state.current_task_state.status == "in_progress"  # the approval was undone

    complete = create(column, guide(title="东区老年人优待证办理", matter_code="EAST-GG-0002"), publish=False,
                      actor=city.editor)
    page_submit_for_review(page=complete, actor=city.editor)
    page_review(page=complete, actor=city.reviewer, approve=True)
    assert _approve_as(client, city.leader, complete).status_code == 302
    complete.refresh_from_db()
    assert complete.live


# --- The report -------------------------------------------------------------------------------

def test_the_report_counts_guides_lacking_four_or_more_elements(city):
    column = services_column(city.district_site)
    create(column, guide())
    for i in range(2):
        create(column, guide(title=f"缺项指南{i}", place="", fees="", hours="", phone=""), publish=False)
    report = unit_guide_report(city.district)
    assert (report.total, report.complete, report.with_missing, report.lacking_four_or_more) == (3, 1, 2, 2)
    assert not report.services_unusable
    assert unit_guide_report(city.district, live_only=True).total == 1
    assert [row.page.title for row in unit_guide_report(city.district, severity=MISSING).rows] == ["缺项指南0", "缺项指南1"]
    assert unit_guide_report(city.dept).total == 0
    assert unit_guide_report().total == 3


def test_the_admin_report_shows_each_person_the_guides_of_the_units_they_see(city, client):
    create(services_column(city.district_site), guide(title="东区事项", phone=""), publish=False)
    edu = guide(title="市教委事项", matter_code="EDU-1")
    edu.materials = [GuideMaterial(name="学籍证明等相关材料", form="paper", original="copy", copies=1)]
    create(services_column(city.dept_site), edu)
    url = "/admin/disclosure/guides/report/"

    client.force_login(city.editor)
    html = client.get(url).content.decode()
    assert "东区事项" in html and "缺少“联系电话”" in html and "市教委事项" not in html
    client.force_login(city.dept_editor)
    html = client.get(url).content.decode()
    assert "市教委事项" in html and "“等相关材料”" in html and "东区事项" not in html
    assert "东区事项" not in client.get(url + "?unit=east").content.decode()  # another unit's code is ignored

    client.force_login(city.supervisor)
    html = client.get(url).content.decode()
    assert "东区事项" in html and "市教委事项" in html
    html = client.get(url + "?unit=edu").content.decode()
    assert "市教委事项" in html and "东区事项" not in html
    html = client.get(url + "?severity=missing").content.decode()
    assert "东区事项" in html and "市教委事项" not in html
    html = client.get(url + "?severity=vague").content.decode()
    assert "市教委事项" in html and "东区事项" not in html


def test_the_report_is_refused_to_someone_without_a_unit(client, django_user_model, city):
    client.force_login(django_user_model.objects.create_user("nobody", password="pw-Test-2026"))
    assert client.get("/admin/disclosure/guides/report/").status_code in (302, 403)


# --- The site's 办事服务 column -------------------------------------------------------------------

def test_every_site_gets_one_services_column_and_the_builder_is_idempotent(city):
    home = city.district_site.site.root_page.specific
    first = services_column(city.district_site)
    assert first.live and first.show_in_menus and first.title == "办事服务"
    site_sections_ensure(home=home)
    services_column_ensure(home=home)
    assert ColumnPage.objects.child_of(home).filter(kind__category=ColumnCategory.SERVICES).count() == 1


def test_an_existing_services_column_of_any_title_is_kept(city):
    home = city.dept_site.site.root_page.specific
    column = services_column(city.dept_site)
    column.title = "便民服务"
    column.save_revision().publish()
    assert services_column_ensure(home=home).pk == column.pk
    assert ColumnPage.objects.child_of(home).filter(kind__category=ColumnCategory.SERVICES).count() == 1


def test_the_management_centre_keeps_themes_and_life_events_in_the_admin(city, client, make_user):
    from disclosure.models import LifeEvent, Theme

    centre = make_user("centre_admin", city.office, ["site_admin"])
    client.force_login(centre)
    response = client.post("/admin/disclosure/themes/new/",
                           {"code": "hunyin", "name": "婚姻登记", "audience": "person", "sort_order": 3})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Theme.objects.get(code="hunyin").name == "婚姻登记"
    response = client.post("/admin/disclosure/life-events/new/",
                           {"code": "kaiban", "name": "开办企业", "audience": "enterprise", "sort_order": 0})
    assert response.status_code == 302 and LifeEvent.objects.filter(code="kaiban").exists()
    assert "婚姻登记" in client.get("/admin/disclosure/themes/").content.decode()

    client.force_login(city.editor)
    assert client.get("/admin/disclosure/themes/").status_code in (302, 403)
    response = client.post("/admin/disclosure/themes/new/", {"code": "x", "name": "不该有", "audience": "both",
                                                              "sort_order": 0})
    assert response.status_code in (302, 403) and not Theme.objects.filter(code="x").exists()
