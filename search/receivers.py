"""Publication events that change what is searchable, each handed to a task after
the transaction that made it commits. Nothing is changed here: the task reads the
item's state again and makes its entries follow it (search/services.py).

- Wagtail: ``page_published``, ``page_unpublished``, ``post_page_move`` (the subtree's
  addresses change), the deletion of a page, and a view restriction added or removed.
- The mailbox has no publication signal; every decision on publishing a letter
  records an ``Event`` of its own kind (``letters.services``), so a new event of
  one of those kinds is the signal.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)

LETTER_PUBLICATION_EVENTS = {"published", "not_published", "publication_held", "unpublished"}


def _enqueue(task, *args, **kwargs):
    from django.conf import settings

    if not getattr(settings, "SEARCH_FOLLOW", True):
        return  # a bulk load (the demo city) indexes everything once at its end

    def send():
        try:
            task.delay(*args, **kwargs)
        except Exception:  # the broker is down: `manage.py search_rebuild` repairs it
            logger.warning("search task %s%s not queued", task.name, args, exc_info=True)

    transaction.on_commit(send, robust=True)


def page_changed(sender, instance, **kwargs):
    from .tasks import index_page_task

    _enqueue(index_page_task, instance.pk, subtree=True)


def page_moved(sender, instance, **kwargs):
    from .tasks import index_page_task

    _enqueue(index_page_task, instance.pk, subtree=True)


def page_deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    from .tasks import forget_page_task

    if isinstance(instance, Page):
        _enqueue(forget_page_task, instance.pk)


def restriction_changed(sender, instance, **kwargs):
    from .tasks import index_page_task

    if instance.page_id:
        _enqueue(index_page_task, instance.page_id, subtree=True)


def letter_event(sender, instance, created, **kwargs):
    from .tasks import index_letter_task

    if created and instance.kind in LETTER_PUBLICATION_EVENTS:
        _enqueue(index_letter_task, instance.letter_id)


def connect():
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import PageViewRestriction
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from letters.models import Event

    page_published.connect(page_changed, dispatch_uid="search.page_published")
    page_unpublished.connect(page_changed, dispatch_uid="search.page_unpublished")
    post_page_move.connect(page_moved, dispatch_uid="search.page_moved")
    post_delete.connect(page_deleted, dispatch_uid="search.page_deleted")
    post_save.connect(letter_event, sender=Event, dispatch_uid="search.letter_event")
    # A view restriction added or removed hides or shows the pages below it.
    post_save.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid="search.restriction_saved")
    post_delete.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid="search.restriction_deleted")
