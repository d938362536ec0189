"""Shared helpers of the benchmarks (``bench/letters_intake.py``,
``bench/letters_million.py``; ``bench/render.py`` takes :func:`machine` and
:class:`QueryTimer`). Not a benchmark itself; nothing here imports Django.

Import order matters: a benchmark parses its arguments, calls :func:`use_database`
(which sets ``DATABASE_URL`` and may create the database), and only then
:func:`setup_django`, so that Django connects to the benchmark's database.

Databases are created and dropped through a plain psycopg connection to the
server's ``postgres`` database; every name must start with ``bench_letters`` so
that these helpers can never drop anything else.
"""

import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_PREFIX = "bench_letters"
VAR_DIR = "/tmp/bench_letters_var"
T0 = time.monotonic()


def say(msg):
    print(f"[{time.monotonic() - T0:8.1f}s] {msg}", flush=True)


# --- Databases -------------------------------------------------------------------------

def db_url(name):
    return f"{PG_SERVER}/{name}"


def _check_name(name):
    if not re.fullmatch(rf"{DB_PREFIX}[a-z0-9_]*", name):
        raise SystemExit(f"refusing to touch database {name!r}: benchmark databases are named {DB_PREFIX}*")


def _admin():
    import psycopg

    return psycopg.connect(db_url("postgres"), autocommit=True)


def db_exists(name):
    with _admin() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop_db(name):
    _check_name(name)
    with _admin() as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                     [name])
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def create_db(name, template=None):
    """A fresh, empty database (or a copy of ``template``, which must have no connection)."""
    _check_name(name)
    drop_db(name)
    with _admin() as conn:
        if template:
            _check_name(template)
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [template])
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}"')


def use_database(name):
    """Point this process (and the processes it starts) at database ``name``."""
    _check_name(name)
    os.environ["DATABASE_URL"] = db_url(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityplatform.settings")
    # The platform's var/ directory (file cache, file broker, media, mail) of the
    # benchmark processes goes to /tmp, so that they leave nothing in the project.
    os.environ.setdefault("PLATFORM_VAR_DIR", VAR_DIR)


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityplatform.settings")
    import django

    django.setup()


def close_connections():
    from django.db import connections

    connections.close_all()


# --- The demo city ------------------------------------------------------------------

def patch_lock_for_postgres():
    """Work around a bug of ``letters.services._lock`` on PostgreSQL, in THIS process only
    (fixed in the code by commit 3b538e9 during this work; with the fixed code this
    replaces ``_lock`` by the same query and changes nothing).

    ``_lock`` runs ``select_for_update().select_related("mailbox", "letter_type",
    "handling_unit")``; ``handling_unit`` is nullable, so the query has a LEFT OUTER
    JOIN and PostgreSQL refuses it ("FOR UPDATE cannot be applied to the nullable
    side of an outer join"). Every step after submission (route, reject, reply …)
    fails on PostgreSQL, and so does ``manage.py load_demo`` (it routes and answers
    its demo letters). The fix suggested in docs/performance-letters.md is
    ``select_for_update(of=("self",))``; this applies exactly that, so the demo
    city can be loaded. The web server of the intake benchmark runs the unpatched
    code (submission does not call ``_lock``).
    """
    from django.db import models

    from letters import services
    from letters.models import Letter

    if getattr(services._lock, "_bench_patched", False):
        return

    def _lock(letter, version):
        locked = (
            Letter.objects.select_for_update(of=("self",))
            .select_related("mailbox", "letter_type", "handling_unit")
            .get(pk=letter.pk if isinstance(letter, models.Model) else letter)
        )
        if version is not None and int(version) != locked.version:
            from orgs.errors import DomainError

            raise DomainError("这封来信刚被他人处理过,请刷新后再操作。", code="conflict")
        return locked

    _lock._bench_patched = True
    services._lock = _lock


def lock_bug_present():
    """True when the unpatched ``_lock`` fails on this database (checked in a rolled-back savepoint)."""
    from django.db import DatabaseError, transaction

    from letters import services
    from letters.models import Letter

    letter = Letter.objects.order_by("id").first()
    if letter is None:
        return None
    lock = getattr(services, "_bench_original_lock", services._lock)
    try:
        with transaction.atomic():
            lock(letter, None)
            transaction.set_rollback(True)
        return False
    except DatabaseError:
        return True


def migrate_and_load_demo(items_per_column=1):
    """``manage.py migrate`` then ``manage.py load_demo --items-per-column N`` in this
    process (with :func:`patch_lock_for_postgres`). Returns seconds for each."""
    from django.core.management import call_command

    from demo.loader import already_loaded
    from letters import services

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_s = time.monotonic() - started
    started = time.monotonic()
    if not already_loaded():
        services._bench_original_lock = services._lock
        patch_lock_for_postgres()
        call_command("load_demo", items_per_column=items_per_column, stdout=open(os.devnull, "w"))
    load_s = time.monotonic() - started
    return migrate_s, load_s


# --- Figures ---------------------------------------------------------------------------

def pct(values, p):
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def fmt(x, digits=1):
    return "—" if x is None or x != x else f"{x:,.{digits}f}"


class QueryTimer:
    """An execute wrapper timing each query (Django logs times to the millisecond only)."""

    def __init__(self):
        self.times = []

    def __call__(self, execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.times.append((time.perf_counter() - t) * 1000)


def machine():
    info = {"nproc": os.cpu_count()}
    try:
        info["nproc"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        info["cpu"] = re.search(r"model name\s*:\s*(.*)", cpu).group(1).strip()
    except (OSError, AttributeError):
        info["cpu"] = platform.processor() or "?"
    try:
        mem = Path("/proc/meminfo").read_text()
        kib = int(re.search(r"MemTotal:\s*(\d+)", mem).group(1))
        info["memory"] = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        info["memory"] = "?"
    info["python"] = platform.python_version()
    return info


def versions():
    import django
    import wagtail
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "synchronous_commit",
                     "max_parallel_workers_per_gather", "jit"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    return {"django": django.get_version(), "wagtail": wagtail.__version__, "postgresql": pg, "pg_settings": settings}


def git_state():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                               text=True).stdout.strip()
        return f"{head}{' (working tree with uncommitted changes)' if dirty else ''}"
    except OSError:
        return "?"


def header_lines(title, started, extra=(), ver=None, load=None):
    mach, ver = machine(), ver or versions()
    load = os.getloadavg()[0] if load is None else load
    pg = ver["pg_settings"]
    return [
        f"### {title}",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC; code: git {git_state()}",
        f"- Machine: {mach['nproc']} CPUs ({mach['cpu']}), {mach['memory']} memory; Python {mach['python']}, "
        f"Django {ver['django']}, Wagtail {ver['wagtail']}",
        f"- PostgreSQL {ver['postgresql']} on 127.0.0.1 (shared_buffers {pg['shared_buffers']}, work_mem {pg['work_mem']}, "
        f"effective_cache_size {pg['effective_cache_size']}, random_page_cost {pg['random_page_cost']}, "
        f"synchronous_commit {pg['synchronous_commit']}, max_parallel_workers_per_gather "
        f"{pg['max_parallel_workers_per_gather']}, jit {pg['jit']})",
        f"- Load average (1 min) at the start {load:.2f}: other work on the machine shares the {mach['nproc']} CPUs "
        f"and shows in the figures",
        *extra,
        "",
    ]


def write_section(path, label, text):
    """Put ``text`` into ``path`` between markers named by ``label``, replacing a
    previous run's section with the same label."""
    path = Path(path)
    if not path.is_absolute():
        path = ROOT / path
    start, end = f"<!-- bench:{label} -->", f"<!-- /bench:{label} -->"
    block = f"{start}\n{text.rstrip()}\n{end}"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Performance of the public mailbox (letters)\n"
    if start in old and end in old:
        new = old[: old.index(start)] + block + old[old.index(end) + len(end):]
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")
    say(f"wrote the section «{label}» of {path}")


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)
