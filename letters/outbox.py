"""The platform's e-mail outbox, kept by the mailbox (the first app that wrote to
citizens) and open to every app above it: a form's receipt, a disclosure
application's answer and a letter's reply all leave through it.

:func:`notify` writes the message in the caller's transaction; the worker sends it
once that transaction commits (``letters.tasks``: claims, retries, the periodic
flush), so a step and its e-mail are stored together or not at all.
"""

import logging

from django.conf import settings
from django.db import transaction

from .models import Notification

logger = logging.getLogger(__name__)


def notify(*, kind, to, subject, body, letter=None):
    """Queue an e-mail to ``to``; ``kind`` names the step it reports (for staff and tests)."""
    note = Notification.objects.create(
        letter=letter, kind=kind, to=to, subject=f"【{settings.WAGTAIL_SITE_NAME}】{subject}", body=body,
    )
    transaction.on_commit(lambda: _send_soon(note.pk))
    return note


def _send_soon(notification_id):
    from .tasks import send_notification

    try:
        send_notification.delay(notification_id)
    except Exception:  # the broker is down: the periodic flush sends it later
        logger.warning("notification %s not queued; the periodic flush will send it", notification_id, exc_info=True)
