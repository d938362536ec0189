"""Open mailboxes and active letter types by code, kept in each process.

Every submission through the API names its mailbox and letter type by code; they
change a few times a year. Each process keeps them (the mailbox with its unit)
and reloads them when:

* any process saved or deleted a mailbox, a letter type or a unit: the change
  puts a new token into the shared cache once its transaction commits, and each
  lookup compares the token it loaded with (one cache read instead of two or
  three queries); the process that made the change also forgets at once;
* ``MAX_AGE`` seconds have passed, for changes that send no signal
  (``QuerySet.update``, SQL, a rolled-back save that was already reloaded).
"""

import threading
import time
import uuid

from django.core.cache import cache
from django.db import transaction

TOKEN_KEY = "letters:lookups:token"
MAX_AGE = 60.0  # seconds

_lock = threading.Lock()
_memo = {"token": None, "until": 0.0, "mailboxes": {}, "types": {}}


def mailbox_by_code(code):
    """The open mailbox with this code (its unit loaded), or None."""
    return _current()["mailboxes"].get(code)


def letter_type_by_code(code):
    """The active letter type with this code, or None."""
    return _current()["types"].get(code)


def _fresh(memo, token):
    return memo["token"] == token and memo["until"] > time.monotonic()


def _shared_token():
    try:
        return cache.get(TOKEN_KEY)
    except Exception:  # the cache is down: read the tables every time, as without the memo
        return object()


def _current():
    global _memo
    token = _shared_token()  # read before the rows, so a change committed in between is seen next time
    if _fresh(_memo, token):
        return _memo
    with _lock:
        if not _fresh(_memo, token):
            _memo = _load(token)
        return _memo


def _load(token):
    from .models import LetterType, Mailbox
    from .queries import ERROR_REPORT_TYPE  # error reports come through their own form only

    return {
        "token": token,
        "until": time.monotonic() + MAX_AGE,
        "mailboxes": {m.code: m for m in Mailbox.objects.filter(active=True).select_related("unit")},
        "types": {t.code: t for t in LetterType.objects.filter(active=True).exclude(code=ERROR_REPORT_TYPE)},
    }


def forget(**kwargs):
    """Signal receiver: drop this process's memo now, and every other process's
    once the change is committed."""
    _memo["until"] = 0.0
    transaction.on_commit(_publish, robust=True)


def _publish():
    _memo["until"] = 0.0
    cache.set(TOKEN_KEY, uuid.uuid4().hex, None)
