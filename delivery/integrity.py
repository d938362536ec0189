"""Integrity of the publish root (防篡改): find what differs from the bake, put it
right, record it and tell the people responsible.

The records (``BakedFile``: every file's keyed digest) are the source of truth; the
signed manifest in each tree is the same list for anyone who reads the disk. A
check compares the disk with the records:

- a file whose content no longer has its digest was changed: it is rendered again
  (a static file copied again) and the foreign content is kept as evidence;
- a file without a record was added: it is moved to the quarantine;
- a recorded file that is missing was deleted: it is rendered again;
- a manifest whose signature or list is wrong was tampered with: it is rewritten.

Each finding is an ``IntegrityEvent`` (what was expected, what was found, the start
of the foreign content, the digest after the repair) and an e-mail to the site
administrators of the site's unit and of the portal management centre. A suspect
file is looked at twice, a moment apart, so the bake's own writes (record first,
then the file) are never mistaken for tampering.

The watcher (``manage.py watch_publish_root``) follows file-system events and
checks the files they name within a second or two; it also scans everything
periodically, as does the worker (``delivery.integrity_scan``), for what events miss.
"""

import logging
import os
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import services
from .layout import MANIFEST, SERVING, SITES, STATIC, publish_root
from .models import BakedFile, FileKind, IntegrityEvent, IntegrityKind

log = logging.getLogger("delivery.integrity")

EXCERPT_BYTES = 4096
SETTLE_SECONDS = 0.5
# A manifest whose signature fails, or that cannot be read, was written by someone
# without the key; one that is missing or behind the records is the bake's own.
TAMPERED = ("signature", "unreadable")
MANIFEST_NAME = "." + MANIFEST


def _is_ours(relative):
    """Files the bake keeps beside the records: manifests, serving.json, and the
    temporary files a write renames into place."""
    name = relative.rsplit("/", 1)[-1]
    return relative == SERVING or name == MANIFEST_NAME or name.endswith(services.TMP_SUFFIX)


def _walk():
    """Every entry of the trees that is not the bake's own: files, and symbolic
    links wherever they are (a link to a directory is not followed: it is itself
    the finding)."""
    root = publish_root()
    for top in (root / SITES, root / STATIC):
        if not top.is_dir():
            continue
        yield from _walk_below(top, root)


def _walk_below(top, root):
    for dirpath, dirs, files in os.walk(top):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]:
            relative = (Path(dirpath) / name).relative_to(root).as_posix()
            if not _is_ours(relative):
                yield relative


class _Link(bytes):
    """What is found where a file should be: a symbolic link (never followed; its
    target is the evidence)."""


def _read(relative):
    """The bytes at ``relative`` without following a symbolic link, a ``_Link`` for
    a link, None when nothing (or a directory) is there."""
    full = publish_root() / relative
    if os.path.islink(full):
        return _Link(f"符号链接 → {os.readlink(full)}".encode())
    try:
        fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except OSError:  # a link put there between the two looks
        return _Link("符号链接".encode())
    with os.fdopen(fd, "rb") as handle:
        if not os.path.isfile(full):
            return None
        return handle.read()


def check_paths(relatives):
    """Which of these files (relative paths) differ from the records: a list of
    (kind, relative path, record or None, content found or None)."""
    relatives = [r for r in dict.fromkeys(relatives) if not _is_ours(r)]
    records = {f.path: f for f in BakedFile.objects.filter(path__in=relatives)}
    findings = []
    for relative in relatives:
        record = records.get(relative)
        content = _read(relative)
        if record is None:
            if content is not None:
                findings.append((IntegrityKind.ADDED, relative, None, content))
        elif content is None:
            findings.append((IntegrityKind.DELETED, relative, record, None))
        elif isinstance(content, _Link) or services.digest(content) != record.digest:
            findings.append((IntegrityKind.CHANGED, relative, record, content))
    return findings


def scan():
    """Every difference between the disk and the records (a full pass)."""
    on_disk = set(_walk())
    recorded = set(BakedFile.objects.values_list("path", flat=True))
    findings = []
    records = {}
    for batch in _batches(sorted(on_disk & recorded), 2000):
        for record in BakedFile.objects.filter(path__in=batch):
            records[record.path] = record
            content = _read(record.path)
            if content is None:
                findings.append((IntegrityKind.DELETED, record.path, record, None))
            elif isinstance(content, _Link) or services.digest(content) != record.digest:
                findings.append((IntegrityKind.CHANGED, record.path, record, content))
    for relative in on_disk - recorded:
        content = _read(relative)
        if content is not None:
            findings.append((IntegrityKind.ADDED, relative, None, content))
    for batch in _batches(sorted(recorded - on_disk), 2000):
        for record in BakedFile.objects.filter(path__in=batch):
            findings.append((IntegrityKind.DELETED, record.path, record, None))
    return findings


def _batches(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def manifest_findings():
    """The trees whose manifest is missing, unsigned or does not match the records."""
    wrong = []
    trees = [h for h in services.trees() if BakedFile.objects.filter(path__startswith=f"{SITES}/{h}/").exists()]
    for hostname in trees + ([None] if BakedFile.objects.filter(kind=FileKind.STATIC).exists() else []):
        problem = services.manifest_check(hostname)
        if problem in TAMPERED:
            wrong.append((hostname, problem))
        elif problem:
            # Missing, or signed by the bake but behind the records (a bake or a
            # withdrawal in progress): not tampering, written again.
            services.manifest_write(hostname)
    problem = services.serving_check()
    if problem:
        wrong.append((SERVING, problem))
    return wrong


def repair(findings, manifests=()):
    """Look at each finding once more after a moment (the bake may be writing it),
    then put right what is still wrong. Returns the events recorded."""
    events = []
    if findings or manifests:
        time.sleep(SETTLE_SECONDS)
    confirmed = check_paths([relative for _kind, relative, _record, _content in findings]) if findings else []
    for kind, relative, record, content in confirmed:
        events.append(_repair_file(kind, relative, record, content))
    for hostname, problem in manifests:
        if hostname == SERVING:
            if services.serving_check():
                events.append(_repair_serving())
            continue
        again = services.manifest_check(hostname)
        if again in TAMPERED:
            events.append(_repair_manifest(hostname, again))
        elif again:
            services.manifest_write(hostname)
    return events


def scan_and_repair():
    return repair(scan(), manifest_findings())


def _repair_file(kind, relative, record, content):
    all_sites = services.sites()
    site_id = record.site_id if record else _site_from_path(relative, all_sites)
    event = IntegrityEvent.objects.create(
        kind=kind, path=relative, site_id=site_id, unit_id=_unit_of(site_id),
        expected_digest=record.digest if record else "",
        found_digest=services.digest(content) if content is not None else "",
        found_size=len(content) if content is not None else None,
        found_excerpt=_excerpt(content))
    if kind == IntegrityKind.ADDED:
        _quarantine(relative, event)
        restored = ""
    else:
        restored = _restore(record, all_sites)
    IntegrityEvent.objects.filter(pk=event.pk).update(restored_digest=restored, restored_at=timezone.now())
    event.refresh_from_db()
    _notify(event)
    log.warning("integrity: %s %s (restored %s)", kind, relative, restored or "-")
    return event


def _repair_manifest(hostname, problem):
    from .layout import tree

    relative = f"{tree(hostname) if hostname else STATIC}/{MANIFEST_NAME}"
    content = _read(relative)
    all_sites = services.sites()
    site_id = next((s.id for s in all_sites.values() if s.hostname == hostname), None)
    event = IntegrityEvent.objects.create(
        kind=IntegrityKind.MANIFEST, path=relative, site_id=site_id, unit_id=_unit_of(site_id),
        found_digest=services.digest(content) if content is not None else "",
        found_size=len(content) if content is not None else None, found_excerpt=_excerpt(content))
    services.manifest_write(hostname)
    IntegrityEvent.objects.filter(pk=event.pk).update(
        restored_digest=services.digest(_read(relative) or b""), restored_at=timezone.now())
    event.refresh_from_db()
    _notify(event)
    log.warning("integrity: the manifest of %s failed its check (%s); written again", hostname or STATIC, problem)
    return event


def _repair_serving():
    content = _read(SERVING)
    event = IntegrityEvent.objects.create(
        kind=IntegrityKind.MANIFEST, path=SERVING,
        found_digest=services.digest(content) if content is not None else "",
        found_size=len(content) if content is not None else None, found_excerpt=_excerpt(content))
    services.serving_write(services.sites(), force=True)
    IntegrityEvent.objects.filter(pk=event.pk).update(
        restored_digest=services.digest(_read(SERVING) or b""), restored_at=timezone.now())
    event.refresh_from_db()
    _notify(event)
    log.warning("integrity: %s was tampered with; written again", SERVING)
    return event


def _restore(record, all_sites):
    """Put a recorded file back as the source of truth has it now."""
    if record.kind == FileKind.STATIC:
        source = Path(settings.STATIC_ROOT) / record.path[len(STATIC) + 1:]
        if source.is_file():
            content = source.read_bytes()
            services.replace_file(publish_root() / record.path, content, lambda: services.record_file(
                record.path, content, kind=FileKind.STATIC, address=record.address))
            services.manifest_write(None)
            return services.digest(content)
        services.withdraw(BakedFile.objects.filter(pk=record.pk))
        services.manifest_write(None)
        return ""
    info = all_sites.get(record.site_id)
    if info is None:
        services.withdraw(BakedFile.objects.filter(pk=record.pk))
        return ""
    target = services.Target(info.id, record.kind, record.address, record.page_id, record.page_number)
    report = services.BakeReport([], [], [])
    outcome, _pages = services._bake_one(target, info, report)
    services.manifest_write(info.hostname)
    if outcome == "written":
        return BakedFile.objects.filter(path=record.path).values_list("digest", flat=True).first() or ""
    if outcome == "failed":
        # Rendering failed: the tampered content must not stay served either.
        services.withdraw(BakedFile.objects.filter(path=record.path))
    return ""


def _quarantine(relative, event):
    source = publish_root() / relative
    target = Path(settings.VAR_DIR) / "quarantine" / f"{event.pk}-{timezone.now():%Y%m%d%H%M%S}" / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.move(source, target)
    except FileNotFoundError:
        pass


def _excerpt(content):
    if content is None:
        return ""
    return content[:EXCERPT_BYTES].decode("utf-8", errors="replace")


def _site_from_path(relative, all_sites):
    parts = relative.split("/")
    if len(parts) > 2 and parts[0] == SITES:
        return next((s.id for s in all_sites.values() if s.hostname == parts[1]), None)
    return None


def _unit_of(site_id):
    if site_id is None:
        return None
    from orgs.models import SiteRecord

    return SiteRecord.objects.filter(site_id=site_id).values_list("unit_id", flat=True).first()


def recipients(unit_id):
    """The site administrators of the unit and of the portal management centre (the
    units that see every unit), and the addresses the installation names."""
    from orgs.models import Membership, Role

    memberships = Membership.objects.filter(role=Role.SITE_ADMIN, user__is_active=True).exclude(user__email="")
    units = memberships.filter(unit__sees_all_units=True)
    if unit_id is not None:
        units = units | memberships.filter(unit_id=unit_id)
    addresses = list(dict.fromkeys(units.values_list("user__email", flat=True)))
    return addresses + [a for a in settings.INTEGRITY_NOTIFY if a not in addresses]


def _notify(event):
    from letters import outbox

    to = recipients(event.unit_id)
    if not to:
        return
    site = event.site.hostname if event.site_id else "静态文件"
    body = (f"平台的防篡改检查发现发布目录中的文件与发布记录不符,已自动处理。\n\n"
            f"网站:{site}\n文件:{event.path}\n情况:{event.get_kind_display()}\n"
            f"发现时间:{timezone.localtime(event.detected_at):%Y-%m-%d %H:%M:%S}\n"
            f"应有摘要:{event.expected_digest or '—'}\n实际摘要:{event.found_digest or '—'}\n"
            f"恢复后摘要:{event.restored_digest or '—'}\n\n"
            f"请检查服务器的访问记录,查明文件被改动的原因。详情见后台“防篡改事件”。")
    with transaction.atomic():
        for address in to:
            outbox.notify(kind="integrity", to=address, subject=f"网站文件被篡改:{site}", body=body)
        IntegrityEvent.objects.filter(pk=event.pk).update(notified=True)
