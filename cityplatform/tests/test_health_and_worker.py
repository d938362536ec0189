import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cityplatform.health import heartbeat
from cityplatform.models import WorkerHeartbeat


def _database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"


@pytest.mark.django_db
def test_healthz_reports_database_cache_and_a_missing_worker(client):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["database"]["ok"] and body["cache"]["ok"]
    assert body["worker"]["ok"] is False
    assert body["status"] == "degraded"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_tasks_and_healthz_sees_it(client):
    env = {**os.environ, "DATABASE_URL": _database_url(), "PYTHONUNBUFFERED": "1"}
    log = Path(settings.VAR_DIR) / "test-worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cityplatform", "worker", "--pool=solo", "--loglevel=INFO",
             "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-n", f"test-{os.getpid()}@localhost"],
            cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        heartbeat.delay()
        deadline = time.monotonic() + 90
        while not WorkerHeartbeat.objects.exists() and time.monotonic() < deadline:
            assert worker.poll() is None, log.read_text()
            time.sleep(0.5)
        assert WorkerHeartbeat.objects.exists(), log.read_text()
        body = json.loads(client.get("/healthz").content)
        assert body["worker"]["ok"] is True
        assert body["status"] == "ok"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
