import re

import pytest
from wagtail.models import WorkflowPage



@pytest.mark.django_db
def test_a_hosted_site_gets_home_page_site_record_permissions_and_review(city):
    record = city.district_site
    assert record.site.hostname == "east.cq.gov.cn"
    assert record.site.root_page.specific.unit == city.district
    workflow = WorkflowPage.objects.get(page=record.site.root_page).workflow
    assert [t.name for t in workflow.tasks] == ["机器筛查", "东区审核", "东区领导审签"]


@pytest.mark.django_db
def test_every_site_is_reachable_under_its_path_and_by_its_host_name(city, client):
    assert client.get("/").status_code == 200
    response = client.get("/s/east/")
    assert response.status_code == 200
    assert "东区政府网" in response.content.decode()
    by_host = client.get("/", HTTP_HOST="east.cq.gov.cn")
    assert by_host.status_code == 200
    assert "东区政府网" in by_host.content.decode()
    assert client.get("/s/nowhere/").status_code == 404


@pytest.mark.django_db
def test_links_point_into_the_sites_path(city, article_factory, client):
    article = article_factory()
    assert article.get_url() == "/s/east/news/" + article.slug + "/"
    assert re.fullmatch(r"\d{8}-\d{5}", article.slug)  # readable ASCII address for a Chinese title
    assert city.portal_news.get_url() == "/news/"
    assert client.get(article.get_url()).status_code == 200


@pytest.mark.django_db
def test_site_directory_lists_hosted_and_independent_sites_by_kind(city, client):
    from hosting.sites import site_register_independent

    site_register_independent(
        unit=city.dept, kind="department", name="独立建设的网站", hostname="police.cq.gov.cn",
        url="https://police.cq.gov.cn/", site_id_code="5000000777", icp_number="渝ICP备1号",
        psb_number="渝公网安备 1号", sponsor="某局", contact_phone="023-1",
    )
    html = client.get("/sites/").content.decode()
    portal_at = html.index("政府门户网站")
    district_at = html.index("区县政府网站")
    department_at = html.index("市政府部门网站")
    assert portal_at < district_at < department_at
    assert 'href="/s/east/"' in html
    assert 'href="https://police.cq.gov.cn/"' in html
    assert "独立建设" in html


@pytest.mark.django_db
def test_footer_and_meta_tags_carry_the_identity_items(city, article_factory, client):
    article = article_factory(source="东区政府办公室")
    for url in ("/s/east/", "/s/east/news/", article.get_url()):
        html = client.get(url).content.decode()
        for item in ("5000000002", "渝ICP备00000001号", "渝公网安备 50000000000001号", "测试市东区人民政府", "023-60000000",
                     "我为政府网站找错", "党政机关网站标识"):
            assert item in html, (url, item)
        for name in ("SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnType"):
            assert re.search(rf'<meta name="{name}" content="[^"]+">', html), (url, name)
    html = client.get(article.get_url()).content.decode()
    assert '<meta name="ArticleTitle" content="东区召开民生工作推进会">' in html
    assert '<meta name="ContentSource" content="东区政府办公室">' in html
    assert re.search(r'<meta name="PubDate" content="\d{4}-\d\d-\d\d \d\d:\d\d">', html)
    assert '<meta name="ColumnName" content="区县动态">' in html
    assert '<meta name="ColumnType" content="新闻动态">' in html


@pytest.mark.django_db
def test_pages_are_built_for_phones_and_older_readers(city, client):
    html = client.get("/s/east/").content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "data-reading-mode" in html and "长者模式" in html


@pytest.mark.django_db
def test_public_pages_carry_nothing_user_specific(city, article_factory, client):
    article = article_factory()
    anonymous = client.get(article.get_url()).content
    client.force_login(city.editor)
    logged_in = client.get(article.get_url()).content
    assert anonymous == logged_in
    assert b"csrfmiddlewaretoken" not in anonymous


@pytest.mark.django_db
def test_each_site_has_its_own_sitemap(city, article_factory, client):
    article = article_factory()
    east = client.get("/s/east/sitemap.xml").content.decode()
    assert article.get_url() in east
    assert "/s/edu/" not in east
    portal = client.get("/sitemap.xml").content.decode()
    assert article.get_url() not in portal


@pytest.mark.django_db
def test_column_rss_feed_lists_its_items(city, article_factory, client):
    article = article_factory(title="东区发布冬季供暖安排")
    response = client.get("/s/east/news/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    body = response.content.decode()
    assert "<title>东区发布冬季供暖安排</title>" in body
    assert article.get_url() in body


@pytest.mark.django_db
def test_any_content_is_within_three_clicks_of_its_home(city, article_factory, client):
    """home → column → item: every live item is linked from its column page,
    and every menu column from the home page."""
    for i in range(30):
        article_factory(title=f"第{i}条动态")
    home_html = client.get("/s/east/").content.decode()
    assert 'href="/s/east/news/"' in home_html
    column = client.get("/s/east/news/")
    pages = column.context["items"].paginator.num_pages
    assert pages == 2  # 30 items, 20 a page: the second page is one click further, still within three
    linked = set()
    for number in range(1, pages + 1):
        linked |= set(re.findall(r'href="(/s/east/news/(?!rss/)[^"/]+/)"', client.get(f"/s/east/news/?page={number}").content.decode()))
    assert len(linked) == 30


@pytest.mark.django_db
def test_menu_and_breadcrumbs_stay_inside_the_site(city, article_factory, client):
    article = article_factory()
    for url in ("/s/east/", "/s/east/news/", article.get_url()):
        html = client.get(url).content.decode()
        nav = html[html.index('aria-label="栏目导航"'):html.index("</nav>", html.index('aria-label="栏目导航"'))]
        links = re.findall(r'href="([^"]+)"', nav)
        assert "/s/east/news/" in links and "/s/east/notices/" in links, (url, links)
        assert "/news/" not in links  # the portal's column, not this site's
    crumbs = client.get(article.get_url()).content.decode()
    assert '<li><a href="/s/east/news/">区县动态</a></li>' in crumbs
