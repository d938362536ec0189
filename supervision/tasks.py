"""The supervision work's background tasks: thin faces over the collectors, the
scoring and the outputs (each scheduled by the beat; see cityplatform/settings.py)."""

from celery import shared_task


@shared_task(name="supervision.probe_sites")
def probe_sites_task():
    """The availability probes due now, every watched site (collect/schedule.py)."""
    from .collect.schedule import probe_due

    return probe_due()


@shared_task(name="supervision.crawl_sites")
def crawl_sites_task():
    """Start or resume the crawls due (collect/schedule.py); one site at a time per
    worker slot, bounded per host."""
    from .collect.schedule import crawl_due

    return crawl_due()


@shared_task(name="supervision.score_sites")
def score_sites_task():
    """Recompute the running period's scorecard of every watched site (scoring.py)."""
    from .scoring import score_all

    return score_all()


@shared_task(name="supervision.flag_columns")
def flag_columns_task():
    """The content-assurance division: flag assigned columns behind their frequency
    and notify their units; follow rectification notices (outputs.py)."""
    from .outputs import daily_sweep

    return daily_sweep()
