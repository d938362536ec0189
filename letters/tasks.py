"""Background work of the mailbox: sending e-mail and the daily deadline sweep."""

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Notification

RETRY_DELAYS = [10, 30, 120, 600, 1800]


@shared_task(name="letters.send_notification", bind=True, max_retries=len(RETRY_DELAYS), acks_late=True)
def send_notification(self, notification_id):
    try:
        return deliver(notification_id)
    except (smtplib.SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=RETRY_DELAYS[min(self.request.retries, len(RETRY_DELAYS) - 1)])


def deliver(notification_id):
    """Send one notification exactly once: the row is locked while it is sent."""
    with transaction.atomic():
        note = Notification.objects.select_for_update().filter(pk=notification_id, sent_at__isnull=True).first()
        if note is None:
            return "already sent"
        message_id = f"<notification-{note.pk}@{settings.PLATFORM_DOMAIN}>"  # lets mail clients merge a rare resend
        try:
            EmailMessage(note.subject, note.body, to=[note.to], headers={"Message-ID": message_id}).send()
        except Exception as exc:
            failure = exc
        else:
            note.attempts += 1
            note.sent_at = timezone.now()
            note.save(update_fields=["attempts", "sent_at"])
            return "sent"
    # Recorded after the block: inside it, re-raising would roll the record back.
    Notification.objects.filter(pk=note.pk, sent_at__isnull=True).update(
        attempts=F("attempts") + 1, last_error=str(failure)[:300]
    )
    raise failure


@shared_task(name="letters.flush_notifications")
def flush_notifications():
    """Send what is still waiting (a crashed worker, a broker that was down)."""
    sent = 0
    cutoff = timezone.now() - timezone.timedelta(seconds=30)
    for pk in Notification.objects.filter(sent_at__isnull=True, created_at__lt=cutoff, attempts__lt=20).values_list("pk", flat=True):
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
