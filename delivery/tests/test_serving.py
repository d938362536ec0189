"""Serving baked pages: the embedded default's WSGI layer, and the generated nginx
configuration run by a real nginx in front of the application."""

import io
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from delivery.nginx import config, current_user
from delivery.rebuild import rebuild
from delivery.wsgi import BakedTree

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture
def baked(city, tmp_path, settings):
    settings.PLATFORM_BAKE = True
    settings.PUBLISH_ROOT = tmp_path / "publish"
    settings.STATIC_ROOT = tmp_path / "static"
    (tmp_path / "static" / "css").mkdir(parents=True)
    (tmp_path / "static" / "css" / "site.css").write_text("body { color: #222; }" * 100)
    rebuild(out=lambda line: None)
    return settings.PUBLISH_ROOT


class Application:
    """Stands for Django behind the layer: answers every request it is passed."""

    def __init__(self):
        self.calls = []

    def __call__(self, environ, start_response):
        self.calls.append(environ["PATH_INFO"] + "?" + environ.get("QUERY_STRING", ""))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"application"]


def call(app, path, query="", method="GET", **extra):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path.encode().decode("latin-1"), "QUERY_STRING": query,
               "HTTP_HOST": "127.0.0.1:8000", "wsgi.input": io.BytesIO(), "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8000", **extra}
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


@pytest.mark.django_db
def test_the_embedded_layer_answers_baked_addresses_before_django(baked, city):
    behind = Application()
    app = BakedTree(behind)
    status, headers, body = call(app, "/s/east/news/")
    assert status == "200 OK" and headers["X-Delivery"] == "baked"
    assert body == (baked / "sites/east.cq.gov.cn/news/index.html").read_bytes()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    status, headers, body = call(app, "/", method="HEAD")
    assert status == "200 OK" and body == b"" and int(headers["Content-Length"]) > 1000
    # The same file again: 304 to a reader who has it.
    status, _h, body = call(app, "/s/east/news/", HTTP_IF_NONE_MATCH=headers["ETag"] if False else
                            call(app, "/s/east/news/")[1]["ETag"])
    assert status == "304 Not Modified" and body == b""
    status, headers, _b = call(app, "/s/east/news/rss/")
    assert headers["Content-Type"].startswith("application/rss+xml")
    assert behind.calls == []
    # Anything else goes to Django: a filter, a POST, a path outside the trees,
    # a climb out of the tree, an address not baked, a site not hosted.
    for path, query, method in [("/s/east/news/", "q=1", "GET"), ("/s/east/news/", "page=007", "GET"),
                                ("/s/east/news/", "", "POST"), ("/mailbox/", "", "GET"),
                                ("/s/east/../../../etc/", "", "GET"), ("/s/east/.manifest.json", "", "GET"),
                                ("/s/east/nope/", "", "GET"), ("/s/evil/", "", "GET"),
                                ("/s/east/news", "", "GET")]:
        status, headers, body = call(app, path, query, method)
        assert body == b"application", (path, query, method)
    assert len(behind.calls) == 9


@pytest.mark.django_db
def test_with_baking_off_the_layer_passes_everything_on(baked, settings):
    settings.PLATFORM_BAKE = False
    behind = Application()
    assert call(BakedTree(behind), "/")[2] == b"application"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Nginx:
    def __init__(self, prefix, upstream):
        self.prefix = Path(prefix)
        self.port = _free_port()
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.prefix / sub).mkdir(parents=True, exist_ok=True)
        self.conf = self.prefix / "nginx.conf"
        # The test's own files are the invoking user's (root in CI): its workers run as that user.
        self.conf.write_text(config(listen=f"127.0.0.1:{self.port}", upstream=upstream, standalone=True,
                                    prefix=self.prefix, user=current_user()))
        self.process = None

    def test(self):
        return subprocess.run([NGINX, "-t", "-c", str(self.conf), "-p", str(self.prefix)],
                              capture_output=True, text=True)

    def __enter__(self):
        self.process = subprocess.Popen([NGINX, "-c", str(self.conf), "-p", str(self.prefix), "-g", "daemon off;"],
                                        stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(self.process.stderr.read().decode())

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def fetch(url, data=None, opener=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        response = (opener or urllib.request.build_opener()).open(request, timeout=10)
        return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


needs_nginx = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed (bin/install-system-deps)")


@needs_nginx
@pytest.mark.django_db(transaction=True)
def test_nginx_serves_baked_pages_and_passes_the_mailbox_to_the_application(baked, city, live_server, tmp_path):
    from letters.models import Mailbox

    from delivery.services import bake_pending

    # A new mailbox shows on the district's pages: they are withdrawn, then baked again.
    Mailbox.objects.create(unit=city.district, name="东区区长信箱", code="east", email="east@mail.cq.gov.cn")
    assert not (baked / "sites/east.cq.gov.cn/news/index.html").exists()
    bake_pending()
    upstream = live_server.url.removeprefix("http://")
    nginx = Nginx(tmp_path / "nginx", upstream)
    checked = nginx.test()
    assert checked.returncode == 0, checked.stderr
    with nginx:
        status, headers, body = fetch(nginx.url("/s/east/news/"))
        assert status == 200 and headers["X-Delivery"] == "baked"
        assert body == (baked / "sites/east.cq.gov.cn/news/index.html").read_bytes()
        assert headers["Content-Type"] == "text/html; charset=utf-8" and headers["Cache-Control"] == "no-cache"
        assert headers["ETag"]
        status, headers, body = fetch(nginx.url("/"), headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        status, headers, _b = fetch(nginx.url("/s/east/news/rss/"))
        assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
        status, headers, body = fetch(nginx.url("/static/css/site.css"))
        assert status == 200 and headers["Content-Type"] == "text/css" and "max-age=86400" in headers["Cache-Control"]
        status, _h, body = fetch(nginx.url("/s/east/sitemap.xml"))
        assert status == 200 and b"<urlset" in body
        # A filtered listing is the application's; so is an address never baked.
        status, headers, body = fetch(nginx.url("/s/east/news/?q=1"))
        assert status == 200 and "X-Delivery" not in headers
        status, _h, body = fetch(nginx.url("/s/east/no-such-page/"))
        assert status == 404 and "东区政府网" in body.decode()
        status, _h, _b = fetch(nginx.url("/s/east/.manifest.json"))
        assert status == 404
        status, headers, body = fetch(nginx.url("/s/nosuch/"))  # no such site: the portal's 404, in Chinese
        assert status == 404 and "没有找到" in body.decode() and "nginx" not in body.decode()
        # A link planted in the tree is not followed.
        (baked / "sites/east.cq.gov.cn/leak").symlink_to("/etc", target_is_directory=True)
        assert fetch(nginx.url("/s/east/leak/passwd"))[0] in (403, 404)
        (baked / "static/leak").symlink_to("/etc", target_is_directory=True)
        assert fetch(nginx.url("/static/leak/passwd"))[0] in (403, 404)
        # The mailbox's form: read from the application with its cookie, posted back through nginx.
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        status, headers, body = fetch(nginx.url("/mailbox/write/east/"), opener=opener)
        assert status == 200 and "X-Delivery" not in headers and "写信" in body.decode()
        token = body.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "title": ""}).encode()
        status, _h, body = fetch(nginx.url("/mailbox/write/east/"), data=form, opener=opener,
                                 headers={"Referer": nginx.url("/mailbox/write/east/")})
        # The application's answer (not a CSRF refusal, 403): the form again, with what is missing.
        assert status == 400 and "请修改以下" in body.decode() and "请填写标题" in body.decode()


@needs_nginx
@pytest.mark.django_db
def test_published_pages_survive_the_application_being_down(baked, tmp_path):
    closed = _free_port()  # nothing listens here: the application is down
    with Nginx(tmp_path / "nginx", f"127.0.0.1:{closed}") as nginx:
        status, headers, body = fetch(nginx.url("/s/east/news/"))
        assert status == 200 and body == (baked / "sites/east.cq.gov.cn/news/index.html").read_bytes()
        assert fetch(nginx.url("/"))[0] == 200
        # What only the application answers: the site's own page saying it is away.
        for path in ("/mailbox/", "/s/east/news/?q=1", "/s/east/no-such-page/"):
            status, headers, body = fetch(nginx.url(path))
            assert (status, headers["Retry-After"]) == (503, "60"), (path, status, body.decode()[:300])
            assert "服务暂时不可用" in body.decode(), path
            assert ("东区政府网" if "/east/" in path else "测试门户") in body.decode(), path


@needs_nginx
@pytest.mark.django_db
def test_the_host_name_configuration_passes_nginx_t(baked, tmp_path, settings):
    settings.PLATFORM_PATH_SITES = False
    nginx = Nginx(tmp_path / "nginx", "127.0.0.1:8000")
    text = nginx.conf.read_text()
    assert "server_name east.cq.gov.cn;" in text and "server_name www.cq.gov.cn;" in text
    checked = nginx.test()
    assert checked.returncode == 0, checked.stderr
