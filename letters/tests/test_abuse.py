"""The public mailbox under attack: bursts against every limit, the API driven without
a challenge or a token, replayed keys, cross-site posts, and a 200 MB upload to a real
gunicorn worker on loopback."""

import json
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from guard import challenge
from letters.models import Letter
from letters.tests.helpers import api_challenge, solve

BODY = "东区滨江路一段的路灯已经坏了一个星期,晚上行走很不安全,请尽快修复。"
API_LETTER = {"mailbox": "mayor", "letter_type": "complaint", "name": "赵敏", "phone": "13700001111",
              "title": "路灯不亮", "body": BODY}


def _form(mailboxes, question=None, token=None, **extra):
    if token is None:
        question, token = challenge.new_challenge()
    data = {"letter_type": mailboxes.types["complaint"].pk, "name": "王丽", "phone": "13987654321", "email": "",
            "title": "路灯不亮", "body": BODY, "challenge_token": token, "challenge_answer": solve(question), "website": ""}
    data.update(extra)
    return data


def _burst(count, work):
    """Run ``work(n)`` in ``count`` threads released together; return the results in order."""
    barrier, results = threading.Barrier(count), [None] * count

    def run(n):
        try:
            barrier.wait(timeout=30)
            results[n] = work(n)
        except Exception as exc:  # noqa: BLE001  (reported by the test)
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    return results


# --- Bursts against every limit ----------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_burst_of_form_posts_gets_no_more_letters_than_the_quota(mailboxes, settings):
    settings.LETTERS_PER_ADDRESS_PER_HOUR = 3
    forms = [_form(mailboxes, title=f"第{n}封") for n in range(8)]
    statuses = _burst(8, lambda n: Client().post("/mailbox/write/mayor/", forms[n]).status_code)
    assert sorted(statuses) == [200] * 3 + [429] * 5
    assert Letter.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_anonymous_api_posts_gets_no_more_letters_than_the_quota(mailboxes, settings):
    settings.LETTERS_PER_ADDRESS_PER_HOUR = 3
    bodies = [{**API_LETTER, "title": f"第{n}封", **api_challenge(Client())} for n in range(8)]
    responses = _burst(8, lambda n: Client().post("/api/v1/letters", bodies[n], content_type="application/json"))
    assert sorted(r.status_code for r in responses) == [201] * 3 + [429] * 5
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.json()["code"] == "too_many" and int(refused["Retry-After"]) > 0
    assert Letter.objects.count() == 3


@pytest.fixture
def business_system(city, make_machine_client):
    token = make_machine_client(city.district, "12345热线转办系统", scopes=["letters.intake"]).token
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.django_db(transaction=True)
def test_a_business_system_needs_no_challenge_and_has_its_own_quota(mailboxes, business_system, settings):
    settings.LETTERS_PER_ADDRESS_PER_HOUR = 1
    settings.LETTERS_PER_CLIENT_PER_HOUR = 4
    responses = _burst(7, lambda n: Client().post("/api/v1/letters", {**API_LETTER, "title": f"热线转办{n}"},
                                                  content_type="application/json", **business_system))
    assert sorted(r.status_code for r in responses) == [201] * 4 + [429] * 3
    assert Letter.objects.filter(source="api").count() == 4
    # The system's letters did not use up the quota of the address it calls from.
    anonymous = Client().post("/api/v1/letters", {**API_LETTER, **api_challenge(Client())}, content_type="application/json")
    assert anonymous.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_wrong_query_codes_gets_no_more_looks_than_the_limit(submit):
    letter, code = submit()
    statuses = _burst(10, lambda n: Client().post("/mailbox/track/", {"code": "ABCD-EFGH-JKMN", "check": "5678"}).status_code)
    assert sorted(statuses) == [404] * 5 + [429] * 5
    assert Client().post("/mailbox/track/", {"code": code, "check": "5678"}).status_code == 429


@pytest.mark.django_db(transaction=True)
def test_one_challenge_posted_at_once_from_many_tabs_makes_one_letter(mailboxes):
    question, token = challenge.new_challenge()
    statuses = _burst(6, lambda n: Client().post("/mailbox/write/mayor/", _form(mailboxes, question, token,
                                                                                 title=f"第{n}封")).status_code)
    assert sorted(statuses) == [200] + [400] * 5
    assert Letter.objects.count() == 1


@pytest.mark.django_db
def test_a_used_challenge_is_refused_on_the_form(mailboxes, client):
    form = _form(mailboxes)
    assert client.post("/mailbox/write/mayor/", form).status_code == 200
    again = client.post("/mailbox/write/mayor/", {**form, "title": "再来一封"})
    assert again.status_code == 400 and "已使用过" in again.content.decode()
    assert Letter.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_letter_does_not_use_up_the_quota(mailboxes, client, settings):
    settings.LETTERS_PER_ADDRESS_PER_HOUR = 1
    assert client.post("/mailbox/write/mayor/", _form(mailboxes, phone="123")).status_code == 400
    assert client.post("/mailbox/write/mayor/", _form(mailboxes)).status_code == 200
    assert client.post("/mailbox/write/mayor/", _form(mailboxes, title="第二封")).status_code == 429
    assert Letter.objects.count() == 1


@pytest.mark.django_db
def test_behind_the_proxy_each_client_has_its_own_quota_and_cannot_choose_it(mailboxes, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LETTERS_PER_ADDRESS_PER_HOUR = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = client.post("/mailbox/write/mayor/", _form(mailboxes), HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)
    assert first.status_code == 200
    assert Letter.objects.get().writer_ip == "198.51.100.20"
    # Another client behind the same proxy is not held up ...
    other = client.post("/mailbox/write/mayor/", _form(mailboxes, title="邻居的信"), HTTP_X_FORWARDED_FOR="198.51.100.21",
                        **proxy)
    assert other.status_code == 200
    # ... and the first one cannot get a fresh quota by writing its own X-Forwarded-For.
    spoofed = client.post("/mailbox/write/mayor/", _form(mailboxes, title="第二封"),
                          HTTP_X_FORWARDED_FOR="7.7.7.7, 198.51.100.20", **proxy)
    assert spoofed.status_code == 429 and "太频繁" in spoofed.content.decode()
    assert Letter.objects.count() == 2


# --- The API without a challenge or a token ------------------------------------------------

@pytest.mark.django_db
def test_the_api_refuses_a_letter_without_a_challenge_or_a_token(mailboxes, client, staff):
    bare = client.post("/api/v1/letters", API_LETTER, content_type="application/json")
    assert bare.status_code == 403 and bare.json()["code"] == "challenge_failed"
    wrong = client.post("/api/v1/letters", {**API_LETTER, **api_challenge(client), "challenge_answer": "99"},
                        content_type="application/json")
    assert wrong.status_code == 403
    forged_token = client.post("/api/v1/letters", API_LETTER, content_type="application/json",
                               HTTP_AUTHORIZATION="Bearer wagtail_notatoken")
    assert forged_token.status_code == 401
    # A logged-in visitor's cookie stands in for nothing.
    client.force_login(staff.dispatcher)
    with_cookie = client.post("/api/v1/letters", API_LETTER, content_type="application/json")
    assert with_cookie.status_code == 403
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_the_challenge_of_the_api_passes_once(mailboxes, client):
    answered = api_challenge(client)
    assert client.post("/api/v1/letters", {**API_LETTER, **answered}, content_type="application/json").status_code == 201
    replayed = client.post("/api/v1/letters", {**API_LETTER, **answered, "title": "另一封"}, content_type="application/json")
    assert replayed.status_code == 403 and replayed.json()["code"] == "challenge_failed"
    assert Letter.objects.count() == 1


# --- Idempotency keys ------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_replayed_key_with_other_content_is_refused_and_reveals_nothing(mailboxes, client):
    first = client.post("/api/v1/letters", {**API_LETTER, **api_challenge(client)}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="retry-key-0001")
    assert first.status_code == 201
    serial, code = first.json()["serial"], first.json()["query_code"]
    other = client.post("/api/v1/letters", {**API_LETTER, "body": BODY + "另外还有一件事。", **api_challenge(client)},
                        content_type="application/json", HTTP_IDEMPOTENCY_KEY="retry-key-0001")
    assert other.status_code == 409 and other.json()["code"] == "conflict"
    assert serial not in other.content.decode() and code not in other.content.decode()
    assert Letter.objects.count() == 1
    # The same content again is the first letter (a retry after a lost answer).
    again = client.post("/api/v1/letters", API_LETTER, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="retry-key-0001")
    assert again.status_code == 201 and again.json() == first.json() and again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_a_key_belongs_to_the_client_that_sent_it(mailboxes, client, business_system):
    mine = client.post("/api/v1/letters", {**API_LETTER, **api_challenge(client)}, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY="shared-key-0001", REMOTE_ADDR="198.51.100.20")
    assert mine.status_code == 201
    # Another address sending the very same key and content writes its own letter.
    theirs = client.post("/api/v1/letters", {**API_LETTER, **api_challenge(client)}, content_type="application/json",
                         HTTP_IDEMPOTENCY_KEY="shared-key-0001", REMOTE_ADDR="198.51.100.99")
    assert theirs.status_code == 201 and theirs.json()["serial"] != mine.json()["serial"]
    assert mine.json()["query_code"] not in theirs.content.decode()
    # So does a business system.
    system = client.post("/api/v1/letters", API_LETTER, content_type="application/json",
                         HTTP_IDEMPOTENCY_KEY="shared-key-0001", REMOTE_ADDR="198.51.100.20", **business_system)
    assert system.status_code == 201 and system.json()["serial"] not in (mine.json()["serial"], theirs.json()["serial"])
    assert Letter.objects.count() == 3


# --- Cross-site --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_cross_site_text_plain_post_is_refused_and_stores_nothing(mailboxes, client):
    """What a hostile page can make a visitor's browser send without asking first: a
    'simple' request with a JSON text as text/plain."""
    body = json.dumps({**API_LETTER, **api_challenge(client)})
    response = client.post("/api/v1/letters", body, content_type="text/plain;charset=UTF-8",
                           HTTP_ORIGIN="https://evil.example", HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"
    form_encoded = client.post("/api/v1/letters", {"mailbox": "mayor"})
    assert form_encoded.status_code == 415
    assert not Letter.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [
    {"HTTP_ORIGIN": "https://evil.example"},
    {"HTTP_ORIGIN": "null"},
    {"HTTP_SEC_FETCH_SITE": "cross-site"},
    {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://shop.cq.gov.cn"},
])
def test_json_sent_by_a_browser_from_another_site_is_refused(mailboxes, client, headers):
    response = client.post("/api/v1/letters", {**API_LETTER, **api_challenge(client)}, content_type="application/json",
                           **headers)
    assert response.status_code == 403 and response.json()["code"] == "cross_site"
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_the_platforms_own_pages_and_trusted_origins_may_call_it(mailboxes, client, settings):
    same_origin = client.post("/api/v1/letters", {**API_LETTER, **api_challenge(client)}, content_type="application/json",
                              HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin")
    assert same_origin.status_code == 201
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.cq.gov.cn"]
    portal = client.post("/api/v1/letters", {**API_LETTER, "title": "门户页面上的写信", **api_challenge(client)},
                         content_type="application/json", HTTP_ORIGIN="https://www.cq.gov.cn",
                         HTTP_SEC_FETCH_SITE="same-site")
    assert portal.status_code == 201
    assert Letter.objects.count() == 2


@pytest.mark.django_db
def test_no_browser_is_invited_to_call_the_api_from_another_site(client):
    preflight = client.options("/api/v1/letters", HTTP_ORIGIN="https://evil.example",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                               HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type")
    assert preflight.status_code == 405
    assert not any(header.lower().startswith("access-control-") for header in preflight.headers)


# --- A 200 MB anonymous upload against a real gunicorn worker ---------------------------------

def _database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status_kb(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def _reset_peak(pid):
    """Start VmHWM over from the current RSS (Linux: clear_refs 5), so the peak of one request shows."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _send_streaming(port, head, parts, total):
    """Send ``head`` then the body ``parts`` (an iterator of bytes) to the server,
    stopping as soon as it answers; return (status, answer, bytes of the body sent)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head)
        pending = b""
        answer = b""
        while True:
            readable, writable, _ = select.select([sock], [sock] if sent < total else [], [], 60)
            if readable:
                break
            if not writable:
                raise AssertionError("the server neither read the body nor answered within 60 s")
            if not pending:
                pending = next(parts, b"")
            try:
                n = sock.send(pending)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent, pending = sent + n, pending[n:]
        sock.settimeout(30)
        try:
            while b"\r\n\r\n" not in answer or len(answer) < 2000:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else None
    return status, answer.decode("utf-8", "replace"), sent


def _repeat(block, total):
    while total > 0:
        piece = block[:total]
        total -= len(piece)
        yield piece


@pytest.fixture
def gunicorn():
    """The platform under gunicorn as ``make run`` starts it (gthread), one worker, on the test database."""
    port, log = _free_port(), Path(django_settings.VAR_DIR) / "test-gunicorn-abuse.log"
    env = {**os.environ, "DATABASE_URL": _database_url(), "PYTHONUNBUFFERED": "1",
           "CACHE_KEY_PREFIX": django_settings.CACHE_KEY_PREFIX}
    with open(log, "w") as out:
        master = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cityplatform.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--threads", "4", "--timeout", "120"],
            cwd=django_settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        worker = None
        while time.monotonic() < deadline:
            assert master.poll() is None, log.read_text()
            children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
            if children:
                worker = int(children[0])
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/mailbox/", timeout=10).close()
                    break
                except OSError:
                    pass
            time.sleep(0.3)
        else:
            raise AssertionError("gunicorn did not answer within 90 s:\n" + log.read_text())
        yield port, worker
    finally:
        master.terminate()
        master.wait(timeout=30)


def _fresh_form(port):
    """GET the write form as a browser does: its CSRF cookie, token and challenge."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"http://127.0.0.1:{port}/mailbox/write/mayor/", timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    question = re.search(r"验证:([^<]+)</label>", html).group(1)
    token = re.search(r'name="challenge_token" value="([^"]+)"', html).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return csrf, cookie, question, token


def _multipart_head(port, mailboxes, form, file_size, boundary="----cityplatformtest"):
    csrf, cookie, question, token = form
    fields = {"csrfmiddlewaretoken": csrf, "letter_type": str(mailboxes.types["complaint"].pk), "name": "王丽",
              "phone": "13987654321", "title": "大附件", "body": BODY, "challenge_token": token,
              "challenge_answer": solve(question), "website": ""}
    prefix = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode() for name, value in fields.items()
    ) + (f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="scan.pdf"\r\n'
         f"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n").encode()
    suffix = f"\r\n--{boundary}--\r\n".encode()
    total = len(prefix) + file_size + len(suffix)
    head = (f"POST /mailbox/write/mayor/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {total}\r\n\r\n").encode()
    return head, prefix, suffix, total


@pytest.mark.django_db(transaction=True)
def test_a_200_mb_anonymous_upload_is_refused_without_the_worker_growing(mailboxes, gunicorn):
    port, worker = gunicorn
    # Warm the worker up with a real letter with a small attachment, the path the large one takes.
    head, prefix, suffix, total = _multipart_head(port, mailboxes, _fresh_form(port), 2000)
    status, answer, _ = _send_streaming(port, head, iter([prefix, b"0" * 2000, suffix]), total)
    assert status == 200, answer[:2000]
    assert Letter.objects.count() == 1

    size = 200 * 1024 * 1024
    head, prefix, suffix, total = _multipart_head(port, mailboxes, _fresh_form(port), size)
    _reset_peak(worker)
    before = _status_kb(worker, "VmRSS")
    body = iter([prefix, *_repeat(b"0" * (256 * 1024), size), suffix])
    status, answer, sent = _send_streaming(port, head, body, total)
    peak = _status_kb(worker, "VmHWM")
    assert status == 413, answer[:2000]
    assert "不能超过" in answer
    assert sent < 64 * 1024 * 1024  # answered long before the body was through
    assert peak - before < 8 * 1024, f"the worker grew by {(peak - before) // 1024} MB"
    assert Letter.objects.count() == 1

    # The same without a length (chunked), to the API: cut off at the limit, memory flat.
    _reset_peak(worker)
    before = _status_kb(worker, "VmRSS")
    head = (f"POST /api/v1/letters HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Transfer-Encoding: chunked\r\n\r\n").encode()
    chunk = b"40000\r\n" + b"0" * 0x40000 + b"\r\n"
    status, answer, sent = _send_streaming(port, head, iter([chunk] * 800), len(chunk) * 800)
    peak = _status_kb(worker, "VmHWM")
    assert status == 413, answer[:2000]
    assert '"code": "too_large"' in answer
    assert peak - before < 8 * 1024, f"the worker grew by {(peak - before) // 1024} MB"
    assert Letter.objects.count() == 1
