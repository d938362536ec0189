"""Real processes for the fault tests: a Celery worker (optionally with its beat) on
the test database, waited for, killed with ``kill -9``, and always cleaned up with
its whole process group (pool processes and the embedded beat included)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


def database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"


def start_worker(name, *, beat=False, env=None):
    """A worker on the test database and the test's broker; ``beat`` runs the schedule in it."""
    full_env = {**os.environ, "DATABASE_URL": database_url(), "PYTHONUNBUFFERED": "1", **(env or {})}
    log = Path(settings.VAR_DIR) / f"test-fault-{name}.log"
    command = [sys.executable, "-m", "celery", "-A", "cityplatform", "worker", "--pool=solo", "--loglevel=INFO",
               "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-n", f"fault-{name}-{os.getpid()}@localhost",
               "--without-gossip", "--without-mingle", "--without-heartbeat"]
    if beat:
        command.append("--beat")
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    process.log = log
    return process


def wait_for(condition, process, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, f"the worker died; its log:\n{process.log.read_text()}"
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; the worker's log:\n{process.log.read_text()}")


def kill_group(process):
    """SIGKILL to the process and everything it started."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass


def group_members(pgid):
    """Pids of the live processes in process group ``pgid``, read from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(entry))
    return members
