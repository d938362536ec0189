"""manage.py migrate_site <site record id or slug> <package.zip> --user <username>

Migrates an independent site onto the platform in the foreground, printing each
item as it goes. Running it again with the same package continues an interrupted
migration; nothing already migrated is imported twice.
"""

import hashlib
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from hosting import services
from hosting.models import CLOSED_STATUSES, ItemStatus
from hosting.package import PackageInvalid
from orgs.addressing import hostname_for_slug
from orgs.errors import DomainError
from orgs.models import SiteRecord

LABELS = dict(ItemStatus.choices)


class Command(BaseCommand):
    help = "把独立建设的网站按导出包迁入平台托管(可中断后重新运行以继续)。"

    def add_arguments(self, parser):
        parser.add_argument("site", help="网站登记的编号,或网站的路径名/域名(如 gaj 或 gaj.cq.gov.cn)")
        parser.add_argument("package", help="导出包(ZIP)的路径")
        parser.add_argument("--user", required=True, help="执行迁移的用户名(门户网站管理中心),登记为发布人")
        parser.add_argument("--background", action="store_true", help="交给后台任务执行,只打印编号")

    def handle(self, *args, site, package, user, background, **options):
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"没有用户 {user}。")
        if not services.may_migrate(actor):
            raise CommandError("只有门户网站管理中心(超级管理员或管理中心的网站管理员)可以迁移网站。")
        record = self._record(site)
        try:
            migration = self._migration(record, package, actor)
            if background:
                services.migration_start(migration=migration, actor=actor)
                self.stdout.write(f"第 {migration.pk} 号迁移已交给后台任务;进度见管理后台“网站迁移”。")
                return
            self.stdout.write(f"第 {migration.pk} 号迁移:{record.name},共 {migration.total} 条")
            migration = services.migration_run(migration_id=migration.pk, progress=self._progress)
        except PackageInvalid as exc:
            self.stderr.write("导出包没有通过检查,未做任何改动:")
            for problem in exc.problems:
                self.stderr.write(f"  - {problem}")
            raise CommandError("导出包不能使用。") from None
        except KeyboardInterrupt:
            self.stderr.write("\n已中止。再次运行同一命令即可继续,已迁移的条目不会重复导入。")
            sys.exit(130)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self._summary(migration)

    def _record(self, value):
        records = SiteRecord.objects.select_related("unit")
        record = records.filter(pk=int(value)).first() if value.isdigit() else None
        record = record or records.filter(hostname__in={value, hostname_for_slug(value)}).first()
        if record is None:
            raise CommandError(f"网站登记中没有「{value}」。")
        return record

    def _migration(self, record, path, actor):
        """An unfinished migration of the same package is continued; otherwise a new one."""
        try:
            with open(path, "rb") as stream:
                digest = hashlib.file_digest(stream, "sha256").hexdigest()
                unfinished = record.migrations.exclude(status__in=CLOSED_STATUSES).first()
                if unfinished is not None and unfinished.package_sha256 == digest:
                    self.stdout.write(f"继续第 {unfinished.pk} 号迁移(已处理 {unfinished.done}/{unfinished.total} 条)。")
                    return unfinished
                stream.seek(0)
                return services.migration_create(record=record, source=stream, package_name=path, actor=actor)
        except OSError as exc:
            raise CommandError(f"无法读取导出包 {path}:{exc.strerror}") from None

    def _progress(self, migration, item):
        line = f"[{migration.done:>{len(str(migration.total))}}/{migration.total}] {LABELS[item.status]:<6} {item.title}"
        self.stdout.write(line)
        if item.message:
            self.stdout.write(f"      {item.message}")
        for note in filter(None, item.notes.splitlines()):
            self.stdout.write(f"      说明:{note}")

    def _summary(self, migration):
        self.stdout.write(self.style.SUCCESS(
            f"完成:发布 {migration.published} 条,草稿待审核 {migration.held} 条,失败 {migration.failed} 条,"
            f"此前已迁移 {migration.skipped} 条;设置跳转 {migration.redirects} 条。"
        ))
        record = migration.record
        record.refresh_from_db()
        self.stdout.write(f"{record.name} 现由平台托管:{record.public_url}(原地址 {migration.old_url})")
        if migration.failed:
            self.stdout.write(self.style.WARNING("有失败的条目:修改导出包后重新运行本命令,只导入尚未迁移的条目。"))
