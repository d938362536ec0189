"""One limit on the size of every request body, enforced before the body is read.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves out file parts, so without this a
multipart post of any size is streamed to a temporary file (and a view that reads
its files reads them into memory). This middleware runs first, for pages, the API
and the admin alike:

- a declared ``Content-Length`` above ``MAX_REQUEST_BYTES`` is answered 413 at once,
  without reading a byte of the body;
- a body sent without a length (``Transfer-Encoding: chunked``) is read through a
  cap into a spooled file (memory up to SPOOL_MEMORY_BYTES, then disk) and refused as
  soon as it passes the limit; within the limit the view sees it as a normal body
  (Django's WSGI request would otherwise read such a body as empty).
"""

import tempfile

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

SPOOL_MEMORY_BYTES = 1024 * 1024
READ_CHUNK = 64 * 1024


def max_request_bytes():
    return settings.MAX_REQUEST_BYTES


def _megabytes(size):
    return f"{size / (1024 * 1024):g}"


def too_large(request):
    """The 413 answer: typed JSON on the API, a Chinese page everywhere else."""
    limit = _megabytes(max_request_bytes())
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "too_large", "message": f"请求过大:整个请求(含附件)不能超过 {limit} MB。"},
                                status=413, json_dumps_params={"ensure_ascii": False})
    else:
        html = render_to_string("guard/413.html", {"limit": limit}, request=None)
        response = HttpResponse(html, status=413, content_type="text/html; charset=utf-8")
    # The rest of the body is not wanted: let the client know before it sends it all.
    response["Cache-Control"] = "no-store"
    return response


class BodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = max_request_bytes()
        declared = request.META.get("CONTENT_LENGTH")
        if declared not in (None, ""):
            try:
                length = int(declared)
            except ValueError:
                length = -1
            if length < 0 or length > limit:
                return too_large(request)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            if not self._take_unsized_body(request, limit):
                return too_large(request)
        return self.get_response(request)

    @staticmethod
    def _take_unsized_body(request, limit):
        source = request.META.get("wsgi.input")
        if source is None:
            return True
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)
        size = 0
        while True:
            chunk = source.read(min(READ_CHUNK, limit + 1 - size))
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                spool.close()
                return False
            spool.write(chunk)
        spool.seek(0)
        request.META["CONTENT_LENGTH"] = str(size)
        request._stream = LimitedStream(spool, size)
        request._body_spool = spool  # closed with the request
        return True
