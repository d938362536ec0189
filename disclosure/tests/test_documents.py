import datetime as dt
import re

import pytest
from django.utils import timezone

from disclosure.models import GovDocumentPage
from disclosure.services import index_number_allocate
from orgs.errors import DomainError
from portal.services import page_create


def _document(city, column=None, **fields):
    values = dict(
        title="东区关于规范行政执法的若干规定", doc_type="normative", issuing_organ="测试市东区人民政府",
        document_number="东府发〔2026〕8号", date_written=dt.date(2026, 11, 2),
        pub_date=timezone.make_aware(dt.datetime(2026, 11, 6, 9)), topic="general", keywords="行政执法 规范",
        body="<p>第一条 为规范行政执法行为,制定本规定。</p>",
    )
    values.update(fields)
    return page_create(parent=column or city.district_notices, page=GovDocumentPage(**values), publish=True)


@pytest.mark.django_db
def test_index_numbers_run_per_unit_and_year(city):
    first = index_number_allocate(unit=city.district, year=2026)
    second = index_number_allocate(unit=city.district, year=2026)
    other_year = index_number_allocate(unit=city.district, year=2027)
    other_unit = index_number_allocate(unit=city.dept, year=2026)
    assert (first, second, other_year, other_unit) == ("EAST/2026-00001", "EAST/2026-00002", "EAST/2027-00001", "EDU/2026-00001")


@pytest.mark.django_db
def test_a_document_gets_its_index_number_and_shows_every_disclosure_field(city, client):
    doc = _document(city)
    assert re.fullmatch(r"EAST/2026-\d{5}", doc.index_number)
    html = client.get(doc.get_url()).content.decode()
    for label, value in (
        ("索引号", doc.index_number), ("发文机关", "测试市东区人民政府"), ("发文字号", "东府发〔2026〕8号"),
        ("成文日期", "2026-11-02"), ("发布日期", "2026-11-06"), ("主题分类", "综合政务"), ("主题词", "行政执法 规范"),
        ("效力状态", "有效"), ("文件类型", "规范性文件"),
    ):
        assert label in html and value in html, label


@pytest.mark.django_db
def test_every_publication_type_of_the_notice_is_available(city):
    labels = dict(GovDocumentPage._meta.get_field("doc_type").choices)
    assert set(labels.values()) == {"公告", "通告", "公示", "便民告示", "规范性文件"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, message",
    [
        ({"document_number": ""}, "发文字号"),
        ({"date_written": dt.date(2026, 12, 1)}, "成文日期"),
        ({"issuing_organ": ""}, "发文机关"),
    ],
)
def test_malformed_documents_are_refused(city, fields, message):
    with pytest.raises(DomainError, match=message):
        _document(city, **fields)
    assert not GovDocumentPage.objects.exists()


@pytest.mark.django_db
def test_versions_link_both_ways(city, client):
    old = _document(city, title="东区旧规定", validity="amended")
    new = _document(city, title="东区新规定", supersedes=old, document_number="东府发〔2026〕9号")
    old_html = client.get(old.get_url()).content.decode()
    new_html = client.get(new.get_url()).content.decode()
    assert "已修改" in old_html and new.get_url() in old_html
    assert old.get_url() in new_html


@pytest.mark.django_db
def test_attachments_are_downloadable(city, client):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from portal.models import ContentAttachment

    pdf = Document(title="附件一", collection=city.district.collection)
    pdf.file.save("fujian.pdf", ContentFile(b"%PDF-1.4\n%%EOF"), save=True)
    doc = GovDocumentPage(
        title="东区公告", doc_type="announcement", issuing_organ="东区政府", date_written=dt.date(2026, 11, 1),
        body="<p>公告正文</p>",
    )
    doc.attachments = [ContentAttachment(document=pdf, label="报名表")]
    doc = page_create(parent=city.district_notices, page=doc, publish=True)
    html = client.get(doc.get_url()).content.decode()
    assert "报名表" in html and pdf.url in html
    response = client.get(pdf.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]).startswith(b"%PDF")


def _draftail(text):
    import json

    return json.dumps({"blocks": [{"key": "a1", "type": "unstyled", "depth": 0, "text": text, "inlineStyleRanges": [],
                                   "entityRanges": []}], "entityMap": {}})


@pytest.mark.django_db
def test_a_document_written_in_the_editor_gets_its_index_number_once(city, client):
    client.force_login(city.editor)
    data = {
        "title": "东区关于开展安全生产检查的通知", "slug": "anquan", "doc_type": "notice", "topic": "general",
        "issuing_organ": "测试市东区人民政府", "document_number": "", "date_written": "2026-11-02",
        "pub_date": "2026-11-06 09:00:00", "validity": "in_force", "keywords": "", "body": _draftail("请各单位开展检查。"),
        "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0", "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000", "comments-TOTAL_FORMS": "0", "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0", "comments-MAX_NUM_FORMS": "1000",
    }
    response = client.post(f"/admin/pages/add/disclosure/govdocumentpage/{city.district_notices.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    doc = GovDocumentPage.objects.get(slug="anquan")
    assert doc.index_number == "EAST/2026-00001"
    assert doc.get_latest_revision().content["index_number"] == doc.index_number  # a later publication keeps it
    data["title"] = "东区关于开展安全生产检查的通知(修改)"
    assert client.post(f"/admin/pages/{doc.pk}/edit/", data).status_code == 302
    doc.refresh_from_db()
    assert doc.index_number == "EAST/2026-00001"


@pytest.mark.django_db
def test_a_copied_document_gets_its_own_index_number_and_no_version_link(city, client):
    earlier = _document(city, title="东区旧规定", document_number="东府发〔2025〕1号")
    original = _document(city, supersedes=earlier)
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("copy_root", "root@example.org", "Copy-Root-2026")
    client.force_login(root)
    response = client.post(f"/admin/pages/{original.pk}/copy/", {
        "new_title": "东区关于规范行政执法的若干规定(副本)", "new_slug": "copy-of-rules",
        "new_parent_page": city.district_notices.pk})
    assert response.status_code == 302, response.content.decode()[:1500]
    copy = GovDocumentPage.objects.get(slug="copy-of-rules")
    assert copy.index_number and copy.index_number != original.index_number
    assert copy.supersedes_id is None
    revision = copy.get_latest_revision()
    assert revision.content["index_number"] == copy.index_number and revision.content["supersedes"] is None
    original.refresh_from_db()
    assert original.supersedes_id == earlier.pk  # the original keeps its own
