"""Moving an independent site onto the platform (N-2.3).

:func:`migration_create` checks and keeps an export package; :func:`migration_start`
hands it to the worker; :func:`migration_run` (the worker task, or the management
command in the foreground) builds the hosted site:

1. the home page of the site's kind and its columns, in one transaction, with the
   unit's permissions and review workflow — not reachable yet, as no Wagtail site
   points at it;
2. each item in its own transaction: attachments become documents in the unit's
   collection, the body is sanitised, the page is published with its original date
   and source and written to the publication register as migrated — or, with a
   screening hit, kept as a draft for review. An item that fails is recorded and
   the rest go on;
3. finally, in one transaction, the Wagtail site, a 301 redirect from every old
   address, and the registry entry switched to hosted.

Running again continues where a run stopped: an old address already migrated
(:class:`MigratedPage`) is never imported twice.
"""

import hashlib
import logging
import os
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page, Site

from guard import audit
from guard.sanitize import clean_body
from guard.screening import screen_page, screen_text
from guard.services import check_upload
from orgs.addressing import path_prefix
from orgs.errors import DomainError, NotFound, PermissionRefused, clean_or_refuse
from orgs.models import Hosting, Role, SiteRecord
from orgs.queries import sees_every_unit
from portal.models import ArticlePage, ColumnCategory, ColumnKind, ColumnPage, ContentAttachment
from portal.services import page_create
from publishing.register import register_migrated_publication

from .models import CLOSED_STATUSES, ItemStatus, MigratedPage, MigrationItem, MigrationStatus, SiteMigration
from .package import PackageInvalid, attachment_member, old_site_hosts, open_archive, read_package
from .sites import home_page_create, interaction_column_ensure

logger = logging.getLogger(__name__)

# A run renews its lease after every item; one silent for this long is taken to be dead
# (the default of settings.HOSTING_LEASE_SECONDS; read it through lease_seconds()).
LEASE_SECONDS = 120


class MigrationBusy(DomainError):
    code = "busy"


# --- Who may migrate ---------------------------------------------------------------------------

def may_migrate(user):
    """The portal management centre: superusers and site administrators of a unit
    that sees across units (门户网站管理中心); a supervisor sees every unit but
    does not run sites."""
    return sees_every_unit(user, roles=(Role.SITE_ADMIN,))


def _refuse_unless_allowed(actor):
    if not may_migrate(actor):
        raise PermissionRefused("只有门户网站管理中心可以把独立网站迁移到平台。")


# --- The package -------------------------------------------------------------------------------

def package_storage():
    """Packages are kept outside the public media folder until their migration is done."""
    location = getattr(settings, "HOSTING_PACKAGE_DIR", None) or settings.VAR_DIR / "migration-packages"
    return FileSystemStorage(location=str(location))


def _package_max_bytes():
    return int(getattr(settings, "HOSTING_PACKAGE_MAX_BYTES", 2 * 1024 ** 3))


def inspect_package(*, record, path, old_url):
    """Read the package at ``path`` for ``record``; refuse it with every problem found."""
    kinds = {kind.code: kind for kind in ColumnKind.objects.select_related("approval")}
    package = read_package(path, allowed_hosts=old_site_hosts(record.hostname, old_url), known_kinds=set(kinds))
    problems = []
    for column in package.columns:
        kind = kinds[column.kind]
        if kind.category == ColumnCategory.SOCIAL_NEWS and (kind.approval is None or kind.approval.unit_id != record.unit_id):
            problems.append(f"栏目「{column.title}」的类型为社会新闻,{record.unit.name}没有新闻主管部门批准开设此类栏目的记录")
        # Column names and descriptions go live with the site, outside any review.
        for hit in screen_text({"栏目名称": column.title, "栏目说明": column.intro or ""}):
            problems.append(f"栏目「{column.title}」:{hit.describe()}")
    if problems:
        raise PackageInvalid(problems)
    return package


def _store_package(source, name):
    """Copy the uploaded package into the package store; return (stored name, SHA-256)."""
    storage = package_storage()
    digest, size = hashlib.sha256(), 0
    limit = _package_max_bytes()
    stored = storage.get_available_name(f"{timezone.now():%Y%m}/{uuid.uuid4().hex}.zip")
    os.makedirs(os.path.dirname(storage.path(stored)), exist_ok=True)
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        with open(storage.path(stored), "wb") as out:
            while chunk := source.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise PackageInvalid([f"导出包过大:超过 {limit // (1024 ** 2)} MB,请分批导出"])
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        storage.delete(stored)
        raise
    if size == 0:
        storage.delete(stored)
        raise PackageInvalid(["上传的文件是空的"])
    return stored, digest.hexdigest()


def _sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


# --- Creating and starting a migration ---------------------------------------------------------

def _old_url(record):
    """The old site's address: the registry's while the site is independent, or the
    one recorded by an earlier migration when more content follows later."""
    if record.hosting == Hosting.INDEPENDENT:
        return record.url
    earlier = record.migrations.filter(status=MigrationStatus.COMPLETED).order_by("-finished_at").first()
    if earlier is None:
        raise DomainError(f"「{record.name}」由平台建设,不是独立网站,不需要迁移。", code="not_independent")
    return earlier.old_url


def migration_create(*, record, source, package_name, actor):
    """Check the package and keep it with a new migration of ``record`` (not started)."""
    _refuse_unless_allowed(actor)
    record = SiteRecord.objects.select_related("unit", "site").get(pk=record.pk)
    old_url = _old_url(record)
    unfinished = record.migrations.exclude(status__in=CLOSED_STATUSES).first()
    if unfinished is not None and lease_is_live(unfinished):
        raise MigrationBusy(f"「{record.name}」的第 {unfinished.pk} 号迁移正在进行,请等它结束后再上传新的导出包。")
    if record.site is None and Site.objects.filter(hostname=record.hostname).exists():
        raise DomainError(f"域名 {record.hostname} 已被平台上的另一个网站使用。", code="conflict")
    package_name = os.path.basename((package_name or "").replace("\\", "/"))[:255] or "package.zip"
    stored, digest = _store_package(source, package_name)
    try:
        package = inspect_package(record=record, path=package_storage().path(stored), old_url=old_url)
        with transaction.atomic():
            migration = SiteMigration.objects.create(
                record=record, old_url=old_url, package_name=package_name, package_file=stored, package_sha256=digest,
                total=len(package.items), created_by=actor,
            )
            MigrationItem.objects.bulk_create(
                [
                    MigrationItem(
                        migration=migration, position=item.position, title=item.title[:255], column_key=item.column[:50],
                        original_url=item.url[:2000],
                        status=ItemStatus.FAILED if item.problems else ItemStatus.PENDING,
                        message=";".join(item.problems),
                    )
                    for item in package.items
                ],
                batch_size=500,
            )
            _save_counts(migration)
            if unfinished is not None:
                # The new package takes over; what the old one migrated stays and is not imported again.
                SiteMigration.objects.filter(pk=unfinished.pk).update(
                    status=MigrationStatus.SUPERSEDED, error=f"已由第 {migration.pk} 号迁移(新的导出包)接替。", runner=""
                )
                audit.record(unfinished, "hosting.migration.supersede", actor=actor,
                             before={"status": unfinished.status}, after={"status": MigrationStatus.SUPERSEDED},
                             by_migration=migration.pk)
            audit.record(migration, "hosting.migration.create", actor=actor, after={"status": migration.status},
                         unit=record.unit, site=record.name, package=package_name, items=len(package.items))
    except BaseException:
        package_storage().delete(stored)
        raise
    return migration


def migration_start(*, migration, actor):
    """Hand the migration to the worker (first start, or to continue after a stop)."""
    _refuse_unless_allowed(actor)
    with transaction.atomic():
        migration = SiteMigration.objects.select_for_update().get(pk=migration.pk)
        if lease_is_live(migration):
            raise MigrationBusy("这次迁移正在进行中,请稍候查看进度。")
        if migration.status == MigrationStatus.SUPERSEDED:
            raise DomainError(migration.error or "这次迁移已由新的导出包接替。", code="done")
        if migration.status == MigrationStatus.COMPLETED and not migration.items.filter(status=ItemStatus.FAILED).exists():
            raise DomainError("这次迁移已经完成,没有需要重试的条目。", code="done")
        before = {"status": migration.status}
        migration.status = MigrationStatus.PENDING
        migration.error = ""
        # Handed to the worker now: if the broker loses the message, the sweep starts it
        # once this is older than a lease (a migration never started has no heartbeat).
        migration.heartbeat_at = timezone.now()
        migration.save(update_fields=["status", "error", "heartbeat_at"])
        audit.record(migration, "hosting.migration.start", actor=actor, before=before,
                     after={"status": migration.status})
        pk = migration.pk
        transaction.on_commit(lambda: _enqueue(pk))
    return migration


def _enqueue(migration_id):
    from .tasks import run_migration

    try:
        run_migration.delay(migration_id)
    except Exception:  # the broker is down: the migration waits, and says so
        logger.exception("could not queue migration %s", migration_id)
        SiteMigration.objects.filter(pk=migration_id, status=MigrationStatus.PENDING).update(
            error="任务队列暂时不可用,迁移尚未开始;请稍后点击“继续迁移”。"
        )


def lease_seconds():
    return int(getattr(settings, "HOSTING_LEASE_SECONDS", LEASE_SECONDS))


def lease_is_live(migration):
    return bool(migration.runner) and migration.heartbeat_at is not None and (
        migration.heartbeat_at >= timezone.now() - timedelta(seconds=lease_seconds())
    )


def migrations_left_behind(now=None):
    """What the sweep continues: a run whose worker died (its lease ran out), and a
    migration handed to the worker whose task never came (a lost broker message).
    Stopped, failed and finished migrations wait for a person."""
    stale = (now or timezone.now()) - timedelta(seconds=lease_seconds())
    return SiteMigration.objects.filter(
        Q(status=MigrationStatus.RUNNING) | Q(status=MigrationStatus.PENDING, runner=""),
        heartbeat_at__lt=stale,
    )


def migrations_sweep():
    """Continue every migration left behind (the periodic task); returns their final states."""
    results = {}
    for pk in list(migrations_left_behind().order_by("pk").values_list("pk", flat=True)):
        try:
            results[pk] = migration_run(migration_id=pk, trigger="sweep").status
        except MigrationBusy:
            results[pk] = "busy"  # another worker took it over first
        except Exception:  # recorded on the migration (failed), shown in the admin; the others go on
            results[pk] = "failed"
    return results


# --- Running -----------------------------------------------------------------------------------

def migration_run(*, migration_id, progress=None, trigger=""):
    """Do (or continue) the migration; ``progress(migration, item)`` is called after each item.
    ``trigger`` says in the audit trail what started a run nobody asked for ("sweep").

    Only one process runs a migration at a time (a lease renewed after every item).
    A stop — Ctrl-C, a dead worker, a fatal error — leaves every item either fully
    imported or not at all, and the next run continues.
    """
    token = uuid.uuid4().hex
    migration = _claim(migration_id, token, trigger)
    actor = migration.created_by
    try:
        path = _package_path(migration)
        package = inspect_package(record=migration.record, path=path, old_url=migration.old_url)
        columns = _ensure_site_tree(migration, package, actor)
        specs = {item.position: item for item in package.items}
        todo = migration.items.filter(status__in=[ItemStatus.PENDING, ItemStatus.FAILED]).order_by("position")
        with open_archive(path) as archive:
            for item in list(todo):
                spec = specs.get(item.position)
                if spec is None or spec.url[:2000] != item.original_url:
                    raise DomainError("导出包与迁移登记的条目不一致,请重新上传。")
                if not spec.problems:
                    _import_item(migration, item, spec, columns, archive, actor)
                _renew(migration, token)
                if progress:
                    progress(migration, item)
        _finish(migration, token, actor)
    except MigrationBusy:
        raise
    except (KeyboardInterrupt, SystemExit):
        _release(migration, token, MigrationStatus.INTERRUPTED, "迁移被中止;已迁移的条目保留,可继续迁移。")
        raise
    except DomainError as exc:
        _release(migration, token, MigrationStatus.FAILED, exc.message)
        raise
    except Exception as exc:
        logger.exception("migration %s stopped", migration.pk)
        _release(migration, token, MigrationStatus.FAILED, f"迁移因意外错误停止:{exc.__class__.__name__}: {exc}"[:2000])
        raise
    migration.refresh_from_db()
    return migration


def _claim(migration_id, token, trigger=""):
    now = timezone.now()
    free = Q(runner="") | Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - timedelta(seconds=lease_seconds()))
    with transaction.atomic():
        claimable = SiteMigration.objects.filter(pk=migration_id).exclude(status=MigrationStatus.SUPERSEDED)
        claimed = claimable.filter(free).update(runner=token, heartbeat_at=now, status=MigrationStatus.RUNNING,
                                                error="")
        if claimed:
            first = SiteMigration.objects.filter(pk=migration_id, started_at__isnull=True).update(started_at=now)
            migration = SiteMigration.objects.select_related("record__unit", "record__site", "created_by").get(
                pk=migration_id)
            # The worker (or a command in the foreground) runs it: the system, not a person.
            audit.record(migration, "hosting.migration.run", after={"status": MigrationStatus.RUNNING},
                         resumed=not first, **({"trigger": trigger} if trigger else {}))
            return migration
    status = SiteMigration.objects.filter(pk=migration_id).values_list("status", flat=True).first()
    if status is None:
        raise NotFound(f"没有第 {migration_id} 号迁移。")
    if status == MigrationStatus.SUPERSEDED:
        raise DomainError("这次迁移已由新的导出包接替,不再执行。", code="done")
    raise MigrationBusy("这次迁移正由另一个进程执行,请稍后查看进度。")


def _renew(migration, token):
    counts = _counts(migration)
    if not SiteMigration.objects.filter(pk=migration.pk, runner=token).update(heartbeat_at=timezone.now(), **counts):
        raise MigrationBusy("另一个进程接管了这次迁移,本进程停止。")
    for name, value in counts.items():
        setattr(migration, name, value)


def _release(migration, token, status, error):
    try:
        with transaction.atomic():
            counts = _counts(migration)
            released = SiteMigration.objects.filter(pk=migration.pk, runner=token).update(
                runner="", status=status, error=error, heartbeat_at=timezone.now(), **counts
            )
            if released:
                audit.record(migration, "hosting.migration.stop", before={"status": MigrationStatus.RUNNING},
                             after={"status": status, **counts}, error=error)
    except Exception:  # the database itself may be what failed; the lease then simply runs out
        logger.exception("could not record the stop of migration %s", migration.pk)


def _counts(migration):
    rows = dict(MigrationItem.objects.filter(migration_id=migration.pk).values_list("status").annotate(n=Count("id")))
    return {
        "published": rows.get(ItemStatus.PUBLISHED, 0),
        "held": rows.get(ItemStatus.HELD, 0),
        "failed": rows.get(ItemStatus.FAILED, 0),
        "skipped": rows.get(ItemStatus.SKIPPED, 0),
    }


def _save_counts(migration):
    counts = _counts(migration)
    SiteMigration.objects.filter(pk=migration.pk).update(**counts)
    for name, value in counts.items():
        setattr(migration, name, value)


def _package_path(migration):
    path = package_storage().path(migration.package_file)
    if not os.path.exists(path):
        raise DomainError("导出包文件已不在平台上,请重新上传导出包。")
    if _sha256_of(path) != migration.package_sha256:
        raise DomainError("导出包文件与上传时不同(已被改动),请重新上传导出包。")
    return path


# --- The site tree -----------------------------------------------------------------------------

def _ensure_site_tree(migration, package, actor):
    """The home page and every column, created once and found again on a re-run."""
    record = migration.record
    with transaction.atomic():
        home = _home_of(migration)
        if home is None:
            home = home_page_create(record=record, actor=actor)
            SiteMigration.objects.filter(pk=migration.pk).update(home_page=home)
            migration.home_page = home
        kinds = {kind.code: kind for kind in ColumnKind.objects.all()}
        columns = {}
        for spec in package.columns:
            parent = columns[spec.parent] if spec.parent else home
            column = ColumnPage.objects.child_of(parent).filter(slug=spec.key).first()
            if column is None:
                column = ColumnPage(title=spec.title, slug=spec.key, kind=kinds[spec.kind], intro=spec.intro,
                                    show_in_menus=not spec.parent)
                page_create(parent=parent, page=column, publish=True)
            columns[spec.key] = column
        interaction_column_ensure(home=home, actor=actor)  # the mailbox stays reachable whatever the package held
    return columns


def _home_of(migration):
    if migration.home_page_id:
        page = Page.objects.filter(pk=migration.home_page_id).first()
        if page is not None:
            return page.specific
    if migration.record.site_id:
        return migration.record.site.root_page.specific
    # An earlier run for the same site (stopped, then taken over by a new package) may have built it.
    earlier = (
        SiteMigration.objects.filter(record_id=migration.record_id, home_page__isnull=False)
        .exclude(pk=migration.pk).order_by("-pk").values_list("home_page_id", flat=True).first()
    )
    page = Page.objects.filter(pk=earlier).first() if earlier else None
    return page.specific if page is not None else None


# --- One item ----------------------------------------------------------------------------------

def _import_item(migration, item, spec, columns, archive, actor):
    stored = []  # files written for this item, removed again if it does not commit
    try:
        with transaction.atomic():
            _import_in_transaction(migration, item, spec, columns, archive, actor, stored)
    except DomainError as exc:
        _discard(stored)
        _set_item(item, ItemStatus.FAILED, message=exc.message)
    except (OperationalError, InterfaceError, KeyboardInterrupt, SystemExit):
        _discard(stored)
        raise  # the database is gone, or the run was stopped: it can be continued later
    except Exception as exc:
        _discard(stored)
        logger.exception("migration %s item %s failed", migration.pk, item.position)
        _set_item(item, ItemStatus.FAILED, message=f"导入时出错:{exc.__class__.__name__}: {exc}"[:2000])


def _import_in_transaction(migration, item, spec, columns, archive, actor, stored):
    record = migration.record
    earlier = MigratedPage.objects.filter(record=record, url_key=spec.url_key).first()
    if earlier is not None:
        note = "这个原网址此前已迁移" + ("" if earlier.page_id else "(迁移后的页面已被删除)")
        _set_item(item, ItemStatus.SKIPPED, page_id=earlier.page_id, message="", notes=note)
        return
    documents = _attachments(spec, archive, record.unit, actor, stored)
    body = clean_body(spec.body, features=ArticlePage._meta.get_field("body").features,
                      documents={name: doc.pk for name, doc in documents})
    if not body.text:
        raise DomainError("正文清理后没有文字内容(原正文可能只有图片、脚本或框架)。")
    page = ArticlePage(title=spec.title, summary=spec.summary, source=spec.source, pub_date=spec.published, body=body.html)
    page.attachments = [ContentAttachment(document=doc, label=doc.title) for _, doc in documents]
    hits = screen_page(page)
    page_create(parent=columns[spec.column], page=page, publish=not hits)
    changes = {"owner": actor} if hits else {"owner": actor, "first_published_at": spec.published}
    Page.objects.filter(pk=page.pk).update(**changes)
    MigratedPage.objects.create(record=record, url_key=spec.url_key, original_url=spec.url[:2000], old_path=spec.old_path,
                                page=page, migration=migration)
    data = {"original_url": spec.url, "migration": migration.pk}
    if hits:
        message = "机器筛查命中,已存为草稿待审核:" + ";".join(hit.describe() for hit in hits)
        audit.record(page, "hosting.item.hold", actor=actor, **data, hits=[hit.term for hit in hits])
        _set_item(item, ItemStatus.HELD, page_id=page.pk, message=message[:4000], notes="\n".join(body.notes))
    else:
        _register(page, spec, actor)
        audit.record(page, "hosting.item.migrate", actor=actor, **data)
        _set_item(item, ItemStatus.PUBLISHED, page_id=page.pk, message="", notes="\n".join(body.notes))


def _attachments(spec, archive, unit, actor, stored):
    """Each attachment checked like any upload, then kept as a document of the unit."""
    Document = get_document_model()
    collection = unit.collection or Collection.get_first_root_node()
    allowed = set(settings.WAGTAILDOCS_EXTENSIONS)
    documents = []
    for name in spec.attachments:
        info = attachment_member(archive, name)
        if info is None:
            raise DomainError(f"附件「{name}」不在压缩包中。")
        try:
            head = _read_member(archive, info, 8192, name, whole=False)
            check_upload(name=name, size=info.file_size, head=head, allowed=allowed)
        except DomainError as exc:
            raise DomainError(f"附件「{name}」:{exc.message}", code=exc.code) from exc
        data = _read_member(archive, info, settings.UPLOAD_MAX_BYTES, name)
        document = Document(title=os.path.splitext(name)[0][:255], collection=collection, uploaded_by_user=actor)
        document.file.save(name, ContentFile(data), save=False)
        stored.append((document.file.storage, document.file.name))
        document._set_document_file_metadata()
        document.save()
        documents.append((name, document))
    return documents


def _read_member(archive, info, limit, name, whole=True):
    import zipfile

    try:
        with archive.open(info) as stream:
            data = stream.read(limit + 1 if whole else limit)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise DomainError(f"附件「{name}」已损坏,无法解压。", code="bad_content") from exc
    if whole and len(data) > limit:
        raise DomainError(f"附件「{name}」解压后超过 {limit // (1024 * 1024)} MB。", code="too_large")
    return data


def _discard(stored):
    for storage, name in stored:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not remove %s", name)


def _register(page, spec, actor):
    """The register line of a migrated page, written by publishing's register."""
    return register_migrated_publication(page=page, user=actor, original_url=spec.url, original_published=spec.published)


def _set_item(item, status, *, page_id=None, message="", notes=""):
    item.status, item.page_id, item.message, item.notes = status, page_id, message, notes
    item.save(update_fields=["status", "page", "message", "notes", "updated_at"])


# --- Finishing ---------------------------------------------------------------------------------

def _finish(migration, token, actor):
    """Open the site: its Wagtail site, redirects from the old addresses, the registry."""
    with transaction.atomic():
        record = SiteRecord.objects.select_for_update(of=("self",)).select_related("unit", "site").get(pk=migration.record_id)
        home = _home_of(migration)
        site = record.site
        if site is None:
            if Site.objects.filter(hostname=record.hostname).exists():
                raise DomainError(f"域名 {record.hostname} 已被平台上的另一个网站使用,无法开通。")
            site = Site.objects.create(hostname=record.hostname, port=80, root_page=home, site_name=record.name)
            record.site = site
        became_hosted = record.hosting == Hosting.INDEPENDENT
        if became_hosted:
            record.hosting = Hosting.HOSTED
            record.url = ""
        clean_or_refuse(record)
        record.save()
        redirects = _redirects(record, site)
        if became_hosted:
            audit.record(record.unit, "hosting.site.hosted", actor=actor, before={"hosting": Hosting.INDEPENDENT},
                         after={"hosting": Hosting.HOSTED}, site=record.name, hostname=record.hostname,
                         old_url=migration.old_url, migration=migration.pk)
        counts = _counts(migration)
        done = SiteMigration.objects.filter(pk=migration.pk, runner=token).update(
            status=MigrationStatus.COMPLETED, finished_at=timezone.now(), runner="", error="", redirects=redirects,
            heartbeat_at=timezone.now(), **counts,
        )
        if not done:
            raise MigrationBusy("另一个进程接管了这次迁移,本进程停止。")
        audit.record(migration, "hosting.migration.finish", before={"status": MigrationStatus.RUNNING},
                     after={"status": MigrationStatus.COMPLETED, **counts}, redirects=redirects)


def _redirects(record, site):
    """A permanent redirect from every migrated old address, by the site's host name and
    under its /s/<slug>/ path on the platform's own address."""
    prefix = path_prefix(record.hostname, is_default=site.is_default_site)
    wanted = {}
    for old_path, page_id in MigratedPage.objects.filter(record=record, page__isnull=False).values_list("old_path", "page_id"):
        wanted[old_path] = page_id
        if prefix and len(prefix + old_path) <= 255:
            wanted[prefix + old_path] = page_id
    existing = set(Redirect.objects.filter(site=site).values_list("old_path", flat=True))
    Redirect.objects.bulk_create(
        [Redirect(old_path=path, site=site, redirect_page_id=page_id, is_permanent=True)
         for path, page_id in wanted.items() if path not in existing],
        batch_size=500,
    )
    return len(wanted)
