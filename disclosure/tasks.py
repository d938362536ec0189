"""Background work of online pre-acceptance (beat schedule in cityplatform/settings.py)."""

from celery import shared_task


@shared_task(name="disclosure.forms_deadlines_sweep")
def forms_deadlines_sweep_task():
    """Hourly: remind the units of answers due within a working day and overdue."""
    from .applyforms import deadlines_sweep

    return deadlines_sweep()


@shared_task(name="disclosure.forms_monthly_stats")
def forms_monthly_stats_task():
    """On the first of the month: the service statistics of the month just ended."""
    from .applyforms import stats_refresh

    return str(stats_refresh().month)
