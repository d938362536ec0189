"""Counting attempts per client in the cache, for defences that need no outside service."""

from django.core.cache import cache


def client_ip(request):
    # Behind the platform's own reverse proxy, set TRUSTED_PROXY_COUNT and read
    # X-Forwarded-For; the embedded default sees clients directly.
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def count(key, window):
    """Add one attempt under ``key``; return how many there were in the window."""
    full = f"rl:{key}"
    if cache.add(full, 1, window):
        return 1
    try:
        return cache.incr(full)
    except ValueError:
        cache.set(full, 1, window)
        return 1


def peek(key):
    return cache.get(f"rl:{key}", 0)
