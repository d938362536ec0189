"""The portal's periodic work (cityplatform's beat schedule)."""

from celery import shared_task


@shared_task(name="portal.refresh_search_norms")
def refresh_search_norms_task():
    """Nightly: the admin search's ranking norms (portal/search_index.py)."""
    from .search_index import title_norms_refresh

    return title_norms_refresh()
