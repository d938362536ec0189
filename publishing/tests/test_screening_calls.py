"""Pages are screened by the one screening service: titles as written, bodies by the
text a reader sees, evasions folded, lawful notices let through."""

import json

import pytest
from wagtail.models import WorkflowState

from guard.models import LexiconTerm
from guard.services import lexicon_term_save
from portal.models import ArticlePage
from portal.services import page_submit_for_review


def _submitted(article_factory, city, **fields):
    page = article_factory(publish=False, actor=city.editor, **fields)
    state = page_submit_for_review(page=page, actor=city.editor)
    state.refresh_from_db()
    return state


@pytest.mark.django_db
def test_a_page_title_with_angle_brackets_is_screened_as_written(city, article_factory):
    state = _submitted(article_factory, city, title="东区<六合彩>开奖公告")
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    comment = state.current_task_state.comment
    assert "「标题」第 4 个字起" in comment and "六合彩" in comment


@pytest.mark.django_db
def test_an_evasive_term_in_the_body_sends_the_page_back(city, article_factory):
    state = _submitted(article_factory, city, title="东区通知", body="<p>欢迎购买六<b>.</b>合\u200b彩。</p>")
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert "六合彩" in state.current_task_state.comment


@pytest.mark.django_db
def test_a_notice_against_the_thing_goes_on_to_the_reviewer(city, article_factory):
    term = LexiconTerm.objects.get(term="网络赌博")
    lexicon_term_save(instance=term, term=term.term, kind=term.kind, reason=term.reason, lawful_contexts="打击*")
    state = _submitted(article_factory, city, title="关于开展打击网络赌博专项行动的通告",
                       body="<p>严厉打击網絡賭博违法犯罪。</p>")
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.name == "东区审核"


@pytest.mark.django_db
def test_the_admin_editor_screens_a_title_with_angle_brackets(city, client):
    from publishing.tests.test_review import _draftail, _empty_inlines

    client.force_login(city.editor)
    url = f"/admin/pages/add/portal/articlepage/{city.district_news.pk}/"
    data = {"title": "东区<代开发票>提醒", "slug": "tixing", "body": _draftail("东区新设三个便民服务点。"),
            "pub_date": "2026-11-20 10:00:00", "action-submit": "1", **_empty_inlines()}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "机器筛查未通过" in response.content.decode() and "代开发票" in response.content.decode()
    assert not ArticlePage.objects.filter(slug="tixing").exists()


@pytest.mark.django_db
def test_the_publish_api_screens_a_title_as_written_and_reports_the_span(client, city, article_payload, media,
                                                                        make_machine_client):
    token = make_machine_client(city.district, "东区公文系统", scopes=["publish"]).token
    title = "东区<六 合 彩>说明"
    response = client.post("/api/v1/publish/articles", data=json.dumps(dict(article_payload, title=title)),
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "oa-screen-0001"})
    assert response.status_code == 400
    hits = response.json()["hits"]
    assert [(h["field"], h["term"]) for h in hits] == [("标题", "六合彩")]
    assert title[hits[0]["start"]:hits[0]["end"]] == "六 合 彩"
