"""The publish API's submissions and withdrawals are entries of the page's log, written
through guard.audit (a page's entries are Wagtail's page log, where its editors read them)."""

import pytest
from django.db.models import Max
from wagtail.models import Page, PageLogEntry

from portal.services import page_review
from publishing.intake import api_withdraw, api_withdrawal_decide
from publishing.models import ApiSubmission

pytestmark = pytest.mark.django_db


def _mark():
    return PageLogEntry.objects.aggregate(last=Max("pk"))["last"] or 0


def _ours(mark):
    """The entries since ``mark`` that are not Wagtail's own page actions."""
    return list(PageLogEntry.objects.filter(pk__gt=mark).exclude(action__startswith="wagtail.").order_by("pk"))


def _published(city, oa, article_payload):
    submitted = oa.article(article_payload).json()
    page = Page.objects.get(pk=submitted["page_id"])
    page_review(page=page, actor=city.reviewer, approve=True)
    page_review(page=page, actor=city.leader, approve=True)
    return ApiSubmission.objects.get(pk=submitted["id"])


def test_a_submission_is_one_entry_by_the_business_system(oa, east_system, article_payload):
    mark = _mark()
    submitted = oa.article(article_payload).json()
    [entry] = _ours(mark)
    assert (entry.action, entry.page_id, entry.user) == ("publishing.api.submit", submitted["page_id"],
                                                         east_system.client.user)
    assert entry.data["client"] == east_system.client.pk


def test_withdrawing_an_item_in_review_is_one_entry_and_asking_again_writes_none(oa, east_system, article_payload):
    submitted = oa.article(article_payload).json()
    submission = ApiSubmission.objects.get(pk=submitted["id"])
    mark = _mark()
    api_withdraw(submission=submission, reason="文件需重新核稿")
    [entry] = _ours(mark)
    assert (entry.action, entry.page_id, entry.user) == ("publishing.api.withdraw", submitted["page_id"],
                                                         east_system.client.user)
    assert entry.data["before"] == {"withdrawal": ""} and entry.data["after"] == {"withdrawal": "withdrawn"}
    assert entry.data["reason"] == "文件需重新核稿"
    mark = _mark()
    api_withdraw(submission=submission)
    assert _ours(mark) == []


def test_a_leaders_approval_of_a_withdrawal_is_one_entry_beside_wagtails_unpublish(city, oa, east_system,
                                                                                  article_payload):
    submission = _published(city, oa, article_payload)
    mark = _mark()
    api_withdraw(submission=submission, reason="公示期已满")
    [request] = _ours(mark)
    assert request.action == "publishing.api.withdrawal_request"
    assert request.data["after"] == {"withdrawal": "requested"}
    mark = _mark()
    api_withdrawal_decide(submission=submission, actor=city.leader, approve=True)
    [decision] = _ours(mark)
    assert (decision.action, decision.user) == ("publishing.api.withdrawal_approve", city.leader)
    assert decision.data["before"] == {"withdrawal": "requested"}
    assert decision.data["after"] == {"withdrawal": "withdrawn"}
    assert PageLogEntry.objects.filter(pk__gt=mark, action="wagtail.unpublish", user=city.leader).exists()


def test_a_leaders_refusal_of_a_withdrawal_is_one_entry_with_the_reason(city, oa, article_payload):
    submission = _published(city, oa, article_payload)
    api_withdraw(submission=submission, reason="不再需要")
    mark = _mark()
    api_withdrawal_decide(submission=submission, actor=city.leader, approve=False, comment="应长期公开")
    entries = list(PageLogEntry.objects.filter(pk__gt=mark).order_by("pk"))
    assert [e.action for e in entries] == ["publishing.api.withdrawal_decline"]
    assert entries[0].data["after"] == {"withdrawal": "declined"} and entries[0].data["comment"] == "应长期公开"
