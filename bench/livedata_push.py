#!/usr/bin/env python
"""Live data: push throughput and update-to-board latency, over HTTP, on PostgreSQL.

    .venv/bin/python bench/livedata_push.py --write docs/performance.md

1. Creates a fresh database (``--db``), migrates it, and makes an airport (a window
   unit of aviation running CKG) with a machine client holding ``livedata.trips``.
2. Starts gunicorn as ``make run`` does (2 workers, 4 threads; ``--workers``,
   ``--threads``) with ``DATABASE_URL`` and ``REDIS_URL`` set, the batch quota raised.
3. Creates ``--trips`` flights of today in batches, then sends ``--updates`` status
   updates (a delay, a gate, a new estimated time; each with a newer
   ``observed_at``) in batches of ``--batch`` records from ``--clients`` threads,
   and reports status updates per second (target: 2,000/s) and the batches' latency.
4. Update-to-board latency: a reader polls the airport's board JSON
   (``/api/v1/live/airport/board``) at the interval the page's script uses
   (``--poll``, with ``If-None-Match``) while a unit's system pushes one delay at a
   random moment every ~1.5 s, ``--samples`` times, with the throughput load of
   step 3 still running in the background if ``--under-load``; the latency of a
   sample is from the push being sent to the reader seeing the new estimated time
   (target: p95 under 2 s).
5. Checks that every update is in the database with its history, stops gunicorn,
   drops the database (``--keep`` keeps it).

It reports; it never fails on a target.
"""

import argparse
import datetime
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
from common import fmt, pct, say

TARGET_RATE = 2000.0
TARGET_P95 = 2.0
AIRPORTS = ["PEK", "PKX", "PVG", "SHA", "CAN", "SZX", "KMG", "XIY", "HGH", "NKG", "WUH", "CSX", "KWE", "TAO",
            "XMN", "CGO", "HRB", "SHE", "TSN", "NNG", "LXA", "HAK", "SYX", "URC"]
CARRIERS = [("CA", "中国国际航空"), ("MU", "中国东方航空"), ("CZ", "中国南方航空"), ("3U", "四川航空"), ("HU", "海南航空")]


class Client:
    """One keep-alive connection to the server."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method, path, body=None, headers=None):
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        self.conn.close()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare():
    """The airport, its station and a client token (in the benchmark's database)."""
    from livedata.models import Station
    from orgs.clients import machine_client_create
    from orgs.services import unit_create

    airport = unit_create(name="压测机场", code="airport", kind="window_unit", sector="aviation")
    Station.objects.filter(kind="airport", code="CKG").update(unit=airport)
    _, token = machine_client_create(unit=airport, name="压测航显系统", scopes=["livedata.trips"])
    return token


def start_gunicorn(args, port, env):
    log = open(args.log, "w")
    cmd = [str(Path(common.PYTHON).with_name("gunicorn")), "cityplatform.wsgi:application", "--bind",
           f"127.0.0.1:{port}", "--workers", str(args.workers), "--threads", str(args.threads),
           "--access-logfile", "/dev/null", "--graceful-timeout", "5", "--timeout", "120"]
    proc = subprocess.Popen(cmd, cwd=common.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see {args.log}")
        try:
            status, _, _ = Client(port).request("GET", "/healthz")
            if status in (200, 503):
                return proc, " ".join(cmd[1:])
        except OSError:
            pass
        time.sleep(0.3)
    stop_gunicorn(proc)
    raise SystemExit(f"gunicorn did not answer on port {port}; see {args.log}")


def stop_gunicorn(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def schedule(count, day_start):
    """``count`` flights from CKG spread over the day: (ref, record)."""
    flights = []
    for i in range(count):
        prefix, carrier = CARRIERS[i % len(CARRIERS)]
        dep = day_start + datetime.timedelta(minutes=6 * 60 + (i * 17) % (17 * 60))
        arr = dep + datetime.timedelta(minutes=80 + (i * 7) % 120)
        ref = f"{prefix}{1000 + i}-{dep:%Y%m%d}"
        flights.append((ref, {"id": ref, "number": f"{prefix}{1000 + i}", "operator": carrier, "origin": "CKG",
                              "destination": AIRPORTS[i % len(AIRPORTS)], "scheduled_departure": dep.isoformat(),
                              "scheduled_arrival": arr.isoformat(), "status": "scheduled"}))
    return flights


class Pusher:
    def __init__(self, port, token):
        self.client = Client(port)
        self.headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    def push(self, records):
        started = time.perf_counter()
        status, _, body = self.client.request("POST", "/api/v1/live/airport/trips",
                                              json.dumps({"records": records}).encode(), self.headers)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"push answered {status}: {body[:300]!r}")
        result = json.loads(body)
        if result["rejected"]:
            raise RuntimeError(f"records rejected: {result['rejected'][:2]}")
        return result, elapsed


def updates(flights, count, clock):
    """``count`` status updates over ``flights``, each newer than the last (``clock``: a
    list holding the next observed_at, shared by the threads)."""
    statuses = ["on_time", "delayed", "boarding", "delayed", "on_time"]
    for n in range(count):
        ref, record = flights[n % len(flights)]
        dep = datetime.datetime.fromisoformat(record["scheduled_departure"])
        clock[0] += datetime.timedelta(milliseconds=1)
        yield {"id": ref, "status": statuses[n % len(statuses)], "position": f"B{n % 40 + 1}",
               "estimated_departure": (dep + datetime.timedelta(minutes=n % 90)).isoformat(),
               "observed_at": clock[0].isoformat()}


def throughput(port, token, flights, args, clock, stop=None):
    """Send ``args.updates`` updates from ``args.clients`` threads; (updates/s, batch latencies, wall, sent).
    Two threads' batches may touch the same trips, and the newer one may land first:
    the older records are then stale (not applied, as a late message should be);
    their number is kept in ``throughput.stale``."""
    stream = updates(flights, args.updates if stop is None else 10**9, clock)
    lock = threading.Lock()
    latencies, sent, stale = [], [0], [0]

    def worker():
        pusher = Pusher(port, token)
        while stop is None or not stop.is_set():
            with lock:
                batch = [record for _, record in zip(range(args.batch), stream)]
            if not batch:
                break
            result, elapsed = pusher.push(batch)
            with lock:
                latencies.append(elapsed)
                sent[0] += len(batch)
                stale[0] += len(result["stale"])
        pusher.client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    throughput.stale = stale[0]
    return sent[0] / wall, latencies, wall, sent[0]


def board_estimate(body, number):
    data = json.loads(body)
    for row in data.get("rows", []):
        if row.get("number") == number:
            return row.get("estimated_departure")
    return None


def latency(port, token, flights, args, clock):
    """Seconds from a pushed delay to the reader's board showing it, ``args.samples`` times."""
    reader = Client(port)
    pusher = Pusher(port, token)
    seen = {}
    stop = threading.Event()
    day = flights[0][1]["scheduled_departure"][:10]
    number = flights[0][1]["number"]
    etag = [None]

    def poll():
        while not stop.is_set():
            headers = {"If-None-Match": etag[0]} if etag[0] else {}
            status, response_headers, body = reader.request(
                "GET", f"/api/v1/live/airport/board?direction=departures&date={day}&route={number}", headers=headers)
            if status == 200:
                etag[0] = dict(response_headers).get("ETag")
                value = board_estimate(body, number)
                if value is not None and value not in seen:
                    seen[value] = time.perf_counter()
            time.sleep(args.poll)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    time.sleep(args.poll * 2)
    samples = []
    ref, record = flights[0]
    dep = datetime.datetime.fromisoformat(record["scheduled_departure"])
    for n in range(args.samples):
        time.sleep(random.uniform(1.0, 2.0))
        clock[0] += datetime.timedelta(milliseconds=1)
        estimate = dep + datetime.timedelta(minutes=100 + n)
        sent = time.perf_counter()
        pusher.push([{"id": ref, "status": "delayed", "estimated_departure": estimate.isoformat(),
                      "observed_at": clock[0].isoformat()}])
        deadline = time.perf_counter() + 15
        while time.perf_counter() < deadline:
            shown = next((at for value, at in seen.items()
                          if datetime.datetime.fromisoformat(value) == estimate), None)
            if shown is not None:
                samples.append(max(0.0, shown - sent))
                break
            time.sleep(0.01)
        else:
            samples.append(float("inf"))
    stop.set()
    poller.join(5)
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="bench_letters_livedata")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--trips", type=int, default=2000)
    parser.add_argument("--updates", type=int, default=60000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--poll", type=float, default=1.0, help="the board script's polling interval (s)")
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--under-load", action="store_true", help="measure latency while updates stream in")
    parser.add_argument("--log", default="/tmp/bench_livedata_gunicorn.log")
    parser.add_argument("--write", help="write the results into this Markdown file (a section of its own)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    started_at = common.utcnow()
    common.create_db(args.db)
    common.use_database(args.db)
    os.environ["REDIS_URL"] = args.redis
    common.setup_django()
    from django.core.management import call_command

    say(f"migrating {args.db}")
    call_command("migrate", verbosity=0)
    token = prepare()
    common.close_connections()
    env = dict(os.environ, LIVEDATA_BATCHES_PER_MINUTE="1000000")
    port = free_port()
    proc, command = start_gunicorn(args, port, env)
    try:
        from django.utils import timezone

        day_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        flights = schedule(args.trips, day_start)
        clock = [timezone.now() - datetime.timedelta(minutes=4)]
        for _, record in flights:
            record["observed_at"] = (clock[0] - datetime.timedelta(minutes=1)).isoformat()
        pusher = Pusher(port, token)
        t = time.perf_counter()
        for i in range(0, len(flights), args.batch):
            pusher.push([record for _, record in flights[i:i + args.batch]])
        created_wall = time.perf_counter() - t
        say(f"created {len(flights)} flights in {created_wall:.1f} s ({len(flights) / created_wall:.0f}/s)")

        rate, batch_latencies, wall, sent = throughput(port, token, flights, args, clock)
        stale = throughput.stale
        say(f"{sent} status updates ({stale} stale: an older batch landing after a newer one) in {wall:.1f} s: "
            f"{rate:.0f} updates/s "
            f"(target {TARGET_RATE:.0f}); batch of {args.batch}: p50 {fmt(pct(batch_latencies, 50) * 1000)} ms, "
            f"p95 {fmt(pct(batch_latencies, 95) * 1000)} ms")

        background = None
        if args.under_load:
            stop = threading.Event()
            load_args = argparse.Namespace(**vars(args))
            load_args.clients = max(1, args.clients // 2)
            background = (stop, threading.Thread(target=throughput, args=(port, token, flights[1:], load_args, clock, stop),
                                                 daemon=True))
            background[1].start()
        samples = latency(port, token, flights, args, clock)
        if background:
            background[0].set()
            background[1].join(60)
        finite = [s for s in samples if s != float("inf")]
        say(f"update-to-board latency over {len(samples)} samples (poll every {args.poll} s"
            f"{', under load' if args.under_load else ''}): p50 {fmt(pct(finite, 50))} s, p95 {fmt(pct(finite, 95))} s, "
            f"max {fmt(max(finite) if finite else float('nan'))} s, never shown {len(samples) - len(finite)}")

        from django.db import connection

        from livedata.models import Change, Trip

        connection.connect()
        changes = Change.objects.filter(trip__isnull=False).count()
        trips = Trip.objects.count()
        say(f"stored: {trips} trips, {changes} changes (expected {trips + sent - stale + len(samples)}"
            f"{', plus the background stream of --under-load' if args.under_load else ''})")
        ver = common.versions()
        common.close_connections()
    finally:
        stop_gunicorn(proc)
        import redis

        redis.Redis.from_url(args.redis).flushdb()
        if not args.keep:
            common.drop_db(args.db)

    if args.write:
        lines = common.header_lines("Live data: push throughput and update-to-board latency (bench/livedata_push.py)",
                                    started_at, ver=ver)
        lines += [
            f"Command: `.venv/bin/python bench/livedata_push.py {' '.join(sys.argv[1:])}`; server: `gunicorn {command}`.",
            "",
            "| Measure | Result | Target |",
            "|---|---|---|",
            f"| Status updates pushed ({sent} in batches of {args.batch}, {args.clients} clients) | "
            f"{rate:.0f} updates/s ({stale} of them stale: an older batch landing after a newer one) | "
            f"{TARGET_RATE:.0f}/s |",
            f"| One batch of {args.batch}: p50 / p95 | {fmt(pct(batch_latencies, 50) * 1000)} / "
            f"{fmt(pct(batch_latencies, 95) * 1000)} ms | |",
            f"| Update-to-board latency, {len(samples)} samples, reader polling every {args.poll} s"
            f"{' under load' if args.under_load else ''}: p50 / p95 / max | {fmt(pct(finite, 50))} / {fmt(pct(finite, 95))}"
            f" / {fmt(max(finite) if finite else float('nan'))} s | p95 < {TARGET_P95:.0f} s |",
            f"| Stored after the run | {trips} trips, {changes} changes kept | every update kept |",
        ]
        common.write_section(args.write, "livedata-push-under-load" if args.under_load else "livedata-push",
                             "\n".join(lines))


if __name__ == "__main__":
    main()
