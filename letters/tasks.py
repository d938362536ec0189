"""Background work of the mailbox: sending e-mail and the deadline sweep.

Sending e-mail never happens inside a database transaction or under a lock: a mail
server that answers slowly (or not at all) must not hold the database, and on SQLite
a held write lock makes the next citizen's letter fail. :func:`deliver` therefore

1. claims the notification in one short statement (``claimed_at``/``claim``; the
   attempt is counted here),
2. talks SMTP with no transaction open, bounded by ``EMAIL_TIMEOUT``,
3. records the outcome in a second short statement.

Every notification's state is in the database (the outbox), so a lost broker message
or a killed worker loses nothing: :func:`flush_notifications`, run by the beat
schedule, sends what is still waiting and takes over claims older than
``NOTIFICATION_CLAIM_SECONDS``. The guarantee (docs/decisions.md): every notification
is sent at least once; a send interrupted after the server may have accepted it (a
worker killed mid-send, a database that refused to record the success) is sent once
more, with the same Message-ID, so mail clients show one message.
"""

import smtplib
import uuid
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone

from .models import Notification

RETRY_DELAYS = [10, 30, 120, 600, 1800]
# The sweep stops after this many attempts; the notification stays, with its last error, for staff to see.
MAX_ATTEMPTS = 20


@shared_task(name="letters.send_notification", bind=True, max_retries=len(RETRY_DELAYS), acks_late=True)
def send_notification(self, notification_id):
    try:
        return deliver(notification_id)
    except (smtplib.SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=RETRY_DELAYS[min(self.request.retries, len(RETRY_DELAYS) - 1)])


def claim_seconds():
    """How long a claim protects a send in progress; longer than the slowest send
    (every SMTP step may take EMAIL_TIMEOUT), or a live send would be duplicated."""
    return int(getattr(settings, "NOTIFICATION_CLAIM_SECONDS", 300))


def message_id(note):
    # The same on every attempt: mail clients merge the copy an interrupted send may leave.
    return f"<notification-{note.pk}@{settings.PLATFORM_DOMAIN}>"


def deliver(notification_id):
    """Send one notification unless it is sent already or another worker is sending it.

    Returns "sent", "already sent" or "busy"; raises what the mail server raised
    (the failure is recorded on the notification first).
    """
    token = uuid.uuid4().hex
    now = timezone.now()
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - timedelta(seconds=claim_seconds()))
    claimed = Notification.objects.filter(free, pk=notification_id, sent_at__isnull=True).update(
        claimed_at=now, claim=token, attempts=F("attempts") + 1
    )
    if not claimed:
        sent_at = Notification.objects.filter(pk=notification_id).values_list("sent_at", flat=True).first()
        return "busy" if sent_at is None and Notification.objects.filter(pk=notification_id).exists() else "already sent"
    note = Notification.objects.get(pk=notification_id)
    try:
        EmailMessage(note.subject, note.body, to=[note.to], headers={"Message-ID": message_id(note)}).send()
    except Exception as exc:
        Notification.objects.filter(pk=note.pk, claim=token).update(claimed_at=None, claim="", last_error=str(exc)[:300])
        raise
    # Recorded even if a sweep took the claim over meanwhile: the mail has gone.
    Notification.objects.filter(pk=note.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), claimed_at=None, claim="", last_error=""
    )
    return "sent"


def waiting_notifications(now=None):
    """What the sweep sends: never tried and older than the grace its own task has,
    or claimed by a worker that has not finished within the claim's time."""
    now = now or timezone.now()
    grace = int(getattr(settings, "NOTIFICATION_SWEEP_AFTER_SECONDS", 30))
    return Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).filter(
        Q(claimed_at__isnull=True, created_at__lt=now - timedelta(seconds=grace))
        | Q(claimed_at__lt=now - timedelta(seconds=claim_seconds()))
    )


@shared_task(name="letters.flush_notifications")
def flush_notifications():
    """Send what is still waiting (a killed worker, a lost broker message, a server that was down)."""
    sent = 0
    for pk in waiting_notifications().order_by("pk").values_list("pk", flat=True)[:500]:
        try:
            if deliver(pk) == "sent":
                sent += 1
        except Exception:
            continue
    return sent


@shared_task(name="letters.deadlines_sweep")
def deadlines_sweep_task():
    from .services import deadlines_sweep

    return deadlines_sweep()


@shared_task(name="letters.refresh_stats")
def refresh_stats_task():
    """Compute the statistics pages' figures ahead (every REFRESH_EVERY seconds, beat)."""
    from .services import stats_refresh

    return {s.period: s.seconds for s in stats_refresh()}
