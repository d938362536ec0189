"""Faults of the whole platform, with real processes and a real database:

- a database that refuses writes, or cannot be reached at all, for a few seconds:
  pages answer 503 with a Chinese message, the API ``{code, message}`` JSON, /healthz
  reports it (it tries a write), and the same process serves again once it is back;
- the launcher (``bin/run-platform``, what ``make run`` starts) stopped with TERM:
  the web server and the worker are both gone within seconds;
- two launchers on one installation: one beat scheduler sends tasks, the other
  waits and takes over when the first is stopped.
"""

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from cityplatform.middleware import CODE

from .processes import database_url

MESSAGE_PART = "数据库暂时无法写入或无法连接"


@pytest.fixture
def client():
    """A client that answers like the server does: an exception a middleware raised
    (here the page cache asking for the site list) is a response, not re-raised."""
    from django.test import Client

    return Client(raise_request_exception=False)


# --- Making the database refuse writes, or be unreachable --------------------------------------

def _postgres_admin():
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(dbname="postgres", user=db["USER"], host=db.get("HOST") or "127.0.0.1",
                           port=db.get("PORT") or 5432, autocommit=True)


@contextlib.contextmanager
def short_sqlite_wait(seconds=1):
    """Django's SQLite connections wait 20 s for a lock; a test waits one."""
    options = connection.settings_dict.setdefault("OPTIONS", {})
    before = options.get("timeout")
    options["timeout"] = seconds
    connection.close()
    try:
        yield
    finally:
        options["timeout"] = before
        connection.close()


@contextlib.contextmanager
def writes_refused():
    """SQLite: another connection holds the write lock. PostgreSQL: new sessions are read-only."""
    connection.close()
    if connection.vendor == "sqlite":
        with short_sqlite_wait():
            blocker = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
            blocker.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                blocker.execute("ROLLBACK")
                blocker.close()
    else:
        name = connection.settings_dict["NAME"]
        with _postgres_admin() as admin:
            admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
            try:
                yield
            finally:
                admin.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')


@contextlib.contextmanager
def database_unreachable():
    """SQLite: the database file cannot be opened (its volume is gone).
    PostgreSQL: the database accepts no connections and its sessions are ended."""
    connection.close()
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        connection.settings_dict["NAME"] = "/nonexistent-volume/platform.sqlite3"
        try:
            yield
        finally:
            connection.settings_dict["NAME"] = name
            connection.close()
    else:
        name = connection.settings_dict["NAME"]
        with _postgres_admin() as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                          [name])
            try:
                yield
            finally:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def assert_503_page(response):
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert MESSAGE_PART in text and "服务暂时不可用" in text and 'href="/"' in text
    assert response["Retry-After"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_database_that_refuses_writes_answers_503_and_healthz_says_so_then_recovers(client, city):
    login = {"username": "east_editor", "password": "pw-Test-2026"}
    with writes_refused():
        health = client.get("/healthz")
        body = json.loads(health.content)
        assert health.status_code == 503 and body["database"]["ok"] is False, "reads work: only a write shows it"
        assert body["database"]["writable"] is False and MESSAGE_PART in body["database"]["detail"]

        assert_503_page(client.post("/admin/login/", login))  # a login writes (session, last login)
        assert settings.SESSION_COOKIE_NAME not in client.cookies, "not logged in half-way"

    # The database is back: the same process serves again, nothing restarted.
    body = json.loads(client.get("/healthz").content)
    assert body["database"]["ok"] is True and body["database"]["writable"] is True
    response = client.post("/admin/login/", login)
    assert response.status_code == 302 and client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_gives_503_pages_and_json_on_the_api_then_recovers(client, city):
    with database_unreachable():
        assert_503_page(client.get("/"))
        assert_503_page(client.get("/mailbox/"))
        api = client.get("/api/v1/sites")
        assert api.status_code == 503 and api["Content-Type"] == "application/json"
        assert json.loads(api.content) == {"code": CODE, "message": json.loads(api.content)["message"]}
        assert MESSAGE_PART in json.loads(api.content)["message"]
        health = json.loads(client.get("/healthz").content)
        assert health["status"] == "degraded" and health["database"]["ok"] is False

    assert client.get("/").status_code == 200
    api = client.get("/api/v1/sites")
    assert api.status_code == 200 and "测试门户" in [site["name"] for site in json.loads(api.content)]
    assert json.loads(client.get("/healthz").content)["database"]["ok"] is True


# --- The launcher ------------------------------------------------------------------------------

def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid):
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        children.append(int(entry))
            except OSError:
                continue
    return children


def _descendants(pid):
    found, todo = [], [pid]
    while todo:
        children = _children(todo.pop())
        found += children
        todo += children
    return found


def _running(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Launcher:
    def __init__(self, tmp_path, name):
        self.var = tmp_path / name
        self.var.mkdir()
        self.port = _free_port()
        env = {**os.environ, "PLATFORM_VAR_DIR": str(self.var), "PORT": str(self.port), "HOST": "127.0.0.1",
               "DATABASE_URL": database_url(), "BEAT_LOCK_RETRY_SECONDS": "1", "PYTHONUNBUFFERED": "1"}
        env.pop("REDIS_URL", None)  # each launcher its own file broker under its var/: one installation, two brokers
        self.out = open(self.var / "launcher.log", "w")
        self.process = subprocess.Popen(["bin/run-platform"], cwd=settings.BASE_DIR, env=env, stdout=self.out,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.groups = []
        self.processes = []

    @property
    def worker_log(self):
        path = self.var / "log" / "worker.log"
        return path.read_text() if path.exists() else ""

    def logs(self):
        return f"launcher:\n{(self.var / 'launcher.log').read_text()}\nworker:\n{self.worker_log}"

    def wait_ready(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.logs()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5)
                web = True
            except urllib.error.HTTPError:
                web = True  # answered (503 while the worker has not reported yet)
            except OSError:
                web = False
            if web and " ready." in self.worker_log and "beat: " in self.worker_log:
                # Everything the launcher started: web server, its workers, the worker, its pool and beat.
                self.processes = _descendants(self.process.pid)
                self.groups = _children(self.process.pid)
                return
            time.sleep(0.5)
        pytest.fail(f"the launcher did not start in time\n{self.logs()}")

    def alive(self):
        return [pid for pid in self.processes if _running(pid)]

    def cleanup(self):
        for group in [self.process.pid, *self.groups]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        for pid in self.alive():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.out.close()


@pytest.fixture
def launchers(tmp_path):
    started = []

    def start(name):
        launcher = Launcher(tmp_path, name)
        started.append(launcher)
        return launcher

    yield start
    for launcher in started:
        launcher.cleanup()


def _wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_term_to_the_launcher_stops_the_web_server_and_the_worker_within_seconds(launchers):
    launcher = launchers("one")
    launcher.wait_ready()
    assert len(launcher.processes) >= 4, launcher.logs()  # gunicorn and its 2 workers, celery (and its beat)

    launcher.process.send_signal(signal.SIGTERM)
    launcher.process.wait(timeout=20)
    assert _wait_until(lambda: not launcher.alive(), 10), f"still running: {launcher.alive()}\n{launcher.logs()}"
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{launcher.port}/healthz", timeout=2)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_launchers_on_one_installation_run_one_scheduler_and_the_second_takes_over(launchers):
    first, second = launchers("first"), launchers("second")
    first.wait_ready()
    second.wait_ready()
    time.sleep(3)  # time enough for a second scheduler to send something, if it did

    active = [launcher for launcher in (first, second) if "Sending due task" in launcher.worker_log]
    assert len(active) == 1, f"{first.logs()}\n{second.logs()}"
    [active] = active
    passive = second if active is first else first
    assert "scheduler active" in active.worker_log
    assert "stays passive" in passive.worker_log and "Sending due task" not in passive.worker_log

    # The active installation's launcher is stopped: the other scheduler takes over by itself.
    active.process.send_signal(signal.SIGTERM)
    active.process.wait(timeout=20)
    assert _wait_until(lambda: "Sending due task" in passive.worker_log, 30), passive.logs()
    assert "scheduler active" in passive.worker_log


@pytest.mark.django_db
def test_a_bug_in_a_query_is_not_taken_for_an_unavailable_database():
    """SQLite reports a missing table as an OperationalError too: that is a 500 (a bug to
    fix), not a 503 telling citizens to come back later."""
    from django.db import DatabaseError, transaction

    from cityplatform.middleware import is_database_unavailable

    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_anywhere")
    assert not is_database_unavailable(raised.value)
    assert not is_database_unavailable(ValueError("database is locked"))
