"""The demo clock (demo/livedata.py): every 30 s the worker moves the demo city's live
data along; it does nothing when the demo is not loaded."""

from celery import shared_task


@shared_task(name="demo.live_clock")
def live_clock_task():
    from .livedata import advance

    return advance()
