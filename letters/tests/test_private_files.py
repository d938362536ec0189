"""Citizens' attachments are never public: private storage, checked views only (issue 7)."""

import importlib
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from letters import services
from letters.models import Attachment

pytestmark = pytest.mark.django_db

CONTENT = "现场情况说明:每晚十一点后仍在施工,噪音很大。".encode()


def admin_url(item):
    return f"/admin/letters/{item.letter_id}/attachments/{item.pk}/"


def public_url(item):
    return f"/mailbox/attachments/{item.pk}/"


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def with_attachment(submit, staff, city):
    letter, code = submit(attachments=[("现场说明.txt", CONTENT)])
    letter = services.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    return letter, code, letter.attachments.get()


def test_an_attachment_is_stored_under_the_private_root_and_the_media_url_does_not_serve_it(client, with_attachment):
    letter, _, item = with_attachment
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / item.file.name).read_bytes() == CONTENT
    assert not (Path(settings.MEDIA_ROOT) / item.file.name).exists()
    with pytest.raises(ValueError):
        item.file.url  # no public address at all
    assert client.get(f"{settings.MEDIA_URL}{item.file.name}").status_code == 404


def test_the_handling_unit_dispatcher_and_supervisor_get_the_bytes(client, with_attachment, staff):
    _, _, item = with_attachment
    for person in (staff.east_handler, staff.east_leader, staff.dispatcher, staff.supervisor):
        client.force_login(person)
        response = client.get(admin_url(item))
        assert response.status_code == 200, person
        assert body_of(response) == CONTENT
        assert response["Content-Disposition"].startswith("attachment")
        assert "no-store" in response["Cache-Control"]


def test_other_units_staff_people_without_a_mailbox_role_and_anonymous_get_no_bytes(client, with_attachment, staff, city):
    _, _, item = with_attachment
    for person in (staff.edu_handler, city.dept_editor, city.editor):
        client.force_login(person)
        response = client.get(admin_url(item))
        assert response.status_code == 403, person
        assert CONTENT not in body_of(response)
    client.logout()
    response = client.get(admin_url(item))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.post(public_url(item), {}).status_code == 404
    assert client.get(public_url(item)).status_code == 405


def test_a_transferred_letter_stays_readable_by_the_unit_it_reached(client, with_attachment, staff, city):
    letter, _, item = with_attachment
    letter = services.letter_transfer(letter=letter, to_unit=city.dept, reason="属教育事项", actor=staff.east_handler,
                                      version=letter.version)
    client.force_login(staff.edu_handler)  # now the handling unit
    assert body_of(client.get(admin_url(item))) == CONTENT
    client.force_login(staff.east_handler)  # the letter reached 东区 before
    assert client.get(admin_url(item)).status_code == 200


def test_the_writer_gets_the_bytes_with_the_query_code_and_nobody_else(client, with_attachment, submit):
    _, code, item = with_attachment
    response = client.post(public_url(item), {"code": code, "check": "5678"})
    assert response.status_code == 200 and body_of(response) == CONTENT
    assert client.post(public_url(item), {"code": code, "check": "0000"}).status_code == 404
    _, other_code = submit(title="另一封来信", phone="13900001111")
    refused = client.post(public_url(item), {"code": other_code, "check": "1111"})  # a real code, another letter
    assert refused.status_code == 404 and CONTENT not in body_of(refused)
    # the tracking page offers the download to the writer
    page = client.post("/mailbox/track/", {"code": code, "check": "5678"}).content.decode()
    assert f'action="{public_url(item)}"' in page and "现场说明.txt" in page


def test_with_the_hand_off_setting_the_answer_names_the_internal_location_and_carries_no_body(
        client, with_attachment, staff, settings):
    _, code, item = with_attachment
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_private/"
    client.force_login(staff.east_handler)
    response = client.get(admin_url(item))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_private/" + quote(item.file.name)
    assert response.content == b""
    client.logout()
    response = client.post(public_url(item), {"code": code, "check": "5678"})
    assert response["X-Accel-Redirect"] == "/_private/" + quote(item.file.name) and response.content == b""
    client.force_login(staff.edu_handler)
    refused = client.get(admin_url(item))
    assert refused.status_code == 403 and not refused.has_header("X-Accel-Redirect")


def test_the_migration_moves_old_public_attachments_out_of_the_media_tree(client, submit, staff, city):
    letter, _ = submit()
    letter = services.letter_route(letter=letter, unit=city.district, actor=staff.dispatcher, version=letter.version)
    name = f"letters/legacy-{uuid.uuid4().hex}/旧附件.txt"
    old = Path(settings.MEDIA_ROOT) / name
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(CONTENT)
    try:
        item = Attachment.objects.create(letter=letter, file=name, name="旧附件.txt", size=len(CONTENT))
        assert body_of(client.get(f"{settings.MEDIA_URL}{name}")) == CONTENT  # as it was: public

        migration = importlib.import_module("letters.migrations.0006_private_attachments_public_text")
        from django.apps import apps

        migration.move_attachments_out_of_media(apps, None)
        migration.move_attachments_out_of_media(apps, None)  # running again changes nothing

        assert not old.exists()
        assert client.get(f"{settings.MEDIA_URL}{name}").status_code == 404
        client.force_login(staff.east_handler)
        assert body_of(client.get(admin_url(item))) == CONTENT
    finally:
        old.unlink(missing_ok=True)
        try:
            old.parent.rmdir()
        except OSError:
            pass
