"""A worker killed with ``kill -9`` in the middle of a site migration: the migration
resumes by itself (the beat's sweep, once the dead worker's lease has run out) and
completes, with nothing imported twice."""

import copy

import pytest
from wagtail.models import Page, Site

from cityplatform.tests.processes import kill_group, start_worker, wait_for
from demo import site_package
from hosting import services
from hosting.models import ItemStatus, MigratedPage, MigrationItem, MigrationStatus, SiteMigration
from portal.models import ArticlePage
from publishing.models import PublicationRecord

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

EXTRA = 30  # items enough that a kill lands in the middle of the run


def long_manifest():
    manifest = site_package.manifest()
    originals = [item for item in manifest["items"] if not item["attachments"]]
    for i in range(EXTRA):
        item = copy.deepcopy(originals[i % len(originals)])
        item["title"] = f"{item['title']}(第{i + 1}期)"
        item["url"] = f"https://gaj.cq.gov.cn/jwdt/archive/t2024_{i + 1:04d}.html"
        manifest["items"].append(item)
    return manifest


def test_a_migration_whose_worker_is_killed_resumes_by_itself_and_completes_once(
        police, centre, package, settings, tmp_path, django_capture_on_commit_callbacks):
    env = {"HOSTING_PACKAGE_DIR": str(settings.HOSTING_PACKAGE_DIR), "MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "HOSTING_LEASE_SECONDS": "3", "SWEEP_SECONDS": "1", "BEAT_LOCK_RETRY_SECONDS": "1"}
    path = package(long_manifest())
    with open(path, "rb") as stream:
        migration = services.migration_create(record=police, source=stream, package_name=path.name, actor=centre)
    total = migration.total
    first = start_worker("migration-killed", env=env)
    second = None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.migration_start(migration=migration, actor=centre)  # queued on the broker for the worker

        def some_done():
            return MigrationItem.objects.filter(migration=migration).exclude(status=ItemStatus.PENDING).count() >= 3

        wait_for(some_done, first, 120, "the worker to migrate a few items")
        kill_group(first)  # kill -9 in the middle of the run
        migration.refresh_from_db()
        assert migration.status == MigrationStatus.RUNNING and migration.runner, "the dead worker's lease is left"
        left = MigrationItem.objects.filter(migration=migration, status=ItemStatus.PENDING).count()
        assert 0 < left < total, "killed in the middle"

        # A new worker with its beat; nobody starts the migration again: the sweep does.
        second = start_worker("migration-sweeper", beat=True, env=env)
        wait_for(lambda: SiteMigration.objects.filter(pk=migration.pk, status=MigrationStatus.COMPLETED).exists(),
                 second, 300, "the sweep to continue the migration to its end")
    finally:
        for worker in (first, second):
            if worker is not None:
                kill_group(worker)

    migration.refresh_from_db()
    assert migration.runner == "" and migration.total == total
    assert migration.published + migration.held == total and migration.failed == 0
    titles = list(ArticlePage.objects.values_list("title", flat=True))
    assert len(titles) == len(set(titles)) == total, "no item imported twice"
    assert MigratedPage.objects.filter(record=police).count() == total
    assert PublicationRecord.objects.count() == migration.published
    assert Page.objects.filter(depth=2, title=police.name).count() == 1, "one home page"
    police.refresh_from_db()
    assert police.hosting == "hosted" and Site.objects.filter(hostname="gaj.cq.gov.cn").count() == 1
