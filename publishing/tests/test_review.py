import io

import pytest
from openpyxl import load_workbook
from wagtail.models import WorkflowState

from orgs.errors import PermissionRefused
from portal.models import ArticlePage
from portal.services import page_review, page_submit_for_review
from publishing.models import PublicationRecord
from publishing.register import register_export_xlsx


def _draft(article_factory, city, **kwargs):
    return article_factory(publish=False, actor=city.editor, **kwargs)


@pytest.mark.django_db
def test_three_levels_then_published_and_registered(city, article_factory):
    page = _draft(article_factory, city, title="东区启动冬季送温暖活动", body="<p>为困难群众送去棉被和米油。</p>")
    assert not page.live
    state = page_submit_for_review(page=page, actor=city.editor)
    state.refresh_from_db()
    # machine screening decided at once; the reviewer is next
    assert state.current_task_state.task.name == "东区审核"
    page = page_review(page=page, actor=city.reviewer, approve=True, comment="内容准确")
    assert not page.live
    page = page_review(page=page, actor=city.leader, approve=True)
    assert page.live
    record = PublicationRecord.objects.get(page=page)
    assert record.unit == city.district
    assert record.submitted_by == "east_editor"
    assert [a["level"] for a in record.approvals] == ["机器筛查", "东区审核", "东区领导审签"]
    assert [a["by"] for a in record.approvals] == ["系统", "east_reviewer", "east_leader"]
    assert record.revision_id == page.live_revision_id


@pytest.mark.django_db
def test_screening_hit_sends_the_page_back_with_the_term(city, article_factory):
    page = _draft(article_factory, city, title="东区通知", body="<p>欢迎购买六合彩。</p>")
    state = page_submit_for_review(page=page, actor=city.editor)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    comment = state.current_task_state.comment
    assert "六合彩" in comment and "违禁有害内容" in comment and "正文" in comment
    page.refresh_from_db()
    assert not page.live


@pytest.mark.django_db
def test_a_reviewer_of_another_unit_cannot_approve(city, article_factory, make_user):
    page = _draft(article_factory, city)
    page_submit_for_review(page=page, actor=city.editor)
    outsider = make_user("edu_reviewer", city.dept, ["reviewer"])
    with pytest.raises(PermissionRefused):
        page_review(page=page, actor=outsider, approve=True)
    with pytest.raises(PermissionRefused):
        page_review(page=page, actor=city.leader, approve=True)  # the leader's turn has not come
    page.refresh_from_db()
    assert not page.live


@pytest.mark.django_db
def test_nobody_publishes_around_the_review(city, article_factory, client):
    page = _draft(article_factory, city)
    for person in (city.editor, city.reviewer, city.leader):
        assert not page.permissions_for_user(person).can_publish()
    assert page.permissions_for_user(city.leader).can_unpublish() is False  # not live yet
    client.force_login(city.leader)
    response = client.post(
        f"/admin/pages/{page.pk}/edit/",
        {"title": page.title, "slug": page.slug, "body": _draftail("直接发布"), "pub_date": "2026-11-20 10:00:00",
         "action-publish": "1", **_empty_inlines()},
    )
    assert response.status_code in (302, 403)
    page.refresh_from_db()
    assert not page.live


def _draftail(text):
    import json

    return json.dumps({"blocks": [{"key": "a1", "type": "unstyled", "depth": 0, "text": text, "inlineStyleRanges": [],
                                   "entityRanges": []}], "entityMap": {}})


def _empty_inlines():
    return {"attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0", "attachments-MIN_NUM_FORMS": "0",
            "attachments-MAX_NUM_FORMS": "1000", "comments-TOTAL_FORMS": "0", "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0", "comments-MAX_NUM_FORMS": "1000"}


@pytest.mark.django_db
def test_admin_submit_with_a_banned_term_shows_where_and_why(city, client):
    client.force_login(city.editor)
    url = f"/admin/pages/add/portal/articlepage/{city.district_news.pk}/"
    data = {"title": "东区便民信息", "slug": "bianmin", "body": _draftail("本周限时抢购优惠券"), "pub_date": "2026-11-20 10:00:00",
            "action-submit": "1", **_empty_inlines()}
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "机器筛查未通过" in html
    assert "限时抢购" in html and "优惠券" in html and "商业广告" in html
    assert not ArticlePage.objects.filter(slug="bianmin").exists()

    data["body"] = _draftail("东区新设三个便民服务点。")
    response = client.post(url, data)
    assert response.status_code == 302
    page = ArticlePage.objects.get(slug="bianmin")
    assert page.current_workflow_state.current_task_state.task.name == "东区审核"


@pytest.mark.django_db
def test_an_editor_cannot_reach_another_units_pages(city, article_factory, client):
    page = article_factory()
    client.force_login(city.dept_editor)
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code in (302, 403)
    response = client.get(f"/admin/pages/add/portal/articlepage/{city.district_news.pk}/")
    assert response.status_code in (302, 403)
    explorer = client.get("/admin/pages/").content.decode()
    assert "东区政府网" not in explorer
    client.force_login(city.editor)
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200


@pytest.mark.django_db
def test_register_exports_to_xlsx_for_the_unit_only(city, article_factory, client):
    page = _draft(article_factory, city, title="东区登记测试")
    page_submit_for_review(page=page, actor=city.editor)
    page_review(page=page, actor=city.reviewer, approve=True)
    page_review(page=page, actor=city.leader, approve=True)
    sheet = load_workbook(io.BytesIO(register_export_xlsx(city.district))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("发布时间", "标题", "类型", "栏目")
    assert rows[2][1] == "东区登记测试"
    assert "东区领导审签:east_leader" in rows[2][7]

    # an editor's title that begins with "=" is text in the workbook, never a formula
    page = _draft(article_factory, city, title='=HYPERLINK("https://evil.example/","东区通知")')
    page_submit_for_review(page=page, actor=city.editor)
    page_review(page=page, actor=city.reviewer, approve=True)
    page_review(page=page, actor=city.leader, approve=True)
    sheet = load_workbook(io.BytesIO(register_export_xlsx(city.district))).active
    title = next(row[1] for row in sheet.iter_rows(min_row=3) if row[1].value.startswith("=HYPERLINK"))
    assert title.data_type == "s"

    client.force_login(city.editor)
    response = client.get("/admin/register/east.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(city.dept_editor)
    assert client.get("/admin/register/east.xlsx").status_code == 403
    client.force_login(city.supervisor)
    assert client.get("/admin/register/east.xlsx").status_code == 200


@pytest.mark.django_db
def test_register_index_shows_own_unit_or_all_for_supervisors(city, article_factory, client):
    client.force_login(city.editor)
    html = client.get("/admin/register/").content.decode()
    assert "测试市东区人民政府" in html and "测试市教育委员会" not in html
    client.force_login(city.supervisor)
    html = client.get("/admin/register/").content.decode()
    assert "测试市东区人民政府" in html and "测试市教育委员会" in html


@pytest.mark.django_db
def test_the_page_chooser_hides_other_units_drafts(city, article_factory, client):
    article_factory(title="东区已发布动态")
    article_factory(title="东区未发布草稿", publish=False, actor=city.editor)
    client.force_login(city.dept_editor)
    html = client.get("/admin/choose-page/search/", {"q": "东区"}).content.decode()
    assert "东区已发布动态" in html and "东区未发布草稿" not in html
    client.force_login(city.editor)
    html = client.get("/admin/choose-page/search/", {"q": "东区"}).content.decode()
    assert "东区未发布草稿" in html


@pytest.mark.django_db
def test_also_in_offers_only_other_sites_columns_that_accept_placements(city, client):
    client.force_login(city.editor)
    html = client.get(f"/admin/pages/add/portal/articlepage/{city.district_news.pk}/").content.decode()
    assert "测试门户 · 要闻动态" in html
    assert "测试门户 · 政策文件" not in html  # does not accept placements
    assert "东区政府网 · 区县动态" not in html  # the editor's own site
