"""Each state change of a site migration is one entry of the audit trail (guard.audit)."""

import pytest
from django.db.models import Max
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

from hosting import services
from hosting.models import MigrationStatus, SiteMigration

pytestmark = pytest.mark.django_db


def _mark(model=ModelLogEntry):
    return model.objects.aggregate(last=Max("pk"))["last"] or 0


def _since(mark):
    return list(ModelLogEntry.objects.filter(pk__gt=mark).order_by("pk"))


def _create(police, centre, path):
    with open(path, "rb") as stream:
        return services.migration_create(record=police, source=stream, package_name="gaj.zip", actor=centre)


def test_creating_and_starting_a_migration_are_one_entry_each_by_the_centre(police, centre, package, monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda pk: None)  # no worker here
    mark = _mark()
    migration = _create(police, centre, package())
    [entry] = _since(mark)
    assert (entry.action, entry.object_id, entry.user) == ("hosting.migration.create", str(migration.pk), centre)
    assert entry.data["after"] == {"status": "pending"} and entry.data["items"] == 8
    assert entry.data["unit"] == police.unit_id and entry.data["package"] == "gaj.zip"
    mark = _mark()
    services.migration_start(migration=migration, actor=centre)
    [entry] = _since(mark)
    assert (entry.action, entry.object_id, entry.user) == ("hosting.migration.start", str(migration.pk), centre)
    assert entry.data["before"] == entry.data["after"] == {"status": "pending"}


def test_a_run_records_its_start_its_items_the_site_going_hosted_and_its_end(police, centre, package):
    migration = _create(police, centre, package())
    mark, page_mark = _mark(), _mark(PageLogEntry)
    done = services.migration_run(migration_id=migration.pk)
    actions = [(e.action, e.object_id, e.user_id) for e in _since(mark)]
    # The column kind the site's 互动交流 column needs was there already (the city's fixture).
    assert actions == [
        ("hosting.migration.run", str(migration.pk), None),
        ("hosting.site.hosted", str(police.unit_id), centre.pk),
        ("hosting.migration.finish", str(migration.pk), None),
    ]
    run, hosted, finish = _since(mark)
    assert run.data == {"after": {"status": "running"}, "before": {}, "resumed": False}
    assert hosted.data["before"] == {"hosting": "independent"} and hosted.data["after"] == {"hosting": "hosted"}
    assert finish.data["after"] == {"status": "completed", "published": 7, "held": 1, "failed": 0, "skipped": 0}
    assert finish.data["redirects"] == done.redirects
    items = PageLogEntry.objects.filter(pk__gt=page_mark, action__startswith="hosting.item.")
    assert sorted(items.values_list("action", flat=True)) == ["hosting.item.hold"] + ["hosting.item.migrate"] * 7
    assert set(items.values_list("user", flat=True)) == {centre.pk}


def test_a_stopped_run_is_one_entry_and_the_sweep_says_it_continued_it(police, centre, package, migrate):
    def stop_after_three(migration, item):
        if migration.done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        migrate(package(), progress=stop_after_three)
    migration = SiteMigration.objects.get()
    stop = ModelLogEntry.objects.get(action="hosting.migration.stop")
    assert stop.object_id == str(migration.pk) and stop.user is None
    assert stop.data["before"] == {"status": "running"} and stop.data["after"]["status"] == "interrupted"
    assert "中止" in stop.data["error"]

    # Left behind by a dead worker: the sweep takes it over.
    stale = timezone.now() - timezone.timedelta(seconds=services.LEASE_SECONDS + 5)
    SiteMigration.objects.filter(pk=migration.pk).update(status=MigrationStatus.RUNNING, runner="dead",
                                                         heartbeat_at=stale)
    mark = _mark()
    assert services.migrations_sweep() == {migration.pk: MigrationStatus.COMPLETED}
    run = _since(mark)[0]
    assert run.action == "hosting.migration.run" and run.data["trigger"] == "sweep" and run.data["resumed"] is True


def test_a_new_package_records_that_it_took_over_the_unfinished_migration(police, centre, package, migrate):
    def stop_after_two(migration, item):
        if migration.done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        migrate(package(), progress=stop_after_two)
    first = SiteMigration.objects.get()
    mark = _mark()
    second = _create(police, centre, package())
    actions = [(e.action, e.object_id) for e in _since(mark)]
    assert actions == [("hosting.migration.supersede", str(first.pk)), ("hosting.migration.create", str(second.pk))]
    supersede = _since(mark)[0]
    assert supersede.user == centre and supersede.data["by_migration"] == second.pk
    assert supersede.data["before"] == {"status": "interrupted"} and supersede.data["after"] == {"status": "superseded"}
