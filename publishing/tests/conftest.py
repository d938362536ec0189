import json
import pytest


class Caller:
    """A business system calling /api/v1/publish/ with its token."""

    def __init__(self, http, token):
        self.http, self.token = http, token

    def headers(self, key=None, token=None):
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def get(self, path, **kwargs):
        return self.http.get(f"/api/v1/publish{path}", headers=self.headers(**kwargs))

    def post(self, path, payload, key=None, token=None):
        return self.http.post(f"/api/v1/publish{path}", data=json.dumps(payload, ensure_ascii=False),
                              content_type="application/json", headers=self.headers(key=key, token=token))

    def article(self, payload, key="oa-article-0001"):
        return self.post("/articles", payload, key=key)

    def document(self, payload, key="oa-document-0001"):
        return self.post("/documents", payload, key=key)


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a fresh directory, so a test can see every file stored."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def east_system(city, media, make_machine_client):
    return make_machine_client(city.district, "东区公文系统", scopes=["publish"])


@pytest.fixture
def oa(client, east_system):
    return Caller(client, east_system.token)


@pytest.fixture
def article_payload(city):
    return {
        "column": city.district_news.pk,
        "title": "东区启动老旧小区改造",
        "body": "<p>今年将改造老旧小区12个。</p><p>涉及居民3000余户。</p>",
        "summary": "东区老旧小区改造启动",
        "source": "东区住房城乡建委",
        "author": "王强",
        "pub_date": "2026-11-20T09:30:00",
    }


@pytest.fixture
def document_payload(city):
    return {
        "column": city.district_notices.pk,
        "title": "东区关于规范城市道路临时占用管理的规定",
        "doc_type": "normative",
        "issuing_organ": "测试市东区人民政府",
        "document_number": "东府发〔2026〕12号",
        "date_written": "2026-11-02",
        "pub_date": "2026-11-06T09:00:00+08:00",
        "topic": "construction",
        "keywords": "道路 占用 管理",
        "body": "第一条 为规范城市道路临时占用,制定本规定。\n第二条 本规定自发布之日起施行。",
        "body_format": "text",
    }
