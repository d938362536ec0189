"""Link checking: every distinct link target of a crawl (pages, images,
attachments; internal and external) checked once.

The links are gathered while the crawl reads its pages (:func:`record_found`, in the
batch's transaction, so a resumed crawl counts each source once) and checked after
it (:func:`check_run`):

- an internal page the crawl read itself is not fetched again: its result is the
  crawl's own;
- an external link is not checked when ``SUPERVISION_EXTERNAL_LINKS`` is off (a
  machine without an outside network): "not checked", never "broken";
- every other target gets a HEAD, and a GET when the HEAD fails (many servers
  refuse or mishandle HEAD); the GET reads one byte of the body at most;
- a failure the machine itself causes (no DNS, no route) is recorded as not
  checked, with its reason.
"""

from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import CrawlPage, CrawlRun, ItemState, LinkCheck

CHECK_BATCH = 64
NOT_CHECKED_EXTERNAL = "未检查外部链接(本机不访问外部网络)"


def _hash(url):
    from .crawler import url_hash

    return url_hash(url)


def update_rows(model, rows, fields):
    from .crawler import update_rows as update

    update(model, rows, fields)


def record_found(run, scope, found):
    """Add the links of the pages just read (``[(CrawlPage, PageInfo)]``) to the
    run's link rows: new targets created, known ones counted once more per page."""
    seen = {}
    for page, info in found:
        for link in info.links:
            if len(link.url) > 2000:
                continue
            h = _hash(link.url)
            entry = seen.get(h)
            if entry is None:
                seen[h] = entry = {"url": link.url, "kind": link.kind, "text": link.text, "found_on": page.url,
                                   "on_home": page.depth == 0, "sources": 0, "internal": scope.internal(link.url)}
            entry["sources"] += 1
            entry["on_home"] = entry["on_home"] or page.depth == 0
            if not entry["text"] and link.text:
                entry["text"] = link.text
    if not seen:
        return
    existing = {row.url_hash: row for row in LinkCheck.objects.filter(run=run, url_hash__in=list(seen))}
    changed, fresh = [], []
    for h, entry in seen.items():
        row = existing.get(h)
        if row is None:
            fresh.append(LinkCheck(run=run, url=entry["url"], url_hash=h, kind=entry["kind"],
                                   internal=entry["internal"], on_home=entry["on_home"],
                                   found_on=entry["found_on"][:2000], text=entry["text"][:200],
                                   sources=entry["sources"]))
        else:
            row.sources += entry["sources"]
            row.on_home = row.on_home or entry["on_home"]
            if row.kind == "page" and entry["kind"] != "page":
                row.kind = entry["kind"]  # an <img> of the same address says what it is
            changed.append(row)
    if fresh:
        LinkCheck.objects.bulk_create(fresh, ignore_conflicts=True)
    if changed:
        update_rows(LinkCheck, changed, ["sources", "on_home", "kind"])


def check_one(fetcher, url):
    """``(ok, status, error)`` of one link target: HEAD, then GET when HEAD fails."""
    head = fetcher.head(url)
    if head.ok:
        return True, head.status, ""
    if head.error in ("timeout", "dns", "network", "redirect_loop", "too_many_redirects"):
        result = head  # a second request would only wait as long, or loop again
    else:
        result = fetcher.get(url, max_body=1)
    if result.ok:
        return True, result.status, ""
    if result.network_cannot_tell:
        return None, None, result.error_label
    return False, result.status, result.error_label or result.describe()


def _from_crawl(run):
    """The crawl's own result of every page it read: url_hash -> (ok, status, error)."""
    known = {}
    for h, state, status, error in CrawlPage.objects.filter(run=run).exclude(state=ItemState.PENDING).values_list(
            "url_hash", "state", "status_code", "error"):
        if state == ItemState.DONE:
            known[h] = (True, status, "")
        elif state == ItemState.FAILED:
            cannot_tell = error in ("域名无法解析", "本机网络无法访问该地址")
            known[h] = (None if cannot_tell else False, status, error or (f"HTTP {status}" if status else ""))
    return known


def check_run(run, fetcher, scope=None, *, threads=8, budget=None):
    """Check the run's pending links; returns how many were settled."""
    external = getattr(settings, "SUPERVISION_EXTERNAL_LINKS", True)
    known = _from_crawl(run)
    settled = 0
    serial = fetcher.in_process is not None
    pool = None if serial else ThreadPoolExecutor(max_workers=max(1, threads))
    try:
        while budget is None or settled < budget:
            batch = list(run.links.filter(state=ItemState.PENDING).order_by("id")[:CHECK_BATCH])
            if not batch:
                break
            now = timezone.now()
            to_fetch = []
            for row in batch:
                row.checked_at = now
                if row.url_hash in known:
                    row.ok, row.status_code, row.error = known[row.url_hash]
                    row.state = ItemState.DONE
                elif not row.internal and not external:
                    row.ok, row.status_code, row.error, row.state = None, None, NOT_CHECKED_EXTERNAL, ItemState.SKIPPED
                else:
                    to_fetch.append(row)
            urls = [row.url for row in to_fetch]
            if serial:
                results = [check_one(fetcher, url) for url in urls]
            else:
                results = list(pool.map(lambda url: check_one(fetcher, url), urls))
            for row, (ok, status, error) in zip(to_fetch, results):
                row.ok, row.status_code, row.error = ok, status, (error or "")[:300]
                row.state = ItemState.DONE
            with transaction.atomic():
                update_rows(LinkCheck, batch, ["ok", "status_code", "error", "state", "checked_at"])
                CrawlRun.objects.filter(pk=run.pk).update(
                    links_done=run.links.exclude(state=ItemState.PENDING).count(), heartbeat_at=timezone.now())
            settled += len(batch)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return settled
