import pytest


@pytest.fixture
def corpus(city):
    """The corpus published in the small city and indexed."""
    from search import services

    from .corpus import build

    pages = build(city)
    services.rebuild(resume=False)
    return pages


@pytest.fixture
def eager_tasks():
    """Tasks run where they are queued (the worker's code, in the test's process)."""
    from celery import current_app

    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = before
