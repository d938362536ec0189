"""The documents of an answer to an application: kept in the platform's private
storage (the mailbox's, ``letters.models.private_storage``: outside the public media
tree, no URL) and handed out only by a view that has checked who is asking
(``views.document`` for the applicant with the query code, ``admin_views`` for
staff). In production the web server sends the bytes (``X-Accel-Redirect``), as for
letters' attachments (docs/private-files.md)."""

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse


def serve(document):
    """The response that delivers ``document`` to someone already allowed to have it."""
    storage, name = document.file.storage, document.file.name
    content_type = mimetypes.guess_type(document.name)[0] or "application/octet-stream"
    prefix = getattr(settings, "PRIVATE_MEDIA_ACCEL_REDIRECT", "")
    if prefix:
        if not storage.exists(name):
            raise Http404("文件不存在。")
        response = HttpResponse(b"", content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.name)}"
    else:
        try:
            handle = storage.open(name, "rb")
        except (FileNotFoundError, ValueError):
            raise Http404("文件不存在。")
        response = FileResponse(handle, as_attachment=True, filename=document.name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
