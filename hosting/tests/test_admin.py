"""The management centre's migration pages in the Wagtail admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from demo import site_package
from hosting import tasks
from hosting.models import MigrationStatus, SiteMigration
from portal.models import ArticlePage

pytestmark = pytest.mark.django_db

INDEX, NEW = "/admin/hosting/", "/admin/hosting/new/"


def refused(response):
    """Wagtail answers a PermissionDenied in its admin with a redirect to the admin home."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def upload(client, record, data, name="gaj-export.zip"):
    return client.post(NEW, {"record": record.pk, "package": SimpleUploadedFile(name, data, "application/zip")})


def test_a_unit_editor_is_refused_every_page(client, city, police, package):
    client.force_login(city.dept_editor)
    assert refused(client.get(INDEX))
    assert refused(client.get(NEW))
    assert refused(upload(client, police, site_package.build()))
    assert not SiteMigration.objects.exists()
    assert "site-migration" not in client.get("/admin/").content.decode()  # nor shown in the menu


def test_the_centre_uploads_a_package_and_watches_the_worker_migrate_it(
        client, centre, police, django_capture_on_commit_callbacks):
    client.force_login(centre)
    page = client.get(INDEX).content.decode()
    assert "测试市公安局网站" in page and "迁移到平台" in page
    assert "site-migration" in client.get("/admin/").content.decode()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(client, police, site_package.build())
    migration = SiteMigration.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/hosting/{migration.pk}/"
    assert len(queued) == 1 and migration.status == MigrationStatus.PENDING and migration.created_by == centre

    waiting = client.get(response["Location"]).content.decode()
    assert "等待开始" in waiting and "window.location.reload" in waiting  # the page follows the run

    assert tasks.run_migration.apply(args=[migration.pk]).get() == MigrationStatus.COMPLETED  # the worker's task

    done = client.get(response["Location"]).content.decode()
    assert "已完成" in done and "window.location.reload" not in done
    assert '<strong data-count="published">7</strong>' in done and '<strong data-count="held">1</strong>' in done
    assert "草稿待审核" in done and "代开发票" in done  # the held item says why
    assert "正文中已移除脚本 1 处" in done
    held_only = client.get(response["Location"] + "?status=held").content.decode()
    assert "警惕以“代开发票”为名的电信网络诈骗" in held_only and "市公安局部署夏季治安巡查防控工作" not in held_only
    assert ArticlePage.objects.live().count() == 7


def test_a_bad_package_is_refused_with_every_problem_and_nothing_kept(client, centre, police):
    client.force_login(centre)
    manifest = site_package.manifest()
    manifest["columns"][0]["kind"] = "police-news"
    manifest["site"]["url"] = "https://jtj.cq.gov.cn/"
    page = upload(client, police, site_package.build(manifest)).content.decode()
    assert "导出包没有通过检查,未做任何改动" in page
    assert "导出包属于网站 jtj.cq.gov.cn" in page and "「police-news」" in page
    assert not SiteMigration.objects.exists()

    page = upload(client, police, b"not a zip at all", name="export.rar").content.decode()
    assert "文件不是有效的 ZIP 压缩包" in page


def test_an_interrupted_migration_is_continued_from_its_page(client, centre, police, package, migrate,
                                                             django_capture_on_commit_callbacks):
    def stop(migration, item):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        migrate(package(), progress=stop)
    migration = SiteMigration.objects.get()
    client.force_login(centre)
    page = client.get(f"/admin/hosting/{migration.pk}/").content.decode()
    assert "已中断" in page and "继续迁移" in page and "已迁移的条目保留" in page

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(f"/admin/hosting/{migration.pk}/start/")
    assert response.status_code == 302 and len(queued) == 1
    tasks.run_migration.apply(args=[migration.pk])
    migration.refresh_from_db()
    assert migration.status == MigrationStatus.COMPLETED and ArticlePage.objects.count() == 8

    page = client.get(f"/admin/hosting/{migration.pk}/").content.decode()
    assert "继续迁移" not in page and "打开网站" in page


def test_a_unit_editor_cannot_continue_a_migration(client, city, centre, police, package, migrate):
    def stop(migration, item):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        migrate(package(), progress=stop)
    migration = SiteMigration.objects.get()
    client.force_login(city.dept_editor)
    assert refused(client.post(f"/admin/hosting/{migration.pk}/start/"))
    assert refused(client.get(f"/admin/hosting/{migration.pk}/"))
    migration.refresh_from_db()
    assert migration.status == MigrationStatus.INTERRUPTED
