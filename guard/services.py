"""State changes of the guard app: lexicon edits and upload checks."""

import os
import unicodedata

import filetype
from django.conf import settings
from django.db import transaction

from orgs.authority import require_manager
from orgs.errors import DomainError, validate_or_refuse

from . import audit
from .models import LexiconTerm

# extension -> what its content must look like
UPLOAD_KINDS = {
    "pdf": {"mime": "application/pdf"},
    "doc": {"mime": "application/x-ole-storage", "alt": {"application/msword"}},
    "xls": {"mime": "application/x-ole-storage", "alt": {"application/vnd.ms-excel"}},
    "wps": {"mime": "application/x-ole-storage"},
    "docx": {"mime": "application/zip", "alt": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}},
    "xlsx": {"mime": "application/zip", "alt": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}},
    "ofd": {"mime": "application/zip"},
    "zip": {"mime": "application/zip"},
    "jpg": {"mime": "image/jpeg"},
    "jpeg": {"mime": "image/jpeg"},
    "png": {"mime": "image/png"},
    "gif": {"mime": "image/gif"},
    "webp": {"mime": "image/webp"},
    "txt": {"text": True},
    "csv": {"text": True},
}
DANGEROUS_EXTENSIONS = {"exe", "bat", "cmd", "com", "js", "vbs", "sh", "php", "jsp", "asp", "aspx", "html", "htm", "svg", "scr", "dll", "msi", "jar"}


@transaction.atomic
def lexicon_term_save(*, term, kind, reason, correct_form="", active=True, lawful_contexts=None, lawful_window=None,
                      actor=None, instance=None):
    """Create or change a lexicon term, keeping a revision of each version.

    ``lawful_contexts`` (a list of phrases, or the admin's text of one a line) and
    ``lawful_window`` are left as they are on an edit when not given. The change is
    one entry of the audit trail, with the values before and after, linked to the
    revision it saved.
    Only the portal management centre edits the lexicon (``actor`` None: the system).
    """
    require_manager(actor, None)
    obj = instance or LexiconTerm()
    values = {"term": term, "kind": kind, "reason": reason, "correct_form": correct_form, "active": active}
    if lawful_contexts is not None:
        values["lawful_contexts"] = lawful_contexts if isinstance(lawful_contexts, str) else "\n".join(lawful_contexts)
    if lawful_window is not None:
        values["lawful_window"] = lawful_window
    created = obj.pk is None
    # Compared with the stored row, not ``instance``: an admin form has already set its values on it.
    before, after = (None, values) if created else audit.changes(LexiconTerm.objects.get(pk=obj.pk), values)
    for name, value in values.items():
        setattr(obj, name, value)
    validate_or_refuse(obj)
    obj.save()
    revision = obj.save_revision(user=actor)
    audit.record(obj, "guard.lexicon.create" if created else "guard.lexicon.update", actor=actor, before=before,
                 after=after, revision=revision)
    return obj


def check_upload(*, name, size, head, allowed=None):
    """Refuse an upload whose name, size or content is not what it claims to be.

    ``head`` is the first few kilobytes of the file. Virus scanning will be added
    here, so every upload path must call this one function.
    """
    allowed = set(allowed or UPLOAD_KINDS)
    name = unicodedata.normalize("NFC", name or "")
    base = os.path.basename(name.replace("\\", "/"))
    if not base or base != name or any(unicodedata.category(c).startswith("C") for c in base):
        raise DomainError("文件名不合法:不能含路径或控制字符。", code="bad_name")
    if len(base) > 100:
        raise DomainError("文件名过长(最多100个字符)。", code="bad_name")
    parts = base.lower().split(".")
    if len(parts) < 2:
        raise DomainError("文件须带扩展名。", code="bad_type")
    ext = parts[-1]
    if any(p in DANGEROUS_EXTENSIONS for p in parts[1:]):
        raise DomainError(f"不允许上传此类文件(.{ext})。", code="bad_type")
    if ext not in allowed or ext not in UPLOAD_KINDS:
        raise DomainError(f"不允许上传 .{ext} 文件。允许的类型:{'、'.join(sorted(allowed & set(UPLOAD_KINDS)))}。", code="bad_type")
    if size <= 0:
        raise DomainError("文件是空的。", code="empty")
    if size > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        raise DomainError(f"文件过大:最大 {limit} MB。", code="too_large")
    rule = UPLOAD_KINDS[ext]
    if rule.get("text"):
        if b"\x00" in head:
            raise DomainError("文本文件中含有二进制内容。", code="bad_content")
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a cut multi-byte character at the end is fine
                raise DomainError("文本文件须为 UTF-8 编码。", code="bad_content") from exc
        return ext
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime != rule["mime"] and mime not in rule.get("alt", set()):
        raise DomainError(f"文件内容与扩展名 .{ext} 不符。", code="bad_content")
    return ext


def check_uploaded_file(uploaded, allowed=None):
    """Run :func:`check_upload` on a Django ``UploadedFile``."""
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(position)
    return check_upload(name=uploaded.name, size=uploaded.size, head=head, allowed=allowed)
