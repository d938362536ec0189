"""One beat scheduler per installation, whatever happens.

An *installation* is its database: everything the periodic tasks act on lives
there, so two schedulers on one database (a second ``make run`` on the same
``var/``, two machines on one PostgreSQL) would send every periodic task twice.
The scheduler therefore holds a lock tied to the database for as long as it runs:

- SQLite: an ``flock`` on a file beside the database file;
- PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection
  of its own, which PostgreSQL drops when the process or its connection dies.

Both are released by the operating system or the server when the holder dies (even
by ``kill -9``), so a lock is never left behind. A scheduler that does not get the
lock stays passive: it sends nothing and tries again every
``BEAT_LOCK_RETRY_SECONDS``, so it takes over when the active one is gone.
"""

import fcntl
import hashlib
import logging
import os
import time
from pathlib import Path

from celery.beat import Scheduler
from django.conf import settings

logger = logging.getLogger("cityplatform.beat")

LOCK_NAME = "cityplatform:beat"


class FileBeatLock:
    """An flock beside the SQLite database (the embedded default)."""

    def __init__(self, database_path):
        self.path = Path(f"{database_path}.beat.lock")
        self._file = None

    def describe(self):
        return f"file {self.path}"

    def acquire(self):
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def held(self):
        return self._file is not None

    def release(self):
        if self._file is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            finally:
                self._file.close()
                self._file = None


class PostgresBeatLock:
    """A session advisory lock on a connection kept for the scheduler's life."""

    KEY = int.from_bytes(hashlib.sha256(LOCK_NAME.encode()).digest()[:8], "big", signed=True)

    def __init__(self, database):
        self.database = database
        self._connection = None

    def describe(self):
        return f"PostgreSQL advisory lock {self.KEY} in database {self.database.get('NAME')}"

    def _connect(self):
        import psycopg

        db = self.database
        params = {"dbname": db.get("NAME"), "user": db.get("USER") or None, "password": db.get("PASSWORD") or None,
                  "host": db.get("HOST") or None, "port": db.get("PORT") or None, "connect_timeout": 5,
                  "application_name": "cityplatform-beat"}
        return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True)

    def acquire(self):
        if self.held():
            return True
        try:
            connection = self._connect()
            got = connection.execute("SELECT pg_try_advisory_lock(%s)", [self.KEY]).fetchone()[0]
        except Exception:  # the database is unreachable: no lock, passive until it is back
            logger.warning("beat: could not reach the database to take the scheduler lock", exc_info=True)
            return False
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def held(self):
        if self._connection is None:
            return False
        try:
            self._connection.execute("SELECT 1")
        except Exception:  # the connection, and with it the lock, is gone
            self.release()
            return False
        return True

    def release(self):
        if self._connection is not None:
            try:
                self._connection.close()  # the server drops the session's advisory lock
            except Exception:
                pass
            self._connection = None


def installation_lock(database=None):
    """The lock of the installation whose database is ``database`` (default: the platform's)."""
    database = database or settings.DATABASES["default"]
    engine = database["ENGINE"]
    if engine.endswith("sqlite3"):
        return FileBeatLock(Path(database["NAME"]).resolve())
    if engine.endswith("postgresql"):
        return PostgresBeatLock(database)
    raise RuntimeError(f"no scheduler lock for the database engine {engine}")


class SingleBeatScheduler(Scheduler):
    """Celery's in-memory scheduler, active only while it holds the installation's lock.

    In memory, not in a shelve file under var/: a file shared by two processes
    could be corrupted, and nothing is lost by forgetting when tasks last ran, since
    every periodic task is idempotent and each one is sent once when a scheduler
    becomes active (picking up at once what a stopped installation left).
    """

    def __init__(self, *args, **kwargs):
        self._lock = installation_lock()
        self._active = False
        self._next_try = 0.0
        self._said_passive = False
        super().__init__(*args, **kwargs)

    @property
    def retry_seconds(self):
        return float(getattr(settings, "BEAT_LOCK_RETRY_SECONDS", 10))

    def is_active(self):
        if self._active:
            if self._lock.held():
                return True
            logger.warning("beat: lost the scheduler lock (%s); passive until it is taken again", self._lock.describe())
            self._active = False
        now = time.monotonic()
        if now < self._next_try:
            return False
        self._next_try = now + self.retry_seconds
        if self._lock.acquire():
            self._active = True
            self._said_passive = False
            logger.warning("beat: scheduler active (pid %s holds %s)", os.getpid(), self._lock.describe())
            for entry in self.schedule.values():
                every = getattr(entry.schedule, "run_every", None)
                if every is not None:
                    entry.last_run_at = entry.default_now() - every  # due now, once
            self._heap = None  # rebuilt from the entries on the next tick
            return True
        if not self._said_passive:
            logger.warning("beat: another scheduler holds %s; this one stays passive", self._lock.describe())
            self._said_passive = True
        return False

    def tick(self, *args, **kwargs):
        if not self.is_active():
            return self.retry_seconds
        return super().tick(*args, **kwargs)

    def close(self):
        try:
            super().close()
        finally:
            self._lock.release()
            self._active = False
