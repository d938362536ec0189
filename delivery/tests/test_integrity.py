"""Integrity of the publish root: a changed, added or deleted file and a tampered
manifest are each found, repaired, recorded with their evidence and reported."""

import time

import pytest

from delivery import integrity, services
from delivery.models import BakedFile, IntegrityEvent, IntegrityKind
from delivery.rebuild import rebuild
from delivery.watcher import Watcher

pytestmark = pytest.mark.django_db

DEFACED = "<html><body>网站已被黑</body></html>".encode()


@pytest.fixture
def baked(city, tmp_path, settings, make_user):
    settings.PLATFORM_BAKE = True
    settings.PUBLISH_ROOT = tmp_path / "publish"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.VAR_DIR = tmp_path / "var"
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "static" / "js" / "site-menu.js").write_text("console.log('menu');")
    make_user("east_admin", city.district, ["site_admin"], email="admin@east.cq.gov.cn")
    make_user("centre_admin", city.office, ["site_admin"], email="centre@cq.gov.cn")
    make_user("edu_admin", city.dept, ["site_admin"], email="admin@edu.cq.gov.cn")
    rebuild(out=lambda line: None)
    assert integrity.scan() == []
    return settings.PUBLISH_ROOT


def home_file(city):
    return f"sites/{city.district_site.site.hostname}/index.html"


def notifications():
    from letters.models import Notification

    return sorted(Notification.objects.filter(kind="integrity").values_list("to", flat=True))


def test_a_changed_page_is_restored_and_reported_to_its_unit_and_the_centre(baked, city):
    page = baked / home_file(city)
    original = page.read_bytes()
    page.write_bytes(DEFACED)
    [event] = integrity.scan_and_repair()
    assert event.kind == IntegrityKind.CHANGED and event.path == home_file(city)
    assert event.site_id == city.district_site.site_id and event.unit_id == city.district.pk
    assert "网站已被黑" in event.found_excerpt and event.found_size == len(DEFACED)
    assert event.expected_digest == services.digest(original) != event.found_digest
    assert page.read_bytes() == original and event.restored_digest == services.digest(original)
    assert notifications() == ["admin@east.cq.gov.cn", "centre@cq.gov.cn"]
    assert IntegrityEvent.objects.get().notified


def test_an_added_file_is_quarantined(baked, city, settings):
    foreign = baked / f"sites/{city.district_site.site.hostname}/news/shell.html"
    foreign.write_text("<script>alert(1)</script>")
    [event] = integrity.scan_and_repair()
    assert event.kind == IntegrityKind.ADDED and "alert(1)" in event.found_excerpt
    assert not foreign.exists()
    kept = list((settings.VAR_DIR / "quarantine").rglob("shell.html"))
    assert len(kept) == 1 and kept[0].read_text() == "<script>alert(1)</script>"


def test_a_deleted_page_and_a_changed_static_file_are_put_back(baked, city):
    page = baked / home_file(city)
    original = page.read_bytes()
    page.unlink()
    script = baked / "static/js/site-menu.js"
    script.write_text("document.location='https://evil.example/'")
    events = {e.kind: e for e in integrity.scan_and_repair()}
    assert set(events) == {IntegrityKind.DELETED, IntegrityKind.CHANGED}
    assert page.read_bytes() == original
    assert script.read_text() == "console.log('menu');"
    assert "evil.example" in events[IntegrityKind.CHANGED].found_excerpt


def test_a_tampered_manifest_is_found_and_rewritten(baked, city):
    manifest = services.manifest_path(city.district_site.site.hostname)
    text = manifest.read_text()
    # Someone hides a foreign file by listing it with a digest of their own.
    manifest.write_text(text.replace('"files":{', '"files":{"sites/x/evil.html":"00",'))
    [event] = integrity.scan_and_repair()
    assert event.kind == IntegrityKind.MANIFEST
    assert services.manifest_check(city.district_site.site.hostname) is None
    assert manifest.read_text() == text


def test_the_bakes_own_writes_are_not_tampering(baked, city, article_factory, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article_factory(title="正常发布的文章")
    while services.bake_pending().written:
        pass
    assert integrity.scan_and_repair() == []
    assert not IntegrityEvent.objects.exists()


@pytest.mark.parametrize("tamper", ["change", "add", "delete", "manifest"])
def test_the_watcher_repairs_each_kind_within_ten_seconds(baked, city, tamper):
    """File-system events reach the watcher, which checks what they name (the full
    scan is set an hour away, so only the events can find it)."""
    watcher = Watcher(scan_seconds=3600)
    assert watcher.start_events()
    try:
        hostname = city.district_site.site.hostname
        page = baked / home_file(city)
        original = page.read_bytes()
        started = time.monotonic()
        if tamper == "change":
            page.write_bytes(DEFACED)
        elif tamper == "add":
            (baked / f"sites/{hostname}/evil.html").write_bytes(DEFACED)
        elif tamper == "delete":
            page.unlink()
        else:
            manifest = services.manifest_path(hostname)
            manifest.write_text(manifest.read_text().replace('"signature":"', '"signature":"0'))
        events = []
        while not events and time.monotonic() - started < 10:
            events = watcher.step(timeout=0.5)
        elapsed = time.monotonic() - started
    finally:
        watcher.stop()
    assert events, f"nothing found within {elapsed:.1f} s"
    kind = {"change": IntegrityKind.CHANGED, "add": IntegrityKind.ADDED, "delete": IntegrityKind.DELETED,
            "manifest": IntegrityKind.MANIFEST}[tamper]
    assert [e.kind for e in events] == [kind]
    assert page.read_bytes() == original
    assert not (baked / f"sites/{hostname}/evil.html").exists()
    assert services.manifest_check(hostname) is None
    assert BakedFile.objects.filter(path=home_file(city)).exists()


def test_each_unit_reads_its_own_events_and_the_centre_reads_all(baked, city, client, make_user):
    (baked / home_file(city)).write_bytes(DEFACED)
    (baked / f"sites/{city.dept_site.site.hostname}/index.html").write_bytes(DEFACED)
    integrity.scan_and_repair()
    east = make_user("east_admin2", city.district, ["site_admin"])
    centre = make_user("centre_supervisor", city.office, ["supervisor"])
    editor = city.editor
    client.force_login(east)
    page = client.get("/admin/delivery/").content.decode()
    assert home_file(city) in page and city.dept_site.site.hostname not in page
    other = IntegrityEvent.objects.get(site=city.dept_site.site)
    assert client.get(f"/admin/delivery/{other.pk}/").status_code == 404
    mine = IntegrityEvent.objects.get(site=city.district_site.site)
    detail = client.get(f"/admin/delivery/{mine.pk}/").content.decode()
    assert "网站已被黑" in detail and mine.expected_digest in detail
    client.force_login(centre)
    page = client.get("/admin/delivery/").content.decode()
    assert home_file(city) in page and city.dept_site.site.hostname in page
    client.force_login(editor)
    refused = client.get("/admin/delivery/")  # Wagtail turns the refusal into a message on the dashboard
    assert refused.status_code == 302 and refused.url == "/admin/"


def test_a_bake_out_of_disk_leaves_the_served_file_and_reports(baked, city, monkeypatch):
    import errno

    path = baked / home_file(city)
    previous = path.read_bytes()
    real_open = open

    def full_disk(file, mode="r", *args, **kwargs):
        if "w" in mode and str(file).endswith(services.TMP_SUFFIX):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", full_disk)
    report = services.bake_pages([city.district_site.site.root_page], services.sites(), site_files=False)
    monkeypatch.undo()
    assert home_file(city) in report.failed
    assert path.read_bytes() == previous
    assert BakedFile.objects.get(path=home_file(city)).digest == services.digest(previous)
    from delivery.models import BakeProblem

    assert all("No space left" in p.error for p in BakeProblem.objects.all())
    assert BakeProblem.objects.filter(address__contains="/s/east/").exists()


@pytest.mark.parametrize("how", ["file", "directory", "replaced"])
def test_a_planted_symbolic_link_is_never_served_and_is_removed(baked, city, tmp_path, how):
    from delivery.tests.test_serving import Application, call
    from delivery.wsgi import BakedTree

    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "index.html").write_text("数据库密码")
    tree = baked / f"sites/{city.district_site.site.hostname}"
    if how == "file":
        (tree / "news" / "lnk").mkdir()
        (tree / "news" / "lnk" / "index.html").symlink_to(secret / "index.html")
        url = "/s/east/news/lnk/"
    elif how == "directory":
        (tree / "leak").symlink_to(secret, target_is_directory=True)
        url = "/s/east/leak/"
    else:  # a baked page replaced by a link
        (tree / "news" / "index.html").unlink()
        (tree / "news" / "index.html").symlink_to(secret / "index.html")
        url = "/s/east/news/"
    behind = Application()
    assert call(BakedTree(behind), url)[2] == b"application"  # not the linked file
    events = integrity.scan_and_repair()
    assert [e.kind for e in events] == [IntegrityKind.CHANGED if how == "replaced" else IntegrityKind.ADDED]
    assert "符号链接" in events[0].found_excerpt
    assert not any(p.is_symlink() for p in tree.rglob("*"))
    assert (secret / "index.html").read_text() == "数据库密码"  # the target is untouched
    if how == "replaced":
        assert "数据库密码" not in (tree / "news" / "index.html").read_text()


def test_the_watcher_finds_a_link_inside_a_new_directory_at_once(baked, city, tmp_path):
    watcher = Watcher(scan_seconds=3600)
    assert watcher.start_events()
    try:
        (tmp_path / "target.html").write_text("x")
        fresh = baked / f"sites/{city.district_site.site.hostname}/news/new"
        fresh.mkdir()
        (fresh / "index.html").symlink_to(tmp_path / "target.html")
        started, events = time.monotonic(), []
        while not events and time.monotonic() - started < 10:
            events = watcher.step(timeout=0.5)
    finally:
        watcher.stop()
    assert [e.kind for e in events] == [IntegrityKind.ADDED]
    assert not (fresh / "index.html").is_symlink()


def test_serving_json_edited_by_hand_serves_nothing_and_is_put_back(baked, city):
    import json

    from delivery.tests.test_serving import Application, call
    from delivery.wsgi import BakedTree

    path = baked / "serving.json"
    data = json.loads(path.read_text())
    data["headers"]["refresh"] = "0; url=https://evil.example/"
    path.write_text(json.dumps(data))
    behind = Application()
    status, headers, body = call(BakedTree(behind), "/s/east/news/")
    assert body == b"application" and "refresh" not in {k.lower() for k in headers}
    [event] = integrity.scan_and_repair()
    assert event.kind == IntegrityKind.MANIFEST and event.path == "serving.json" and "evil.example" in event.found_excerpt
    assert "evil.example" not in path.read_text()
    status, headers, body = call(BakedTree(behind), "/s/east/news/")
    assert headers.get("X-Delivery") == "baked"


def test_a_manifest_behind_the_records_is_rewritten_without_an_alarm(baked, city, article_factory,
                                                                     django_capture_on_commit_callbacks):
    """A withdrawal or a bake in progress leaves a signed manifest behind the records:
    that is the bake's own state, not tampering."""
    with django_capture_on_commit_callbacks(execute=True):
        article_factory(title="发布中")
    assert services.manifest_check(city.district_site.site.hostname) == "stale"
    assert integrity.scan_and_repair() == []
    assert services.manifest_check(city.district_site.site.hostname) is None
