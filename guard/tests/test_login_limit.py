"""Password guessing and reset mail are limited per address and per account; a
successful login does not count; staff see no outside avatar service."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)


def _login(username, password, address="198.51.100.7"):
    return Client(REMOTE_ADDR=address).post("/admin/login/", {"username": username, "password": password})


@pytest.fixture
def editor(make_user):
    return make_user("limit_editor")


def test_guessing_one_accounts_password_is_stopped_even_with_the_right_one(editor, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    for _ in range(3):
        assert _login("limit_editor", "wrong-password").status_code == 200  # the form again, with its error
    refused = _login("limit_editor", "pw-Test-2026")
    assert refused.status_code == 429 and "请求过于频繁" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0


def test_a_burst_of_parallel_guesses_gets_no_more_tries_than_the_limit(editor, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 4
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda i: _login("limit_editor", f"guess-{i}", address=f"203.0.113.{i}").status_code,
                              range(12)))
    assert codes.count(200) == 4 and codes.count(429) == 8


def test_one_address_guessing_many_accounts_is_stopped(editor, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    codes = [_login(f"nobody{i}", "x").status_code for i in range(7)]
    assert codes == [200] * 5 + [429] * 2


def test_a_successful_login_does_not_count(editor, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    for _ in range(4):
        response = _login("limit_editor", "pw-Test-2026")
        assert response.status_code == 302
    assert _login("limit_editor", "wrong").status_code == 200


def test_password_reset_requests_are_limited_per_address(settings):
    settings.PASSWORD_RESETS_PER_ADDRESS = 2
    client = Client(REMOTE_ADDR="198.51.100.9")
    codes = [client.post("/admin/password_reset/", {"email": f"a{i}@example.org"}).status_code for i in range(3)]
    assert codes[:2] == [302, 302] and codes[2] == 429


def test_staff_avatars_are_not_fetched_from_an_outside_service():
    from wagtail.users.utils import get_gravatar_url

    assert get_gravatar_url("staff@example.org") is None  # Wagtail would build a gravatar.com address
