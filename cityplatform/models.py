from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time the background worker ran its heartbeat task (one row)."""

    seen_at = models.DateTimeField()
