"""Safe production settings: one switch (PLATFORM_PRODUCTION) that refuses unsafe
secrets and hosts and turns on HTTPS-only cookies, HSTS and the Content-Security-Policy;
links follow the port the platform runs on."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Settings that would point a child process at the shared services of the machine.
OUTSIDE = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_HOST", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG",
           "PLATFORM_PRODUCTION", "PLATFORM_BASE_URL", "PORT", "HOST", "CSRF_TRUSTED_ORIGINS", "PLATFORM_CSP")


def _manage(tmp_path, *args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in OUTSIDE and not k.startswith("PYTEST")}
    environment.update(PLATFORM_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=environment,
                          capture_output=True, text=True, timeout=180)


def _production(**extra):
    return {"PLATFORM_PRODUCTION": "true", "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "www.cq.gov.cn,yuzhong.cq.gov.cn", **extra}


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **_production())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output and "security." not in output


def test_check_deploy_warns_without_production_mode(tmp_path):
    """The same check on the embedded default does warn: the clean result above is
    the production mode's doing."""
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS


@pytest.mark.parametrize("env, message", [
    ({"SECRET_KEY": ""}, "SECRET_KEY"),
    ({"SECRET_KEY": "embedded-default-not-secret-change-me-in-production"}, "SECRET_KEY"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY"),
    ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
    ({"ALLOWED_HOSTS": "www.cq.gov.cn,*"}, "ALLOWED_HOSTS"),
    ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
    ({"DEBUG": "true"}, "DEBUG"),
])
def test_production_mode_refuses_to_start_with_unsafe_settings(tmp_path, env, message):
    settings = _production(**env)
    settings = {k: v for k, v in settings.items() if v != ""}  # an empty value stands for "not set"
    result = _manage(tmp_path, "check", **settings)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr and "生产模式" in result.stderr


def test_production_mode_turns_on_https_cookies_hsts_and_the_policy(tmp_path):
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.PLATFORM_CSP, s.DEBUG)")
    result = _manage(tmp_path, "shell", "-v", "0", "-c", code, **_production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "31536000", "('HTTP_X_FORWARDED_PROTO',", "'https')",
                                     "True", "False"]


def test_links_follow_the_port_the_platform_runs_on(tmp_path):
    code = "from django.conf import settings as s; print(s.WAGTAILADMIN_BASE_URL, s.PLATFORM_BASE_URL, s.CSRF_TRUSTED_ORIGINS)"
    moved = _manage(tmp_path, "shell", "-v", "0", "-c", code, PORT="8123")
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.startswith("http://127.0.0.1:8123 http://127.0.0.1:8123 ")
    assert "http://127.0.0.1:8123" in moved.stdout and ":8000" not in moved.stdout
    chosen = _manage(tmp_path, "shell", "-v", "0", "-c", code, PORT="8123", PLATFORM_BASE_URL="https://www.cq.gov.cn")
    assert chosen.stdout.startswith("https://www.cq.gov.cn https://www.cq.gov.cn ")


def test_the_makefile_passes_the_port_to_the_platform():
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert re.search(r"PORT=\$\(PORT\).*bin/run-platform", makefile)


# --- The Content-Security-Policy ------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@override_settings(PLATFORM_CSP=True)
def test_public_pages_get_a_policy_without_inline_scripts(city, client):
    response = client.get("/s/east/")
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["default-src"]


@pytest.mark.django_db
@override_settings(PLATFORM_CSP=True)
def test_the_admin_gets_its_own_looser_policy(city, client):
    policy = _directives(client.get("/admin/login/")["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["default-src"] == ["'self'"]


@pytest.mark.django_db
def test_no_policy_on_the_embedded_default(city, client):
    assert "Content-Security-Policy" not in client.get("/s/east/")


@pytest.mark.django_db
@override_settings(PLATFORM_CSP=True)
def test_public_pages_carry_no_inline_script_the_policy_would_block(city, article_factory, client, mailboxes):
    article = article_factory()
    pages = ["/", "/s/east/", "/s/east/news/", article.get_url(), "/sites/", "/mailbox/", "/mailbox/write/mayor/",
             "/mailbox/track/", "/mailbox/letters/", "/mailbox/stats/", "/no-such-page/", "/api/v1/docs"]
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), f"{path}: {INLINE_SCRIPT.search(html).group()}"
        assert not INLINE_HANDLER.search(html), f"{path}: {INLINE_HANDLER.search(html).group()}"
        assert "script-src 'self';" in response["Content-Security-Policy"] + ";", path


@pytest.fixture
def mailboxes(city):
    from letters.models import LetterType, Mailbox

    LetterType.objects.create(code="complaint", name="投诉", time_limit=13)
    return Mailbox.objects.create(unit=city.office, name="市长信箱", code="mayor", email="mayor@mail.cq.gov.cn", is_mayor=True)


@pytest.mark.django_db
@override_settings(PLATFORM_CSP=True, ROOT_URLCONF="cityplatform.tests.urls_errors")
def test_error_pages_carry_the_policy_too(city, client):
    for path, status in (("/no-such-page/", 404), ("/test-only-post/", 405)):
        response = client.get(path)
        assert response.status_code == status
        assert "script-src 'self';" in response["Content-Security-Policy"] + ";", path
