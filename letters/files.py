"""Citizens' attachments: stored outside the public media tree and handed out only
by a view that has checked who is asking (``views.attachment`` for the writer,
``admin_views.attachment_download`` for staff).

The storage has no URL: nothing can link to an attachment except through those
views. In production the view checks and lets the web server send the bytes
(``X-Accel-Redirect`` to ``settings.PRIVATE_MEDIA_ACCEL_REDIRECT``, an internal
location; see docs/private-files.md).
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
        raise ValueError("Private files have no public URL; serve them through letters.files.serve.")


_storage = PrivateStorage()


def private_storage():
    """The storage of letter attachments (a callable, so migrations refer to it by name)."""
    return _storage


def serve(attachment):
    """The response that delivers ``attachment`` to someone already allowed to have it."""
    name = attachment.file.name
    content_type = mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
    prefix = getattr(settings, "PRIVATE_MEDIA_ACCEL_REDIRECT", "")
    if prefix:
        if not _storage.exists(name):
            raise Http404("附件文件不存在。")
        response = HttpResponse(b"", content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attachment.name)}"
    else:
        try:
            handle = _storage.open(name, "rb")
        except (FileNotFoundError, ValueError):
            raise Http404("附件文件不存在。")
        response = FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def move_public_attachments(Attachment):
    """Move attachments stored by earlier versions under MEDIA_ROOT (served to anyone
    at /media/...) to PRIVATE_MEDIA_ROOT, same relative name. Safe to run again:
    a file already moved, or missing, is left as it is. Returns how many moved."""
    import shutil
    from pathlib import Path

    public_root = Path(settings.MEDIA_ROOT).resolve()
    private_root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    moved = 0
    for name in Attachment.objects.values_list("file", flat=True).iterator():
        if not name:
            continue
        source = (public_root / name).resolve()
        if public_root not in source.parents or not source.is_file():
            continue
        target = private_root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            source.unlink()  # moved before, the copy at the public place is left over
        else:
            shutil.move(str(source), str(target))
        moved += 1
    return moved
