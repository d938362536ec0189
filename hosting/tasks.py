"""Background work of site migration: one task runs (or continues) a migration, and a
periodic sweep continues what a killed worker or a lost broker message left."""

from celery import shared_task

from orgs.errors import DomainError


@shared_task(name="hosting.run_migration", bind=True, max_retries=10, acks_late=True)
def run_migration(self, migration_id):
    """Run the migration; the outcome, item by item, is kept on the migration itself.

    A worker that dies mid-run leaves its lease behind; the sweep below (or this task,
    if the broker delivers it again) continues once the lease has run out.
    """
    from .services import MigrationBusy, lease_seconds, migration_run

    try:
        return migration_run(migration_id=migration_id).status
    except MigrationBusy as exc:
        raise self.retry(exc=exc, countdown=lease_seconds())
    except DomainError:
        return "failed"  # recorded on the migration, shown in the admin


@shared_task(name="hosting.sweep_migrations")
def sweep_migrations():
    """Continue migrations whose worker died or whose task was lost (beat schedule)."""
    from .services import migrations_sweep

    return migrations_sweep()
