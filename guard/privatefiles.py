"""Private files: what citizens send (letters' attachments, online forms' materials)
and the documents answering an application for disclosure. Stored outside the public
media tree under ``settings.PRIVATE_MEDIA_ROOT`` and handed out only by a view that has
checked who is asking (see docs/private-files.md).

The storage has no URL: nothing can link to a file except through those views. In
production the view checks and lets the web server send the bytes (``X-Accel-Redirect``
to ``settings.PRIVATE_MEDIA_ACCEL_REDIRECT``, an internal location).
"""

import mimetypes
import os
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse


class PrivateStorage(FileSystemStorage):
    """A file system storage under ``settings.PRIVATE_MEDIA_ROOT`` (read on every use,
    so tests and deployments may move it) with no public URL."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through guard.privatefiles.serve.")


_storage = PrivateStorage()


def private_storage():
    """The private storage (a callable, so migrations refer to it by name)."""
    return _storage


def serve(item, missing="文件不存在。"):
    """The response that delivers the stored file of ``item`` (with ``file`` and
    ``name``) to someone already allowed to have it; 404 saying ``missing`` when the
    file is gone."""
    storage, name = item.file.storage, item.file.name
    content_type = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
    prefix = getattr(settings, "PRIVATE_MEDIA_ACCEL_REDIRECT", "")
    if prefix:
        if not storage.exists(name):
            raise Http404(missing)
        response = HttpResponse(b"", content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item.name)}"
    else:
        try:
            handle = storage.open(name, "rb")
        except (FileNotFoundError, ValueError):
            raise Http404(missing)
        response = FileResponse(handle, as_attachment=True, filename=item.name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
