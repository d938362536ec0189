import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.errors import DomainError
from portal.models import ColumnPage, NewsColumnApproval
from portal.queries import column_items
from portal.services import column_kind_save, page_create


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.django_db
def test_one_source_shows_in_many_columns_and_unpublishes_everywhere(city, article_factory, client):
    article = article_factory(title="东区新建三所幼儿园", also_in=[city.portal_news])
    assert article.pk in _ids(column_items(city.district_news))
    assert article.pk in _ids(column_items(city.portal_news))
    portal_html = client.get("/news/").content.decode()
    assert "东区新建三所幼儿园" in portal_html
    assert article.get_url() in portal_html  # the link leads to the one source page

    article.unpublish()
    assert article.pk not in _ids(column_items(city.district_news))
    assert article.pk not in _ids(column_items(city.portal_news))
    assert "东区新建三所幼儿园" not in client.get("/news/").content.decode()


@pytest.mark.django_db
def test_placing_in_a_column_that_does_not_accept_placements_is_refused(city, article_factory):
    with pytest.raises(DomainError, match="不接受推送"):
        article_factory(title="想上政策文件栏目", also_in=[city.portal_policy])


@pytest.mark.django_db
def test_social_news_kind_needs_a_recorded_approval(city):
    with pytest.raises(DomainError, match="批准"):
        column_kind_save(code="social", name="社会新闻", category="social_news", update_period=14)
    approval = NewsColumnApproval.objects.create(
        unit=city.office, authority="市政府新闻办", document_number="新批〔2026〕1号", approved_on="2026-01-10"
    )
    kind = column_kind_save(code="social", name="社会新闻", category="social_news", update_period=14, approval=approval)
    portal_home = city.portal_site.site.root_page.specific
    page_create(parent=portal_home, page=ColumnPage(title="社会新闻", slug="social", kind=kind), publish=True)
    district_home = city.district_site.site.root_page.specific
    with pytest.raises(DomainError, match="新闻主管部门"):
        page_create(parent=district_home, page=ColumnPage(title="社会新闻", slug="social", kind=kind), publish=True)


@pytest.mark.django_db
def test_column_update_period_is_editable_data_with_history(city):
    kind = city.kinds["news"]
    column_kind_save(instance=kind, code="news", name="新闻动态", category="news", update_period=182)
    kind.refresh_from_db()
    assert kind.update_period == 182
    assert kind.revisions.count() == 2


def _queries(client, url):
    """The queries of a page once its route and frame are known (the first request
    after a publication learns them: portal/routecache.py, portal/framecache.py)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_home_column_and_article_queries_do_not_grow_with_content(city, article_factory, client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # count the queries of rendering, not of a kept copy
    first = article_factory(title="第一条")
    article_factory(column=city.district_notices, title="通知一")
    client.get("/s/east/")  # warm Wagtail's site cache
    few = {url: _queries(client, url) for url in ("/s/east/", "/s/east/news/", first.get_url())}
    for i in range(25):
        article_factory(title=f"更多动态{i}", also_in=[city.portal_news])
        article_factory(column=city.district_notices, title=f"更多通知{i}")
    many = {url: _queries(client, url) for url in ("/s/east/", "/s/east/news/", first.get_url())}
    assert many == few
    # Once an address's route and the site's frame (record, menu, column trail) are
    # kept (portal/routecache.py, portal/framecache.py), a page reads itself by id
    # and what it shows. The home: its columns' items, the top story's picture, and
    # the apps' sections (HOME_CONTEXT): disclosure's documents, matters and 机构概况,
    # a district's themes and life events, the catalogue's entries, the mailbox's
    # mailboxes, replies and figures (4 to compute the figures when the periodic task
    # has not stored them, as here). A column: the page, whether anything is placed
    # in it, its items. An article: the page and its attachments.
    assert many == {"/s/east/": 19, "/s/east/news/": 3, first.get_url(): 2}, many


@pytest.mark.django_db
def test_portal_home_lists_items_other_units_placed_in_its_columns(city, article_factory, client, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.PAGE_CACHE_SECONDS = 0
    now = timezone.now()
    for i in range(6):
        article_factory(column=city.portal_news, title=f"门户要闻{i}", pub_date=now - timedelta(days=2 * i))
    placed = article_factory(title="东区推送到门户的动态", also_in=[city.portal_news], pub_date=now - timedelta(days=3))
    old_placed = article_factory(title="东区很早以前的推送", also_in=[city.portal_news],
                                 pub_date=now - timedelta(days=30))
    article_factory(title="东区没有推送的动态", pub_date=now)

    html = client.get("/").content.decode()
    news_box = html[html.index('id="col-%d"' % city.portal_news.pk):]
    news_box = news_box[: news_box.index("</section>")]
    # The column page and the home box show the same six newest items, in the same order.
    newest = [item.title for item in column_items(city.portal_news)[:6]]
    assert newest == ["门户要闻0", "门户要闻1", "东区推送到门户的动态", "门户要闻2", "门户要闻3", "门户要闻4"]
    positions = [news_box.index(title) for title in newest]
    assert positions == sorted(positions)
    assert placed.get_url() in news_box  # the link leads to the one source page on the east site
    assert "门户要闻5" not in news_box and old_placed.title not in news_box
    assert "东区没有推送的动态" not in html
