"""manage.py migrate_site: progress in the terminal, and the same command continues."""

import io

import pytest
from django.core.management import CommandError, call_command

from demo import site_package
from hosting.models import MigrationStatus, SiteMigration
from portal.models import ArticlePage

pytestmark = pytest.mark.django_db


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("migrate_site", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_the_command_migrates_and_shows_progress(police, centre, package):
    out, _ = run("gaj", str(package()), user=centre.username)
    assert "共 8 条" in out
    assert "[1/8] 已发布" in out and "市公安局部署夏季治安巡查防控工作" in out
    assert "草稿待审核" in out and "代开发票" in out
    assert "说明:正文中已移除脚本 1 处" in out
    assert "完成:发布 7 条,草稿待审核 1 条,失败 0 条" in out
    assert "现由平台托管:/s/gaj/(原地址 https://gaj.cq.gov.cn/)" in out
    police.refresh_from_db()
    assert police.hosting == "hosted"


def test_running_the_command_again_continues_an_interrupted_migration(police, centre, package, migrate):
    path = package()

    def stop_after_two(migration, item):
        if migration.done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        migrate(path, progress=stop_after_two)
    migration = SiteMigration.objects.get()

    out, _ = run(str(police.pk), str(path), user=centre.username)
    assert f"继续第 {migration.pk} 号迁移(已处理 2/8 条)" in out
    assert SiteMigration.objects.count() == 1
    assert SiteMigration.objects.get().status == MigrationStatus.COMPLETED
    assert ArticlePage.objects.count() == 8


def test_a_bad_package_is_explained_and_refused(police, centre, package):
    manifest = site_package.manifest()
    manifest["columns"][2]["kind"] = "bsfw"
    with pytest.raises(CommandError, match="导出包不能使用"):
        run("gaj.cq.gov.cn", str(package(manifest)), user=centre.username)
    assert not SiteMigration.objects.exists()


def test_the_command_refuses_a_unit_editor_and_unknown_sites(police, city, centre, package):
    with pytest.raises(CommandError, match="门户网站管理中心"):
        run("gaj", str(package()), user=city.dept_editor.username)
    with pytest.raises(CommandError, match="网站登记中没有「nowhere」"):
        run("nowhere", str(package()), user=centre.username)
    with pytest.raises(CommandError, match="无法读取导出包"):
        run("gaj", "/nonexistent/export.zip", user=centre.username)
    assert not SiteMigration.objects.exists()
