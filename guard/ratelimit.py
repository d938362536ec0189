"""Rate limits for every app: who the client is, and counters that cannot be raced.

A counter is incremented *before* it is compared with its limit, in one atomic step
of the store that every process shares, so a burst of parallel requests gets at most
``limit`` passes however the requests interleave:

- with Redis as the cache (production), a Lua script does INCR and sets the expiry of
  a new window in one server-side step;
- otherwise (the embedded default, whose file cache reads and rewrites a file for
  ``incr``), the database does it in one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``
  statement on :class:`guard.models.RateCounter`, atomic on SQLite and PostgreSQL.

A window opens with the first hit of a key and lasts ``window`` seconds.
"""

import hashlib
import ipaddress
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

KEY_PREFIX = "rl:"
PURGE_ONE_IN = 500  # expired database rows are swept on roughly one hit in this many


# --- Who the client is -----------------------------------------------------------

# The platform's own requests rendered in the process (the bake, and the supervision
# work reading hosted sites) carry this WSGI environ key. No HTTP client can set it
# (headers arrive as HTTP_*), and they are not a client to limit.
INTERNAL_ENVIRON_KEY = "platform.bake"


def is_internal(request):
    """``request`` is the platform's own, rendered in the process (not a client)."""
    return bool(request.META.get(INTERNAL_ENVIRON_KEY))


def _address(value):
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request):
    """The address of the client that sent ``request``.

    Behind ``TRUSTED_PROXY_COUNT`` reverse proxies of the platform's own, each proxy
    appends the address it was connected from to ``X-Forwarded-For``; the client is
    therefore the N-th address from the right. Anything further left was written by
    the client itself and is ignored. With 0 (the embedded server, reached directly)
    the header is ignored altogether.
    """
    remote = _address(request.META.get("REMOTE_ADDR")) or "0.0.0.0"
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request came in past some of them, so every
    # entry was still written by a proxy; the leftmost is the farthest one seen.
    candidate = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    return _address(candidate) or remote


def bucket(address):
    """The unit a limit counts: one IPv4 address, or one IPv6 /64 (a single host
    commonly holds a whole /64, so counting its addresses one by one counts nothing)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return str(address)
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_key(request):
    """What the limits of ``request``'s client are counted under."""
    return bucket(client_ip(request))


# --- Counters ------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    count: int  # hits in the current window, this one included
    limit: int
    retry_after: int  # seconds until the window closes

    @property
    def allowed(self):
        return self.count <= self.limit


def _store_key(key):
    key = KEY_PREFIX + key
    if len(key) > 200:
        key = KEY_PREFIX + "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


class DatabaseCounters:
    """Counters as rows of ``guard_ratecounter``, one statement per change."""

    def _table(self):
        from .models import RateCounter

        return connection.ops.quote_name(RateCounter._meta.db_table)

    def hit(self, key, window):
        table, now = self._table(), time.time()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (name, count, expires) VALUES (%s, 1, %s) "
                f"ON CONFLICT (name) DO UPDATE SET "
                f"count = CASE WHEN {table}.expires <= %s THEN 1 ELSE {table}.count + 1 END, "
                f"expires = CASE WHEN {table}.expires <= %s THEN excluded.expires ELSE {table}.expires END "
                f"RETURNING count, expires",
                [key, now + window, now, now],
            )
            count, expires = cursor.fetchone()
            if random.randrange(PURGE_ONE_IN) == 0:
                cursor.execute(f"DELETE FROM {table} WHERE expires <= %s", [now])
        return count, max(0, int(expires - now + 0.999))

    def undo(self, key):
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {self._table()} SET count = count - 1 WHERE name = %s AND count > 0 AND expires > %s",
                           [key, time.time()])

    def peek(self, key):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count FROM {self._table()} WHERE name = %s AND expires > %s", [key, time.time()])
            row = cursor.fetchone()
        return row[0] if row else 0

    def forget_all(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self._table()}")


class RedisCounters:
    """Counters as Redis integers; the window's expiry is set in the same script."""

    HIT = """
        local n = redis.call('INCR', KEYS[1])
        local ttl = redis.call('TTL', KEYS[1])
        if ttl < 0 then
            redis.call('EXPIRE', KEYS[1], ARGV[1])
            ttl = tonumber(ARGV[1])
        end
        return {n, ttl}
    """
    UNDO = """
        if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then
            return redis.call('DECR', KEYS[1])
        end
        return 0
    """

    def __init__(self, django_cache):
        self.cache = django_cache

    def _client(self, key):
        return self.cache._cache.get_client(key, write=True)

    def _key(self, key):
        return self.cache.make_and_validate_key(key)

    def hit(self, key, window):
        full = self._key(key)
        count, ttl = self._client(full).eval(self.HIT, 1, full, int(window))
        return int(count), int(ttl)

    def undo(self, key):
        full = self._key(key)
        self._client(full).eval(self.UNDO, 1, full)

    def peek(self, key):
        full = self._key(key)
        value = self._client(full).get(full)
        return int(value) if value is not None else 0

    def forget_all(self):
        pattern = self._key(KEY_PREFIX) + "*"  # this installation's counters only, not its cache
        client = self._client(pattern)
        for batch in _batched(client.scan_iter(match=pattern, count=500), 500):
            client.delete(*batch)


def _batched(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _redis_cache():
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    default = caches["default"]
    return default if isinstance(default, RedisCache) else None


def _store():
    """Redis when the cache is Redis; otherwise the database, since the file cache
    cannot count atomically across processes."""
    redis = _redis_cache()
    return RedisCounters(redis) if redis is not None else DatabaseCounters()


def too_many(response, refused):
    """``response`` as the answer to a post refused by a quota (``refused``: the
    :class:`Hit` that went over, or None for any other refusal): 429 with Retry-After,
    the page still saying why and keeping what was typed."""
    if refused is not None:
        response.status_code = 429
        response["Retry-After"] = str(max(1, refused.retry_after))
    return response


def hit(key, *, limit, window):
    """Count one attempt under ``key`` and say whether it is within ``limit`` per
    ``window`` seconds. The attempt is counted even when it is refused."""
    count, retry_after = _store().hit(_store_key(key), int(window))
    return Hit(count=count, limit=limit, retry_after=retry_after)


def undo(key):
    """Give back one attempt (one that turned out not to count, e.g. a letter that
    was refused for a typing error and stored nothing)."""
    _store().undo(_store_key(key))


def peek(key):
    """How many attempts ``key`` has in its current window."""
    return _store().peek(_store_key(key))


def forget_all():
    """Drop every counter of this installation (its cache key prefix): every client
    starts afresh, e.g. after an operator lifts a block, or between tests."""
    _store().forget_all()


def first_use(key, *, window):
    """True the first time ``key`` is seen within ``window`` seconds, False after:
    for one-time tokens, atomically like every counter."""
    return hit(key, limit=1, window=window).allowed
