"""Private files of disclosure's casework: applicants' materials of online forms and
the documents answering an application for disclosure. Stored outside the public
media tree, under the same private root as the mailbox's attachments
(``settings.PRIVATE_MEDIA_ROOT``), and handed out only by a view that has checked who
is asking (staff through ``admin_submissions`` and ``admin_catalogue``, which record
the read; an applicant through the tracking pages with the query code).

The mailbox's storage (``letters.files``) is not one of letters' public modules, so
this is the same few lines for disclosure; when a third app needs private files the
storage belongs in guard.
"""

import mimetypes
import os
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse


class PrivateStorage(FileSystemStorage):
    """A file system storage under ``settings.PRIVATE_MEDIA_ROOT`` (read on every
    use, so tests and deployments may move it) with no public URL."""

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
        raise ValueError("Private files have no public URL; serve them through disclosure.files.serve.")


_storage = PrivateStorage()


def private_storage():
    """The storage of applicants' materials (a callable, so migrations name it)."""
    return _storage


def serve(item):
    """The response that delivers the stored file of ``item`` (with ``file`` and
    ``name``) to someone already allowed to have it."""
    storage, name = item.file.storage, item.file.name
    content_type = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
    prefix = getattr(settings, "PRIVATE_MEDIA_ACCEL_REDIRECT", "")
    if prefix:
        if not storage.exists(name):
            raise Http404("材料文件不存在。")
        response = HttpResponse(b"", content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item.name)}"
    else:
        try:
            handle = storage.open(name, "rb")
        except (FileNotFoundError, ValueError):
            raise Http404("材料文件不存在。")
        response = FileResponse(handle, as_attachment=True, filename=item.name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
