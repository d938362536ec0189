"""The bake's and the watcher's background work."""

from celery import shared_task


@shared_task(name="delivery.bake_pending")
def bake_pending_task():
    """Bake what the noted changes affect (queued as each change commits; the beat
    runs it as a sweep too, for a message lost or a worker killed half-way)."""
    from .services import bake_pending

    total = 0
    while True:
        report = bake_pending()
        done = len(report.written) + len(report.removed) + len(report.failed)
        total += done
        if not done:
            return total


@shared_task(name="delivery.integrity_scan")
def integrity_scan_task():
    """A full scan of the publish root against the records (the watcher's second
    line: it catches what file-system events missed)."""
    from .integrity import scan_and_repair

    return len(scan_and_repair())
