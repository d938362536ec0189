"""The one audit helper: every state change that is not a page or document action
(those go through Wagtail's own page and document log) writes one entry here, from
the service that makes the change, in the service's transaction.

An entry is a row of Wagtail's ``ModelLogEntry`` (its "site history" report lists
them, filtered by action, user and date): who (``actor``; none for the system or an
anonymous citizen), what (``action``, registered with a Chinese label by the app's
``register_log_actions`` hook), which object (``obj``: its type, id and label), and
before/after where the values matter. Security-relevant reads (a staff member opening
a letter's personal data) are recorded the same way with :func:`record_read`.

Values are made JSON-safe here (dates, decimals, model instances, sets), so a service
passes what it has.
"""

import datetime
import decimal
import uuid

from django.db import models
from wagtail.log_actions import log


def plain(value):
    """``value`` as JSON: model instances by primary key, dates in ISO form."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(item) for item in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.QuerySet):
        return sorted(item.pk for item in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def changes(instance, values):
    """``(before, after)`` of the fields in ``values`` that ``instance`` holds with a
    different value: what an update records. Read before the instance is changed."""
    before, after = {}, {}
    for name, new in values.items():
        old = getattr(instance, name)
        if plain(old) != plain(new):
            before[name], after[name] = old, new
    return before, after


def record(obj, action, *, actor=None, before=None, after=None, revision=None, **data):
    """One audit entry for ``action`` on ``obj`` by ``actor`` (a user, or None for
    the system). ``before``/``after`` are the changed values; other keyword
    arguments go into the entry's data as they are (JSON-safe).

    ``revision``: the revision a configuration record (a snippet with history)
    saved in the same change, so its history screen links the entry to that
    version. One insert: the content type comes from Django's cache and the
    label from ``str(obj)``, so a service on a hot path pays no extra read."""
    payload = plain(data)
    if before is not None or after is not None:
        payload["before"], payload["after"] = plain(before or {}), plain(after or {})
    user = actor if getattr(actor, "is_authenticated", False) else None
    return log(obj, action, user=user, data=payload, revision=revision)


def record_read(obj, action, *, actor, **data):
    """A security-relevant read: ``actor`` saw personal data of ``obj``."""
    return record(obj, action, actor=actor, **data)
