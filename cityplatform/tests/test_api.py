
import pytest


@pytest.mark.django_db
def test_openapi_document_and_local_docs(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/sites" in schema["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower()  # swagger-ui is served from our own static files


@pytest.mark.django_db
def test_sites_and_units_are_listed(city, client):
    sites = client.get("/api/v1/sites").json()
    east = next(s for s in sites if s["hostname"] == "east.cq.gov.cn")
    assert east["site_id_code"] == "5000000002" and east["url"] == "/s/east/" and east["unit_code"] == "east"
    units = {u["code"]: u for u in client.get("/api/v1/units").json()}
    assert units["east"]["parent_code"] == "gov"


@pytest.mark.django_db
def test_column_items_include_placements(city, article_factory, client):
    article = article_factory(title="东区动态上门户", also_in=[city.portal_news])
    items = client.get(f"/api/v1/columns/{city.portal_news.pk}/items").json()
    assert [i["title"] for i in items] == ["东区动态上门户"]
    assert items[0]["url"] == article.get_url()


@pytest.mark.django_db
def test_bad_input_gets_a_typed_chinese_error(city, client):
    response = client.get(f"/api/v1/columns/{city.portal_news.pk}/items?limit=abc")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and "请求数据格式不正确" in body["message"] and "limit" in body["message"]
    missing = client.get("/api/v1/columns/999999/items")
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "message": "没有找到请求的对象。"}


@pytest.mark.django_db
def test_every_router_answers_a_body_that_is_not_json_with_a_typed_chinese_error(city, client):
    response = client.post("/api/v1/letters/track", data="{not json", content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and "不是有效的 JSON" in body["message"]
