"""One limit on request bodies, enforced before a byte is read: pages, API, admin."""

import io

import pytest

BIG = 200 * 1024 * 1024


class Untouchable(io.RawIOBase):
    """A request body that must not be read."""

    reads = 0

    def readable(self):
        return True

    def read(self, size=-1):
        Untouchable.reads += 1
        raise AssertionError("the body of a refused request was read")

    readline = read


class Endless(io.RawIOBase):
    """A body sent without a length that never ends; counts what was taken from it."""

    def __init__(self):
        self.taken = 0

    def readable(self):
        return True

    def read(self, size=-1):
        size = 65536 if size is None or size < 0 else size
        self.taken += size
        return b"x" * size


@pytest.mark.django_db
@pytest.mark.parametrize("path, content_type", [
    ("/mailbox/write/mayor/", "multipart/form-data; boundary=x"),
    ("/api/v1/letters", "application/json"),
    ("/admin/documents/multiple/add/", "multipart/form-data; boundary=x"),
    ("/api/v1/publish/articles", "application/json"),
])
def test_a_declared_length_over_the_limit_is_refused_unread(client, settings, path, content_type):
    Untouchable.reads = 0
    response = client.generic("POST", path, b"", content_type=content_type,
                              **{"CONTENT_LENGTH": str(BIG), "CONTENT_TYPE": content_type, "wsgi.input": Untouchable()})
    assert response.status_code == 413
    assert Untouchable.reads == 0
    limit_mb = f"{settings.MAX_REQUEST_BYTES / (1024 * 1024):g}"
    if path.startswith("/api/"):
        assert response.json() == {"code": "too_large", "message": f"请求过大:整个请求(含附件)不能超过 {limit_mb} MB。"}
    else:
        html = response.content.decode()
        assert response["Content-Type"].startswith("text/html") and f"不能超过 {limit_mb} MB" in html
        assert "没有保存任何内容" in html


@pytest.mark.django_db
def test_a_body_without_a_length_is_cut_off_at_the_limit(client, settings):
    settings.MAX_REQUEST_BYTES = 256 * 1024
    body = Endless()
    response = client.generic("POST", "/api/v1/letters", b"", **{
        "CONTENT_TYPE": "application/json", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": body})
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert body.taken <= settings.MAX_REQUEST_BYTES + 65536


@pytest.mark.django_db
def test_a_body_without_a_length_within_the_limit_reaches_the_view(client):
    payload = b'{"query_code": "ABCD-EFGH-JKMN", "check": "5678"}'
    response = client.generic("POST", "/api/v1/letters/track", b"", **{
        "CONTENT_TYPE": "application/json", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(payload)})
    # The view read the JSON (a wrong code is looked up and not found), not an empty body (422).
    assert response.status_code == 404 and response.json()["code"] == "not_found"
