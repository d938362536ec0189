"""The bake's and the watcher's background work."""

from celery import shared_task


LOCK_KEY = "delivery:bake-pending"
LOCK_SECONDS = 900


@shared_task(name="delivery.bake_pending")
def bake_pending_task():
    """Bake what the noted changes affect (queued as each change commits; the beat
    runs it as a sweep too, for a message lost or a worker killed half-way).

    One bake at a time: two at once could finish in the wrong order and leave the
    older rendering of a page in place. A task that finds another running leaves its
    rows to it (the running one goes on until no row is left, and looks once more
    after it lets go)."""
    from django.core.cache import cache

    from .models import PendingBake
    from .services import bake_pending

    total = 0
    while True:
        if not cache.add(LOCK_KEY, 1, LOCK_SECONDS):
            return total
        try:
            while True:
                report = bake_pending()
                done = len(report.written) + len(report.removed) + len(report.failed)
                total += done
                if not done and not PendingBake.objects.exists():
                    break
        finally:
            cache.delete(LOCK_KEY)
        if not PendingBake.objects.exists():
            return total


@shared_task(name="delivery.integrity_scan")
def integrity_scan_task():
    """A full scan of the publish root against the records (the watcher's second
    line: it catches what file-system events missed)."""
    from .integrity import scan_and_repair

    return len(scan_and_repair())
