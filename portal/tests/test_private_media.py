"""Documents and images of pages still in review are their unit's, not the public's."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image

from portal.models import ContentAttachment
from portal.services import page_review, page_submit_for_review

SECRET = b"%PDF-1.4 draft budget figures not yet approved"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PAGE_CACHE_SECONDS = 0
    return tmp_path / "media"


def _document(city):
    document = Document(title="东区预算草案附件", collection=city.district.collection, uploaded_by_user=city.editor)
    document.file.save("budget-draft.pdf", ContentFile(SECRET), save=False)
    document.save()
    return document


def _image(city):
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    image = Image(title="东区草稿配图", collection=city.district.collection, uploaded_by_user=city.editor)
    image.file.save("draft-photo.png", ImageFile(io.BytesIO(buffer.getvalue()), name="draft-photo.png"), save=False)
    image.save()
    return image


def _in_review(city, article_factory, django_capture_on_commit_callbacks, document=None, image=None):
    body = "<p>预算草案说明。</p>"
    if image is not None:
        body += f'<embed embedtype="image" id="{image.pk}" format="fullwidth" alt="配图"/>'
    with django_capture_on_commit_callbacks(execute=True):
        page = article_factory(publish=False, actor=city.editor, title="东区预算草案公示", body=body)
        if document is not None:
            page.attachments = [ContentAttachment(document=document, label="预算草案")]
            page.save()
            page.save_revision(user=city.editor)
        page_submit_for_review(page=page, actor=city.editor)
    return page


def _publish(city, page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page_review(page=page, actor=city.reviewer, approve=True)
        page = page_review(page=page, actor=city.leader, approve=True)
    assert page.live
    return page


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
def test_a_document_of_a_page_in_review_is_served_only_to_its_units_staff(
        city, article_factory, client, media, django_capture_on_commit_callbacks):
    document = _document(city)
    page = _in_review(city, article_factory, django_capture_on_commit_callbacks, document=document)
    url = document.url
    assert url == f"/documents/{document.pk}/budget-draft.pdf"
    direct = f"/media/{document.file.name}"

    assert client.get(url).status_code == 404  # anonymous
    assert client.get(direct).status_code == 404
    client.force_login(city.dept_editor)  # another unit's editor
    assert client.get(url).status_code == 404
    for person in (city.editor, city.reviewer, city.leader):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, person
        assert _body(response) == SECRET
    assert client.get(direct).status_code == 404  # never as plain media, not even for staff

    client.logout()
    page = _publish(city, page, django_capture_on_commit_callbacks)
    response = client.get(url)
    assert response.status_code == 200 and _body(response) == SECRET
    assert document.url in client.get(page.get_url()).content.decode()
    assert client.get(direct).status_code == 404


@pytest.mark.django_db
def test_an_image_of_a_page_in_review_is_served_only_to_its_units_staff(
        city, article_factory, client, media, django_capture_on_commit_callbacks):
    image = _image(city)
    rendition = image.get_rendition("width-20")
    page = _in_review(city, article_factory, django_capture_on_commit_callbacks, image=image)
    urls = [f"/media/{image.file.name}", rendition.url]
    assert all(u.startswith("/media/") for u in urls)

    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(city.dept_editor)
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(city.editor)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _body(response)[:8] == b"\x89PNG\r\n\x1a\n"
        assert response["Cache-Control"] == "private, no-store"

    client.logout()
    page = _publish(city, page, django_capture_on_commit_callbacks)
    html = client.get(page.get_url()).content.decode()
    shown = [u for u in html.split('"') if u.startswith("/media/images/")]
    assert shown, "the published page shows the image"
    for url in shown + urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "private" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_production_hands_checked_files_to_the_web_server(
        city, article_factory, client, media, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/_protected_media/"
    document = _document(city)
    _in_review(city, article_factory, django_capture_on_commit_callbacks, document=document)
    assert client.get(document.url).status_code == 404
    client.force_login(city.reviewer)
    response = client.get(document.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected_media/{document.file.name}"
    assert _body(response) == b""  # the web server sends the bytes
    assert "budget-draft.pdf" in response["Content-Disposition"]
