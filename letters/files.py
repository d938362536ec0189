"""Citizens' attachments: stored outside the public media tree and handed out only
by a view that has checked who is asking (``views.attachment`` for the writer,
``admin_views.attachment_download`` for staff).

The storage has no URL: nothing can link to an attachment except through those
views. In production the view checks and lets the web server send the bytes
(``X-Accel-Redirect`` to ``settings.PRIVATE_MEDIA_ACCEL_REDIRECT``, an internal
location; see docs/private-files.md).
"""

from django.conf import settings

from guard.privatefiles import private_storage  # noqa: F401 (named by the models and migrations)
from guard.privatefiles import serve as _serve


def serve(attachment):
    """The response that delivers ``attachment`` to someone already allowed to have it."""
    return _serve(attachment, missing="附件文件不存在。")


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
