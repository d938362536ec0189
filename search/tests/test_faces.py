"""The page /search/, the header's form and the API: results, scope, filters, and
bad input answered with a message, never an error."""

import pytest
from django.test import override_settings

from search import services


@pytest.fixture
def indexed(city, article_factory):
    pages = [
        article_factory(title="东区启动背街小巷环境整治行动", body="<p>整治一百二十条背街小巷。</p>"),
        article_factory(column=city.portal_news, title="全市优化营商环境大会召开", body="<p>发布营商环境措施。</p>"),
        article_factory(column=city.dept_news, title="市教委部署校园安全工作", body="<p>开展校园周边环境整治。</p>"),
    ]
    services.rebuild(resume=False)
    return pages


@pytest.mark.django_db
def test_the_header_of_every_page_has_the_search_form_of_its_site(city, client, indexed):
    html = client.get("/s/east/").content.decode()
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    assert 'role="search"' in header and 'action="/search/"' in header
    assert 'name="site" value="east"' in header
    assert '<label for="site-search-q"' in header and ">搜索</button>" in header
    assert 'name="scope" value="all"' in header


@pytest.mark.django_db
def test_the_search_page_scopes_to_a_site_or_the_whole_cluster(city, client, indexed):
    one = client.get("/search/", {"q": "环境整治", "site": "east"})
    assert one.status_code == 200 and "no-cache" in one["Cache-Control"] or "max-age=0" in one["Cache-Control"]
    body = one.content.decode()
    assert "东区启动背街小巷<mark>环境整治</mark>行动" in body
    assert "市教委部署校园安全工作" not in body
    every = client.get("/search/", {"q": "环境整治", "site": "east", "scope": "all"}).content.decode()
    assert "市教委部署校园安全工作" in every and "东区启动背街小巷" in every
    assert "文章 <span class=\"count\">(2)</span>" in every


@pytest.mark.django_db
@pytest.mark.parametrize("q", ['"', '*', "NEAR", "AND OR NOT", "标题:环境", "-环境", "(环境", '")(*:^', "环境 AND 整治",
                               "a" * 100, "𠀀𠀁", "Ωmega环境", "\x00环境", "%00", "<script>", "' OR 1=1 --", " ", ""])
def test_bad_queries_get_a_page(city, client, indexed, q):
    response = client.get("/search/", {"q": q, "from": "yesterday", "to": "2026-13-45", "page": "-3", "type": "x"})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


@pytest.mark.django_db
def test_operator_words_are_searched_as_text(city, client, indexed, article_factory):
    article_factory(title="关于NEAR AND *号的说明", body="<p>示例。</p>")
    services.rebuild(resume=False)
    body = client.get("/search/", {"q": "near and", "site": "east"}).content.decode()
    assert "关于<mark>NEAR</mark> <mark>AND</mark> *号的说明" in body
    assert "关于NEAR AND <mark>*号</mark>的说明" in client.get("/search/", {"q": "*号", "site": "all"}).content.decode()
    # Without a site named, the search is the site's own: /search/ belongs to the portal.
    assert "关于NEAR" not in client.get("/search/", {"q": "*号"}).content.decode()


@pytest.mark.django_db
def test_a_query_too_long_gets_a_message(city, client, indexed):
    response = client.get("/search/", {"q": "环" * 101})
    assert response.status_code == 200
    assert "搜索词太长了" in response.content.decode()
    api = client.get("/api/v1/search", {"q": "环" * 101})
    assert api.status_code == 400 and api.json()["code"] == "too_long"


@pytest.mark.django_db
@override_settings(SEARCHES_PER_MINUTE=3)
def test_searches_are_limited_per_client(city, client, indexed):
    from search import params, views, api

    for module in (params, views, api):
        module.SEARCHES_PER_MINUTE = 3
    try:
        codes = [client.get("/search/", {"q": "环境"}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert "太频繁" in client.get("/search/", {"q": "环境"}).content.decode()
        assert client.get("/api/v1/search", {"q": "环境"}).status_code == 429
        other = client.get("/search/", {"q": "环境"}, REMOTE_ADDR="10.1.2.3")
        assert other.status_code == 200
    finally:
        for module in (params, views, api):
            module.SEARCHES_PER_MINUTE = 60


@pytest.mark.django_db
def test_the_api_searches_with_the_same_filters(city, client, indexed):
    data = client.get("/api/v1/search", {"q": "环境整治"}).json()
    assert data["total"] == 2 and {r["title"] for r in data["results"]} == {
        "东区启动背街小巷环境整治行动", "市教委部署校园安全工作"}
    assert data["groups"] == [{"kind": "article", "label": "文章", "count": 2}]
    east = client.get("/api/v1/search", {"q": "环境整治", "site": "east"}).json()
    assert [r["title"] for r in east["results"]] == ["东区启动背街小巷环境整治行动"]
    assert east["results"][0]["site"] == "east" and east["results"][0]["url"].startswith("/s/east/")
    none = client.get("/api/v1/search", {"q": "环境整治", "type": "document"}).json()
    assert none["total"] == 0 and none["results"] == []
    odd = client.get("/api/v1/search", {"q": "\x00", "site": "all", "page": "abc"})
    assert odd.status_code == 200 and odd.json()["total"] == 0
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/search" in schema["paths"]


@pytest.mark.django_db
def test_the_dictionary_is_edited_in_the_admin_and_applies_at_once(city, indexed, django_user_model):
    from orgs.errors import DomainError
    from search.queries import query_terms

    root = django_user_model.objects.create_superuser("search_root", "r@cq.gov.cn", "pw-Test-2026")
    assert "背街小巷" not in query_terms("背街小巷环境整治")
    services.term_save(actor=root, word="背街小巷", frequency=50000)
    assert "背街小巷" in query_terms("背街小巷环境整治")
    with pytest.raises(DomainError):
        services.term_save(actor=city.editor, word="营商环境")
    with pytest.raises(DomainError):
        services.term_save(actor=root, word="背街小巷")


FILTER_CASES = [
    ({"site": "nosuch"}, "site", "网站条件(site)“nosuch”无法识别", "已改为在全部网站中搜索"),
    ({"from": "2026-13-45"}, "from", "起始日期(from)“2026-13-45”无法识别", "已忽略这个日期"),
    ({"to": "2026-01-31garbage"}, "to", "截止日期(to)“2026-01-31garbage”无法识别", "已忽略这个日期"),
    ({"validity": "bogus"}, "validity", "效力状态条件(validity)“bogus”无法识别", "不按效力状态筛选"),
    ({"type": "bogus"}, "type", "类型条件(type)“bogus”无法识别", "搜索全部类型"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("params,field,what,done", FILTER_CASES)
def test_a_filter_not_understood_is_named_on_the_page_and_refused_by_the_api(city, client, indexed, params, field,
                                                                               what, done):
    page = client.get("/search/", {"q": "环境整治", "site": "all", **params})
    assert page.status_code == 200
    body = page.content.decode()
    message = body.split('class="search-message" role="alert">', 1)[1].split("</p>", 1)[0]
    assert what in message and done in message
    # What was done: the search ran without that filter (both articles, on every site for `site`).
    assert "东区启动背街小巷<mark>环境整治</mark>行动" in body
    if field == "site":
        assert "市教委部署校园安全工作" in body and '<option value="all" selected>' in body
    api = client.get("/api/v1/search", {"q": "环境整治", **params})
    assert api.status_code == 400
    assert api.json()["code"] == "invalid_filter" and what in api.json()["message"]
    assert set(api.json()) == {"code", "message"}


@pytest.mark.django_db
def test_filters_understood_get_no_message(city, client, indexed):
    params = {"q": "环境整治", "site": "east", "from": "2000-01-01", "to": "2999-12-31", "validity": "in_force",
              "type": "article"}
    assert "search-message" not in client.get("/search/", params).content.decode()
    assert client.get("/api/v1/search", params).status_code == 200
    assert client.get("/api/v1/search", {"q": "环境整治", "site": "ALL"}).status_code == 200


@pytest.mark.django_db
def test_the_openapi_document_declares_the_refusal(city, client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/search"]["get"]
    assert {"200", "400", "422", "429"} <= set(operation["responses"])
    assert "invalid_filter" in operation["description"]
