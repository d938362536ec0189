"""The platform's own in-process requests are no client to limit; no HTTP client can
pass for one."""

from django.test import Client, RequestFactory

from guard import ratelimit


def test_only_an_environ_key_marks_a_request_internal():
    factory = RequestFactory()
    assert ratelimit.is_internal(factory.get("/", **{ratelimit.INTERNAL_ENVIRON_KEY: True}))
    assert not ratelimit.is_internal(factory.get("/"))
    # A header of that name arrives as HTTP_PLATFORM.BAKE (or is dropped), never as the key.
    assert not ratelimit.is_internal(factory.get("/", HTTP_PLATFORM_BAKE="1"))


def test_a_search_from_a_client_is_limited_and_the_platforms_own_is_not(db, settings):
    from search.views import SEARCHES_PER_MINUTE

    ratelimit.forget_all()
    client = Client()
    statuses = [client.get("/search/", {"q": "办事指南"}, headers={"platform.bake": "1"}).status_code
                for _ in range(SEARCHES_PER_MINUTE + 1)]
    assert statuses[-1] == 429  # a header that looks like the key changes nothing
    internal = [client.get("/search/", {"q": "办事指南"}, **{ratelimit.INTERNAL_ENVIRON_KEY: True}).status_code
                for _ in range(3)]
    assert internal == [200, 200, 200]
    ratelimit.forget_all()
