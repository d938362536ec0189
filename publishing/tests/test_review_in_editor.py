"""Reviewers and leaders approve where they read: in the page editor.

With re-approval on edit, an approval from the editor that the editor's form
counts as a change saves a new revision and restarts the review; only a real
change of content may do that.
"""

import json

import pytest
from django.contrib.messages import get_messages
from wagtail.models import TaskState, WorkflowState

from portal.services import page_submit_for_review
from publishing.models import PublicationRecord

from .editor_form import form_values


def _in_review(article_factory, city, **kwargs):
    """A draft stored by the services (as the API and the demo store them: a
    publication time with seconds, rich text without Draftail's block keys), in review."""
    page = article_factory(publish=False, actor=city.editor, **kwargs)
    page_submit_for_review(page=page, actor=city.editor)
    return page


def _approve_in_editor(client, user, page, change=None):
    """Open the page in the editor as ``user`` and press 批准 in the workflow action
    menu (the comment modal adds the comment as extra data); ``change`` edits the form first."""
    client.force_login(user)
    url = f"/admin/pages/{page.pk}/edit/"
    editor = client.get(url)
    assert editor.status_code == 200
    assert 'name="workflow-action-name"' in editor.content.decode() or "approve" in editor.content.decode()
    data = form_values(editor.content.decode())
    if change:
        change(data)
    data.update({"action-workflow-action": "true", "workflow-action-name": "approve",
                 "workflow-action-extra-data": '{"comment": "同意"}'})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def _task_states(page):
    state = WorkflowState.objects.for_instance(page).order_by("-id").first()
    return state, [(ts.task.name, ts.status, ts.finished_by.username if ts.finished_by else "")
                   for ts in state.task_states.order_by("id")]


@pytest.mark.django_db
def test_approving_in_the_editor_moves_the_review_on_and_publishes(city, article_factory, client):
    page = _in_review(article_factory, city, title="东区冬季供暖保障工作有序开展",
                      body="<p>全区供暖设施已完成检修。</p><p>热线电话24小时值守。</p>")
    revisions = page.revisions.count()

    _approve_in_editor(client, city.reviewer, page)
    state, steps = _task_states(page)
    assert steps == [("机器筛查", "approved", ""), ("东区审核", "approved", "east_reviewer"),
                     ("东区领导审签", "in_progress", "")]
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert page.revisions.count() == revisions, "an unchanged form saved a new revision"
    page.refresh_from_db()
    assert not page.live

    response = _approve_in_editor(client, city.leader, page)
    page.refresh_from_db()
    assert page.live
    state, steps = _task_states(page)
    assert state.status == WorkflowState.STATUS_APPROVED
    assert [s[1:] for s in steps] == [("approved", ""), ("approved", "east_reviewer"), ("approved", "east_leader")]
    assert page.revisions.count() == revisions
    record = PublicationRecord.objects.get(page=page)
    assert [a["by"] for a in record.approvals] == ["系统", "east_reviewer", "east_leader"]
    assert record.revision_id == page.live_revision_id
    messages = [str(m).strip() for m in get_messages(response.wsgi_request)]
    assert any("东区冬季供暖保障工作有序开展" in m and "发布" in m for m in messages), messages


@pytest.mark.django_db
def test_a_real_change_in_the_editor_restarts_the_review(city, article_factory, client):
    page = _in_review(article_factory, city, title="东区道路维修公告", body="<p>下周一起维修人民路。</p>")
    revisions = page.revisions.count()

    def rewrite_body(data):
        body = json.loads(data["body"][0])  # Draftail's content state, as the editor posts it
        assert body["blocks"][0]["text"] == "下周一起维修人民路。"
        body["blocks"][0]["text"] = "下周二起维修人民路。"
        data["body"] = [json.dumps(body)]

    _approve_in_editor(client, city.reviewer, page, change=rewrite_body)
    assert page.revisions.count() == revisions + 1
    state, steps = _task_states(page)
    page.refresh_from_db()
    # The changed revision is screened again and waits for the reviewer again.
    assert state.current_task_state.task.name == "东区审核"
    assert state.current_task_state.status == TaskState.STATUS_IN_PROGRESS
    assert state.current_task_state.revision_id == page.get_latest_revision().pk
    assert not page.live
    assert "下周二起" in page.get_latest_revision().as_object().body


@pytest.mark.django_db
def test_changing_only_the_publication_time_is_a_change(city, article_factory, client):
    page = _in_review(article_factory, city, title="东区通告")
    revisions = page.revisions.count()
    _approve_in_editor(client, city.reviewer, page,
                       change=lambda data: data.update(pub_date=["2026-01-05 08:30"]))
    assert page.revisions.count() == revisions + 1
    state, _ = _task_states(page)
    assert state.current_task_state.task.name == "东区审核"


@pytest.mark.django_db
def test_approving_from_the_dashboard_says_what_happened(city, article_factory, client):
    page = _in_review(article_factory, city, title="东区开展消防安全检查")
    client.force_login(city.reviewer)
    dashboard = client.get("/admin/").content.decode()
    task_state = WorkflowState.objects.for_instance(page).get().current_task_state
    action_url = f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/"
    assert action_url in dashboard  # the dashboard's 批准 button posts here
    response = client.post(action_url, {"comment": ""}, headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 200
    assert '"step": "success"' in response.content.decode()
    messages = [str(m).strip() for m in get_messages(response.wsgi_request)]
    assert messages == ["「东区开展消防安全检查」已批准,已转交「东区领导审签」。"], messages

    client.force_login(city.leader)
    task_state = WorkflowState.objects.for_instance(page).get().current_task_state
    response = client.post(f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/")
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    messages = [str(m).strip() for m in get_messages(response.wsgi_request)]
    assert messages[-1] == "「东区开展消防安全检查」已批准,审核完成,已发布。", messages


@pytest.mark.django_db
def test_pressing_approve_twice_neither_fails_nor_unpublishes(city, article_factory, client):
    page = _in_review(article_factory, city, title="东区重复点击测试")
    _approve_in_editor(client, city.reviewer, page)
    client.force_login(city.leader)
    url = f"/admin/pages/{page.pk}/edit/"
    data = form_values(client.get(url).content.decode())
    data.update({"action-workflow-action": "true", "workflow-action-name": "approve"})
    assert client.post(url, data).status_code == 302
    page.refresh_from_db()
    assert page.live
    again = client.post(url, data)  # the same form, sent a second time
    assert again.status_code == 302
    page.refresh_from_db()
    assert page.live
    messages = [str(m).strip() for m in get_messages(again.wsgi_request)]
    assert any("已经处理过了" in m for m in messages), messages


@pytest.mark.django_db
def test_an_editor_form_loaded_before_publication_does_not_unpublish(city, article_factory, client):
    from portal.services import page_review

    page = _in_review(article_factory, city, title="东区并发审核测试")
    page_review(page=page, actor=city.reviewer, approve=True)
    stale = type(page).objects.get(pk=page.pk)  # what a concurrent request loaded
    form_class = stale.get_edit_handler().get_form_class()
    client.force_login(city.leader)
    data = form_values(client.get(f"/admin/pages/{page.pk}/edit/").content.decode())
    form = form_class({k: v[0] if len(v) == 1 else v for k, v in data.items()}, instance=stale,
                      parent_page=stale.get_parent(), for_user=city.leader)
    assert form.is_valid(), form.errors
    page_review(page=page, actor=city.leader, approve=True)  # the other request publishes first
    form.save()
    page.refresh_from_db()
    assert page.live
