"""503 instead of 500 when the database refuses writes or cannot be reached.

Composition-level, hence here and not in an app: it guards every face (pages, the
mailbox, the admin, the API) the same way and knows the database backends, not any
capability. A request that hits an unavailable database gets a clear Chinese answer
(a page, or ``{code, message}`` JSON under /api/), the broken connection is closed
so that the next request opens a fresh one, and the platform recovers by itself
once the database is back: nothing is cached about the failure.
"""

import logging

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("cityplatform.database")

CODE = "unavailable"
RETRY_AFTER_SECONDS = 30

# SQLite says what is wrong only in words; "no such table" and syntax errors are
# OperationalErrors too, and they are bugs (500), not an unavailable database.
SQLITE_UNAVAILABLE = (
    "database is locked", "readonly database", "read-only", "unable to open database", "disk i/o error",
    "database or disk is full", "database table is locked", "database is busy",
)
# PostgreSQL's classes: 08 connection exception, 53 insufficient resources (disk
# full, too many connections), 57P operator intervention (shutdown, terminated
# backend), 25006 read-only transaction (default_transaction_read_only, a standby).
POSTGRES_UNAVAILABLE = ("08", "53", "57P", "25006")


def message():
    return _("平台的数据库暂时无法写入或无法连接,您的请求没有完成。请稍后再试;已保存的内容不受影响,数据库恢复后平台会自动恢复服务。")


def is_database_unavailable(exc):
    """Whether ``exc`` says the database cannot be written or reached (not a bug in a query)."""
    if not isinstance(exc, DatabaseError):
        return False
    if isinstance(exc, InterfaceError):
        return True  # the connection is gone
    cause = exc.__cause__ or exc
    text = str(exc).lower()
    if type(cause).__module__.startswith("sqlite3"):
        return any(fragment in text for fragment in SQLITE_UNAVAILABLE)
    if isinstance(exc, OperationalError):
        return True  # PostgreSQL: connecting failed, the server shut down or ended the session
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None) or ""
    return sqlstate.startswith(POSTGRES_UNAVAILABLE) or "read-only transaction" in text


def unavailable_response(request):
    if request.path == "/healthz":
        # Failed before the health view ran (a middleware asked the database first): the
        # same report, for the monitoring that reads it.
        body = {"status": "degraded", "database": {"ok": False, "writable": False, "detail": message()}}
        response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    elif request.path.startswith("/api/"):
        response = JsonResponse({"code": CODE, "message": message()}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        # Rendered with no request: context processors (the user, messages) would ask the database.
        html = loader.render_to_string("503.html", {"message": message(), "site_name": settings.WAGTAIL_SITE_NAME})
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _drop_connections():
    """Close every connection after a failure: a PostgreSQL session opened while the
    database was read-only stays read-only, and SQLite's may hold a stale handle."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            continue  # someone above the request owns this transaction (a test, ATOMIC_REQUESTS)
        try:
            connection.close()
        except Exception:
            logger.debug("closing the connection %s failed", connection.alias, exc_info=True)


def _mark(sender, request=None, **kwargs):
    """An exception raised in a middleware (a session saved on the way out) never reaches
    process_exception; Django turns it into a 500 and sends this signal from inside the
    except block, so the exception can still be looked at here."""
    import sys

    exc = sys.exc_info()[1]
    if request is not None and exc is not None and is_database_unavailable(exc):
        request._database_unavailable = exc


got_request_exception.connect(_mark, dispatch_uid="cityplatform.middleware.mark_database_unavailable")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        exc = getattr(request, "_database_unavailable", None)
        if exc is not None and response.status_code >= 500:
            return self._answer(request, exc)
        return response

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            return self._answer(request, exception)
        return None

    def _answer(self, request, exc):
        logger.error("database unavailable for %s %s: %s: %s", request.method, request.path, type(exc).__name__, exc)
        _drop_connections()
        return unavailable_response(request)
