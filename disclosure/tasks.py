"""Disclosure's periodic work (cityplatform's beat schedule): online pre-acceptance's
deadlines and monthly statistics, the applications' deadlines and January's drafts
of the annual reports."""

from celery import shared_task
from django.utils import timezone


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


@shared_task(name="disclosure.applications_sweep")
def applications_sweep_task():
    from .applications import deadlines_sweep

    return deadlines_sweep()


@shared_task(name="disclosure.annual_report_drafts")
def annual_report_drafts_task():
    """Every day in January: draft last year's report for each site that lacks one
    (idempotent, so a missed day or a new site is caught up the next day)."""
    from .catalogue import annual_report_drafts

    if timezone.localdate().month != 1:
        return 0
    return len(annual_report_drafts())
