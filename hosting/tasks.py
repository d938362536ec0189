"""Background work of site migration: one task runs (or continues) a migration."""

from celery import shared_task

from orgs.errors import DomainError


@shared_task(name="hosting.run_migration", bind=True, max_retries=10, acks_late=True)
def run_migration(self, migration_id):
    """Run the migration; the outcome, item by item, is kept on the migration itself.

    A worker that dies mid-run leaves its lease behind; the task comes back (late
    acknowledgement) and waits for the lease to run out before it continues.
    """
    from .services import LEASE_SECONDS, MigrationBusy, migration_run

    try:
        return migration_run(migration_id=migration_id).status
    except MigrationBusy as exc:
        raise self.retry(exc=exc, countdown=LEASE_SECONDS)
    except DomainError:
        return "failed"  # recorded on the migration, shown in the admin
