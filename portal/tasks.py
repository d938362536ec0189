"""The portal's periodic work (cityplatform's beat schedule)."""

from celery import shared_task


@shared_task(name="portal.refresh_search_norms")
def refresh_search_norms_task():
    """Nightly: the admin search's ranking norms (portal/search_index.py)."""
    from .search_index import title_norms_refresh

    return title_norms_refresh()


@shared_task(name="portal.publish_scheduled")
def publish_scheduled_task():
    """Every minute: the pages whose go-live time has come are published, those whose
    expiry has come are unpublished (Wagtail's ``publish_scheduled``; each fires the
    publication signals, so the page cache follows)."""
    from django.core.management import call_command

    call_command("publish_scheduled")
