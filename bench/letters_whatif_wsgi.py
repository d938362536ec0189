"""WSGI entry point for ``bench/letters_intake.py --whatif-serial``: the platform's
application with ONE function swapped, in the gunicorn workers only, to measure
what the suggested fix of the serial allocation is worth. The application code is
not changed.

``letters.services._next_serial`` reads the day's highest serial and adds one
(``SELECT serial … LIKE 'X20261127%' ORDER BY serial DESC LIMIT 1``) inside the
letter's transaction. Two letters submitted at the same moment read the same
highest serial; the second INSERT waits for the first transaction to commit,
then fails on the unique index, and ``letter_submit`` redoes the whole
transaction (screening, event, outbox) up to five times before answering
"系统繁忙" (HTTP 400). Under concurrent load almost every submission collides.
(Commit 07c6f08 since takes the number from a ``SerialCounter`` row locked with
SELECT … FOR UPDATE inside the letter's transaction: no collisions, but the lock
is held until the commit, so submissions queue behind each other. The prototype
replaces whichever ``_next_serial`` the code has.)

The prototype takes the number from a per-day counter row, in its own
autocommit statement on a separate connection, so the row lock is held for one
statement only and never for the letter's transaction:

    INSERT INTO bench_letter_serial (day, last) VALUES (%s, 1)
    ON CONFLICT (day) DO UPDATE SET last = bench_letter_serial.last + 1 RETURNING last

(the table is created and seeded by letters_intake.py in the benchmark database;
in the platform it would be a model ``SerialCounter(day, last)`` and a migration).
A letter whose transaction fails after taking a number leaves a gap in that day's
numbering; validation runs before, so that is rare.

With ``BENCH_LEAN=1`` (``letters_intake.py --whatif-lean``) four queries of each
submission are also taken away, the way the suggested fix would:

* ``letters.api.submit_letter`` looks the mailbox and the letter type up by code
  on every request (two ``.first()`` queries, whose ORDER BY compilation is a good
  part of the ORM's CPU): here from a per-process memo kept 30 seconds, the
  mailbox with its unit (``select_related("unit")``);
* ``services.letter_submit`` then reads ``mailbox.unit`` for the event: one more
  query, gone with the ``select_related``;
* ``guard.screening._current_version`` runs ``COUNT``/``MAX`` over the lexicon on
  every call to tell whether the automaton is stale: here memoised 5 seconds.

    gunicorn --pythonpath bench letters_whatif_wsgi:application
"""

import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityplatform.settings")

from cityplatform.wsgi import application  # noqa: E402,F401  (sets up Django)

import psycopg  # noqa: E402
from django.utils import timezone  # noqa: E402

from letters import services  # noqa: E402

_local = threading.local()

UPSERT = (
    "INSERT INTO bench_letter_serial (day, last) VALUES (%s, 1) "
    "ON CONFLICT (day) DO UPDATE SET last = bench_letter_serial.last + 1 RETURNING last"
)

SETUP = [
    "CREATE TABLE IF NOT EXISTS bench_letter_serial (day char(8) PRIMARY KEY, last integer NOT NULL)",
    "INSERT INTO bench_letter_serial (day, last) "
    "SELECT substr(serial, 2, 8), max(substr(serial, 10)::int) FROM letters_letter GROUP BY 1 "
    "ON CONFLICT (day) DO UPDATE SET last = greatest(bench_letter_serial.last, excluded.last)",
]


def _counter_connection():
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        _local.conn = conn
    return conn


def next_serial_counter(now):
    day = timezone.localtime(now).strftime("%Y%m%d")
    number = _counter_connection().execute(UPSERT, [day]).fetchone()[0]
    return f"X{day}{number:05d}"


if os.environ.get("BENCH_SERIAL") == "counter":
    services._next_serial = next_serial_counter


class _Memo:
    """Stands in for ``Model.objects`` in ``letters.api``: ``filter(**kw).first()``
    answered from a per-process memo; anything else goes to the real manager."""

    def __init__(self, model, ttl, related=()):
        self.model, self.ttl, self.related, self.memo = model, ttl, related, {}

    @property
    def objects(self):
        return self

    def filter(self, **kwargs):
        return _MemoQuery(self, kwargs)

    def __getattr__(self, name):
        return getattr(self.model.objects, name)


class _MemoQuery:
    def __init__(self, memo, kwargs):
        self.memo, self.kwargs = memo, kwargs

    def first(self):
        key = tuple(sorted(self.kwargs.items()))
        hit = self.memo.memo.get(key)
        if hit is None or hit[0] < time.monotonic():
            obj = self.memo.model.objects.select_related(*self.memo.related).filter(**self.kwargs).first()
            hit = (time.monotonic() + self.memo.ttl, obj)
            self.memo.memo[key] = hit
        return hit[1]

    def __getattr__(self, name):
        return getattr(self.memo.model.objects.filter(**self.kwargs), name)


def _lean():
    from guard import screening
    from letters import api
    from letters.models import LetterType, Mailbox

    api.Mailbox = _Memo(Mailbox, 30, related=("unit",))
    api.LetterType = _Memo(LetterType, 30)
    original = screening._current_version
    state = {"until": 0.0, "version": None}

    def current_version():
        if state["until"] < time.monotonic():
            state["version"], state["until"] = original(), time.monotonic() + 5
        return state["version"]

    screening._current_version = current_version


if os.environ.get("BENCH_LEAN") == "1":
    _lean()
