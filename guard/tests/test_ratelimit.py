"""Rate limits and challenges of guard: who the client is, counters that a burst of
parallel processes cannot overrun, on the database (embedded default) and on Redis."""

import multiprocessing
import os
import threading

import pytest
from django.core import signing
from django.db import connection, connections
from django.test import RequestFactory

from guard import challenge, ratelimit


def _request(remote="10.0.0.9", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_ip(_request("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


@pytest.mark.parametrize("proxies, forwarded, client", [
    (1, "198.51.100.20", "198.51.100.20"),
    # The client wrote the left-hand entries itself: they are ignored.
    (1, "1.1.1.1, 2.2.2.2, 198.51.100.20", "198.51.100.20"),
    (2, "1.1.1.1, 198.51.100.20, 10.0.0.2", "198.51.100.20"),
    (2, "198.51.100.20, 10.0.0.2", "198.51.100.20"),
    # Fewer entries than proxies: every entry is a proxy's; the farthest one counts.
    (2, "198.51.100.20", "198.51.100.20"),
    # Garbage where an address must be: the proxy's own address, never the garbage.
    (1, "1.1.1.1, not-an-address", "10.0.0.9"),
    (1, "", "10.0.0.9"),
])
def test_behind_proxies_the_client_is_the_nth_address_from_the_right(settings, proxies, forwarded, client):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert ratelimit.client_ip(_request("10.0.0.9", forwarded)) == client


def test_limits_count_an_ipv6_host_by_its_64_and_an_ipv4_address_alone():
    assert ratelimit.bucket("2001:db8:1:2::1") == ratelimit.bucket("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert ratelimit.bucket("2001:db8:1:3::1") != ratelimit.bucket("2001:db8:1:2::1")
    assert ratelimit.bucket("::ffff:198.51.100.20") == ratelimit.bucket("198.51.100.20") == "198.51.100.20"


# --- Counters under parallel processes -------------------------------------------------

def _stores():
    stores = [pytest.param(ratelimit.DatabaseCounters, id="database")]
    if os.environ.get("REDIS_URL"):
        stores.append(pytest.param("redis", id="redis"))
    return stores


def _make_store(kind):
    if kind == "redis":
        from django.core.cache.backends.redis import RedisCache

        return ratelimit.RedisCounters(RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-rl"}))
    return kind()


def _hammer(kind, key, hits, start, results):
    store = _make_store(kind)
    start.wait(30)
    counts = [store.hit(key, 60)[0] for _ in range(hits)]
    connections.close_all()
    results.put(counts)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", _stores())
def test_processes_hitting_one_counter_at_once_get_no_more_than_the_limit(kind):
    """Six processes hit one counter twenty times each, all at once: every hit gets
    its own count (none lost, none repeated), so exactly ``limit`` of them pass."""
    key, processes, each, limit = f"burst-{os.getpid()}-{kind}", 6, 20, 7
    connections.close_all()  # a forked child must not share the parent's connection
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(processes), context.Queue()
    children = [context.Process(target=_hammer, args=(kind, ratelimit._store_key(key), each, start, results))
                for _ in range(processes)]
    for child in children:
        child.start()
    counts = [count for _ in children for count in results.get(timeout=120)]
    for child in children:
        child.join(30)
    assert sorted(counts) == list(range(1, processes * each + 1))
    assert sum(1 for count in counts if count <= limit) == limit
    assert _make_store(kind).peek(ratelimit._store_key(key)) == processes * each


@pytest.mark.django_db(transaction=True)
def test_a_window_closes_and_a_given_back_hit_no_longer_counts():
    first = ratelimit.hit("window-test", limit=2, window=1)
    assert first.count == 1 and first.allowed and 0 < first.retry_after <= 1
    assert ratelimit.hit("window-test", limit=2, window=1).allowed
    assert not ratelimit.hit("window-test", limit=2, window=1).allowed
    ratelimit.undo("window-test")
    assert ratelimit.peek("window-test") == 2
    import time

    time.sleep(1.1)
    assert ratelimit.peek("window-test") == 0
    assert ratelimit.hit("window-test", limit=2, window=1).count == 1


# --- The challenge --------------------------------------------------------------------

def _answer(question):
    import re

    a, b = (int(n) for n in re.findall(r"\d+", question))
    return a + b


@pytest.mark.django_db(transaction=True)
def test_the_answer_cannot_be_read_from_the_token():
    for _ in range(20):
        question, token = challenge.new_challenge()
        payload = signing.loads(token, salt=challenge.SALT)
        assert set(payload) == {"n", "d"}  # a random id and a keyed digest, nothing else
        assert _answer(question) not in payload.values() and str(_answer(question)) not in payload.values()
        # The digest is keyed by the server's secret: a guesser cannot test answers against it offline.
        from django.utils.crypto import salted_hmac

        unkeyed = salted_hmac(f"{challenge.SALT}.answer", f"{payload['n']}:{_answer(question)}", secret="guess")
        assert unkeyed.hexdigest()[:32] != payload["d"]


@pytest.mark.django_db(transaction=True)
def test_a_challenge_passes_once_and_a_wrong_answer_uses_it_up():
    question, token = challenge.new_challenge()
    assert challenge.passes(token, str(_answer(question)))
    assert not challenge.passes(token, str(_answer(question)))  # replayed
    question, token = challenge.new_challenge()
    assert not challenge.passes(token, str(_answer(question) + 1))
    assert not challenge.passes(token, str(_answer(question)))  # one guess per token
    assert not challenge.passes("forged", "8") and not challenge.passes(None, None)


@pytest.mark.django_db(transaction=True)
def test_one_challenge_replayed_at_once_passes_once():
    question, token = challenge.new_challenge()
    answer, threads, passed = str(_answer(question)), 8, []
    barrier = threading.Barrier(threads)

    def run():
        try:
            barrier.wait(30)
            passed.append(challenge.passes(token, answer))
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(passed) == [False] * (threads - 1) + [True]
