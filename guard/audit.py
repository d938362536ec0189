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

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from wagtail.log_actions import LogFormatter, get_active_log_context, log, registry
from wagtail.models import ModelLogEntry


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
    log_model = registry.get_log_model_for_instance(obj)
    if log_model is None or not issubclass(log_model, ModelLogEntry):
        return log(obj, action, user=user, data=payload, revision=revision)  # a page: Wagtail's page log
    return _insert(log_model, obj, action, user, payload, revision)


def _insert(log_model, obj, action, user, payload, revision):
    """Write a model log entry in one INSERT. Wagtail's ``log()`` saves through
    ``full_clean()``, which reads the content type, the user and the revision back
    to validate the foreign keys it was just given (up to three reads per entry,
    on the letter intake's hot path too); what that validation is for — an action
    nobody registered a label for — is checked here in memory instead."""
    if obj.pk is None:
        raise ValueError(f"Cannot audit {obj!r} before it is saved.")
    if not registry.action_exists(action):
        raise ValueError(f"Audit action {action!r} has no label: register it in the app's register_log_actions hook.")
    context = get_active_log_context()
    entry = log_model(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        label=log_model.objects.get_instance_title(obj),
        action=action,
        data=payload,
        timestamp=timezone.now(),
        user=user or context.user,
        uuid=context.uuid,
        revision=revision,
    )
    models.Model.save(entry)  # past BaseLogEntry.save(), whose full_clean() is the reads above
    return entry


def record_read(obj, action, *, actor, **data):
    """A security-relevant read: ``actor`` saw personal data of ``obj``."""
    return record(obj, action, actor=actor, **data)


# --- How an entry reads in the admin's history pages and the site history report -----

VALUE_WIDTH = 60  # characters of one value shown in a message


class ChangeFormatter(LogFormatter):
    """An action's message followed by what changed: each field by its label, old →
    new (from ``before``/``after``), then the entry's other data."""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        before, after = data.get("before") or {}, data.get("after") or {}
        # Through the content-type cache: a history page formats every entry it lists.
        content_type_id = getattr(log_entry, "content_type_id", None)
        model = ContentType.objects.get_for_id(content_type_id).model_class() if content_type_id else None
        parts = []
        for name, new in after.items():
            label = _field_label(model, name)
            parts.append(f"{label}:{_shown(before[name])} → {_shown(new)}" if name in before
                         else f"{label}:{_shown(new)}")
        parts += [f"{_field_label(model, name)}:{_shown(value)}" for name, value in data.items()
                  if name not in ("before", "after")]
        return f"{self.message}({';'.join(parts)})" if parts else self.message


# Data an entry carries besides the record's own fields, by the words staff use.
DATA_LABELS = {"reason": "理由", "role": "角色", "user": "人员", "user_id": "人员编号", "grace_hours": "宽限(小时)",
               "client": "接口客户端", "client_name": "接口客户端", "trigger": "触发", "purpose": "用途"}


def _field_label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name) if model is not None else DATA_LABELS.get(name, name)
    except Exception:  # not a field of the model (a role, a count): the word for it, or its own name
        return DATA_LABELS.get(name, name)


def _shown(value):
    text = "—" if value in (None, "") else ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= VALUE_WIDTH else text[:VALUE_WIDTH - 1] + "…"


def register_action(actions, action, label, message):
    """Register ``action`` (in an app's ``register_log_actions`` hook) so that its
    entries read as ``message`` plus the change they record."""
    actions.register_action(action)(type("AuditFormatter", (ChangeFormatter,), {"label": label, "message": message}))
