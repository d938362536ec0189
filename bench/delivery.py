#!/usr/bin/env python
"""Baked pages (issue 10): how fast a published page reaches a reader, and how fast
a publication and a full rebuild reach the publish root. All load on 127.0.0.1.

    python bench/delivery.py                                   # the whole run (about 25 min)
    python bench/delivery.py --items 20000 --rebuild-limit 900 --write docs/performance.md

1. Creates the throwaway PostgreSQL database ``bench_letters_delivery`` (the
   benchmark helpers touch only ``bench_letters*``) and a throwaway var directory
   (``PLATFORM_VAR_DIR``, ``PUBLISH_ROOT`` under it), migrates, loads the demo city
   (``load_demo --items-per-column 1``), collects the static files and bakes the
   whole city (``manage.py bake --processes 2``, in this process).
2. Throughput of one baked article page, with ``wrk -t2 -c64 -d10s --latency``, the
   servers in turn, ``--rounds`` rounds each (median requests/s, latency p50/p99
   of the median round):
   - nginx with the generated configuration (``manage.py nginx_config --standalone``);
   - nginx with a bare configuration serving the same file (one ``server``,
     ``root`` = the site's tree, ``location / {}``; the same ``worker_processes auto``
     and ``access_log off`` as the generated one so that only the server block differs);
   - the embedded default: gunicorn ``cityplatform.wsgi:application``, 2 workers,
     4 threads, with its access log, as ``bin/run-platform`` starts it;
   - today's page cache: the same gunicorn with ``PLATFORM_BAKE=false``, after a
     warm-up request (every measured answer checked to be ``X-Page-Cache: hit``).
3. Publish-to-visible: the platform running as ``bin/run-platform`` runs it
   (gunicorn + ``celery -A cityplatform worker --beat --concurrency=2``, the
   file-system broker of the embedded default) and nginx in front; ``--edits``
   edits of the article's title published in this process (``save_revision()`` and
   ``revision.publish()`` in one transaction, what Wagtail's editor and
   ``portal.services.page_create(publish=True)`` do). From the commit, polling
   every 5 ms: (a) the embedded server answers with the new title, (a') nginx does,
   (b) the baked file on disk has the new title (the worker's bake landed).
4. A big city: ``--items`` articles added to the demo city the way
   ``bench/load_city.py`` writes them (batched, treebeard-correct), then the full
   rebuild ``manage.py bake --processes 2`` in a subprocess, stopped after
   ``--rebuild-limit`` seconds if it has not finished (the rate and an
   extrapolation are reported then). Then ``--big-edits`` publications of an
   article of the city's largest column, baked in this process with
   ``delivery.services.bake_pending()`` (the worker's task), timed.

Everything started is stopped at the end (process groups by id, nginx with
``nginx -s stop``); the database and the var directory are dropped unless ``--keep``.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

DB_NAME = "bench_letters_delivery"
VAR = Path("/tmp/bench_letters_delivery_var")
BIN = Path(sys.executable).parent
NGINX = "/usr/sbin/nginx"
WRK = "/usr/bin/wrk"
LABEL = "delivery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """What this run started: process groups (by id) and nginx prefixes."""

    def __init__(self):
        self.groups = []
        self.nginx = []

    def start(self, args, *, env, log):
        proc = subprocess.Popen(args, cwd=common.ROOT, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.groups.append(proc)
        return proc

    def stop(self, proc, grace=8):
        """As bin/run-platform stops its children: TERM to the process, then KILL to its group."""
        if proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # what is left of the group (pool processes)
        except ProcessLookupError:
            pass
        proc.wait()
        if proc in self.groups:
            self.groups.remove(proc)

    def nginx_start(self, prefix, conf):
        subprocess.run([NGINX, "-c", str(conf), "-p", str(prefix)], check=True)
        self.nginx.append((prefix, conf))

    def nginx_stop(self, prefix, conf):
        subprocess.run([NGINX, "-s", "stop", "-c", str(conf), "-p", str(prefix)], check=False)
        pid = Path(prefix) / "nginx.pid"
        for _ in range(100):
            if not pid.exists():
                break
            time.sleep(0.05)
        self.nginx = [n for n in self.nginx if n[0] != prefix]

    def stop_all(self):
        for prefix, conf in list(self.nginx):
            self.nginx_stop(prefix, conf)
        for proc in list(self.groups):
            self.stop(proc)


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def wait_http(url, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            status, _, _ = get(url)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds} s")


# --- wrk --------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url, *, threads, connections, duration):
    out = subprocess.run([WRK, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))

    def latency(p):
        m = re.search(rf"^\s*{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * UNITS[m.group(2)]

    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    errors = re.search(r"Socket errors:(.*)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50": latency(50), "p99": latency(99), "non2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1).strip() if errors else "", "requests": requests}


def measure_servers(servers, args):
    """Round-robin: every server once a round, so drifts of the machine's load hit all."""
    runs = {name: [] for name, _ in servers}
    for r in range(args.rounds):
        for name, url in servers:
            result = wrk(url, threads=args.threads, connections=args.connections, duration=args.duration)
            runs[name].append(result)
            common.say(f"  round {r + 1} {name}: {result['rps']:,.0f} req/s, p50 {result['p50']:.2f} ms, "
                       f"p99 {result['p99']:.2f} ms" + (f", NON-2XX {result['non2xx']}" if result["non2xx"] else "")
                       + (f", socket errors {result['socket_errors']}" if result["socket_errors"] else ""))
    summary = {}
    for name, results in runs.items():
        ordered = sorted(results, key=lambda x: x["rps"])
        median = ordered[len(ordered) // 2]
        summary[name] = {"rps": statistics.median(x["rps"] for x in results), "p50": median["p50"],
                         "p99": median["p99"], "all": [x["rps"] for x in results],
                         "non2xx": sum(x["non2xx"] for x in results),
                         "socket_errors": "; ".join(x["socket_errors"] for x in results if x["socket_errors"])}
    return summary


# --- The city ---------------------------------------------------------------------------

def prepare_city(args):
    from django.core.management import call_command

    from delivery.models import BakedFile, PendingBake

    migrate_s, load_s = common.migrate_and_load_demo(items_per_column=1)
    common.say(f"migrated ({migrate_s:.0f} s), demo city loaded ({load_s:.0f} s)")
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.monotonic()
    call_command("bake", processes=2, stdout=open(VAR / "log" / "bake-demo.log", "w"))
    bake_s = time.monotonic() - started
    # The demo load's publications queued bake work that the full rebuild has done: drop
    # it (rows and the file broker's messages) so the worker starts idle.
    PendingBake.objects.all().delete()
    purge_broker()
    files = BakedFile.objects.count()
    common.say(f"demo city baked in {bake_s:.1f} s ({files} files recorded)")
    return {"migrate_s": migrate_s, "load_s": load_s, "bake_s": bake_s, "files": files}


def purge_broker():
    from django.conf import settings

    broker = Path(getattr(settings, "BROKER_DIR", VAR / "broker"))
    for path in broker.glob("*.msg"):
        path.unlink(missing_ok=True)


def pick_article():
    """A live article of the default site and its baked file."""
    from delivery.layout import SITES, publish_root
    from delivery.models import BakedFile, FileKind
    from portal.models import ArticlePage
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    article = (ArticlePage.objects.live().descendant_of(site.root_page).order_by("path").first())
    row = BakedFile.objects.get(page_id=article.pk, kind=FileKind.PAGE, page_number=1)
    return article, site, publish_root() / row.path, publish_root() / SITES / site.hostname


# --- Servers ----------------------------------------------------------------------------

def server_env(port, **extra):
    env = dict(os.environ)
    env.update({"HOST": "127.0.0.1", "PORT": str(port), "PYTHONUNBUFFERED": "1"})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def gunicorn(procs, port, env, log):
    return procs.start([str(BIN / "gunicorn"), "cityplatform.wsgi:application", "--bind", f"127.0.0.1:{port}",
                        "--workers", "2", "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "5"],
                       env=env, log=log)


def nginx_generated(procs, port, app_port, env):
    prefix = VAR / "nginx-generated"
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    subprocess.run([str(BIN / "python"), "manage.py", "nginx_config", "--standalone", "--prefix", str(prefix),
                    "--listen", f"127.0.0.1:{port}", "--upstream", f"127.0.0.1:{app_port}", "-o", str(conf)],
                   cwd=common.ROOT, env=env, check=True, capture_output=True)
    procs.nginx_start(prefix, conf)
    return prefix, conf


def nginx_bare(procs, port, root):
    prefix = VAR / "nginx-bare"
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(f"""# The bare baseline: one server, the site's tree as root, location / {{}}.
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{}}
    }}
}}
""")
    procs.nginx_start(prefix, conf)
    return prefix, conf


def check(name, url, *, title, expect_header=None, body=None):
    status, headers, content = get(url)
    lower = {k.lower(): v for k, v in headers.items()}
    ok = status == 200 and title.encode() in content
    if expect_header:
        key, value = expect_header
        ok = ok and lower.get(key.lower()) == value
    if body is not None:
        ok = ok and content == body
    shown = {k: lower[k] for k in ("x-delivery", "x-page-cache", "cache-control", "content-type", "etag",
                                   "content-security-policy", "x-content-type-options", "referrer-policy",
                                   "x-frame-options") if k in lower}
    common.say(f"  {name}: {status}, {len(content)} bytes, {shown}{'' if ok else '  <-- NOT AS EXPECTED'}")
    return ok, shown


# --- Publish to visible -------------------------------------------------------------------

def publish_edits(article_id, n, urls, baked_path, timeout):
    from django.db import transaction

    from portal.models import ArticlePage

    base = ArticlePage.objects.get(pk=article_id).title.split("〔")[0]
    times = {key: [] for key in ("commit", *urls, "file")}
    missed = {key: 0 for key in ("commit", *urls, "file")}
    for i in range(n):
        title = f"{base}〔修改{i + 1:02d}-{time.time_ns() % 100000:05d}〕"
        needle = title.encode()
        started = time.perf_counter()
        committed = []
        with transaction.atomic():
            # First in the on-commit queue: the moment of the commit, before the
            # platform's own on-commit work (withdrawing the files, queuing the bake).
            transaction.on_commit(lambda: committed.append(time.perf_counter()))
            page = ArticlePage.objects.get(pk=article_id)
            page.title = title
            revision = page.save_revision()
            revision.publish()
        t0 = committed[0]
        times["commit"].append(t0 - started)
        seen = {}
        end = t0 + timeout
        while len(seen) < len(urls) + 1 and time.perf_counter() < end:
            for key, url in urls.items():
                if key not in seen:
                    try:
                        if needle in get(url)[2]:
                            seen[key] = time.perf_counter() - t0
                    except OSError:
                        pass
            if "file" not in seen:
                try:
                    if needle in baked_path.read_bytes():
                        seen["file"] = time.perf_counter() - t0
                except OSError:
                    pass
            time.sleep(0.005)
        for key in (*urls, "file"):
            if key in seen:
                times[key].append(seen[key])
            else:
                missed[key] += 1
        common.say(f"  edit {i + 1:2d}: publish {1000 * times['commit'][-1]:.0f} ms; "
                   + ", ".join(f"{k} {1000 * seen[k]:.0f} ms" if k in seen else f"{k} NOT within {timeout:.0f} s"
                               for k in (*urls, "file")))
        time.sleep(0.3)
    return times, missed


# --- The big city ------------------------------------------------------------------------

def load_items(items):
    import load_city

    started = time.monotonic()
    # As in docs/performance.md's city: one column of 10,000 items (区县动态 of 渝中区), the rest spread.
    big = min(10_000, items // 10)
    code = load_city.main(["--articles", str(items - big), "--big-column", str(big), "--check", "sample"])
    seconds = time.monotonic() - started
    if code:
        raise SystemExit("bench/load_city.py reported problems")
    return seconds


def full_rebuild(procs, env, limit):
    """``manage.py bake --processes 2`` in a subprocess; stopped after ``limit`` seconds."""
    from delivery.models import BakedFile, BakeRun, FileKind

    log = VAR / "log" / "bake-city.log"
    before = BakeRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started = time.monotonic()
    proc = procs.start([str(BIN / "python"), "manage.py", "bake", "--processes", "2"], env=env, log=log)
    finished = False
    while time.monotonic() - started < limit:
        if proc.poll() is not None:
            finished = proc.returncode == 0
            break
        time.sleep(1)
    seconds = time.monotonic() - started
    if proc.poll() is None:
        common.say(f"  stopping the rebuild after {seconds:.0f} s")
    procs.stop(proc, grace=3)
    run = BakeRun.objects.filter(pk__gt=before).order_by("-pk").first()
    files_since = BakedFile.objects.filter(baked_at__gte=run.started_at).exclude(kind=FileKind.STATIC).count()
    text = log.read_text(errors="replace")
    reported = re.search(r"完成:.*", text)
    return {"finished": finished, "seconds": seconds, "total": run.total, "done": run.done, "failed": run.failed,
            "files_since": files_since, "files": BakedFile.objects.count(), "reported": reported.group(0) if reported else "",
            "log_errors": len(re.findall(r"Traceback|ERROR", text))}


def big_column_edits(n):
    """Publish ``n`` edits of an article in the largest column; time the bake of each
    in this process (``bake_pending()``, the worker's task)."""
    from django.db import transaction
    from django.db.models import Count

    from delivery.services import bake_pending
    from portal.models import ArticlePage

    column_id = (ArticlePage.objects.live().values("parent_column").annotate(n=Count("pk")).order_by("-n")
                 .values_list("parent_column", "n").first())
    article = ArticlePage.objects.live().filter(parent_column_id=column_id[0]).order_by("-pub_date").first()
    times, files = [], []
    for i in range(n):
        with transaction.atomic():
            page = ArticlePage.objects.get(pk=article.pk)
            page.title = f"{page.title.split('〔')[0]}〔大栏目修改{i + 1}〕"
            page.save_revision().publish()
        started = time.perf_counter()
        report = bake_pending()
        times.append(time.perf_counter() - started)
        files.append(len(report.written))
        common.say(f"  big column edit {i + 1}: bake {times[-1]:.2f} s, {files[-1]} files written")
    return {"items": column_id[1], "times": times, "files": files, "url": article.url_path}


# --- Report --------------------------------------------------------------------------------

def report(args, ctx):
    m = common.machine()
    s = ctx["serve"]
    gen, bare = s["nginx, generated configuration"], s["nginx, bare configuration"]
    emb, pc = s["gunicorn, baked file (embedded default)"], s["gunicorn, page cache (PLATFORM_BAKE=false)"]
    ratio = gen["rps"] / bare["rps"]
    command = "python bench/delivery.py " + " ".join(ctx["argv"])
    pub = ctx["publish"]
    lines = [
        f"<a id=\"baked-pages-issue-10\"></a>",
        "## Baked pages (issue 10)",
        "",
        f"- Date: {ctx['started']:%Y-%m-%d %H:%M} UTC; code: git {common.git_state()}",
        f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} memory; Python {m['python']}, "
        f"Django {ctx['versions']['django']}, Wagtail {ctx['versions']['wagtail']}, PostgreSQL "
        f"{ctx['versions']['postgresql'].split(' ')[0]} on 127.0.0.1; {ctx['nginx']}; wrk on the same machine",
        f"- Load average (1 min) at the start {ctx['load']:.2f}, at the end {os.getloadavg()[0]:.2f}: the machine "
        "is shared with other work, and wrk itself takes one of the two CPUs it measures on",
        f"- Command: `{command}`",
        f"- City: the demo city (`load_demo --items-per-column 1`, {ctx['city']['files']} files baked in "
        f"{ctx['city']['bake_s']:.0f} s) on the throwaway database `{DB_NAME}`; page: `{ctx['url']}` "
        f"({ctx['size']:,} bytes)",
        "",
        f"### Serving one baked article page (wrk -t{args.threads} -c{args.connections} -d{args.duration}s "
        f"--latency, {args.rounds} rounds each, round-robin)",
        "",
        "| Server | requests/s (median) | every round | latency p50 | latency p99 | Target | |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    targets = {
        "nginx, generated configuration": (f"≥ 0.8 × bare ({ratio:.2f} ×)", ratio >= 0.8),
        "nginx, bare configuration": ("", None),
        "gunicorn, baked file (embedded default)": ("≥ 2,000/s", emb["rps"] >= 2000),
        "gunicorn, page cache (PLATFORM_BAKE=false)": ("", None),
    }
    for name, row in s.items():
        target, met = targets[name]
        lines.append(f"| {name} | {row['rps']:,.0f} | {', '.join(f'{x:,.0f}' for x in row['all'])} | "
                     f"{row['p50']:.2f} ms | {row['p99']:.2f} ms | {target} | "
                     f"{'' if met is None else ('met' if met else 'NOT met')} |")
    bad = [f"{n}: {r['non2xx']} non-2xx" for n, r in s.items() if r["non2xx"]] + \
          [f"{n}: socket errors {r['socket_errors']}" for n, r in s.items() if r["socket_errors"]]
    lines += ["", "Errors during the runs: " + ("; ".join(bad) if bad else "none (no non-2xx answer, no socket error).")]
    lines += ["", "Headers of each answer (checked before the runs):", ""]
    for name, shown in ctx["headers"].items():
        lines.append(f"- {name}: " + ", ".join(f"`{k}: {v[:60]}{'…' if len(v) > 60 else ''}`" for k, v in shown.items()))
    lines += [
        "",
        f"### Publish to visible ({args.edits} edits of the article's title)",
        "",
        "The platform as `bin/run-platform` runs it: gunicorn (2 workers, 4 threads) and "
        "`celery -A cityplatform worker --beat --concurrency=2` with the embedded default's file-system broker; "
        "nginx (generated configuration) in front. Each edit: `save_revision()` + `revision.publish()` in one "
        "transaction in the benchmark process; times from the commit, polling every 5 ms.",
        "",
        "| From the commit until | p50 | p95 | max | missed | Target | |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    names = {"embedded": "the embedded server (gunicorn) answers with the new title",
             "nginx": "nginx answers with the new title",
             "file": "the baked file on disk has the new title (the bake landed)"}
    for key, label in names.items():
        values = pub["times"][key]
        target, met = ("p95 < 2 s", common.pct(values, 95) < 2.0) if key == "file" else ("", None)
        lines.append(f"| {label} | {1000 * common.pct(values, 50):,.0f} ms | {1000 * common.pct(values, 95):,.0f} ms | "
                     f"{1000 * max(values) if values else float('nan'):,.0f} ms | {pub['missed'][key]} | {target} | "
                     f"{'' if met is None else ('met' if met else 'NOT met')} |")
    lines.append(f"\nThe publication itself (save_revision + publish + commit) took p50 "
                 f"{1000 * common.pct(pub['times']['commit'], 50):.0f} ms.")
    big = ctx.get("big")
    if big:
        r = big["rebuild"]
        rate = r["done"] / r["seconds"] if r["seconds"] else 0
        file_rate = r["files_since"] / r["seconds"] if r["seconds"] else 0
        lines += [
            "",
            f"### Full rebuild of a city with {args.items:,} more articles",
            "",
            f"{args.items:,} articles added to the demo city the way `bench/load_city.py` writes them "
            f"({min(10_000, args.items // 10):,} of them in one column, 渝中区 · 区县动态, the rest spread over every other "
            f"column; {big['load_s']:.0f} s); then `manage.py bake --processes 2`"
            + ("" if r["finished"] else f", stopped after {r['seconds']:.0f} s (the limit `--rebuild-limit "
               f"{args.rebuild_limit}`)") + ".",
            "",
            f"- Pages to bake: {r['total']:,}; baked: {r['done']:,} in {r['seconds']:.0f} s = **{rate:.1f} pages/s** "
            f"({file_rate:.1f} files/s: {r['files_since']:,} page, listing-page, feed, sitemap and 404 files); "
            f"failed: {r['failed']}",
        ]
        if r["finished"]:
            lines.append(f"- Finished: {r['reported']}; files recorded in the publish root: {r['files']:,}")
        else:
            remaining = (r["total"] - r["done"]) / rate if rate else float("nan")
            lines.append(f"- **Not finished within the limit.** At this rate the whole rebuild would take about "
                         f"{(r['seconds'] + remaining) / 60:.0f} min; files recorded so far: {r['files']:,}")
        if big.get("edits"):
            e = big["edits"]
            lines += ["",
                      f"Publishing an article of the largest column ({e['items']:,} items, `{e['url']}`), baked in "
                      f"this process by `bake_pending()`: {', '.join(f'{t:.1f} s' for t in e['times'])} "
                      f"({', '.join(str(f) for f in e['files'])} files written each)."]
    return "\n".join(lines)


# --- Main ------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for an edit to show")
    parser.add_argument("--items", type=int, default=100_000, help="articles added for the rebuild (0: no rebuild)")
    parser.add_argument("--rebuild-limit", type=int, default=600, help="seconds after which the rebuild is stopped")
    parser.add_argument("--big-edits", type=int, default=3)
    parser.add_argument("--write", metavar="FILE", help="write the section into FILE (docs/performance.md)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the var directory")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    ctx = {"argv": argv, "load": os.getloadavg()[0], "started": common.utcnow()}

    if VAR.exists():
        shutil.rmtree(VAR)
    (VAR / "log").mkdir(parents=True)
    app_port, cache_port, nginx_port, bare_port = (free_port() for _ in range(4))
    os.environ["PLATFORM_VAR_DIR"] = str(VAR)
    os.environ["PUBLISH_ROOT"] = str(VAR / "publish")
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("PLATFORM_BAKE", None)
    os.environ.update({"HOST": "127.0.0.1", "PORT": str(app_port)})  # the bake renders with this base address
    common.create_db(DB_NAME)
    common.use_database(DB_NAME)
    common.setup_django()
    procs = Processes()
    try:
        ctx["versions"] = common.versions()
        ctx["nginx"] = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip().replace(
            "nginx version: ", "")
        ctx["city"] = prepare_city(args)
        article, site, baked, tree_root = pick_article()
        address = article.url_path[len(site.root_page.url_path) - 1:]
        ctx["url"], ctx["size"] = address, baked.stat().st_size
        common.close_connections()

        # --- Servers
        log = VAR / "log"
        env = server_env(app_port)
        web = gunicorn(procs, app_port, env, log / "gunicorn.log")
        cached = gunicorn(procs, cache_port, server_env(cache_port, PLATFORM_BAKE="false"), log / "gunicorn-cache.log")
        gen_prefix = nginx_generated(procs, nginx_port, app_port, env)
        bare_prefix = nginx_bare(procs, bare_port, tree_root)
        urls = {
            "nginx, generated configuration": f"http://127.0.0.1:{nginx_port}{address}",
            "nginx, bare configuration": f"http://127.0.0.1:{bare_port}{address}",
            "gunicorn, baked file (embedded default)": f"http://127.0.0.1:{app_port}{address}",
            "gunicorn, page cache (PLATFORM_BAKE=false)": f"http://127.0.0.1:{cache_port}{address}",
        }
        for port in (app_port, cache_port):
            wait_http(f"http://127.0.0.1:{port}/")  # (/healthz says 503 while no worker runs)
        get(urls["gunicorn, page cache (PLATFORM_BAKE=false)"])  # warm-up: the page cache keeps it
        body = baked.read_bytes()
        common.say("checking the answers")
        ctx["headers"] = {}
        expected = {
            "nginx, generated configuration": {"expect_header": ("X-Delivery", "baked"), "body": body},
            "nginx, bare configuration": {"body": body},
            "gunicorn, baked file (embedded default)": {"expect_header": ("X-Delivery", "baked"), "body": body},
            "gunicorn, page cache (PLATFORM_BAKE=false)": {"expect_header": ("X-Page-Cache", "hit")},
        }
        for name, url in urls.items():
            ok, shown = check(name, url, title=article.title, **expected[name])
            ctx["headers"][name] = shown
            if not ok:
                raise SystemExit(f"{name} does not serve the page as expected")

        common.say(f"serving {address}: {args.rounds} rounds of wrk per server")
        ctx["serve"] = measure_servers(list(urls.items()), args)
        # The page cache kept answering hits (not renders) throughout.
        ok, _ = check("page cache after the runs", urls["gunicorn, page cache (PLATFORM_BAKE=false)"],
                      title=article.title, expect_header=("X-Page-Cache", "hit"))
        procs.stop(cached)
        procs.nginx_stop(*bare_prefix)

        # --- Publish to visible, with the worker
        worker = procs.start([str(BIN / "celery"), "-A", "cityplatform", "worker", "--beat", "--loglevel=INFO",
                              "--concurrency=2"], env=env, log=log / "worker.log")
        end = time.monotonic() + 60
        while "ready." not in (log / "worker.log").read_text(errors="replace") and time.monotonic() < end:
            time.sleep(0.5)
        # The beat sends every due task at its start; the file broker hands them over about
        # two a second. Wait until they are all received, so the edits do not queue behind them.
        end = time.monotonic() + 30
        while time.monotonic() < end:
            text = (log / "worker.log").read_text(errors="replace")
            if text.count("] received") >= text.count("Sending due task") and text.count("succeeded in") >= \
                    text.count("] received"):
                break
            time.sleep(0.5)
        time.sleep(2)
        common.say(f"worker ready; publishing {args.edits} edits of {address}")
        times, missed = publish_edits(article.pk, args.edits,
                                      {"embedded": urls["gunicorn, baked file (embedded default)"],
                                       "nginx": urls["nginx, generated configuration"]}, baked, args.timeout)
        ctx["publish"] = {"times": times, "missed": missed}
        for key, values in times.items():
            common.say(f"  {key}: p50 {1000 * common.pct(values, 50):.0f} ms, p95 {1000 * common.pct(values, 95):.0f} ms"
                       f"{f', missed {missed[key]}' if missed[key] else ''}")
        procs.stop(worker)
        procs.nginx_stop(*gen_prefix)
        procs.stop(web)
        ctx["logs"] = {name: len(re.findall(r"Traceback|ERROR|CRITICAL", (log / name).read_text(errors="replace")))
                       for name in ("gunicorn.log", "gunicorn-cache.log", "worker.log")}
        common.say(f"errors in the logs: {ctx['logs']}")

        # --- The big city
        if args.items:
            common.say(f"adding {args.items:,} articles")
            load_s = load_items(args.items)
            common.close_connections()
            common.say(f"full rebuild, at most {args.rebuild_limit} s")
            rebuild = full_rebuild(procs, env, args.rebuild_limit)
            common.say(f"  {rebuild}")
            ctx["big"] = {"load_s": load_s, "rebuild": rebuild}
            if args.big_edits:
                ctx["big"]["edits"] = big_column_edits(args.big_edits)

        text = report(args, ctx)
        print(text)
        if args.write:
            common.write_section(args.write, LABEL, text)
    finally:
        procs.stop_all()
        common.close_connections()
        if not args.keep:
            common.drop_db(DB_NAME)
            shutil.rmtree(VAR, ignore_errors=True)


if __name__ == "__main__":
    main()
