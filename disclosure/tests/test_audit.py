"""Allocating an index number (索引号) is a state change: one entry of the audit trail."""

import datetime as dt

import pytest
from django.db.models import Max
from django.utils import timezone
from wagtail.models import ModelLogEntry

from disclosure.models import GovDocumentPage
from disclosure.services import index_number_allocate
from portal.services import page_create

pytestmark = pytest.mark.django_db


def _since(mark):
    return list(ModelLogEntry.objects.filter(pk__gt=mark, action="disclosure.index_number.allocate").order_by("pk"))


def test_each_allocation_is_one_entry_on_the_unit_with_the_counter_before_and_after(city):
    mark = ModelLogEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    index_number_allocate(unit=city.district, year=2026)
    number = index_number_allocate(unit=city.district, year=2026, actor=city.editor)
    entries = list(ModelLogEntry.objects.filter(pk__gt=mark).order_by("pk"))
    assert [e.action for e in entries] == ["disclosure.index_number.allocate"] * 2
    entry = entries[1]
    assert entry.object_id == str(city.district.pk) and entry.user == city.editor
    assert entry.data == {"year": 2026, "index_number": number, "before": {"last": 1}, "after": {"last": 2}}


def test_a_documents_number_is_recorded_as_taken_by_the_editor_who_created_it(city):
    mark = ModelLogEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    page = GovDocumentPage(
        title="东区关于规范行政执法的若干规定", doc_type="notice", issuing_organ="测试市东区人民政府",
        date_written=dt.date(2026, 11, 2), pub_date=timezone.make_aware(dt.datetime(2026, 11, 6, 9)),
        body="<p>第一条 为规范行政执法行为,制定本规定。</p>",
    )
    page = page_create(parent=city.district_notices, page=page, actor=city.editor)
    [entry] = _since(mark)
    assert entry.user == city.editor and entry.data["index_number"] == page.index_number
