"""Published pages kept for anonymous readers, and dropped when anything changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.pagecache import HEADER


def _get(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    return response, len(ctx.captured_queries)


@pytest.mark.django_db
def test_second_anonymous_read_is_served_without_the_database(city, article_factory, client):
    article = article_factory(title="缓存测试文章")
    first, _ = _get(client, article.get_url())
    second, queries = _get(client, article.get_url())
    assert first[HEADER] == "miss"
    assert second[HEADER] == "hit"
    assert queries == 0
    assert second.content == first.content
    assert "缓存测试文章" in second.content.decode()


@pytest.mark.django_db
def test_publishing_shows_at_once_in_the_page_its_column_and_the_home(city, article_factory, client):
    article = article_factory(title="旧标题")
    for url in (article.get_url(), "/s/east/news/", "/s/east/"):
        client.get(url)
        assert client.get(url)[HEADER] == "hit"
    article.title = "新标题"
    article.save_revision().publish()
    newcomer = article_factory(title="新来的文章")
    for url in (article.get_url(), "/s/east/news/", "/s/east/"):
        page = client.get(url).content.decode()
        assert "新标题" in page and "旧标题" not in page, url
    assert "新来的文章" in client.get("/s/east/news/").content.decode()
    assert client.get(newcomer.get_url()).status_code == 200


@pytest.mark.django_db
def test_a_placed_item_shows_in_the_portal_column_and_goes_when_unpublished(city, article_factory, client):
    client.get("/news/")
    article = article_factory(title="推送到门户的文章", also_in=[city.portal_news])
    assert "推送到门户的文章" in client.get("/news/").content.decode()
    url = article.get_url()
    assert client.get(url).status_code == 200
    article.unpublish()
    assert client.get(url).status_code == 404
    assert "推送到门户的文章" not in client.get("/news/").content.decode()


@pytest.mark.django_db
def test_a_site_record_change_reaches_every_kept_page(city, article_factory, client):
    article = article_factory(title="页脚测试")
    client.get(article.get_url())
    record = city.district_site
    record.contact_phone = "023-99998888"
    record.save()
    assert "023-99998888" in client.get(article.get_url()).content.decode()


@pytest.mark.django_db
def test_signed_in_readers_and_odd_queries_are_never_kept(city, article_factory, client, make_user):
    article = article_factory(title="不缓存的情况")
    url = article.get_url()
    assert client.get(url, {"utm_source": "x"}).get(HEADER) is None
    assert client.get(url + "?page=abc").get(HEADER) is None
    assert client.get("/s/east/news/?page=1")[HEADER] == "miss"
    user = make_user("cache_reader")
    client.force_login(user)
    assert client.get(url).get(HEADER) is None
    assert client.get(url).get(HEADER) is None


@pytest.mark.django_db
def test_dynamic_surfaces_are_not_kept(city, client):
    for url in ("/mailbox/", "/sites/", "/healthz"):
        response = client.get(url)
        assert response.get(HEADER) is None, url


@pytest.mark.django_db
def test_restricted_pages_are_not_kept(city, article_factory, client):
    from wagtail.models import PageViewRestriction

    article = article_factory(title="内部页面")
    PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.PASSWORD, password="x1")
    first = client.get(article.get_url())
    second = client.get(article.get_url())
    assert first.get(HEADER) is None and second.get(HEADER) is None


@pytest.mark.django_db
def test_a_column_count_is_kept_until_the_next_publication(city, article_factory):
    from wagtail.models import Page

    from portal.queries import column_items, paginate

    def count():
        return paginate(column_items(city.district_news), 1, 20, count_key="column:test").paginator.count

    first = article_factory(title="计数一")
    assert count() == 1
    # A change that bypasses the publication signals is not seen until the next one…
    Page.objects.filter(pk=first.pk).update(live=False)
    assert count() == 1
    # …and every publication starts a fresh count.
    article_factory(title="计数二")
    assert count() == 1  # the first is now unpublished in the database, the second is new
    article_factory(title="计数三")
    assert count() == 2


@pytest.mark.django_db
def test_only_canonical_existing_pages_of_known_hosts_are_kept(city, article_factory, client):
    for i in range(3):
        article_factory(title=f"分页{i}")
    assert client.get("/s/east/news/?page=1")[HEADER] == "miss"
    # Other spellings of page 1, and pages past the end (answered with page 1), are not filed.
    for query in ("?page=01", "?page=0", "?page=999"):
        response = client.get("/s/east/news/" + query)
        assert response.status_code == 200 and response.get(HEADER) is None, query
        assert client.get("/s/east/news/" + query).get(HEADER) is None, query
    # A host the platform does not answer for is served but never filed.
    article = article_factory(title="主机名")
    response = client.get(article.get_url(), HTTP_HOST="made-up.example")
    assert response.status_code == 200 and response.get(HEADER) is None
    # A site's own host name is.
    client.get("/news/", HTTP_HOST="east.cq.gov.cn")
    assert client.get("/news/", HTTP_HOST="east.cq.gov.cn")[HEADER] == "hit"


@pytest.mark.django_db(transaction=True)
def test_the_generation_starts_again_when_the_change_commits(city, article_factory, client):
    from django.db import transaction

    from portal import pagecache

    article = article_factory(title="提交之后")
    with transaction.atomic():
        pagecache.invalidate()
        during = pagecache.generation()
        # A reader served now still sees the old state: what it files goes under `during`.
        client.get(article.get_url())
    assert pagecache.generation() != during
    assert client.get(article.get_url())[HEADER] == "miss"
