"""The index follows publication in the background (search/receivers.py enqueues)."""

from celery import shared_task


@shared_task(name="search.index_page", autoretry_for=(Exception,), max_retries=3, default_retry_delay=10)
def index_page_task(page_id, subtree=False):
    from . import services

    if subtree:
        return services.page_subtree_index(page_id=page_id)
    return services.page_index(page_id=page_id)


@shared_task(name="search.forget_page")
def forget_page_task(page_id):
    from . import services

    return services.page_forget(page_id=page_id)


@shared_task(name="search.index_letter", autoretry_for=(Exception,), max_retries=3, default_retry_delay=10)
def index_letter_task(letter_id):
    from . import services

    return services.letter_index(letter_id=letter_id)


@shared_task(name="search.rebuild")
def rebuild_task():
    from . import services

    return services.rebuild(resume=True)
