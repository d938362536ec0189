"""What a site's pages show around their content and where an address leads, kept in
the process until the next publication (portal/framecache.py, portal/routecache.py)."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from portal import framecache, pagecache


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, len(ctx.captured_queries)


def test_a_kept_value_is_built_again_once_a_new_generation_starts():
    built = []

    def build():
        built.append(1)
        return len(built)

    pagecache.reset()
    assert framecache.kept(("test", 1), build) == 1
    assert framecache.kept(("test", 1), build) == 1
    assert framecache.recall(("test", 1)) == 1
    pagecache.reset()
    assert framecache.recall(("test", 1)) is None
    assert framecache.kept(("test", 1), build) == 2


def test_at_most_limit_values_are_kept(monkeypatch):
    monkeypatch.setattr(framecache, "LIMIT", 8)
    framecache.forget()
    for n in range(20):
        framecache.keep(("many", n), n)
    assert len(framecache._kept) <= 8
    assert framecache.recall(("many", 19)) == 19


@pytest.mark.django_db
@override_settings(PAGE_CACHE_SECONDS=0)
def test_a_known_address_is_served_with_fewer_queries_and_the_same_page(city, article_factory, client):
    article = article_factory(title="路由缓存测试")
    url = article.get_url()
    first, first_queries = _queries(client, url)
    second, second_queries = _queries(client, url)
    assert first.status_code == second.status_code == 200
    assert second_queries < first_queries
    assert second.content == first.content


@pytest.mark.django_db
@override_settings(PAGE_CACHE_SECONDS=0)
def test_an_unpublished_or_moved_page_is_not_found_at_its_old_address(city, article_factory, client):
    gone = article_factory(title="将撤下的文章")
    moved = article_factory(title="将移动的文章")
    for page in (gone, moved):
        for _ in range(2):
            assert client.get(page.get_url()).status_code == 200
    old_url = moved.get_url()
    gone_url = gone.get_url()
    gone.unpublish()
    assert client.get(gone_url).status_code == 404
    moved.move(city.district_notices, pos="last-child")
    moved.refresh_from_db()
    assert moved.get_url() != old_url
    assert client.get(old_url)["Location"].endswith(moved.get_url())  # Wagtail's redirect of a moved page
    assert "将移动的文章" in client.get(moved.get_url()).content.decode()


@pytest.mark.django_db
@override_settings(PAGE_CACHE_SECONDS=0)
def test_a_restriction_added_later_still_guards_a_known_address(city, article_factory, client):
    from wagtail.models import PageViewRestriction

    article = article_factory(title="后来加密的页面")
    url = article.get_url()
    for _ in range(2):
        assert "后来加密的页面" in client.get(url).content.decode()
    PageViewRestriction.objects.create(page=article.get_parent(), restriction_type=PageViewRestriction.PASSWORD,
                                       password="pw-123")
    for _ in range(2):
        response = client.get(url)
        assert "后来加密的页面" not in response.content.decode()
        assert 'name="password"' in response.content.decode()


@pytest.mark.django_db
@override_settings(PAGE_CACHE_SECONDS=0)
def test_the_menu_and_the_footer_follow_a_change_at_once(city, client):
    client.get("/s/east/news/")
    record = city.district_site
    record.contact_phone = "023-99998888"
    record.save()
    assert "023-99998888" in client.get("/s/east/news/").content.decode()
    from wagtail.models import Page

    column = Page.objects.get(pk=city.district_notices.pk).specific
    column.title = "公告公示"
    column.save_revision().publish()
    assert "公告公示" in client.get("/s/east/news/").content.decode()
