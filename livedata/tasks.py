"""The live data's background task: pull the feeds that are due (scheduled by the
beat every 30 seconds; see cityplatform/settings.py)."""

import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="livedata.pull_feeds")
def pull_feeds_task():
    """Pull every due feed, each on its own: one broken feed never stops the others."""
    from .feeds.pull import feed_claim, feed_failed, feed_pull, feeds_due

    now = timezone.now()
    outcomes = {}
    for feed in feeds_due(now):
        if not feed_claim(feed, now):
            continue
        try:
            outcomes[feed.pk] = feed_pull(feed, now=now).outcome
        except Exception as exc:  # a bug or a database failure: counted on the feed, the next feed goes on
            logger.exception("live data feed %s failed", feed.pk)
            feed_failed(feed, f"处理数据时出错({type(exc).__name__}),已记录,请联系平台运维。", now)
            outcomes[feed.pk] = "failed"
    return outcomes
