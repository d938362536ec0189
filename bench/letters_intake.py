#!/usr/bin/env python
"""Letter intake through the real API over HTTP, on PostgreSQL.

    .venv/bin/python bench/letters_intake.py -n 3000 --clients 16 \\
        --write docs/performance-letters.md

1. Creates a fresh database (``--db``, default ``bench_letters_intake``), runs
   ``migrate`` and ``load_demo --items-per-column 1`` (with the bench-only
   work-around for ``letters.services._lock`` on PostgreSQL, see
   ``common.patch_lock_for_postgres``; submission itself does not use it).
   ``--template NAME`` afterwards keeps a copy of that database, which
   ``bench/letters_million.py --template NAME`` starts from.
2. Flushes the Redis database of ``--redis`` (the Celery broker and the cache),
   starts gunicorn (``--workers``/``--threads``, 127.0.0.1, a free port) with
   ``DATABASE_URL`` and ``REDIS_URL`` set, and waits for ``/healthz``.
3. POSTs ``-n`` letters to ``/api/v1/letters`` from ``--clients`` threads (one
   keep-alive ``http.client`` connection each), every letter with its own
   ``Idempotency-Key``; half of them with an e-mail address (so the service also
   writes a Notification to the outbox and queues a Celery task on commit; no
   worker runs, the tasks stay in Redis).
4. Reports letters/second, p50/p95/p99/max latency and errors; checks that the
   database holds exactly ``n`` API letters with distinct keys and serials, one
   ``submitted`` event each and one outbox notification per letter with an
   e-mail; re-posts ``--reposts`` of the keys (sequentially, then the same keys
   from two threads at once) and checks that no letter was added and the same
   serial came back; finally sends ``--race-keys`` new keys from two threads at
   once each and checks that each made exactly one letter.
5. Stops gunicorn, flushes the Redis database again and drops the database
   (``--keep`` keeps it).

It reports; it never fails on the target (200 letters/s on the 2-core machine).
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import fmt, pct, say  # noqa: E402

TARGET_RATE = 200.0

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["建国", "秀英", "志强", "丽娟", "海涛", "小红", "文军", "婷婷", "德明", "春梅", "晓东", "玉兰"]
TOPICS = [
    ("小区夜间施工噪音扰民", "我家附近的工地每天晚上十一点以后还在施工,搅拌机和渣土车的声音很大,老人孩子都休息不好。"),
    ("公交线路调整后出行不便", "原来的公交线路调整以后,我们小区到最近的车站要走二十多分钟,上班的人和老年人出行都很不方便。"),
    ("老旧小区加装电梯的补贴政策", "我们单元是九十年代的老房子,住户大多是老人,想咨询加装电梯的补贴标准、申请流程和需要准备的材料。"),
    ("道路井盖破损存在安全隐患", "路口的井盖已经破损多日,晚上光线暗,骑电瓶车的人很容易摔倒,希望有关部门尽快修复。"),
    ("社保转移接续办理进度", "我从外省调动到本市工作,三个月前申请了养老保险关系转移,至今没有办结,想了解目前的办理进度。"),
    ("学校周边交通拥堵", "每天上下学时段学校门口车辆乱停乱放,道路堵得水泄不通,建议增设临时停车区并加强交通疏导。"),
    ("农贸市场环境卫生差", "农贸市场地面积水、垃圾清运不及时,夏天气味很大,希望加强日常管理和清扫保洁。"),
    ("企业开办手续咨询", "我准备注册一家小型餐饮企业,想了解营业执照和食品经营许可能否一次办理,以及网上办理的入口。"),
]
FILLER = ("此事已经持续了一段时间,我们也向物业和社区反映过,但是问题一直没有得到解决。"
          "恳请相关部门高度重视,尽快调查处理,并将处理结果告知。谢谢!")


class Result:
    __slots__ = ("index", "status", "ms", "serial", "error", "reconnects")

    def __init__(self, index):
        self.index, self.status, self.ms, self.serial, self.error, self.reconnects = index, None, None, None, None, 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def payload(i, mailboxes, types, rng):
    """The i-th letter: a weighted mailbox (the mayor's gets ~35%), a type, a valid
    phone, an e-mail for every even i, 150–600 characters of text."""
    mailbox = mailboxes[0] if rng.random() < 0.35 else rng.choice(mailboxes[1:] or mailboxes)
    title, opening = TOPICS[i % len(TOPICS)]
    body = opening + FILLER * rng.randint(1, 6)
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
    return {
        "mailbox": mailbox, "letter_type": rng.choice(types), "name": name,
        "phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
        "email": f"citizen{i}@example.com" if i % 2 == 0 else "",
        "title": f"{title}({i})", "body": body, "consent_publish": rng.random() < 0.4,
    }


class Client:
    """One keep-alive connection; reopened when the server closes it. A request
    that fails on a stale connection is sent again: safe, it carries an
    Idempotency-Key (that is what the key is for)."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def post(self, path, body, headers):
        reconnects = 0
        for attempt in range(3):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request("POST", path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, data, reconnects
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.BadStatusLine):
                self.close()
                reconnects += 1
                if attempt == 2:
                    raise
        raise AssertionError

    def get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# The bench posts as a business system (the 12345 hotline): anonymous callers must
# answer a one-time challenge and may send only a few letters an hour.
AUTH = {}


def business_system_token():
    from orgs.clients import machine_client_create
    from orgs.models import Unit
    from orgs.scopes import LETTERS_INTAKE

    unit = Unit.objects.order_by("id").first()
    _, token = machine_client_create(unit=unit, name=f"压测转办系统-{uuid.uuid4().hex[:6]}", scopes=[LETTERS_INTAKE])
    return token


def post_letter(client, body, key):
    headers = {"Content-Type": "application/json", "Idempotency-Key": key, **AUTH}
    t = time.perf_counter()
    status, data, reconnects = client.post("/api/v1/letters", body, headers)
    ms = (time.perf_counter() - t) * 1000
    return status, data, ms, reconnects


def run_load(port, jobs, clients):
    """``jobs``: list of (index, body bytes, key). Returns one Result per job, in job order, and the wall time."""
    results = [Result(i) for i, _, _ in jobs]
    lock = threading.Lock()
    cursor = [0]

    def worker():
        client = Client(port)
        while True:
            with lock:
                n = cursor[0]
                cursor[0] += 1
            if n >= len(jobs):
                break
            i, body, key = jobs[n]
            result = results[n]
            try:
                status, data, ms, reconnects = post_letter(client, body, key)
                result.status, result.ms, result.reconnects = status, ms, reconnects
                if status == 201:
                    result.serial = json.loads(data)["serial"]
                else:
                    result.error = data[:300].decode("utf-8", "replace")
            except Exception as exc:  # noqa: BLE001  (counted as an error)
                result.status, result.error = "exception", repr(exc)
        client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def start_gunicorn(args, port, env):
    log = open(args.log, "w")
    cmd = [str(Path(common.PYTHON).with_name("gunicorn")), "cityplatform.wsgi:application", "--bind", f"127.0.0.1:{port}",
           "--workers", str(args.workers), "--threads", str(args.threads), "--access-logfile", "/dev/null",
           "--graceful-timeout", "5", "--timeout", "60"]
    proc = subprocess.Popen(cmd, cwd=common.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see {args.log}")
        try:
            status, _ = Client(port).get("/healthz")
            if status in (200, 503):  # 503: the worker heartbeat is missing (no Celery worker runs here)
                return proc, " ".join(cmd)
        except OSError:
            pass
        time.sleep(0.3)
    stop_gunicorn(proc)
    raise SystemExit(f"gunicorn did not answer on port {port}; see {args.log}")


def stop_gunicorn(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the process group of the gunicorn this script started
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def redis_flush(url):
    import redis

    client = redis.Redis.from_url(url)
    queued = client.llen("celery") if client.type("celery") == b"list" else 0
    client.flushdb()
    return queued


CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid):
    """CPU seconds (user + system) used so far by process ``pid``; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0


def gunicorn_workers(master):
    try:
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def pg_backends(cursor, db):
    cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [db])
    return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU used by the gunicorn workers, by the PostgreSQL backends of the benchmark
    database and by this (client) process between start() and stop(): a figure
    that other work on the machine disturbs far less than wall-clock throughput."""

    def __init__(self, master, db):
        self.master, self.db = master, db

    def _sample(self, cursor):
        workers = {pid: proc_cpu(pid) for pid in gunicorn_workers(self.master)}
        backends = {pid: proc_cpu(pid) for pid in pg_backends(cursor, self.db)}
        return workers, backends, time.process_time()

    def start(self, cursor):
        self.before = self._sample(cursor)

    def stop(self, cursor):
        after = self._sample(cursor)
        (w0, b0, c0), (w1, b1, c1) = self.before, after
        return {
            "gunicorn_s": sum(v - w0.get(pid, 0.0) for pid, v in w1.items()),
            "postgres_s": sum(v - b0.get(pid, 0.0) for pid, v in b1.items()),
            "client_s": c1 - c0,
        }


def pg_counters(cursor):
    cursor.execute("SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()")
    return cursor.fetchone()


def statements_of_one_submission(letter, key):
    """The SQL statements of one POST /api/v1/letters with an e-mail address, in this
    process through Django's test client, after a first one that warms the caches."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    letter = {**letter, "email": letter.get("email") or "citizen@example.com"}
    for attempt in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/api/v1/letters", json.dumps({**letter, "title": f"{letter['title']}-{attempt}"}),
                                   content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"{key}-{attempt}",
                                   HTTP_AUTHORIZATION=AUTH["Authorization"])
        assert response.status_code == 201, response.content
    return [q["sql"] for q in captured.captured_queries]


def summarise(results, wall):
    ok = [r for r in results if r.status == 201]
    errors = [r for r in results if r.status != 201]
    times = sorted(r.ms for r in results if r.ms is not None)
    by_status = {}
    for r in errors:
        by_status[str(r.status)] = by_status.get(str(r.status), 0) + 1
    return {
        "requests": len(results), "created": len(ok), "errors": len(errors), "errors_by_status": by_status,
        "error_samples": [r.error for r in errors[:5]], "wall_s": wall, "rate": len(ok) / wall if wall else float("nan"),
        "p50": pct(times, 50), "p95": pct(times, 95), "p99": pct(times, 99), "max": times[-1] if times else float("nan"),
        "mean": sum(times) / len(times) if times else float("nan"), "reconnects": sum(r.reconnects for r in results),
    }


def shorten(sql, width=160):
    import re

    sql = re.sub(r"SELECT .*? FROM", "SELECT … FROM", sql, count=1, flags=re.S)
    sql = re.sub(r"\(\"[^)]*\"\) VALUES \(.*?\) RETURNING", "(…) VALUES (…) RETURNING", sql, count=1, flags=re.S)
    return sql if len(sql) <= width else sql[:width] + " …"


def cpu_text(summary):
    per = summary.get("cpu_ms_per_letter")
    if not per:
        return "—"
    return f"{per['gunicorn_s']:.1f} + {per['postgres_s']:.1f} + {per['client_s']:.1f} = {sum(per.values()):.1f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=3000, help="letters to post (default 3000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads (default 16)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4; 1 = sync workers)")
    parser.add_argument("--db", default="bench_letters_intake", help="database to create (default bench_letters_intake)")
    parser.add_argument("--reuse", action="store_true", help="use --db as it is if the demo city is there (no fresh migrate)")
    parser.add_argument("--from-template", metavar="NAME", help="start from a copy of database NAME (made by --template) "
                        "instead of migrating and loading a fresh one: seconds instead of minutes, for repeated runs")
    parser.add_argument("--template", metavar="NAME", help="keep a copy of the freshly loaded database under NAME "
                        "(bench_letters_*), for letters_million.py --template")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8", help="REDIS_URL for the server (flushed before and after)")
    parser.add_argument("--reposts", type=int, default=200, help="keys re-posted after the run (default 200)")
    parser.add_argument("--race-keys", type=int, default=50, help="new keys each sent by two threads at once (default 50)")
    parser.add_argument("--seed", type=int, default=2005209)
    parser.add_argument("--log", default="/tmp/bench_letters_gunicorn.log", help="gunicorn's output")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--label", default="", help="section name in --write (default from the settings)")
    parser.add_argument("--write", metavar="FILE", help="put the Markdown section into FILE (docs/performance-letters.md)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw figures as JSON")
    args = parser.parse_args(argv)
    started_at = common.utcnow()
    label = args.label or f"intake -w {args.workers} --threads {args.threads}, {args.clients} clients, n={args.n}"

    # 1. A fresh database with the demo city.
    fresh = not (args.reuse and common.db_exists(args.db))
    if args.from_template:
        say(f"creating database {args.db} as a copy of {args.from_template}")
        common.create_db(args.db, template=args.from_template)
        fresh = False
    elif fresh:
        say(f"creating database {args.db}")
        common.create_db(args.db)
    common.use_database(args.db)
    os.environ["REDIS_URL"] = args.redis  # this process's cache and Celery broker too (load_demo queues e-mails)
    os.environ["LETTERS_PER_CLIENT_PER_HOUR"] = str(10 * (args.n + 1000))  # the bench's system is not to be slowed down
    common.setup_django()
    from django.db import connection

    from letters.models import Event, Letter, Mailbox, Notification

    migrate_s, load_s = common.migrate_and_load_demo(items_per_column=1)
    ver = common.versions()
    say(f"migrate {migrate_s:.1f}s, load_demo --items-per-column 1 {load_s:.1f}s")
    lock_bug = common.lock_bug_present()
    if lock_bug:
        say("NOTE: letters.services._lock fails on PostgreSQL (FOR UPDATE on the nullable side of an outer join); "
            "load_demo ran with the bench-only work-around")
    base_letters = Letter.objects.count()
    AUTH["Authorization"] = f"Bearer {business_system_token()}"
    mailbox_codes = list(Mailbox.objects.filter(active=True).order_by("-is_mayor", "sort_order", "id").values_list("code", flat=True))
    common.close_connections()
    if args.template:
        say(f"keeping a copy of the loaded database as {args.template}")
        common.create_db(args.template, template=args.db)

    # 2. Redis and gunicorn.
    redis_flush(args.redis)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": common.db_url(args.db), "REDIS_URL": args.redis, "DEBUG": "0",
           "LOG_LEVEL": "ERROR"}
    proc, gunicorn_cmd = start_gunicorn(args, port, env)
    say(f"gunicorn up on 127.0.0.1:{port} (pid {proc.pid}): -w {args.workers} --threads {args.threads}")
    summary = {}
    try:
        probe = Client(port)
        status, data = probe.get("/api/v1/letter-types")
        types = [t["code"] for t in json.loads(data)]
        status, data = probe.get("/api/v1/mailboxes")
        api_mailboxes = [m["code"] for m in json.loads(data)]
        assert set(api_mailboxes) == set(mailbox_codes), (api_mailboxes, mailbox_codes)
        # Warm every worker thread a little: GETs and refused POSTs (an invalid phone) create nothing.
        bad = json.dumps({**payload(0, mailbox_codes, types, random.Random(0)), "phone": "123"}).encode()
        warm = [(-(k + 1), bad, f"warmup-{k:04d}") for k in range(args.workers * args.threads * 4)]
        warm_results, _ = run_load(port, warm, args.clients)
        say(f"warm-up: {len(warm)} refused POSTs ({sorted({r.status for r in warm_results})})")

        # 3. The load.
        run_id = uuid.uuid4().hex[:8]
        rng = random.Random(args.seed)
        jobs = []
        for i in range(args.n):
            body = json.dumps(payload(i, mailbox_codes, types, rng), ensure_ascii=False).encode()
            jobs.append((i, body, f"bench-{run_id}-{i:07d}"))
        meter = CpuMeter(proc.pid, args.db)
        with connection.cursor() as cursor:
            _, rollbacks0 = pg_counters(cursor)
            meter.start(cursor)
        load_start = os.getloadavg()[0]
        say(f"posting {args.n} letters from {args.clients} client threads …")
        results, wall = run_load(port, jobs, args.clients)
        summary = summarise(results, wall)
        with connection.cursor() as cursor:
            _, rollbacks1 = pg_counters(cursor)
            cpu = meter.stop(cursor)
        summary["pg_rollbacks"] = rollbacks1 - rollbacks0
        summary["cpu"] = cpu
        per = {k: v * 1000 / max(summary["created"], 1) for k, v in cpu.items()}
        summary["cpu_ms_per_letter"] = per
        total_ms = sum(per.values())
        summary["capacity_2cpu"] = 1000 * (os.cpu_count() or 2) / total_ms if total_ms else float("nan")
        say(f"CPU per created letter: gunicorn {per['gunicorn_s']:.1f} ms, PostgreSQL {per['postgres_s']:.1f} ms, "
            f"client {per['client_s']:.1f} ms → {os.cpu_count()} otherwise idle CPUs would take "
            f"~{summary['capacity_2cpu']:.0f} letters/s")
        summary["load_start"], summary["load_end"] = load_start, os.getloadavg()[0]
        say(f"{summary['created']} created, {summary['errors']} errors {summary['errors_by_status'] or ''} in {wall:.1f}s: "
            f"{summary['rate']:.0f} letters/s; p50 {summary['p50']:.1f} ms, p95 {summary['p95']:.1f}, "
            f"p99 {summary['p99']:.1f}, max {summary['max']:.1f}; {summary['pg_rollbacks']} rolled-back transactions")
        for sample in summary["error_samples"]:
            say(f"  error: {sample}")

        # 4. Checks.
        checks = []
        api_letters = Letter.objects.filter(source="api", idempotency_key__startswith=f"api:bench-{run_id}-")
        n_db = api_letters.count()
        checks.append((f"letters in the database with this run's keys == created ({summary['created']})", n_db == summary["created"],
                       f"{n_db}"))
        checks.append((f"letters in the database == n ({args.n})", n_db == args.n, f"{n_db}"))
        n_keys = api_letters.values("idempotency_key").distinct().count()
        n_serials = api_letters.values("serial").distinct().count()
        checks.append(("distinct keys and serials", n_keys == n_db == n_serials, f"{n_keys} keys, {n_serials} serials"))
        served = {r.serial for r in results if r.serial}
        in_db = set(api_letters.values_list("serial", flat=True))
        checks.append(("serials returned == serials stored", served == in_db, f"{len(served)} returned"))
        n_events = Event.objects.filter(letter__in=api_letters, kind="submitted").count()
        checks.append(("one 'submitted' event per letter", n_events == n_db, f"{n_events}"))
        with_email = api_letters.exclude(writer_email="").count()
        n_notes = Notification.objects.filter(letter__in=api_letters, kind="received").count()
        checks.append(("one outbox notification per letter with an e-mail", n_notes == with_email,
                       f"{n_notes} notifications, {with_email} letters with e-mail"))
        import redis

        queued = redis.Redis.from_url(args.redis).llen("celery")
        checks.append(("one Celery task queued in Redis per notification", queued == n_notes, f"{queued} queued"))

        # Re-posts: sequentially, then each key from two threads at once.
        by_index = {r.index: r for r in results}
        sample = rng.sample([i for i in range(args.n) if by_index[i].status == 201], min(args.reposts, summary["created"]))
        before = Letter.objects.count()
        seq_results, seq_wall = run_load(port, [jobs[i] for i in sample], 1)
        same = sum(1 for r in seq_results if r.status == 201 and r.serial == by_index[r.index].serial)
        pair_jobs = [jobs[i] for i in sample] + [jobs[i] for i in sample]
        pair_results, _ = run_load(port, pair_jobs, args.clients)
        same_pairs = sum(1 for r in pair_results if r.status == 201 and r.serial == by_index[r.index].serial)
        after = Letter.objects.count()
        repost = summarise(seq_results, seq_wall)
        checks.append((f"{len(sample)} keys re-posted one by one: same serial back, nothing created",
                       same == len(sample) and after == before, f"{same} same serial, letters {before} -> {after}"))
        checks.append((f"the same {len(sample)} keys re-posted twice at once: same serial back, nothing created",
                       same_pairs == len(pair_results) and after == before, f"{same_pairs}/{len(pair_results)} same serial"))
        summary["repost_p50"] = repost["p50"]

        # Race: new keys, each sent by two threads at once.
        race = []
        if args.race_keys:
            race_rng = random.Random(args.seed + 1)
            for k in range(args.race_keys):
                i = args.n + k
                race.append((i, json.dumps(payload(i, mailbox_codes, types, race_rng), ensure_ascii=False).encode(),
                             f"race-{run_id}-{k:05d}"))
            interleaved = [job for pair in zip(race, race) for job in pair]
            race_results, _ = run_load(port, [(n, body, key) for n, (_, body, key) in enumerate(interleaved)], 2)
            race_db = Letter.objects.filter(idempotency_key__startswith=f"api:race-{run_id}-").count()
            race_ok = sum(1 for r in race_results if r.status == 201)
            serial_pairs = [(race_results[2 * k].serial, race_results[2 * k + 1].serial) for k in range(args.race_keys)]
            agree = sum(1 for a, b in serial_pairs if a and a == b)
            checks.append((f"{args.race_keys} new keys, each sent by two threads at once: one letter per key, "
                           f"both answers the same serial", race_db == args.race_keys and agree == args.race_keys,
                           f"{race_db} letters, {race_ok}/{2 * args.race_keys} answers 201, {agree} pairs agree"))
        for name, ok, detail in checks:
            say(f"  [{'ok' if ok else 'FAILED'}] {name}: {detail}")
        summary["checks"] = [{"check": c, "ok": ok, "detail": d} for c, ok, d in checks]
        summary["statements"] = statements_of_one_submission(payload(args.n + args.race_keys, mailbox_codes, types, rng),
                                                             f"stmt-{run_id}")
        say(f"one submission (with an e-mail) runs {len(summary['statements'])} SQL statements, BEGIN and COMMIT included")
    finally:
        stop_gunicorn(proc)
        queued_after = redis_flush(args.redis)
        say(f"gunicorn stopped; Redis db flushed ({queued_after} queued tasks dropped)")
        common.close_connections()
        if not args.keep:
            common.drop_db(args.db)
            say(f"database {args.db} dropped")

    # 5. Report.
    target_met = summary.get("rate", 0) >= TARGET_RATE
    text = "\n".join(common.header_lines(f"Intake: {label}", started_at, ver=ver, load=summary.get("load_start"), extra=[
        f"- Server: `{gunicorn_cmd.replace(str(common.ROOT) + '/', '')}` (DEBUG=0, REDIS_URL={args.redis}); "
        f"database `{args.db}` {'freshly migrated and loaded' if fresh else ('a copy of `' + args.from_template + '` (migrated, demo city loaded)') if args.from_template else 'reused'} "
        f"(migrate {migrate_s:.0f} s, load_demo --items-per-column 1 {load_s:.0f} s; {base_letters} demo letters)",
        f"- Client: {args.clients} threads in one Python process, one keep-alive http.client connection each, "
        f"POST /api/v1/letters with a distinct Idempotency-Key; half the letters carry an e-mail address; "
        f"bodies 150–600 characters; {summary.get('reconnects', 0)} reconnects",
        f"- Load average (1 min) at the end of the run: {summary.get('load_end', float('nan')):.2f}",
    ]) + [
        "| Letters | Created | Errors | Wall s | Letters/s | p50 ms | p95 ms | p99 ms | max ms | Rolled-back txns "
        "| CPU ms/letter (gunicorn + PG + client) | Letters/s the CPUs allow | Target | |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---|",
        f"| {args.n} | {summary.get('created', 0)} | {summary.get('errors', 0)} {summary.get('errors_by_status') or ''} "
        f"| {fmt(summary.get('wall_s'))} | **{fmt(summary.get('rate'), 0)}** | {fmt(summary.get('p50'))} | {fmt(summary.get('p95'))} "
        f"| {fmt(summary.get('p99'))} | {fmt(summary.get('max'))} | {summary.get('pg_rollbacks', '—')} "
        f"| {cpu_text(summary)} | {fmt(summary.get('capacity_2cpu'), 0)} | ≥ {TARGET_RATE:.0f}/s "
        f"| {'met' if target_met else '**not met**'} |",
        "",
        "Checks:",
        "",
        *[f"- {'ok' if c['ok'] else '**FAILED**'}: {c['check']} ({c['detail']})" for c in summary.get("checks", [])],
        "",
        f"SQL statements of one submission with an e-mail address ({len(summary.get('statements', []))}, BEGIN and "
        "COMMIT included; measured in the benchmark's process through Django's test client, after a warm-up):",
        "",
        "```",
        *[shorten(sql) for sql in summary.get("statements", [])],
        "```",
        "",
    ])
    if lock_bug:
        text += ("\nNote: `letters.services._lock` fails on PostgreSQL (`FOR UPDATE cannot be applied to the nullable "
                 "side of an outer join`), so `manage.py load_demo` fails; the demo city was loaded with the bench-only "
                 "work-around `select_for_update(of=(\"self\",))`. Submission does not use `_lock`.\n")
    print()
    print(text)
    if args.write:
        common.write_section(args.write, f"letters-intake {label}", text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"label": label, "date": started_at.isoformat(), "summary": summary,
                                               "latencies_ms": [r.ms for r in results]}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
