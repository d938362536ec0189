"""The letters API and machine clients: a business system needs the letters.intake
scope; without a token, a caller answers the challenge as before."""

import pytest
from django.utils import timezone

from letters.models import Letter
from letters.tests.helpers import api_challenge
from orgs.clients import machine_client_revoke
from orgs.models import MachineClient

LETTER = {"mailbox": "mayor", "letter_type": "complaint", "name": "赵敏", "phone": "13700001111",
          "title": "路灯不亮", "body": "东区滨江路一段的路灯已经坏了一个星期,晚上行走很不安全,请尽快修复。"}


def submit(http, body, token=None, **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return http.post("/api/v1/letters", body, content_type="application/json", **headers)


@pytest.fixture
def hotline(city, make_machine_client):
    return make_machine_client(city.district, "12345热线转办系统", scopes=["letters.intake"])


@pytest.fixture
def publisher(city, make_machine_client):
    return make_machine_client(city.district, "东区公文系统", scopes=["publish"])


@pytest.mark.django_db
def test_a_client_with_the_letters_scope_submits_without_a_challenge_and_tracks(client, mailboxes, hotline):
    response = submit(client, LETTER, hotline.token)
    assert response.status_code == 201
    assert Letter.objects.get().source == "api"
    tracked = client.post("/api/v1/letters/track", {"query_code": response.json()["query_code"], "check": "1111"},
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {hotline.token}")
    assert tracked.status_code == 200 and tracked.json()["serial"] == response.json()["serial"]


@pytest.mark.django_db
def test_a_publish_only_client_is_forbidden_while_an_anonymous_caller_with_a_challenge_is_not(
        client, mailboxes, publisher):
    refused = submit(client, {**LETTER, **api_challenge(client)}, publisher.token)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert "来信提交" in refused.json()["message"] and "letters.intake" in refused.json()["message"]
    tracked = client.post("/api/v1/letters/track", {"query_code": "NOSUCHCODE1", "check": "1111"},
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {publisher.token}")
    assert tracked.status_code == 403
    assert not Letter.objects.exists()
    assert submit(client, {**LETTER, **api_challenge(client)}).status_code == 201


@pytest.mark.django_db
def test_an_expired_or_revoked_client_gets_401_saying_so_and_no_letter_is_stored(client, mailboxes, hotline):
    MachineClient.objects.filter(pk=hotline.client.pk).update(expires_at=timezone.now())
    expired = submit(client, LETTER, hotline.token)
    assert expired.status_code == 401 and expired.json()["code"] == "token_expired"
    MachineClient.objects.filter(pk=hotline.client.pk).update(expires_at=None)
    machine_client_revoke(client=hotline.client, reason="热线系统更换")
    revoked = submit(client, LETTER, hotline.token)
    assert revoked.status_code == 401 and revoked.json()["code"] == "token_revoked"
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_a_clients_repeated_key_answers_with_its_first_letter(client, mailboxes, hotline):
    first = submit(client, LETTER, hotline.token, HTTP_IDEMPOTENCY_KEY="hotline-key-0001")
    again = submit(client, LETTER, hotline.token, HTTP_IDEMPOTENCY_KEY="hotline-key-0001")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Letter.objects.count() == 1
