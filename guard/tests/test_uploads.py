import io

import pytest
from django.test import override_settings

from guard.services import check_upload
from orgs.errors import DomainError

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20


def _check(name, head, size=None):
    return check_upload(name=name, size=len(head) if size is None else size, head=head)


def test_real_pdf_and_png_pass():
    assert _check("通知.pdf", PDF) == "pdf"
    assert _check("图.png", PNG) == "png"
    assert _check("名单.csv", "姓名,电话\n张三,1\n".encode()) == "csv"


@pytest.mark.parametrize(
    "name, head, code",
    [
        ("病毒.exe", b"MZ\x90\x00", "bad_type"),
        ("通知.pdf.exe", b"MZ\x90\x00", "bad_type"),
        ("报告.exe.pdf", PDF, "bad_type"),
        ("脚本.html", b"<html>", "bad_type"),
        ("假的.pdf", b"MZ\x90\x00not a pdf", "bad_content"),
        ("假图.png", PDF, "bad_content"),
        ("../../etc/passwd.txt", b"root", "bad_name"),
        ("无扩展名", b"abc", "bad_type"),
        ("乱码.txt", "中文".encode("gbk") + b"abc", "bad_content"),
        ("二进制.txt", b"abc\x00def", "bad_content"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(name, head, code):
    with pytest.raises(DomainError) as excinfo:
        _check(name, head)
    assert excinfo.value.code == code
    assert excinfo.value.message


def test_empty_and_oversized_files_are_refused():
    with pytest.raises(DomainError, match="空"):
        _check("空.pdf", PDF, size=0)
    with override_settings(UPLOAD_MAX_BYTES=1000):
        with pytest.raises(DomainError, match="过大"):
            _check("大.pdf", PDF, size=1001)


@pytest.mark.django_db
def test_the_admin_document_upload_goes_through_the_check(client, city):
    from wagtail.documents.models import Document

    client.force_login(city.editor)
    upload = io.BytesIO(b"MZ\x90\x00 pretend exe")
    upload.name = "通知.pdf"
    response = client.post(
        "/admin/documents/add/",
        {"title": "伪装的文件", "file": upload, "collection": city.district.collection_id},
    )
    assert response.status_code == 200
    assert "文件内容与扩展名" in response.content.decode()
    assert not Document.objects.filter(title="伪装的文件").exists()

    good = io.BytesIO(PDF)
    good.name = "通知.pdf"
    response = client.post(
        "/admin/documents/add/",
        {"title": "真的文件", "file": good, "collection": city.district.collection_id},
    )
    assert response.status_code == 302
    assert Document.objects.filter(title="真的文件", collection=city.district.collection).exists()


@pytest.mark.django_db
def test_documents_of_another_unit_are_out_of_reach(client, city):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    doc = Document(title="东区内部材料", collection=city.district.collection)
    doc.file.save("neibu.pdf", ContentFile(PDF), save=True)
    client.force_login(city.dept_editor)
    assert "东区内部材料" not in client.get("/admin/documents/").content.decode()
    assert client.get(f"/admin/documents/edit/{doc.pk}/").status_code in (302, 403)
    client.force_login(city.editor)
    assert "东区内部材料" in client.get("/admin/documents/").content.decode()
