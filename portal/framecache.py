"""What a site's public pages show around their content, kept in the process between
publications: the site record, the menu, a page's column trail, and what an app
draws on every page of a kind (the catalogue's tree and the columns it files).

A dynamic page (a filtered catalogue, the matter directory, a listing past what the
page cache keeps) would otherwise read these rows again on every request: half a
dozen queries and the model instances built from them, most of the page's time.
They change only when something public changes, which starts a new page-cache
generation (:mod:`portal.pagecache`); a value is kept under the generation current
when it was built and is built again once a newer one starts. The generation is
read once per request.

Values are shared by every request of the process: callers treat them as read-only.
At most ``LIMIT`` values are kept (the oldest built go first).
"""

import threading

from . import pagecache

LIMIT = 4096

_kept = {}
_lock = threading.Lock()


def current_generation(request=None):
    """The page-cache generation, read once per ``request``."""
    if request is None:
        return pagecache.generation()
    value = getattr(request, "_frame_generation", None)
    if value is None:
        value = request._frame_generation = pagecache.generation()
    return value


def kept(key, build, *, request=None):
    """The value under ``key`` built by ``build()`` in the current generation."""
    generation = current_generation(request)
    hit = _kept.get(key)
    if hit is not None and hit[0] == generation:
        return hit[1]
    value = build()
    _store(key, generation, value)
    return value


def recall(key, *, request=None):
    """The value kept under ``key`` in the current generation, or ``None``."""
    hit = _kept.get(key)
    if hit is not None and hit[0] == current_generation(request):
        return hit[1]
    return None


def keep(key, value, *, request=None):
    """Keep ``value`` under ``key`` for the generation the request started in."""
    _store(key, current_generation(request), value)


def _store(key, generation, value):
    with _lock:
        _kept.pop(key, None)
        if len(_kept) >= LIMIT:
            for old in list(_kept)[: LIMIT // 4]:
                del _kept[old]
        _kept[key] = (generation, value)


def forget():
    """Drop everything kept (tests that change rows without a new generation)."""
    with _lock:
        _kept.clear()
