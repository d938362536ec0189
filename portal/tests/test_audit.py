"""Column kinds are configuration: one audit entry per change, with before and after.
Pages go through Wagtail's own page log (creation, revisions, review), not the trail."""

import pytest
from django.db.models import Max
from wagtail.models import ModelLogEntry, PageLogEntry

from portal.models import ArticlePage
from portal.services import column_kind_save, page_create, page_review, page_submit_for_review

pytestmark = pytest.mark.django_db


def _mark(model=ModelLogEntry):
    return model.objects.aggregate(last=Max("pk"))["last"] or 0


def test_a_new_column_kind_is_one_entry_linked_to_its_revision(city, managers):
    mark = _mark()
    kind = column_kind_save(code="guides", name="办事指南", category="services", update_period=0, actor=managers.centre)
    [entry] = ModelLogEntry.objects.filter(pk__gt=mark)
    assert (entry.action, entry.object_id, entry.user) == ("portal.column_kind.create", str(kind.pk), managers.centre)
    assert entry.data["after"] == {"code": "guides", "name": "办事指南", "category": "services", "update_period": 0,
                                   "approval": None}
    assert entry.revision == kind.latest_revision


def test_changing_a_column_kind_records_what_changed(city, managers):
    kind = city.kinds["news"]  # 新闻动态, updated every 14 days
    mark = _mark()
    column_kind_save(instance=kind, code="news", name="新闻动态", category="news", update_period=182,
                     actor=managers.centre)
    [entry] = ModelLogEntry.objects.filter(pk__gt=mark)
    assert (entry.action, entry.object_id, entry.user) == ("portal.column_kind.update", str(kind.pk), managers.centre)
    assert entry.data["before"] == {"update_period": 14} and entry.data["after"] == {"update_period": 182}
    assert entry.message == "修改了栏目类型(更新周期:14 → 182)"  # as the record's history page shows it


def test_page_creation_submission_and_review_are_wagtails_page_log_and_not_the_trail(city):
    model_mark, page_mark = _mark(), _mark(PageLogEntry)
    page = page_create(parent=city.district_news, page=ArticlePage(title="东区召开民生工作推进会", body="<p>会议。</p>"),
                       actor=city.editor)
    page_submit_for_review(page=page, actor=city.editor)
    page_review(page=page, actor=city.reviewer, approve=True)
    entries = PageLogEntry.objects.filter(pk__gt=page_mark, page=page).order_by("pk")
    actions = list(entries.values_list("action", "user"))
    assert ("wagtail.create", city.editor.pk) in actions and ("wagtail.edit", city.editor.pk) in actions
    assert ("wagtail.workflow.start", city.editor.pk) in actions
    assert ("wagtail.workflow.approve", city.reviewer.pk) in actions
    assert not ModelLogEntry.objects.filter(pk__gt=model_mark).exists()
