"""Baking published pages into the publish root (发布即静态化).

A change is noted as it commits (:func:`note_page_change`, :func:`note_site_change`):
the files that showed the old state are withdrawn at once, so nothing stale is ever
served (nginx and the embedded server fall back to the application, which renders
the current state), and a ``PendingBake`` row asks the worker to bake them again.
The worker's :func:`bake_pending` re-bakes exactly what the change affects:

- the page's own files (a column's every listing page and its feed);
- its ancestors' (the columns that list it, the site's home page);
- the columns of other sites it is placed in (``also_in``) and their ancestors;
- the documents that link to it (amendments, interpretations, earlier versions);
- every page of the site when it is one of the site's menu columns (the menu is on
  every page), and a column's whole subtree (its title is in their breadcrumbs);
- the site's sitemap.

A rendering that fails leaves the previous file in place and is reported
(``BakeProblem``); an address that is gone (unpublished, moved, restricted) loses
its file. Every file is written beside its place and renamed over it, so a reader
or a crash never sees half a file; its keyed digest is recorded first
(``BakedFile``), and each tree's signed manifest is rewritten after the batch.
"""

import hashlib
import hmac
import json
import logging
import os
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .layout import MANIFEST, SERVING, SITES, STATIC, file_in_site, publish_root, public_url, tree
from .models import BakedFile, BakeProblem, FileKind, PendingBake

log = logging.getLogger("delivery")

TMP_SUFFIX = ".bake-tmp"


# --- Rendering for others --------------------------------------------------------

def render_address(url, hostname):
    """``(status, content, content_type, location)`` of ``url`` (path and query) of the
    site at ``hostname``, rendered in-process as a reader would be served: how the
    supervision collectors read hosted sites on a machine with no network."""
    from .render import render

    rendered = render(url, hostname)
    return rendered.status, rendered.content, rendered.content_type, rendered.location


# --- Keys and digests ----------------------------------------------------------

def _key():
    return hashlib.sha256(("delivery.manifest:" + settings.SECRET_KEY).encode()).digest()


def digest(content):
    """The keyed hash (HMAC-SHA256) of a file's bytes: without the platform's secret
    nobody can write a file and a manifest entry that agree."""
    return hmac.new(_key(), content, hashlib.sha256).hexdigest()


def sign(files):
    body = json.dumps(files, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(_key(), b"manifest:" + body, hashlib.sha256).hexdigest()


# --- Sites ------------------------------------------------------------------------

@dataclass(frozen=True)
class SiteInfo:
    id: int
    hostname: str
    is_default: bool
    root_id: int
    root_path: str
    root_url_path: str


def sites():
    from wagtail.models import Site

    return {s.pk: SiteInfo(s.pk, s.hostname, s.is_default_site, s.root_page_id, s.root_page.path,
                           s.root_page.url_path)
            for s in Site.objects.select_related("root_page")}


def default_site(all_sites):
    """The site answering the platform's own address: the default Wagtail site, and
    of several so marked (Wagtail's own placeholder beside the portal) the one the
    platform registered."""
    from orgs.models import SiteRecord

    defaults = sorted((s for s in all_sites.values() if s.is_default), key=lambda s: s.id)
    registered = set(SiteRecord.objects.filter(site_id__in=[s.id for s in defaults]).values_list("site_id", flat=True))
    return next((s for s in defaults if s.id in registered), defaults[0] if defaults else None)


def site_of(page, all_sites):
    best = None
    for info in all_sites.values():
        if page.path.startswith(info.root_path) and (best is None or len(info.root_path) > len(best.root_path)):
            best = info
    return best


def address_of(page, info):
    """The page's path within its site ('/' for the home page)."""
    return page.url_path[len(info.root_url_path) - 1:]


# --- Targets ----------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    site_id: int
    kind: str
    address: str
    page_id: int | None = None
    page_number: int = 1

    def path(self, info):
        return f"{tree(info.hostname)}/{file_in_site(self.kind, self.address, self.page_number)}"


def _page_targets(page, info):
    from portal.models import ColumnPage

    address = address_of(page, info)
    targets = [Target(info.id, FileKind.PAGE, address, page.pk)]
    if page.specific_class is not None and issubclass(page.specific_class, ColumnPage):
        targets.append(Target(info.id, FileKind.FEED, address + "rss/", page.pk))
    return targets


def _site_targets(info):
    return [Target(info.id, FileKind.SITEMAP, "/sitemap.xml"), Target(info.id, FileKind.NOT_FOUND, "/404.html"),
            Target(info.id, FileKind.UNAVAILABLE, "/503.html")]


def _unavailable_page(info):
    """What nginx shows for an address only the application answers while it is down."""
    from django.template.loader import render_to_string

    from orgs.models import SiteRecord

    name = SiteRecord.objects.filter(site_id=info.id).values_list("name", flat=True).first() or ""
    return render_to_string("503.html", {"site_name": name, "message": "网站的查询、办事和互动功能正在维护,已发布的页面仍可浏览。"})


def _public_live(queryset):
    return queryset.live().public()


# Reasons that name a column only because its list of items changed (an item moved
# away or deleted): its own listing and its ancestors, not its subtree or menu.
LISTING_REASONS = ("moved-from", "child-deleted")


def affected_pages(page, all_sites, *, listing_only=False):
    """The pages whose files show ``page``: itself, what lists or links it (see the
    module's docstring). Pages of other sites included. ``listing_only``: the page
    is a column whose items changed, not the column itself."""
    from wagtail.models import Page

    from disclosure.queries import pages_linking_to
    from portal.models import ColumnPage, ContentPage

    info = site_of(page, all_sites)
    if info is None:
        return [], set()
    pages = OrderedDict()
    whole_sites = set()

    def add(p):
        pages.setdefault(p.pk, p)

    add(page)
    ancestors = Page.objects.ancestor_of(page).filter(depth__gte=_depth_of(info))
    for ancestor in ancestors.order_by("-depth"):
        add(ancestor)
    specific = page.specific_class
    if page.depth == _depth_of(info) and not listing_only:
        whole_sites.add(info.id)  # the site's home: its tagline is in every page's header
    if specific is not None and issubclass(specific, ColumnPage) and not listing_only:
        if page.depth == _depth_of(info) + 1:
            whole_sites.add(info.id)  # a menu column: the menu is on every page of the site
        for descendant in Page.objects.descendant_of(page):
            add(descendant)
    if specific is not None and issubclass(specific, ContentPage):
        placed = ColumnPage.objects.filter(placed_items__pk=page.pk)
        for column in placed:
            add(column)
            for ancestor in Page.objects.ancestor_of(column).filter(depth__gte=2).order_by("-depth"):
                if site_of(ancestor, all_sites) is not None:
                    add(ancestor)
        for linked in pages_linking_to(page):
            add(linked)
    return list(pages.values()), whole_sites


def _depth_of(info):
    from wagtail.models import Page

    return len(info.root_path) // Page.steplen


# --- Noting changes (in the request that makes them) -------------------------------

def note_page_change(*, page_id, reason):
    """A page was published, unpublished, moved or edited: ask the worker to bake
    what shows it (a row written with the change, so a crash after the commit loses
    nothing), and withdraw those files once the change commits."""
    _note(page_id=page_id, site_id=None, reason=reason)


def note_site_change(*, site_id, reason):
    _note(page_id=None, site_id=site_id, reason=reason)


def _note(*, page_id, site_id, reason):
    from wagtail.models import Page, Site

    if not settings.PLATFORM_BAKE:
        return
    if site_id is not None and not Site.objects.filter(pk=site_id).exists():
        return  # a site being deleted: its files go with its records
    if page_id is not None and not Page.objects.filter(pk=page_id).exists():
        return
    noted_at = timezone.now()
    PendingBake.objects.create(page_id=page_id, site_id=site_id, reason=reason)
    transaction.on_commit(lambda: _committed(page_id=page_id, site_id=site_id, reason=reason, noted_at=noted_at))


def _committed(*, page_id, site_id, reason, noted_at):
    """Withdraw the files that show the state before the change (not those a bake
    wrote since: it rendered the new state), then wake the worker."""
    from wagtail.models import Page

    try:
        older = BakedFile.objects.filter(baked_at__lt=noted_at)
        if page_id is not None:
            page = Page.objects.filter(pk=page_id).first()
            if page is not None:
                all_sites = sites()
                pages, whole = affected_pages(page, all_sites, listing_only=reason in LISTING_REASONS)
                withdraw(older.filter(page_id__in=[p.pk for p in pages]))
                if (info := site_of(page, all_sites)) is not None:
                    withdraw(older.filter(site_id=info.id, kind=FileKind.SITEMAP))
                for sid in whole:
                    withdraw(older.filter(site_id=sid).exclude(kind__in=(FileKind.NOT_FOUND, FileKind.UNAVAILABLE)))
        else:
            withdraw(older.filter(site_id=site_id).exclude(kind__in=(FileKind.NOT_FOUND, FileKind.UNAVAILABLE)))
    except Exception:  # the change itself is committed; the bake sorts the files out
        log.exception("withdrawing baked files failed (page %s, site %s)", page_id, site_id)
    _enqueue()


def _enqueue():
    from .tasks import bake_pending_task

    try:
        bake_pending_task.delay()
    except Exception:  # the broker is away: the sweep bakes the rows later
        log.warning("the bake could not be queued; the sweep will pick it up", exc_info=True)


def withdraw(files):
    """Remove files from the publish root: their rows first (the watcher then knows
    their absence is meant), the files once that commits (a change rolled back
    leaves them in place, with their rows)."""
    rows = list(files.values_list("pk", "path"))
    if not rows:
        return 0
    BakedFile.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    paths = [path for _pk, path in rows]
    transaction.on_commit(lambda: _unlink(paths))
    return len(rows)


def _unlink(paths):
    root = publish_root()
    for path in paths:
        try:
            (root / path).unlink()
        except FileNotFoundError:
            pass


def withdraw_subtree(page):
    """Before a page is deleted: its files and its descendants' go with it."""
    from wagtail.models import Page

    ids = Page.objects.filter(path__startswith=page.path).values("pk")
    return withdraw(BakedFile.objects.filter(page_id__in=ids))


# --- Baking --------------------------------------------------------------------------

@dataclass
class BakeReport:
    written: list
    removed: list
    failed: list

    def merge(self, other):
        self.written += other.written
        self.removed += other.removed
        self.failed += other.failed


def bake_pending(*, limit=500):
    """Bake what the noted changes affect. Returns a report of the files written,
    removed and failed."""
    from wagtail.models import Page

    report = BakeReport([], [], [])
    rows = list(PendingBake.objects.exclude(reason__in=DEFERRED).order_by("pk")[:limit])
    if not rows:
        return _bake_deep_listings(limit=max(1, limit // 50))
    all_sites = sites()
    pages = OrderedDict()
    whole_sites = set()
    gone = set()
    for row in rows:
        if row.site_id is not None:
            whole_sites.add(row.site_id)
        if row.page_id is None:
            continue
        page = Page.objects.filter(pk=row.page_id).first()
        if page is None:
            continue
        affected, whole = affected_pages(page, all_sites, listing_only=row.reason in LISTING_REASONS)
        whole_sites |= whole
        for p in affected:
            pages.setdefault(p.pk, p)
        if not (page.live and _is_public(page)):
            gone.add(page.pk)
    # What is no longer public loses its files, with its subtree.
    for pk in gone:
        page = pages[pk]
        report.removed += _remove_rows(BakedFile.objects.filter(page__path__startswith=page.path))
    for sid in whole_sites:
        info = all_sites.get(sid)
        if info is None:
            continue
        for page in _public_live(Page.objects.filter(path__startswith=info.root_path)).order_by("path"):
            pages.setdefault(page.pk, page)
    report.merge(bake_pages(list(pages.values()), all_sites, site_files=False, deep=False))
    # The sitemaps of the sites whose own pages changed, after every other change (a
    # big site's sitemap takes a while); a whole site's 404 page now.
    own_sites = {s.id for r in rows if r.page_id and (p := pages.get(r.page_id)) and (s := site_of(p, all_sites))}
    for sid in own_sites | whole_sites:
        if sid in all_sites:
            if not PendingBake.objects.filter(site_id=sid, reason=SITEMAP).exists():
                PendingBake.objects.create(site_id=sid, reason=SITEMAP)
            if sid in whole_sites:
                report.merge(site_files_bake(all_sites[sid], sitemap=False))
            manifest_write(all_sites[sid].hostname)
    PendingBake.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return report


def _bake_deep_listings(*, limit):
    """The further pages of the columns a change re-baked (page 2 onwards): after every
    other change, as they are many (a 10,000-item column has 500) and each of them
    is answered by the application meanwhile."""
    from wagtail.models import Page

    report = BakeReport([], [], [])
    rows = list(PendingBake.objects.filter(reason__in=DEFERRED).order_by("pk")[:limit])
    if not rows:
        return report
    all_sites = sites()
    ids = list(dict.fromkeys(r.page_id for r in rows if r.page_id and r.reason == DEEP_LISTING))
    pages = [p for p in Page.objects.filter(pk__in=ids).order_by("path") if p.live]
    report.merge(bake_pages(pages, all_sites, site_files=False, deep=True))
    for sid in dict.fromkeys(r.site_id for r in rows if r.reason == SITEMAP):
        if sid in all_sites:
            report.merge(site_files_bake(all_sites[sid], not_found=False))
            manifest_write(all_sites[sid].hostname)
    PendingBake.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return report


def _is_public(page):
    from wagtail.models import PageViewRestriction

    return not PageViewRestriction.objects.filter(page__path__in=_prefixes(page.path)).exists()


def _prefixes(path):
    return [path[:i] for i in range(4, len(path) + 1, 4)]


# Work a change leaves for after every other change: a column's further listing
# pages, a site's sitemap (the application answers them meanwhile).
DEEP_LISTING = "listing-pages"
SITEMAP = "sitemap"
DEFERRED = (DEEP_LISTING, SITEMAP)


def bake_pages(pages, all_sites, *, extra_sites=(), site_files=True, finish=True, deep=True):
    """Bake every file of ``pages`` (their own files, every listing page of a column)
    and, with ``site_files``, the sitemaps and 404 pages of their sites and of
    ``extra_sites``; with ``finish``, the manifests of the trees touched. Without
    ``deep``, a column's pages from 2 on are left to a later bake (a ``PendingBake``
    of their own, :func:`_bake_deep_listings`)."""
    report = BakeReport([], [], [])
    trees = set()
    kept = {}
    # The pages first (a reader's next click), then the listings' further pages.
    later = []
    for page in pages:
        info = site_of(page, all_sites)
        if info is None:
            continue
        trees.add(info.hostname)
        kept[page.pk] = paths = []
        for target in _page_targets(page, info):
            outcome, listing_pages = _bake_one(target, info, report)
            if outcome != "removed":
                paths.append(target.path(info))
            if outcome == "written" and target.kind == FileKind.PAGE and listing_pages > 1:
                later.append((page, info, listing_pages))
    if not deep:
        for page, _info, _count in later:
            PendingBake.objects.create(page_id=page.pk, reason=DEEP_LISTING)
        # Only the first pages were baked: the further ones stay until their own bake.
        for page, info, _count in later:
            kept[page.pk] += list(BakedFile.objects.filter(page_id=page.pk, page_number__gt=1)
                                  .values_list("path", flat=True))
        later = []
    for page, info, count in later:
        address = address_of(page, info)
        for number in range(2, count + 1):
            target = Target(info.id, FileKind.PAGE, address, page.pk, number)
            if _bake_one(target, info, report)[0] != "removed":
                kept[page.pk].append(target.path(info))
    # Files of these pages at addresses they no longer have (a move; fewer listing pages).
    for page_id, paths in kept.items():
        report.removed += _remove_rows(BakedFile.objects.filter(page_id=page_id).exclude(path__in=paths))
    if site_files:
        for sid in {s.id for s in all_sites.values() if s.hostname in trees} | set(extra_sites):
            info = all_sites.get(sid)
            if info is None:
                continue
            trees.add(info.hostname)
            for target in _site_targets(info):
                _bake_one(target, info, report)
    if finish:
        try:
            for hostname in trees:
                manifest_write(hostname)
            serving_write(all_sites)
        except OSError as exc:  # out of disk: the files are in place, the manifest follows next time
            log.error("writing the manifests failed: %s", exc)
            BakeProblem.objects.create(address="manifest", error=f"写入清单失败:{exc}"[:2000])
    return report


def site_files_bake(info, not_found=True, sitemap=True):
    """A site's sitemap and its 404 page."""
    report = BakeReport([], [], [])
    for target in _site_targets(info):
        if (not_found if target.kind in (FileKind.NOT_FOUND, FileKind.UNAVAILABLE) else sitemap):
            _bake_one(target, info, report)
    return report


def bakeable_pages(info):
    """The live, public pages of a site, in tree order."""
    from wagtail.models import Page

    return _public_live(Page.objects.filter(path__startswith=info.root_path)).order_by("path")


_shared_headers = {}


def serving_write(all_sites, *, force=False):
    """``serving.json``: what the embedded server needs without a database (the
    default site, the hosts with a tree, the headers of a public page), signed like
    the manifests so that the server and the watcher refuse one written by hand."""
    from .render import SHARED_HEADERS

    path = publish_root() / SERVING
    previous = serving_read()  # None unless signed by the platform
    default = (default_site(all_sites) or SiteInfo(0, "", True, 0, "", "")).hostname
    headers = dict(_shared_headers) or (previous or {}).get("headers")
    if not headers and default:
        # No page rendered in this process (a rebuild by forked processes): ask one.
        from .render import render

        headers = render("/", default).headers if settings.PLATFORM_PATH_SITES else {}
    data = {"default": default, "hosts": sorted(s.hostname for s in all_sites.values()),
            "headers": {k: v for k, v in (headers or {}).items() if k in SHARED_HEADERS}}
    if force or data != previous:
        replace_file(path, json.dumps(dict(data, signature=sign(data)), ensure_ascii=False,
                                      sort_keys=True).encode())


def serving_read():
    """The content of ``serving.json`` when its signature holds, else None."""
    try:
        data = json.loads((publish_root() / SERVING).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    signature = str(data.pop("signature", ""))
    return data if hmac.compare_digest(signature, sign(data)) else None


def serving_check():
    """None when ``serving.json`` is absent or signed; else what is wrong."""
    path = publish_root() / SERVING
    if not path.exists() and not os.path.islink(path):
        return None
    if os.path.islink(path) or serving_read() is None:
        return "signature"
    return None


def _bake_one(target, info, report):
    """Render one target and put it in place. Returns (outcome, listing pages)."""
    from .render import render

    if target.kind == FileKind.UNAVAILABLE:
        content = _unavailable_page(info).encode()
        path = target.path(info)
        try:
            _write(path, content, target, info)
        except OSError as exc:
            _problem(target, info, path, f"写入失败:{exc}")
            report.failed.append(path)
            return "failed", 1
        report.written.append(path)
        return "written", 1
    url = public_url(info.hostname, info.is_default, target.address, target.page_number)
    if target.kind == FileKind.NOT_FOUND:
        url = public_url(info.hostname, info.is_default, "/__not-found__/")
    path = target.path(info)
    try:
        rendered = render(url, info.hostname)
    except Exception as exc:  # noqa: BLE001 - any failure of one page is reported, the rest go on
        log.exception("baking %s failed", url)
        _problem(target, info, url, f"{type(exc).__name__}: {exc}")
        report.failed.append(path)
        return "failed", 1
    if target.kind == FileKind.NOT_FOUND:
        ok = rendered.status == 404 and rendered.plain
    elif target.kind == FileKind.SITEMAP:
        ok = rendered.status == 200 and rendered.plain
    else:
        ok = rendered.cacheable
    if ok:
        if target.kind == FileKind.PAGE:
            _shared_headers.clear()
            _shared_headers.update(rendered.headers)
        try:
            _write(path, rendered.content, target, info)
        except OSError as exc:  # out of disk, say: the previous file stays
            _problem(target, info, url, f"写入失败:{exc}")
            report.failed.append(path)
            return "failed", 1
        report.written.append(path)
        return "written", rendered.listing_pages
    if rendered.status >= 500:
        _problem(target, info, url, rendered.error or f"HTTP {rendered.status}")
        report.failed.append(path)
        return "failed", 1
    # Gone, restricted, redirected or not a page the address names: the application answers it.
    report.removed += _remove_rows(BakedFile.objects.filter(path=path))
    return "removed", 1


def _problem(target, info, url, error):
    BakeProblem.objects.create(address=url, site_id=info.id, page_id=target.page_id, error=error[:2000])


def replace_file(final, content, before_rename=None):
    """Put ``content`` at ``final`` whole: written beside it (a dot-file the watcher and
    the web servers ignore), then renamed over it. ``before_rename`` runs in between
    (recording the new digest, so the watcher finds it when the file appears)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name("." + final.name + TMP_SUFFIX)
    try:
        with open(temporary, "wb") as fh:
            fh.write(content)
        if before_rename is not None:
            before_rename()
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


def record_file(path, content, *, kind, site_id=None, page_id=None, address="", page_number=1):
    BakedFile.objects.update_or_create(path=path, defaults={
        "kind": kind, "site_id": site_id, "page_id": page_id, "address": address, "page_number": page_number,
        "digest": digest(content), "size": len(content), "baked_at": timezone.now()})


def _write(path, content, target, info):
    replace_file(publish_root() / path, content, lambda: record_file(
        path, content, kind=target.kind, site_id=info.id, page_id=target.page_id, address=target.address,
        page_number=target.page_number))


def _remove_rows(queryset):
    rows = list(queryset.values_list("path", flat=True))
    withdraw(queryset)
    return rows


# --- Static files ----------------------------------------------------------------------

def static_copy():
    """Copy the collected static files (STATIC_ROOT) into the publish root's static
    tree, recording each like a baked file; files no longer collected are removed."""
    source = Path(settings.STATIC_ROOT)
    root = publish_root()
    seen = set()
    existing = dict(BakedFile.objects.filter(kind=FileKind.STATIC).values_list("path", "digest"))
    written = 0
    for dirpath, _dirs, files in os.walk(source):
        for name in files:
            if name.startswith("."):
                continue
            full = Path(dirpath) / name
            relative = f"{STATIC}/{full.relative_to(source).as_posix()}"
            seen.add(relative)
            content = full.read_bytes()
            value = digest(content)
            if existing.get(relative) == value and (root / relative).exists():
                continue
            replace_file(root / relative, content, lambda: record_file(
                relative, content, kind=FileKind.STATIC, address="/" + relative))
            written += 1
    withdraw(BakedFile.objects.filter(kind=FileKind.STATIC).exclude(path__in=seen))
    manifest_write(None)
    return written


# --- Manifests ------------------------------------------------------------------------------

def manifest_path(hostname):
    """A tree's manifest: ``sites/<host>/.manifest.json`` or ``static/.manifest.json``."""
    return publish_root() / (tree(hostname) if hostname else STATIC) / ("." + MANIFEST)


def manifest_files(hostname):
    prefix = (tree(hostname) if hostname else STATIC) + "/"
    return dict(BakedFile.objects.filter(path__startswith=prefix).values_list("path", "digest"))


def manifest_body(hostname):
    files = manifest_files(hostname)
    return json.dumps({"tree": hostname or STATIC, "files": files, "signature": sign(files)},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def manifest_write(hostname):
    """Write a tree's signed manifest from the recorded digests."""
    replace_file(manifest_path(hostname), manifest_body(hostname))


def manifest_check(hostname):
    """None when the tree's manifest is signed and agrees with the records, else what is wrong."""
    path = manifest_path(hostname)
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return "missing"
    except (ValueError, OSError):
        return "unreadable"
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return "unreadable"
    if not hmac.compare_digest(str(data.get("signature", "")), sign(data["files"])):
        return "signature"
    if data["files"] != manifest_files(hostname):
        return "stale"
    return None


def trees():
    """The host names of the trees in the publish root (from the records and the disk)."""
    names = {s.hostname for s in sites().values()}
    base = publish_root() / SITES
    if base.is_dir():
        names |= {p.name for p in base.iterdir() if p.is_dir()}
    return sorted(names)
