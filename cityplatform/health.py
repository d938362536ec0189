"""/healthz: is the database answering, the cache working, the worker alive?"""

import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.utils import timezone

HEARTBEAT_KEY = "platform:worker-heartbeat"


@shared_task(name="cityplatform.heartbeat")
def heartbeat():
    """Run by the worker on the beat schedule; /healthz reads what it wrote."""
    from .models import WorkerHeartbeat

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"seen_at": now})
    return now.isoformat()


# A health check answers in a moment: on SQLite it waits this long for the write lock, not 20 s.
HEALTH_WRITE_WAIT_MS = 2000


def _check_database():
    """A read and a write (rolled back): a database that still answers reads but
    refuses writes (read-only, locked, a disk that is full) cannot take a letter."""
    from .middleware import _drop_connections, is_database_unavailable, message

    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        _check_write()
    except DatabaseError as exc:
        _drop_connections()  # the next request, or check, opens a fresh connection
        return {"ok": False, "engine": connection.vendor, "writable": False,
                "detail": message() if is_database_unavailable(exc) else "数据库出错", "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "engine": connection.vendor, "writable": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


def _check_write():
    from .models import WorkerHeartbeat

    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {HEALTH_WRITE_WAIT_MS}")
    try:
        with transaction.atomic():
            # Updates no row, but a write all the same: SQLite takes its write lock
            # (BEGIN IMMEDIATE), PostgreSQL refuses it in a read-only transaction.
            WorkerHeartbeat.objects.filter(pk=-1).update(seen_at=timezone.now())
            transaction.set_rollback(True)
    finally:
        if sqlite and connection.connection is not None:
            timeout_ms = int(float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")


def _check_cache():
    token = str(time.time())
    cache.set("platform:healthz", token, 30)
    ok = cache.get("platform:healthz") == token
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return {"ok": ok, "backend": backend}


def _check_worker():
    from .models import WorkerHeartbeat

    beat = WorkerHeartbeat.objects.filter(pk=1).first()
    if beat is None:
        return {"ok": False, "last_seen": None, "detail": "后台任务进程尚未报到"}
    age = (timezone.now() - beat.seen_at).total_seconds()
    return {"ok": age <= settings.WORKER_HEARTBEAT_MAX_AGE, "last_seen": beat.seen_at.isoformat(), "age_seconds": round(age, 1)}


def healthz(request):
    checks = {}
    for name, check in (("database", _check_database), ("cache", _check_cache), ("worker", _check_worker)):
        try:
            checks[name] = check()
        except Exception as exc:  # a health check reports failures, it does not raise them
            checks[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    healthy = all(c["ok"] for c in checks.values())
    body = {"status": "ok" if healthy else "degraded", **checks}
    response = JsonResponse(body, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response
