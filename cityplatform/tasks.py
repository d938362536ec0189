from .health import heartbeat  # noqa: F401  (registers the task with the worker)
