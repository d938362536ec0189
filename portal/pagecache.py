"""Published pages kept ready for anonymous readers.

A published page is the same for every reader (no per-user content and no CSRF
token), so the first anonymous request of a page renders it and the next ones get
the stored copy. This is the in-process half of DESIGN's "baked and cached"
delivery: the platform's own cache (Redis in production, files in the embedded
default) holds the rendered pages.

Keeping it true: every stored page is filed under the current *generation*. Any
change that can alter a public page (a page published, unpublished, moved or
deleted; a site, site record, column kind or mailbox changed) starts a new
generation, so every page is rendered afresh on its next request
(portal/receivers.py connects the triggers; apps above portal add their own
models with :func:`watch`). Publications are rare next to reads,
so dropping everything at once is cheap and has no way to miss a listing, a menu or
a placement in another site's column. Pages also expire after ``PAGE_CACHE_SECONDS``
so that anything time-dependent drifts by minutes at most.

What is stored: only responses of Wagtail page serves (marked by the
``before_serve_page`` hook on pages without view restrictions), to GET or HEAD
requests without a session cookie, to a host the platform answers for, with no
query string other than a canonical ``page=<n>`` that exists, answered 200 without
setting a cookie and without varying on the cookie.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.http.request import split_domain_port

from guard import ratelimit

GENERATION_KEY = "pagecache:generation"
# In the environ of the bake's own renderings (delivery.render): the page cache
# neither answers nor keeps them. No reader's request can carry it (HTTP headers
# arrive as HTTP_* keys).
BYPASS_ENVIRON_KEY = ratelimit.INTERNAL_ENVIRON_KEY
HEADER = "X-Page-Cache"
_SKIPPED_HEADERS = {"set-cookie", "content-length"}


def invalidate(**kwargs):
    """Start a new generation: every stored page is stale from now on.

    Called from inside the transaction that makes the change, so it runs again when
    that transaction commits: a request served in between would have rendered the
    old state and filed it under the generation started first.
    """
    _new_generation()
    transaction.on_commit(_new_generation)


def watch(model):
    """Start a new generation whenever a ``model`` row is saved or deleted: for a
    model whose rows show on public pages. Apps above portal call it from their
    ``AppConfig.ready`` for their own models (letters: its mailboxes)."""
    from django.db.models.signals import post_delete, post_save

    label = model._meta.label
    post_save.connect(invalidate, sender=model, dispatch_uid=f"portal.pagecache.save.{label}")
    post_delete.connect(invalidate, sender=model, dispatch_uid=f"portal.pagecache.delete.{label}")


def _new_generation():
    cache.set(GENERATION_KEY, time.time_ns(), None)


def generation():
    """The current generation (started on first use)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        value = cache.get(GENERATION_KEY)
    return value


def _candidate(request):
    if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    if request.META.get(BYPASS_ENVIRON_KEY):
        return False
    query = request.GET
    if query and not (list(query.keys()) == ["page"] and _canonical_page_number(query.getlist("page"))):
        return False
    return _known_host(request.get_host())


def _canonical_page_number(values):
    """One page number written the one way (``7``, not ``007``): any other spelling
    would file another copy of the same page."""
    return len(values) == 1 and values[0].isdigit() and len(values[0]) <= 6 and values[0] == str(int(values[0])) != "0"


def _known_host(host):
    """Only requests to a host the platform answers for are kept: with ALLOWED_HOSTS
    open, anyone could otherwise file copies under hosts of their own making (and a
    feed's absolute links follow the request's host)."""
    from .addresses import known_hostnames

    hostname, _port = split_domain_port(host)
    return hostname in known_hostnames()


def _key(request, current):
    return f"pagecache:{current}:{request.scheme}:{request.get_host()}:{request.get_full_path()}"


RESTRICTED_KEY = "pagecache:restricted-paths"


def reset():
    """Forget everything kept, touching only the cache (for tests without a database)."""
    cache.delete(RESTRICTED_KEY)
    _new_generation()


def forget_restrictions(**kwargs):
    cache.delete(RESTRICTED_KEY)
    invalidate(**kwargs)


def _restricted_paths():
    paths = cache.get(RESTRICTED_KEY)
    if paths is None:
        from wagtail.models import PageViewRestriction

        paths = tuple(PageViewRestriction.objects.values_list("page__path", flat=True))
        cache.set(RESTRICTED_KEY, paths, None)
    return paths


def refuse(request):
    """The page served is not the one the address names (e.g. a page number past the
    end, answered with page 1): do not keep it under that address."""
    request._page_cache_allowed = False


def mark_cacheable(request, page):
    """Called before Wagtail serves ``page``: only pages under no view restriction
    are stored or baked (a restriction covers the page's whole subtree)."""
    request._page_cache_allowed = not page.path.startswith(_restricted_paths())


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_SECONDS or not _candidate(request):
            return self.get_response(request)
        request._frame_generation = current = generation()  # read once per request (portal.framecache)
        key = _key(request, current)
        stored = cache.get(key)
        if stored is not None:
            return _rebuild(stored, head=request.method == "HEAD")
        response = self.get_response(request)
        if _storable(request, response):
            cache.set(key, _freeze(response), settings.PAGE_CACHE_SECONDS)
            response[HEADER] = "miss"
        return response


def _storable(request, response):
    if not getattr(request, "_page_cache_allowed", False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    vary = response.get("Vary", "").lower()
    return "cookie" not in vary and "private" not in response.get("Cache-Control", "")


def _freeze(response):
    headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIPPED_HEADERS]
    return {"content": response.content, "headers": headers}


def _rebuild(stored, *, head):
    response = HttpResponse(b"" if head else stored["content"])
    for name, value in stored["headers"]:
        response[name] = value
    response[HEADER] = "hit"
    return response
