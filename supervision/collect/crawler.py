"""The crawl of one site within its watch's limits (depth, pages), then its link
check and its page checks.

The frontier is the run's ``CrawlPage`` rows: a page found is a pending row, a page
read is a done (or failed) row, and each batch's results (the pages read, the new
frontier, the links found, the screening hits) are written in one transaction. A
worker killed half-way therefore leaves a consistent run behind: the next worker
whose turn it is sees the run's heartbeat grown old, takes the run over and
continues with the pending rows; (run, url) is unique, so nothing is fetched or
counted twice.

Never overload a site: the fetches of one site go through the fetcher's per-host
bound (the watch's ``concurrency``, two by default), however many crawls run.
"""

import datetime
import hashlib
import logging
import os
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import CrawlPage, CrawlRun, ItemState, RunStatus, SiteWatch
from ..services import watch_for
from . import checks, links
from .fetch import decode, fetcher_for, looks_binary, normalise_url, start_url_of
from .page import analyse

log = logging.getLogger("supervision")

BATCH = 32  # pages fetched between two writes (and heartbeats)
RETRY_PAUSE = 0.5  # seconds before a page's second try


def stale_after():
    """Seconds after which a running crawl's silent runner is taken to be dead."""
    return float(getattr(settings, "SUPERVISION_RUN_STALE_SECONDS", 600))


def update_rows(model, rows, fields):
    """``bulk_update`` without its per-row CASE expressions: one UPDATE by primary
    key, sent with executemany (the crawl writes thousands of rows a minute)."""
    if not rows:
        return
    from django.db import connections, router

    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    sql = (f"UPDATE {quote(meta.db_table)} SET " + ", ".join(f"{quote(c.column)} = %s" for c in columns)
           + f" WHERE {quote(meta.pk.column)} = %s")
    params = [[c.get_db_prep_save(getattr(row, c.attname), connection) for c in columns] + [row.pk] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def url_hash(url):
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


def is_held(run, now=None):
    """Whether a live worker holds ``run`` (its heartbeat is recent and it has not
    let the run go at the end of its budget)."""
    now = now or timezone.now()
    return bool(run.runner and run.heartbeat_at and (now - run.heartbeat_at).total_seconds() < stale_after())


def runner_name():
    return f"{socket.gethostname()[:20]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:40]


class Scope:
    """Which addresses belong to the site: its host (either scheme), under the start
    address's directory, not under another hosted site's path. A home page that
    redirects (to https, to www., to /index.html) adds where it lands."""

    def __init__(self, start_url, *also):
        self.bases = []
        self.hosts = set()
        for url in (start_url, *also):
            if url:
                self.add(url)

    def add(self, url):
        parts = urlsplit(url)
        path = parts.path or "/"
        prefix = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
        # On one machine every hosted site lives under /s/<slug>/ of the platform's
        # address: the default site's crawl must not wander into the others'. The
        # machine interfaces (/api/, their documentation) are no page of the site's
        # content: a unit could not give them its footer; links to them are still checked.
        excluded = ("/s/", "/admin/", "/django-admin/", "/api/") if prefix == "/" else ()
        self.bases.append((parts.netloc.lower(), prefix, excluded))
        self.hosts.add((parts.hostname or "").lower())

    def internal(self, url):
        try:
            return (urlsplit(url).hostname or "").lower() in self.hosts
        except ValueError:
            return False

    def crawlable(self, url):
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        netloc, path = parts.netloc.lower(), parts.path or "/"
        return any(netloc == base and path.startswith(prefix) and not path.startswith(excluded)
                   for base, prefix, excluded in self.bases)


# --- Taking a run ---------------------------------------------------------------------

@transaction.atomic
def take_run(record, watch, runner, *, now=None):
    """The running crawl of ``record`` taken by ``runner`` (a new one if none runs),
    or None when another runner is alive on it."""
    now = now or timezone.now()
    # The watch row is the site's lock: two workers never start two runs of one site.
    SiteWatch.objects.select_for_update().filter(pk=watch.pk).first()
    run = CrawlRun.objects.select_for_update().filter(record=record, status=RunStatus.RUNNING).first()
    if run is not None:
        if is_held(run, now) and run.runner != runner:
            return None
        if run.runner != runner:
            log.info("crawl %s of %s taken over from %s", run.pk, record, run.runner or "nobody")
        run.runner, run.heartbeat_at = runner, now
        run.save(update_fields=["runner", "heartbeat_at"])
        return run
    start = start_url_of(record, watch)
    run = CrawlRun.objects.create(record=record, start_url=start or "", max_pages=watch.max_pages,
                                  max_depth=watch.max_depth, started_at=now, heartbeat_at=now, runner=runner)
    target = normalise_url(start or "")
    if not target:
        run.status, run.finished_at, run.error = RunStatus.UNREACHABLE, now, f"监测地址无效:{start or '(空)'}"
        run.save(update_fields=["status", "finished_at", "error"])
        return run
    CrawlPage.objects.create(run=run, url=target, url_hash=url_hash(target), depth=0)
    return run


def _beat(run):
    run.heartbeat_at = timezone.now()
    CrawlRun.objects.filter(pk=run.pk).update(heartbeat_at=run.heartbeat_at)


# --- Reading one page -----------------------------------------------------------------

def transient(fetched):
    """A failure worth one retry: a dropped connection or an overloaded server."""
    return fetched.error in ("connect", "protocol") or fetched.status in (502, 503, 504)


def read_page(fetcher, url, *, is_home=False, today=None):
    """``(fetched, info, text, note)``: the fetch and, for a readable HTML page, its
    analysis. Runs in a worker thread: no database."""
    fetched = fetcher.get(url)
    if transient(fetched):  # one more try, a moment later: a busy server is not a broken page
        time.sleep(RETRY_PAUSE)
        fetched = fetcher.get(url)
    if not fetched.reached or not fetched.body or not fetched.is_html:
        return fetched, None, "", ""
    if looks_binary(fetched.body):
        return fetched, None, "", "内容不是可读的网页(二进制数据)"
    try:
        text, encoding, note = decode(fetched.body, fetched.content_type)
        fetched.declared_encoding = encoding
        info = analyse(text, fetched.final_url or url, today=today, is_home=is_home)
    except Exception as exc:  # a page nothing can read is recorded as such; the crawl goes on
        log.warning("page %s could not be read: %s", url, exc)
        return fetched, None, "", f"页面无法解析({type(exc).__name__})"
    return fetched, info, text, note


def _fill(page, fetched, info, note):
    page.fetched_at = timezone.now()
    page.status_code = fetched.status
    page.final_url = (fetched.final_url or "")[:2000]
    page.content_type = fetched.content_type[:100]
    page.encoding = (fetched.declared_encoding or "")[:30] if info is not None else ""
    page.size = len(fetched.body)
    page.elapsed_ms = fetched.elapsed_ms
    problems = [p for p in (fetched.error_label, note) if p]
    if fetched.truncated:
        problems.append(f"页面超过{settings.SUPERVISION_MAX_BODY}字节,只读取了开头")
    page.error = ";".join(problems)[:300]
    page.state = ItemState.DONE if fetched.reached and fetched.status < 400 and not fetched.error else ItemState.FAILED
    if info is None:
        return
    page.title = info.title[:500]
    page.fingerprint = info.fingerprint
    page.pub_date, page.date_source = info.pub_date, info.date_source
    page.column = info.column[:200]
    page.is_listing = info.is_listing
    page.listing_newest, page.listing_items = info.listing_newest, info.listing_items
    page.meta = dict(info.meta)
    if info.search_form:
        page.meta["_search_form"] = info.search_form
    if info.newest_date:
        page.meta["_newest_date"] = info.newest_date.isoformat()
    if info.is_article:
        page.meta["_article"] = True
    page.footer = dict(info.footer)


# --- The crawl ------------------------------------------------------------------------

def crawl_pages(run, fetcher, scope, *, budget=None, threads=2, progress=None):
    """Read the run's pending pages, batch by batch; False when the budget ran out
    before the frontier did."""
    fields = ["state", "fetched_at", "status_code", "final_url", "content_type", "encoding", "size", "elapsed_ms",
              "error", "title", "fingerprint", "pub_date", "date_source", "column", "is_listing", "listing_newest",
              "listing_items", "meta", "footer"]
    today = timezone.localdate()
    serial = fetcher.in_process is not None
    pool = None if serial else ThreadPoolExecutor(max_workers=max(1, threads))
    done = 0
    try:
        while True:
            size = BATCH if budget is None else min(BATCH, budget - done)
            if size <= 0:  # the budget is spent: done if nothing is left anyway
                return not run.pages.filter(state=ItemState.PENDING).exists()
            batch = list(run.pages.filter(state=ItemState.PENDING).order_by("depth", "id")[:size])
            if not batch:
                return True
            work = [(p.url, p.depth == 0) for p in batch]
            if serial:
                results = [read_page(fetcher, url, is_home=home, today=today) for url, home in work]
            else:
                results = list(pool.map(lambda item: read_page(fetcher, item[0], is_home=item[1], today=today), work))
            with transaction.atomic():
                found = []
                texts = {}
                for page, (fetched, info, _text, note) in zip(batch, results):
                    _fill(page, fetched, info, note)
                    if page.depth == 0 and page.final_url and page.final_url != page.url:
                        scope.add(page.final_url)  # the home page redirected: where it landed is the site too
                    if info is not None:
                        found.append((page, info))
                        texts[page.url] = info.text
                update_rows(CrawlPage, batch, fields)
                _extend_frontier(run, scope, found)
                links.record_found(run, scope, found)
                checks.screen_pages(run, texts)
                home = next((p for p in batch if p.depth == 0), None)
                if home is not None and home.state == ItemState.FAILED:
                    _unreachable(run, home)
                run.pages_done = run.pages.exclude(state=ItemState.PENDING).count()
                run.heartbeat_at = timezone.now()
                CrawlRun.objects.filter(pk=run.pk).update(pages_done=run.pages_done, heartbeat_at=run.heartbeat_at)
            done += len(batch)
            if progress is not None:
                progress(run)
            if run.status == RunStatus.UNREACHABLE:
                return True
    finally:
        if pool is not None:
            pool.shutdown(wait=True)


def _unreachable(run, home):
    run.status, run.finished_at = RunStatus.UNREACHABLE, timezone.now()
    run.error = f"首页无法访问:{home.error or ('HTTP %s' % home.status_code)}"[:1000]
    CrawlRun.objects.filter(pk=run.pk).update(status=run.status, finished_at=run.finished_at, error=run.error)


def _extend_frontier(run, scope, found):
    """New pending pages for the in-scope page links of the pages just read, within
    the run's depth and page limits (checked against the rows, so a resumed run
    keeps the same limits)."""
    candidates = {}
    for page, info in found:
        if page.depth >= run.max_depth:
            continue
        for link in info.links:
            if link.kind == "page" and scope.crawlable(link.url):
                candidates.setdefault(url_hash(link.url), (link.url, page.depth + 1))
    if not candidates:
        return
    known = set(run.pages.filter(url_hash__in=list(candidates)).values_list("url_hash", flat=True))
    room = run.max_pages - run.pages.count()
    fresh = [CrawlPage(run=run, url=url[:2000], url_hash=h, depth=depth)
             for h, (url, depth) in candidates.items() if h not in known and len(url) <= 2000]
    if room > 0 and fresh:
        CrawlPage.objects.bulk_create(fresh[:room], ignore_conflicts=True)


# --- One site, start to end -----------------------------------------------------------

def crawl_site(record, *, watch=None, runner=None, budget=None, fetcher=None, now=None, progress=None):
    """Start or resume the crawl of ``record``: pages, then links, then the page
    checks. Returns the run (None when another live worker holds it). ``budget``
    bounds the pages read by this call; the run is then left running, to be resumed.
    ``progress(run)`` is called after each batch of pages."""
    watch = watch or watch_for(record)
    runner = runner or runner_name()
    run = take_run(record, watch, runner, now=now)
    if run is None or run.status != RunStatus.RUNNING:
        return run
    own = fetcher is None
    fetcher = fetcher or fetcher_for(record, watch)
    try:
        home = run.pages.filter(depth=0).first()
        scope = Scope(run.start_url, home.final_url if home is not None else "")
        if not crawl_pages(run, fetcher, scope, budget=budget, threads=watch.concurrency, progress=progress):
            CrawlRun.objects.filter(pk=run.pk, runner=runner).update(runner="")  # free for the next call
            run.runner = ""
            return run
        run.refresh_from_db()
        if run.status != RunStatus.RUNNING:
            return run
        links.check_run(run, fetcher, scope)
        _beat(run)
        checks.run_checks(run, fetcher, watch)
        finish(run)
    except Exception as exc:  # a bug must not leave the run looking alive forever
        log.exception("crawl %s of %s failed", run.pk, record)
        CrawlRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now(),
                                                  error=f"{type(exc).__name__}: {exc}"[:1000])
        run.refresh_from_db()
    finally:
        if own:
            fetcher.close()
    return run


def finish(run):
    run.status, run.finished_at = RunStatus.DONE, timezone.now()
    run.pages_done = run.pages.exclude(state=ItemState.PENDING).count()
    run.links_done = run.links.exclude(state=ItemState.PENDING).count()
    run.save(update_fields=["status", "finished_at", "pages_done", "links_done"])


def latest_run(record, until=None):
    """The newest finished crawl of ``record`` (done or unreachable), up to ``until``."""
    runs = CrawlRun.objects.filter(record=record, status__in=[RunStatus.DONE, RunStatus.UNREACHABLE])
    if until is not None:
        end = timezone.make_aware(datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time()))
        runs = runs.filter(started_at__lt=end)
    return runs.order_by("-started_at", "-id").first()

