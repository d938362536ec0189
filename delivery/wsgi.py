"""The embedded default's web server for baked pages: a WSGI layer in front of
Django that answers a GET or HEAD of a baked address from the publish root before
any other processing, as nginx does in production (delivery/nginx.py). Anything
it has no file for goes to the application.

It reads no database: the publish root's ``serving.json`` (written by each bake)
names the default site and the headers every public page carries.
"""

import os
import re
import time

from django.conf import settings

from .layout import SERVING, SITES, candidate, feed_candidate, publish_root, site_and_path
from .render import SHARED_HEADERS
from .services import serving_read

HOSTNAME = re.compile(r"[a-z0-9][a-z0-9.-]{0,252}")
TYPES = {".html": "text/html; charset=utf-8", ".rss": "application/rss+xml; charset=utf-8",
         ".xml": "application/xml; charset=utf-8"}
RELOAD_SECONDS = 2.0


class BakedTree:
    def __init__(self, application):
        self.application = application
        self._serving = None
        self._read_at = 0.0
        self._mtime = None

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and settings.PLATFORM_BAKE:
            found = self._file(environ)
            if found is not None:
                served = self._serve(environ, start_response, found)
                if served is not None:
                    return served
        return self.application(environ, start_response)

    def serving(self):
        now = time.monotonic()
        if now - self._read_at > RELOAD_SECONDS:
            self._read_at = now
            path = publish_root() / SERVING
            try:
                mtime = path.stat().st_mtime_ns
                if mtime != self._mtime:
                    # Only a file the platform signed: one edited by hand serves nothing
                    # (the watcher puts it right).
                    self._serving = serving_read()
                    self._mtime = mtime
            except OSError:
                self._serving, self._mtime = None, None
        return self._serving

    def _file(self, environ):
        serving = self.serving()
        if not serving:
            return None
        host = environ.get("HTTP_HOST", "").partition(":")[0].lower()
        try:
            path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        except UnicodeError:
            return None
        located = site_and_path(host, path, serving.get("default", ""), serving.get("hosts", ()))
        if located is None:
            return None
        hostname, in_site = located
        if not HOSTNAME.fullmatch(hostname) or hostname not in serving.get("hosts", ()):
            return None
        query = environ.get("QUERY_STRING", "")
        relative = candidate(in_site, query)
        if relative is None:
            return None
        tree = publish_root() / SITES / hostname
        found = tree / relative
        if not query and not found.is_file() and (feed := feed_candidate(in_site)):
            found = tree / feed
        return found if _inside(found, tree) else None

    def _serve(self, environ, start_response, path):
        try:
            handle = open(path, "rb")
        except OSError:
            return None
        stat = os.fstat(handle.fileno())
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        headers = [("Content-Type", TYPES.get(path.suffix, "application/octet-stream")),
                   ("Cache-Control", "no-cache"), ("ETag", etag), ("X-Delivery", "baked")]
        headers += [(name, value) for name, value in (self._serving.get("headers") or {}).items()
                    if name in SHARED_HEADERS]
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            handle.close()
            start_response("304 Not Modified", headers)
            return []
        headers.append(("Content-Length", str(stat.st_size)))
        start_response("200 OK", headers)
        if environ["REQUEST_METHOD"] == "HEAD":
            handle.close()
            return []
        wrapper = environ.get("wsgi.file_wrapper")
        return wrapper(handle, 65536) if wrapper else _chunks(handle)


def _inside(path, tree):
    """No symbolic link on the way: the file is where the tree says, not somewhere a
    link planted in the publish root points to (the watcher removes such links)."""
    try:
        return os.path.realpath(path).startswith(os.path.realpath(tree) + os.sep) and not os.path.islink(path)
    except OSError:
        return False


def _chunks(handle):
    try:
        while chunk := handle.read(65536):
            yield chunk
    finally:
        handle.close()
