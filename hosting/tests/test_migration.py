"""Migrating the demo's independent site: the whole run, resuming, idempotence, holds."""

from datetime import datetime

import pytest
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents.models import Document
from wagtail.models import Page, Site, WorkflowPage

from demo import site_package
from hosting import services
from hosting.models import ItemStatus, MigratedPage, MigrationStatus, SiteMigration
from orgs.errors import DomainError
from portal.models import ArticlePage, ColumnPage, DepartmentHomePage
from publishing.models import PublicationRecord

pytestmark = pytest.mark.django_db

HELD_TITLE = "警惕以“代开发票”为名的电信网络诈骗"


def items_by_title(migration):
    return {item.title: item for item in migration.items.all()}


def test_a_full_migration_builds_the_hosted_site(police, centre, package, migrate):
    migration = migrate(package())

    assert migration.status == MigrationStatus.COMPLETED
    assert (migration.total, migration.published, migration.held, migration.failed) == (8, 7, 1, 0)
    police.refresh_from_db()
    assert police.hosting == "hosted" and police.url == ""
    assert migration.old_url == "https://gaj.cq.gov.cn/"
    site = Site.objects.get(hostname="gaj.cq.gov.cn")
    assert police.site == site
    home = site.root_page.specific
    assert isinstance(home, DepartmentHomePage) and home.unit == police.unit and home.live
    assert WorkflowPage.objects.filter(page=home).exists()  # the unit's 三审 governs what editors change later

    columns = {c.slug: c for c in ColumnPage.objects.descendant_of(home)}
    assert {slug: c.kind.code for slug, c in columns.items()} == {
        "jwdt": "news", "tzgg": "notices", "bsfw": "services", "zcwj": "policy", "fzxc": "news",
        "interaction": "interaction",  # the package had none: every hosted site gets the mailbox column
    }
    assert columns["fzxc"].get_parent().pk == columns["jwdt"].pk
    assert columns["bsfw"].intro.startswith("户籍")


def test_items_keep_their_original_dates_sources_and_attachments(police, package, migrate):
    migration = migrate(package())
    pages = {p.title: p for p in ArticlePage.objects.all()}

    first = pages["市公安局部署夏季治安巡查防控工作"]
    assert first.live and first.source == "市公安局治安总队"
    assert timezone.localtime(first.pub_date).replace(tzinfo=None) == datetime(2025, 6, 3, 9, 30)
    assert first.first_published_at == first.pub_date
    dated_only = pages["关于调整出入境证件受理窗口办公时间的通告"]
    assert timezone.localtime(dated_only.pub_date).date().isoformat() == "2025-04-20"

    (attachment,) = dated_only.attachments.all()
    document = attachment.document
    assert document.title == "受理窗口一览表" and document.collection == police.unit.collection
    assert document.file.read().startswith(b"%PDF")
    assert document.uploaded_by_user == migration.created_by
    assert f'<a linktype="document" id="{document.pk}">' in dated_only.body  # the body's link now opens the document
    assert pages["关于开展居住证集中办理服务的通知"].attachments.get().document.file_size > 0


def test_every_published_item_is_registered_as_migrated_by_whom(police, centre, package, migrate):
    migrate(package())
    entries = PublicationRecord.objects.filter(unit=police.unit)
    assert entries.count() == 7
    entry = entries.get(page_title="市公安局部署夏季治安巡查防控工作")
    assert entry.published_by == centre.username and entry.submitted_by == centre.username
    (approval,) = entry.approvals
    assert approval["level"] == "网站迁移" and approval["by"] == centre.username
    assert "https://gaj.cq.gov.cn/jwdt/202506/t20250603_1001.html" in approval["comment"]
    assert entry.column_title == "警务动态"


def test_an_item_with_a_screening_hit_is_kept_as_a_draft_for_review(police, package, migrate):
    migration = migrate(package())
    held = items_by_title(migration)[HELD_TITLE]
    assert held.status == ItemStatus.HELD
    assert "代开发票" in held.message and "草稿待审核" in held.message
    page = ArticlePage.objects.get(title=HELD_TITLE)
    assert not page.live and page.has_unpublished_changes
    assert not PublicationRecord.objects.filter(page=page).exists()
    assert page.owner == migration.created_by


def test_dangerous_html_is_removed_and_the_item_says_what_was_removed(police, package, migrate):
    migration = migrate(package())
    page = ArticlePage.objects.get(title="全市公安机关举办“警营开放日”活动")
    assert "<script" not in page.body and "onclick" not in page.body and "<img" not in page.body
    assert "style=" not in page.body and "TRS_Editor" not in page.body
    assert "在指挥中心,民警向市民介绍了110接处警流程" in page.body
    notes = items_by_title(migration)[page.title].notes
    assert "脚本 1 处" in notes and "图片" in notes and "事件属性" in notes
    table_page = ArticlePage.objects.get(title="户口迁移办理指南")
    assert "跨区迁移 | 5个工作日" in table_page.body


def test_old_addresses_answer_301_to_the_new_pages(police, package, migrate, client):
    manifest = site_package.manifest()
    manifest["items"][5]["url"] = "https://gaj.cq.gov.cn/content.jsp?id=744&cat=zcwj"
    migration = migrate(package(manifest))
    assert migration.redirects == 16  # each old address by host name and under /s/gaj/
    page = ArticlePage.objects.get(title="市公安局部署夏季治安巡查防控工作")

    new_address = f"/s/gaj/jwdt/{page.slug}/"
    assert page.get_url() == new_address

    response = client.get("/jwdt/202506/t20250603_1001.html", HTTP_HOST="gaj.cq.gov.cn")
    assert response.status_code == 301
    assert response["Location"].endswith(new_address)
    assert client.get(new_address).status_code == 200

    by_path = client.get("/s/gaj/jwdt/202506/t20250603_1001.html")
    assert by_path.status_code == 301 and by_path["Location"].endswith(new_address)

    with_query = client.get("/content.jsp?cat=zcwj&id=744", HTTP_HOST="gaj.cq.gov.cn")
    assert with_query.status_code == 301
    assert with_query["Location"].endswith(ArticlePage.objects.get(title__startswith="市公安局关于规范").get_url())
    assert client.get("/jwdt/no-such-page.html", HTTP_HOST="gaj.cq.gov.cn").status_code == 404


def test_running_the_same_package_again_creates_nothing_twice(police, package, migrate):
    path = package()
    migrate(path)
    counts = (ArticlePage.objects.count(), Document.objects.count(), PublicationRecord.objects.count(),
              Redirect.objects.count(), ColumnPage.objects.count(), Page.objects.filter(depth=2).count())

    again = migrate(path)

    assert again.status == MigrationStatus.COMPLETED
    assert (again.skipped, again.published, again.held, again.failed) == (8, 0, 0, 0)
    assert counts == (ArticlePage.objects.count(), Document.objects.count(), PublicationRecord.objects.count(),
                      Redirect.objects.count(), ColumnPage.objects.count(), Page.objects.filter(depth=2).count())


def test_new_items_of_a_later_package_are_added_to_the_hosted_site(police, package, migrate):
    migrate(package())
    manifest = site_package.manifest()
    manifest["items"].append({**manifest["items"][0], "title": "市公安局召开秋季安全工作会",
                              "url": "https://gaj.cq.gov.cn/jwdt/202509/t20250901_1100.html", "published": "2025-09-01"})
    later = migrate(package(manifest))
    assert (later.published, later.skipped) == (1, 8)
    assert Page.objects.filter(depth=2, title="测试市公安局网站").count() == 1
    assert ArticlePage.objects.get(title="市公安局召开秋季安全工作会").live


def test_an_interrupted_migration_continues_without_duplicates(police, centre, package, migrate):
    seen = []

    def stop_after_three(migration, item):
        seen.append(item.position)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        migrate(package(), progress=stop_after_three)

    migration = SiteMigration.objects.get()
    assert migration.status == MigrationStatus.INTERRUPTED and migration.runner == ""
    assert migration.published + migration.held == 3
    police.refresh_from_db()
    assert police.hosting == "independent" and police.site is None  # not opened half-built
    assert not Site.objects.filter(hostname="gaj.cq.gov.cn").exists()

    done = services.migration_run(migration_id=migration.pk)

    assert done.status == MigrationStatus.COMPLETED
    assert (done.published, done.held, done.failed) == (7, 1, 0)
    assert ArticlePage.objects.count() == 8 == MigratedPage.objects.count()
    assert Page.objects.filter(depth=2, title="测试市公安局网站").count() == 1
    assert PublicationRecord.objects.count() == 7


def test_a_stop_in_the_middle_of_an_item_leaves_nothing_of_it(police, package, migrate, monkeypatch, settings):
    calls = []
    real_register = services._register

    def crash_on_second(page, spec, actor):
        calls.append(page.title)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process is stopped after the page was created
        return real_register(page, spec, actor)

    monkeypatch.setattr(services, "_register", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        migrate(package())
    assert ArticlePage.objects.count() == 1  # the second item's page went with its transaction
    assert not ArticlePage.objects.filter(title=calls[1]).exists()
    assert MigratedPage.objects.count() == 1

    monkeypatch.setattr(services, "_register", real_register)
    done = services.migration_run(migration_id=SiteMigration.objects.get().pk)
    assert done.published == 7 and ArticlePage.objects.count() == 8


def test_a_live_run_is_not_joined_and_a_dead_one_is_taken_over(police, centre, package):
    with open(package(), "rb") as stream:
        migration = services.migration_create(record=police, source=stream, package_name="gaj.zip", actor=centre)
    SiteMigration.objects.filter(pk=migration.pk).update(status=MigrationStatus.RUNNING, runner="other",
                                                         heartbeat_at=timezone.now())
    with pytest.raises(services.MigrationBusy):
        services.migration_run(migration_id=migration.pk)
    with pytest.raises(services.MigrationBusy):
        services.migration_start(migration=migration, actor=centre)
    assert ArticlePage.objects.count() == 0

    # The other worker died: its lease runs out and the next run continues.
    stale = timezone.now() - timezone.timedelta(seconds=services.LEASE_SECONDS + 5)
    SiteMigration.objects.filter(pk=migration.pk).update(heartbeat_at=stale)
    assert services.migration_run(migration_id=migration.pk).status == MigrationStatus.COMPLETED


def test_a_changed_package_file_stops_the_run_and_opens_nothing(police, centre, package):
    path = package()
    with open(path, "rb") as stream:
        migration = services.migration_create(record=police, source=stream, package_name="gaj.zip", actor=centre)
    stored = services.package_storage().path(migration.package_file)
    original = open(stored, "rb").read()
    with open(stored, "ab") as out:
        out.write(b"tampered")

    with pytest.raises(DomainError, match="与上传时不同"):
        services.migration_run(migration_id=migration.pk)
    migration.refresh_from_db()
    assert migration.status == MigrationStatus.FAILED and "重新上传" in migration.error
    police.refresh_from_db()
    assert police.hosting == "independent" and ArticlePage.objects.count() == 0

    open(stored, "wb").write(original)
    assert services.migration_run(migration_id=migration.pk).status == MigrationStatus.COMPLETED


def test_a_new_package_takes_over_an_unfinished_migration_and_its_site_tree(police, centre, package, migrate):
    def stop_after_two(migration, item):
        if migration.done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        migrate(package(), progress=stop_after_two)
    first = SiteMigration.objects.get()

    manifest = site_package.manifest()
    manifest["items"][-1]["title"] = "防范养老诈骗“六个不要”(修订)"
    second = migrate(package(manifest))

    first.refresh_from_db()
    assert first.status == MigrationStatus.SUPERSEDED and f"第 {second.pk} 号" in first.error
    assert second.status == MigrationStatus.COMPLETED and second.skipped == 2
    assert Page.objects.filter(depth=2, title="测试市公安局网站").count() == 1
    assert ArticlePage.objects.count() == 8
    with pytest.raises(DomainError, match="接替"):
        services.migration_run(migration_id=first.pk)


def test_only_the_management_centre_may_migrate(police, city, package):
    with open(package(), "rb") as stream, pytest.raises(DomainError, match="门户网站管理中心"):
        services.migration_create(record=police, source=stream, package_name="gaj.zip", actor=city.dept_editor)
    with open(package(), "rb") as stream, pytest.raises(DomainError, match="门户网站管理中心"):
        services.migration_create(record=police, source=stream, package_name="gaj.zip", actor=city.supervisor)
    assert not SiteMigration.objects.exists()
    assert services.may_migrate(city.supervisor) is False


def test_a_site_hosted_from_the_start_is_not_migrated(city, centre, package):
    with open(package(), "rb") as stream, pytest.raises(DomainError, match="不是独立网站"):
        services.migration_create(record=city.dept_site, source=stream, package_name="x.zip", actor=centre)
