#!/usr/bin/env python
"""The supervision collectors' crawl and link check of many generated sites on
loopback, side by side with linkchecker on the same sites.

    .venv/bin/python bench/supervision_crawl.py                      # 200 sites x 500 pages
    .venv/bin/python bench/supervision_crawl.py --sites 20 --pages 200 --workers 2
    .venv/bin/python bench/supervision_crawl.py --no-linkchecker

1. A server process serves ``--sites`` generated sites (supervision/tests/corpus.py
   ``generated_site``: columns of 25 articles, each with an image, an attachment,
   a link to its neighbour, one link in fifty broken) each on its own loopback
   address (127.0.x.y), so the per-host bound of the collectors applies per site
   as it would on the Internet.
2. A scratch SQLite database (``--db``) is migrated and the sites are registered as
   independent sites with their watch (depth 5, ``--pages`` + 50 pages, two
   connections per site).
3. ``--workers`` worker processes crawl and link-check the sites (``crawl_site``:
   pages, links, the page checks), each taking every n-th site; each reports its
   pages, links, wall time and peak RSS (getrusage).
4. linkchecker (PyPI ``linkchecker==10.6.0``) is installed into its own virtualenv
   (``--linkchecker-venv``, never into the product's requirements) and run on the
   same sites, as many processes as workers, each site with ``--threads``
   connections; the server answers with the ``LinkChecker`` header and the
   configuration lifts linkchecker's default limit of 10 requests a second per host,
   so both go as fast as the server lets them.

Prints the figures; never fails on a target (10 minutes, 500 MB a worker).
"""

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def address_of(number):
    return f"127.0.{1 + number // 250}.{1 + number % 250}"


# --- The server process ---------------------------------------------------------------

def serve(sites, pages):
    from supervision.tests.corpus import generated_site, server_for

    servers = []
    for number in range(sites):
        server = server_for(generated_site(number, pages), address_of(number), extra_headers={"LinkChecker": "1"})
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.5}, daemon=True).start()
        servers.append(f"http://{address_of(number)}:{server.server_address[1]}/")
    print(json.dumps(servers), flush=True)
    sys.stdin.read()  # until the parent closes our input


# --- Django ----------------------------------------------------------------------------

def setup_django(db_path):
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["SUPERVISION_EXTERNAL_LINKS"] = "false"  # the footers' links to the national sites
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityplatform.settings")
    import django

    django.setup()


def prepare(db_path, urls, pages):
    setup_django(db_path)
    from django.core.management import call_command

    from orgs.models import SiteRecord
    from supervision.tests.corpus import register

    call_command("migrate", verbosity=0)
    SiteRecord.objects.all().delete()
    for number, url in enumerate(urls):
        register(url, f"bench{number}", max_pages=pages + 50, max_depth=5, concurrency=2)


def work(db_path, worker, workers):
    setup_django(db_path)
    from orgs.models import SiteRecord
    from supervision.collect.crawler import crawl_site
    from supervision.models import LinkCheck

    records = list(SiteRecord.objects.order_by("pk"))[worker::workers]
    started = time.monotonic()
    pages = links = broken = 0
    for record in records:
        run = crawl_site(record)
        pages += run.pages_done
        links += run.links_done
        broken += LinkCheck.objects.filter(run=run, ok=False).count()
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"sites": len(records), "pages": pages, "links": links, "broken": broken, "seconds": seconds,
                      "peak_kib": peak}), flush=True)


# --- linkchecker -------------------------------------------------------------------

def linkchecker_install(venv):
    exe = Path(venv) / "bin" / "linkchecker"
    if not exe.exists():
        print(f"installing linkchecker 10.6.0 into {venv} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([str(Path(venv) / "bin" / "pip"), "install", "-q", "linkchecker==10.6.0"], check=True)
    return str(exe)


def lc_work(exe, urls, threads):
    """Run linkchecker on each site in turn; report checked links and errors."""
    config = tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False)
    config.write("[checking]\nmaxrequestspersecond=1000\nrobotstxt=0\n[filtering]\ncheckextern=0\n")
    config.close()
    started = time.monotonic()
    checked = errors = 0
    for url in urls:
        out = subprocess.run([exe, "-f", config.name, "--no-status", "--no-warnings", "-t", str(threads),
                              "-r", "6", "-o", "text", url], capture_output=True, text=True)
        # "That's it. 32 links in 32 URLs checked. 0 warnings found. 1 error found."
        summary = re.search(r"(\d+) URLs? checked.*?(\d+) errors? found", out.stdout)
        if summary:
            checked += int(summary.group(1))
            errors += int(summary.group(2))
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    os.unlink(config.name)
    print(json.dumps({"sites": len(urls), "urls": checked, "errors": errors, "seconds": seconds, "peak_kib": peak}),
          flush=True)


# --- The parent ----------------------------------------------------------------------

def spawn(args):
    return subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT)


def gather(processes):
    results = []
    for process in processes:
        out, _ = process.communicate()
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", default="/tmp/bench_supervision/bench.sqlite3")
    parser.add_argument("--no-linkchecker", action="store_true")
    parser.add_argument("--linkchecker-venv", default="/tmp/bench_linkchecker_venv")
    parser.add_argument("--linkchecker-sites", type=int, default=None, help="run linkchecker on the first N sites only")
    parser.add_argument("--threads", type=int, default=2, help="linkchecker's connections per site")
    # Internal roles of the child processes.
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=int, nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--lc-work", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.sites, args.pages)
    if args.work:
        return work(args.db, *args.work)
    if args.lc_work:
        return lc_work(args.lc_work[0], args.lc_work[1:], args.threads)

    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(args.db + suffix).unlink(missing_ok=True)
    print(f"generating and serving {args.sites} sites x {args.pages} pages ...", flush=True)
    server = subprocess.Popen([sys.executable, __file__, "--serve", "--sites", str(args.sites), "--pages",
                               str(args.pages)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        urls = json.loads(server.stdout.readline())
        print("migrating the scratch database and registering the sites ...", flush=True)
        started = time.monotonic()
        prepare(args.db, urls, args.pages)
        print(f"  ({time.monotonic() - started:.0f} s)", flush=True)
        from django.db import connections

        connections.close_all()

        print(f"crawling with {args.workers} worker processes ...", flush=True)
        started = time.monotonic()
        ours = gather([spawn(["--db", args.db, "--work", str(i), str(args.workers)]) for i in range(args.workers)])
        wall = time.monotonic() - started
        pages = sum(r["pages"] for r in ours)
        links = sum(r["links"] for r in ours)
        print("\nsupervision collectors (crawl + link check + page checks)")
        print(f"  sites {sum(r['sites'] for r in ours)}, pages {pages}, distinct links {links}, "
              f"broken {sum(r['broken'] for r in ours)}")
        print(f"  wall {wall:.1f} s, {pages / wall:.1f} pages/s, "
              f"peak RSS per worker {max(r['peak_kib'] for r in ours) / 1024:.0f} MB "
              "(" + ", ".join(f"{r['peak_kib'] / 1024:.0f}" for r in ours) + ")")

        if not args.no_linkchecker:
            exe = linkchecker_install(args.linkchecker_venv)
            chosen = urls[:args.linkchecker_sites] if args.linkchecker_sites else urls
            print(f"\nlinkchecker 10.6.0 on {len(chosen)} sites, {args.workers} processes, "
                  f"{args.threads} threads a site ...", flush=True)
            started = time.monotonic()
            theirs = gather([spawn(["--threads", str(args.threads), "--lc-work", exe, *chosen[i::args.workers]])
                             for i in range(args.workers)])
            lc_wall = time.monotonic() - started
            checked = sum(r["urls"] for r in theirs)
            print(f"  URLs checked {checked}, errors {sum(r['errors'] for r in theirs)}")
            print(f"  wall {lc_wall:.1f} s, {checked / lc_wall:.1f} URLs/s, "
                  f"peak RSS of a linkchecker process {max(r['peak_kib'] for r in theirs) / 1024:.0f} MB")
    finally:
        server.stdin.close()
        server.wait(10)


if __name__ == "__main__":
    main()
