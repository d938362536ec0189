"""Errors a person can read: Chinese 400/403/404/405/500 pages with the identity of
the site the address belongs to and a way back; typed JSON under /api/."""

import re

import pytest
from django.test import Client, override_settings

ERRORS_URLCONF = "cityplatform.tests.urls_errors"
ID_ATTRS = re.compile(r'aria-describedby="([^"]+)"')


def _html(response):
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    return response.content.decode()


def _assert_readable(html, *, site_name, home_url, title):
    assert '<html lang="zh-Hans">' in html
    assert f"<title>{title} - {site_name}</title>" in html
    assert f'class="site-name">{site_name}</a>' in html  # the site's own header
    assert f'<a href="{home_url}">返回{site_name}首页</a>' in html  # a way back
    assert "网站标识码" in html and "主办单位" in html  # the footer's identity
    assert '<main id="main"' in html and "<h1" in html


@pytest.mark.django_db
def test_404_of_a_hosted_site_wears_that_sites_identity(city, client):
    response = client.get("/s/east/no-such-page/")
    assert response.status_code == 404
    html = _html(response)
    _assert_readable(html, site_name="东区政府网", home_url="/s/east/", title="没有找到这个页面")
    assert "5000000002" in html  # the district site's identification code, not the portal's
    assert "区县动态" in html  # and its own menu


@pytest.mark.django_db
def test_404_by_the_sites_own_host_name_wears_that_sites_identity(city, client):
    response = client.get("/no-such-page/", HTTP_HOST="edu.cq.gov.cn")
    assert response.status_code == 404
    _assert_readable(_html(response), site_name="市教委网站", home_url="/s/edu/", title="没有找到这个页面")


@pytest.mark.django_db
def test_404_outside_any_site_wears_the_portals_identity_and_offers_the_way_back(city, client):
    response = client.get("/mailbox/write/no-such-mailbox/", HTTP_REFERER="http://testserver/mailbox/")
    assert response.status_code == 404
    html = _html(response)
    _assert_readable(html, site_name="测试门户", home_url="/", title="没有找到这个页面")
    assert '<a href="http://testserver/mailbox/">返回上一页</a>' in html


@pytest.mark.django_db
def test_the_back_link_never_leads_to_another_web_site(city, client):
    html = _html(client.get("/no-such-page/", HTTP_REFERER="https://evil.example/phish"))
    assert "evil.example" not in html and "返回上一页" not in html


@pytest.mark.django_db
def test_an_empty_platform_still_answers_a_readable_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = _html(response)
    assert "没有找到这个页面" in html and "重庆市政府网站集约化平台" in html


@pytest.mark.django_db
def test_400_for_a_suspicious_request_is_a_readable_page(city, client):
    response = client.get("/", HTTP_HOST="bad host!")  # not a host name at all: DisallowedHost, a 400
    assert response.status_code == 400
    _assert_readable(_html(response), site_name="测试门户", home_url="/", title="请求有误")


@pytest.mark.django_db
def test_403_when_the_form_token_is_missing_is_a_readable_page(city):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/mailbox/track/", {"code": "ABCD-EFGH-JKMN", "check": "1234"})
    assert response.status_code == 403
    html = _html(response)
    _assert_readable(html, site_name="测试门户", home_url="/", title="没有访问权限")
    assert "刷新" in html  # says what to do about an expired form


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=ERRORS_URLCONF)
def test_405_of_a_post_only_address_is_a_readable_page_with_the_allow_header(city, client):
    response = client.get("/test-only-post/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    _assert_readable(_html(response), site_name="测试门户", home_url="/", title="不能这样打开这个页面")


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=ERRORS_URLCONF)
def test_500_is_a_readable_page_of_the_site_the_address_belongs_to(city):
    client = Client(raise_request_exception=False)
    response = client.get("/s/east/test-broken/")
    assert response.status_code == 500
    html = _html(response)
    _assert_readable(html, site_name="东区政府网", home_url="/s/east/", title="服务器出了点问题")
    assert "RuntimeError" not in html and "Traceback" not in html


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=ERRORS_URLCONF)
def test_500_without_a_database_still_answers_a_readable_page(city, django_db_blocker):
    client = Client(raise_request_exception=False)
    with django_db_blocker.block():  # every query of the error page now fails, as with a database that is down
        response = client.get("/test-broken/")
    assert response.status_code == 500
    html = _html(response)
    assert "服务器出了点问题" in html and "重庆市政府网站集约化平台" in html and 'href="/"' in html


# --- The API keeps its typed JSON -----------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/api/v1/no-such-thing", "/api/v1/no-such-thing/", "/api/v2/sites",
    f"/api/v1/columns/{2**64}/items", f"/api/v1/columns/{2**63}/items", "/api/v1/columns/-1/items",
    "/api/v1/columns/0/items", "/api/v1/columns/abc/items", "/api/v1/columns/999999/items",
])
def test_api_404_is_typed_json_for_missing_and_malformed_ids(city, client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "没有找到请求的对象。"}


@pytest.mark.django_db
def test_api_405_is_typed_json_with_the_allow_header(city, client):
    response = client.delete("/api/v1/sites")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert response.json() == {"code": "method_not_allowed", "message": "这个地址不支持该请求方法。"}


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=ERRORS_URLCONF)
def test_api_500_and_405_outside_ninja_are_typed_json(city):
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/test-broken")
    assert response.status_code == 500
    assert response.json() == {"code": "server_error", "message": "服务器内部错误,已记录,请稍后再试。"}
    response = client.get("/api/v1/test-only-post")
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_api_offset_past_the_database_range_is_an_empty_page(city, article_factory, client):
    article_factory(also_in=[city.portal_news])
    response = client.get(f"/api/v1/columns/{city.portal_news.pk}/items", {"offset": str(10**20)})
    assert response.status_code == 200 and response.json() == []
    assert client.get(f"/api/v1/columns/{city.portal_news.pk}/items", {"offset": "-5"}).json()[0]["title"]


@pytest.mark.django_db
def test_every_api_operation_declares_the_errors_it_can_answer(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            has_input = operation.get("parameters") or operation.get("requestBody")
            if has_input:
                assert {"404", "422"} <= declared, f"{method.upper()} {path} declares only {sorted(declared)}"
            if path.startswith("/api/v1/publish/"):
                assert {"400", "401", "403", "404", "409", "422"} <= declared, f"{method.upper()} {path}"


# --- Huge or malformed ids and numbers in the query string are never a 500 --------------------

@pytest.mark.django_db
@pytest.mark.parametrize("query", [f"page={2**64}", "page=-1", "page=abc", f"page={2**63}&after={2**70}.{2**70}",
                                   f"page=2&before=1.{2**64}", f"unit={2**64}", f"mailbox={2**64}"])
def test_admin_letter_queue_with_huge_or_malformed_numbers_is_not_a_500(city, client, make_user, query):
    handler = make_user("east_mailbox_admin", city.district, ["mailbox_handler"])
    client.force_login(handler)
    response = client.get(f"/admin/letters/?{query}")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", [f"/admin/letters/{2**64}/", "/admin/letters/-1/", f"/admin/letters/1/attachments/{2**64}/",
                                  f"/admin/hosting/{2**64}/", f"/admin/pages/{2**64}/edit/"])
def test_admin_addresses_with_huge_or_negative_ids_are_404(city, client, User, path):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-Test-2026"))
    assert client.get(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("query", [f"page={2**64}", "page=-3", "page=x", f"unit={2**64}", f"type={2**64}",
                                   "from=99999-99-99", f"to={2**64}"])
def test_public_lists_with_huge_or_malformed_numbers_are_not_a_500(city, client, query):
    assert client.get(f"/mailbox/letters/?{query}").status_code == 200
    assert client.get(f"/s/east/news/?{query}").status_code == 200
    assert client.get(f"/sites/?{query}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", [f"/mailbox/letters/{2**64}/", f"/mailbox/letters/unit/{2**64}/",
                                  f"/documents/{2**64}/a.pdf", "/documents/-1/a.pdf", f"/s/east/{2**64}/"])
def test_public_addresses_with_huge_or_negative_ids_are_404(city, client, path):
    assert client.get(path).status_code == 404
