"""Browser tests against a real server: the demo city in a throw-away directory,
served by gunicorn, driven by Debian's Chromium through Playwright.

Run with ``make e2e`` (``python -m pytest -q e2e -p no:django``). Nothing is
downloaded: the browser is /usr/bin/chromium, axe-core comes from node_modules.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
# Settings that would point the server at shared services; the browser tests
# always run on the embedded default, in their own directory.
OUTSIDE_SERVICES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_HOST", "MEDIA_ROOT")


def pytest_addoption(parser, pluginmanager):
    # pyproject's addopts carry pytest-django's --reuse-db, which the browser
    # tests run without (-p no:django); accept the option so the run starts.
    if not pluginmanager.has_plugin("django"):
        parser.addoption("--reuse-db", action="store_true", help="ignored by the browser tests")
        parser.addini("DJANGO_SETTINGS_MODULE", "ignored by the browser tests")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """The running platform: its address, environment and a way to ask its database."""

    def __init__(self, var_dir, port):
        self.var_dir = Path(var_dir)
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.env = {k: v for k, v in os.environ.items() if k not in OUTSIDE_SERVICES}
        # The Content-Security-Policy stays off here: axe-core is injected as an inline
        # script, which the policy would block (cityplatform/tests/test_production.py
        # checks the pages carry no inline script instead).
        self.env.update(PLATFORM_VAR_DIR=str(var_dir), PLATFORM_BASE_URL=self.base_url, PYTHONUNBUFFERED="1")
        self.process = None
        self.timings = []
        self.log_path = self.var_dir / "gunicorn.log"

    def url(self, path):
        return self.base_url + path

    def manage(self, *args, timeout=300):
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=self.env,
            capture_output=True, text=True, timeout=timeout,
        )
        if result.returncode != 0:
            command = " ".join(args)
            raise RuntimeError(f"manage.py {command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        self.timings.append((" ".join(args[:1]), round(time.monotonic() - started, 1)))
        return result.stdout

    def manage_in_background(self, *args):
        process = subprocess.Popen(
            [sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        process.started = time.monotonic()
        return process

    def wait_for(self, process, name, timeout=300):
        output, _ = process.communicate(timeout=timeout)
        if process.returncode != 0:
            raise RuntimeError(f"manage.py {name} failed ({process.returncode}):\n{output}")
        self.timings.append((f"{name} (in parallel; finished by)", round(time.monotonic() - process.started, 1)))

    def shell(self, code):
        """Run Python in ``manage.py shell`` against the server's database; return stdout."""
        return self.manage("shell", "-v", "0", "-c", code)

    def start(self):
        log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cityplatform.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--timeout", "60"],
            cwd=PROJECT_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log()}")
            try:
                urllib.request.urlopen(self.url("/healthz"), timeout=5).close()
                return
            except urllib.error.HTTPError:
                return  # 503 without a worker: the server answers, that is all we wait for
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s:\n{self.log()}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""


@pytest.fixture(scope="session")
def server():
    var_dir = tempfile.mkdtemp(prefix="cityplatform-e2e-")
    srv = Server(var_dir, _free_port())
    try:
        # Static files need no database: collect them while the demo city loads.
        static = srv.manage_in_background("collectstatic", "--noinput", "-v0")
        srv.manage("migrate", "--noinput")
        srv.manage("load_demo", "--items-per-column", "2")
        srv.wait_for(static, "collectstatic")
        srv.start()
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        (ARTIFACTS_DIR / "setup-timings.txt").write_text(
            "".join(f"{name}: {seconds} s\n" for name, seconds in srv.timings), encoding="utf-8"
        )
        yield srv
    finally:
        srv.stop()
        if srv.process is not None:
            ARTIFACTS_DIR.mkdir(exist_ok=True)
            shutil.copyfile(srv.log_path, ARTIFACTS_DIR / "gunicorn.log")
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _artifact_name(request, suffix=""):
    name = re.sub(r"[^\w.\[\]-]+", "_", request.node.name)
    return ARTIFACTS_DIR / f"{name}{suffix}.png"


def _new_page(browser, server, viewport, **context_args):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    context = browser.new_context(viewport=viewport, base_url=server.base_url, locale="zh-CN", **context_args)
    context.set_default_timeout(20_000)
    return context, context.new_page()


def _screenshot_and_close(context, page, path):
    try:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(path), full_page=True, timeout=15_000)
    except Exception as exc:  # a screenshot must never hide the test's own result
        print(f"screenshot {path.name} not taken: {exc}")
    finally:
        context.close()


@pytest.fixture
def page(browser, server, request):
    """A desktop page (1280×900) in a fresh context; its final state is saved as a screenshot."""
    context, pg = _new_page(browser, server, DESKTOP)
    yield pg
    _screenshot_and_close(context, pg, _artifact_name(request))


@pytest.fixture
def phone_page(browser, server, request):
    """A phone page (360×740, touch) in a fresh context; saved as <test>-phone.png."""
    context, pg = _new_page(browser, server, PHONE, is_mobile=True, has_touch=True)
    yield pg
    _screenshot_and_close(context, pg, _artifact_name(request, "-phone"))
