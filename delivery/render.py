"""Rendering an address inside the process, through the whole middleware stack, as a
reader's request would be served (the bake's one way of producing a file)."""

import io
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest

from portal.pagecache import BYPASS_ENVIRON_KEY as BAKE_ENVIRON_KEY  # the page cache lets them through

# The headers a baked file is served with: the platform's policy headers, the same
# for every public page (the CSP has no per-response nonce: cityplatform/security.py).
SHARED_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy",
                  "cross-origin-opener-policy", "x-frame-options", "strict-transport-security")


@dataclass
class Rendered:
    status: int
    content: bytes
    content_type: str
    headers: dict
    cacheable: bool  # a public page: no cookie set, no view restriction, the address it names
    plain: bool  # no cookie set, not varying on the cookie (what a sitemap or 404 page needs)
    listing_pages: int  # a column's pages of items (1 when it lists none of its own)
    error: str = ""  # the exception behind a 500, for the report
    location: str = ""  # where a redirect points


class _Handler(BaseHandler):
    def __init__(self):
        super().__init__()
        self.load_middleware()


_handler = None


def _the_handler():
    global _handler
    if _handler is None:
        _handler = _Handler()
    return _handler


def request_origin(hostname):
    """(scheme, host) a reader uses for a site: the platform's own address on one
    machine, the site's host name otherwise."""
    if settings.PLATFORM_PATH_SITES:
        base = urlsplit(settings.PLATFORM_BASE_URL)
        return base.scheme or "http", base.netloc
    return ("https" if settings.PLATFORM_PRODUCTION else "http"), hostname


def render(url, hostname):
    """Render ``url`` (path and query) of the site at ``hostname``."""
    scheme, host = request_origin(hostname)
    path, _, query = url.partition("?")
    server_name, _, port = host.partition(":")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path.encode("utf-8").decode("latin-1"),
        "SCRIPT_NAME": "",
        "QUERY_STRING": query,
        "SERVER_NAME": server_name,
        "SERVER_PORT": port or ("443" if scheme == "https" else "80"),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        BAKE_ENVIRON_KEY: True,
    }
    request = WSGIRequest(environ)
    with _quiet_not_found(), _exception_kept(request):
        response = _the_handler().get_response(request)
    content = b"".join(response) if response.streaming else response.content
    headers = {k.lower(): v for k, v in response.items()}
    plain = not response.cookies and "cookie" not in headers.get("vary", "").lower() and \
        "private" not in headers.get("cache-control", "")
    cacheable = response.status_code == 200 and plain and getattr(request, "_page_cache_allowed", False)
    # Not response.close(): it would send request_finished, whose receiver closes the
    # database connection (the bake renders hundreds of pages on one connection).
    for closer in response._resource_closers:
        closer()
    return Rendered(response.status_code, content, headers.get("content-type", ""),
                    {k: v for k, v in headers.items() if k in SHARED_HEADERS}, cacheable, plain,
                    getattr(request, "_listing_pages", 1), getattr(request, "_bake_error", ""),
                    headers.get("location", ""))


@contextmanager
def _exception_kept(request):
    """Keep the exception that made a rendering answer 500 on the request."""
    import sys

    from django.core.signals import got_request_exception

    def keep(sender, request=None, **kwargs):
        if request is not None and getattr(request, "META", {}).get(BAKE_ENVIRON_KEY):
            exc = sys.exc_info()[1]
            if exc is not None:
                request._bake_error = f"{type(exc).__name__}: {exc}"

    got_request_exception.connect(keep, weak=False)
    try:
        yield
    finally:
        got_request_exception.disconnect(keep)


@contextmanager
def _quiet_not_found():
    """An address that is gone answers 404 to the bake by design: not a warning in the log."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def is_bake(request):
    return bool(request.META.get(BAKE_ENVIRON_KEY))
