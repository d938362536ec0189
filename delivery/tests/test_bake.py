"""Baking: what a change re-bakes (asserted on the file tree), what a baked page
holds (the dynamic rendering, byte for byte), and what a failure leaves."""

import pytest
from django.test import override_settings

from delivery import services
from delivery.models import BakedFile, BakeProblem, FileKind, PendingBake
from delivery.rebuild import rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish_root(tmp_path, settings):
    settings.PLATFORM_BAKE = True
    settings.PUBLISH_ROOT = tmp_path / "publish"
    settings.STATIC_ROOT = tmp_path / "static"
    (tmp_path / "static" / "css").mkdir(parents=True)
    (tmp_path / "static" / "css" / "site.css").write_text("body { color: #222; }")
    return settings.PUBLISH_ROOT


@pytest.fixture
def baked(city, publish_root):
    """The small city baked whole."""
    rebuild(out=lambda line: None)
    return publish_root


def tree_state(root):
    """{relative path: (inode, mtime_ns, size)} of every file, manifests included."""
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size)
            for p in root.rglob("*") if p.is_file()}


def changed_files(before, after):
    """The files written, added or removed between two states."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def without_manifests(paths):
    return {p for p in paths if not p.endswith(".manifest.json") and p != "serving.json"}


def site_file(site, relative):
    return f"sites/{site.site.hostname}/{relative}"


def bake_after(django_capture_on_commit_callbacks, change):
    """Make the change as a request would (its commit withdraws the files and notes
    the bake), then run the bake the worker would run."""
    with django_capture_on_commit_callbacks(execute=True):
        result = change()
    while PendingBake.objects.exists():  # what the worker's task does: until nothing is left
        services.bake_pending()
    return result


def test_a_full_bake_holds_every_public_page_as_the_application_renders_it(baked, city, client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    pages = BakedFile.objects.filter(kind=FileKind.PAGE)
    assert pages.count() >= 10
    for record in pages:
        prefix = "" if record.site.is_default_site else f"/s/{record.site.hostname.split('.')[0]}"
        query = f"?page={record.page_number}" if record.page_number > 1 else ""
        response = client.get(prefix + record.address + query)
        assert response.status_code == 200, record.path
        assert (baked / record.path).read_bytes() == response.content, record.path
        assert services.digest(response.content) == record.digest
    # Each site has its sitemap and 404 page; each column its feed; the static files are copied.
    for record in (city.portal_site, city.district_site, city.dept_site):
        assert (baked / site_file(record, "sitemap.xml")).exists()
        assert b"<title>" in (baked / site_file(record, "404.html")).read_bytes()
    assert (baked / site_file(city.district_site, "news/rss/index.rss")).read_bytes().startswith(b"<?xml")
    assert (baked / "static/css/site.css").read_text() == "body { color: #222; }"
    assert services.manifest_check(city.district_site.site.hostname) is None


def test_publishing_an_article_rebakes_exactly_what_shows_it(baked, city, article_factory,
                                                             django_capture_on_commit_callbacks):
    before = tree_state(baked)
    article = bake_after(django_capture_on_commit_callbacks, lambda: article_factory(title="东区发布秋季防汛通知"))
    after = tree_state(baked)
    expected = {site_file(city.district_site, p) for p in (
        f"news/{article.slug}/index.html",  # the article
        "news/index.html", "news/rss/index.rss",  # its column and feed
        "index.html",  # the site's home page
        "sitemap.xml",
    )}
    assert without_manifests(changed_files(before, after)) == expected
    assert "东区发布秋季防汛通知" in (baked / site_file(city.district_site, f"news/{article.slug}/index.html")).read_text()
    assert "东区发布秋季防汛通知" in (baked / site_file(city.district_site, "index.html")).read_text()
    assert not PendingBake.objects.exists()


def test_an_edit_rebakes_the_page_its_listings_and_home(baked, city, article_factory,
                                                        django_capture_on_commit_callbacks):
    article = bake_after(django_capture_on_commit_callbacks, lambda: article_factory(title="旧标题的通知"))
    before = tree_state(baked)

    def edit():
        article.title = "新标题的通知"
        article.save_revision().publish()

    bake_after(django_capture_on_commit_callbacks, edit)
    changed = without_manifests(changed_files(before, tree_state(baked)))
    assert changed == {site_file(city.district_site, p) for p in (
        f"news/{article.slug}/index.html", "news/index.html", "news/rss/index.rss", "index.html", "sitemap.xml")}
    assert "新标题的通知" in (baked / site_file(city.district_site, "news/index.html")).read_text()
    assert "旧标题的通知" not in (baked / site_file(city.district_site, "index.html")).read_text()


def test_a_move_drops_the_old_address_and_rebakes_both_columns(baked, city, article_factory,
                                                               django_capture_on_commit_callbacks):
    article = bake_after(django_capture_on_commit_callbacks, lambda: article_factory(title="搬家的通知"))
    old = site_file(city.district_site, f"news/{article.slug}/index.html")
    assert (baked / old).exists()
    before = tree_state(baked)
    bake_after(django_capture_on_commit_callbacks, lambda: article.move(city.district_notices, pos="last-child"))
    changed = without_manifests(changed_files(before, tree_state(baked)))
    new = site_file(city.district_site, f"notices/{article.slug}/index.html")
    assert changed == {old, new} | {site_file(city.district_site, p) for p in (
        "news/index.html", "news/rss/index.rss", "notices/index.html", "notices/rss/index.rss",
        "index.html", "sitemap.xml",
        # 通知公告 is filed in the site's catalogue (政府信息公开), which now lists the item.
        "xxgk/index.html", "xxgk/rss/index.rss")}
    assert not (baked / old).exists() and (baked / new).exists()
    assert "搬家的通知" not in (baked / site_file(city.district_site, "news/index.html")).read_text()
    assert "搬家的通知" in (baked / site_file(city.district_site, "notices/index.html")).read_text()


def test_an_unpublished_page_loses_its_files_and_its_listings_forget_it(baked, city, article_factory,
                                                                        django_capture_on_commit_callbacks):
    article = bake_after(django_capture_on_commit_callbacks, lambda: article_factory(title="撤下的通知"))
    own = site_file(city.district_site, f"news/{article.slug}/index.html")
    before = tree_state(baked)
    bake_after(django_capture_on_commit_callbacks, article.unpublish)
    changed = without_manifests(changed_files(before, tree_state(baked)))
    assert changed == {own} | {site_file(city.district_site, p) for p in (
        "news/index.html", "news/rss/index.rss", "index.html", "sitemap.xml")}
    assert not (baked / own).exists()
    assert not BakedFile.objects.filter(path=own).exists()
    assert "撤下的通知" not in (baked / site_file(city.district_site, "index.html")).read_text()


def test_a_placed_item_rebakes_the_other_sites_column_and_home(baked, city, article_factory,
                                                              django_capture_on_commit_callbacks):
    before = tree_state(baked)

    def place():
        from portal.models import ArticlePage
        from portal.services import page_create

        page = ArticlePage(title="东区经验在全市推广", body="<p>全市推广。</p>")
        page.also_in.set([city.portal_news])
        return page_create(parent=city.district_news, page=page, publish=True)

    article = bake_after(django_capture_on_commit_callbacks, place)
    changed = without_manifests(changed_files(before, tree_state(baked)))
    assert {site_file(city.portal_site, "news/index.html"), site_file(city.portal_site, "news/rss/index.rss"),
            site_file(city.portal_site, "index.html")} <= changed
    assert "东区经验在全市推广" in (baked / site_file(city.portal_site, "news/index.html")).read_text()
    assert site_file(city.district_site, f"news/{article.slug}/index.html") in changed
    assert not any(p.startswith(f"sites/{city.dept_site.site.hostname}/") for p in changed)


def test_a_menu_column_renamed_rebakes_its_whole_site_and_no_other(baked, city, django_capture_on_commit_callbacks):
    before = tree_state(baked)

    def rename():
        column = city.district_notices
        column.title = "公示公告"
        column.save_revision().publish()

    bake_after(django_capture_on_commit_callbacks, rename)
    changed = without_manifests(changed_files(before, tree_state(baked)))
    district = {p for p in before if p.startswith(f"sites/{city.district_site.site.hostname}/")
                and p.endswith(".html") and not p.endswith("404.html")}
    assert district <= changed
    assert not any(p.startswith(f"sites/{city.dept_site.site.hostname}/") for p in changed)
    assert "公示公告" in (baked / site_file(city.district_site, "news/index.html")).read_text()


def test_a_page_that_fails_to_render_is_reported_and_left_to_the_application(
        baked, city, article_factory, django_capture_on_commit_callbacks, monkeypatch):
    from portal.models import ArticlePage

    article = bake_after(django_capture_on_commit_callbacks, lambda: article_factory(title="会出错的页面"))
    own = baked / site_file(city.district_site, f"news/{article.slug}/index.html")
    previous = own.read_bytes()

    def broken(self, request, *args, **kwargs):
        if self.pk == article.pk:
            raise RuntimeError("模板出错")
        return original(self, request, *args, **kwargs)

    original = ArticlePage.get_context
    monkeypatch.setattr(ArticlePage, "get_context", broken)

    def edit():
        article.title = "会出错的页面(修改)"
        article.save_revision().publish()

    with django_capture_on_commit_callbacks(execute=True):
        edit()
    assert not own.exists()  # withdrawn at commit: the application answers meanwhile
    report = services.bake_pending()
    assert own.relative_to(baked).as_posix() in report.failed
    problem = BakeProblem.objects.get()
    assert "模板出错" in problem.error and problem.page_id == article.pk
    # The bake never removes what it failed to replace; here the withdrawn file stays
    # away (the application answers) and the other files were baked.
    assert "会出错的页面(修改)" in (baked / site_file(city.district_site, "news/index.html")).read_text()
    assert previous  # the file existed before the failure
    assert not own.exists()  # nothing half-written put in its place (test_a_failed_rewrite_… keeps a file)


def test_a_failed_rewrite_leaves_the_file_in_place(baked, city, monkeypatch):
    """A bake of an address whose rendering fails (a whole-site rebuild, say) never
    removes or truncates the file already served."""
    from portal.models import ColumnPage

    path = baked / site_file(city.district_site, "news/index.html")
    previous = path.read_bytes()

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("数据库暂时不可用")

    monkeypatch.setattr(ColumnPage, "get_context", broken)
    rebuild(out=lambda line: None)
    assert path.read_bytes() == previous
    assert BakedFile.objects.filter(path=path.relative_to(baked).as_posix()).exists()
    assert BakeProblem.objects.filter(error__contains="数据库暂时不可用").exists()


def test_the_publish_withdraws_what_it_changes_before_the_bake(baked, city, article_factory,
                                                               django_capture_on_commit_callbacks):
    listing = baked / site_file(city.district_site, "news/index.html")
    other = baked / site_file(city.dept_site, "news/index.html")
    with django_capture_on_commit_callbacks(execute=True):
        article_factory(title="马上可见的通知")
    assert not listing.exists() and other.exists()
    assert PendingBake.objects.count() == 1


def test_restricted_and_unpublished_pages_are_never_baked(city, publish_root, article_factory):
    from wagtail.models import PageViewRestriction

    secret = article_factory(title="内部通知")
    PageViewRestriction.objects.create(page=secret, restriction_type=PageViewRestriction.PASSWORD, password="x1")
    draft = article_factory(title="草稿", publish=False)
    rebuild(out=lambda line: None)
    paths = set(BakedFile.objects.values_list("path", flat=True))
    assert not any(secret.slug in p or draft.slug in p for p in paths)
    assert "草稿" not in (publish_root / site_file(city.district_site, "news/index.html")).read_text()


def test_a_resumed_rebuild_bakes_only_what_the_killed_one_had_not(city, publish_root):
    from django.utils import timezone

    from delivery.models import BakeRun

    run = BakeRun.objects.create(started_at=timezone.now())
    # The first half of the pages were baked before the run was killed.
    all_sites = services.sites()
    pages = [p for info in all_sites.values() for p in services.bakeable_pages(info)]
    services.bake_pages(pages[: len(pages) // 2], all_sites, site_files=False)
    lines = []
    rebuild(resume=True, out=lines.append)
    assert f"已完成 {len(pages) // 2} 个" in lines[0]
    run.refresh_from_db()
    assert run.finished_at is not None and run.done == run.total == len(pages)
    assert BakedFile.objects.filter(kind=FileKind.PAGE, page_number=1).count() == len(pages)


@override_settings(PLATFORM_BAKE=False)
def test_nothing_is_noted_when_baking_is_off(city, article_factory, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article_factory(title="不生成静态页")
    assert not PendingBake.objects.exists()


def test_one_bake_at_a_time_and_the_running_one_drains_the_rows(baked, city, article_factory,
                                                                 django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from delivery.tasks import LOCK_KEY, bake_pending_task

    with django_capture_on_commit_callbacks(execute=True):
        article = article_factory(title="排队生成的通知")
    cache.add(LOCK_KEY, 1, 60)  # another bake is running
    assert bake_pending_task.run() == 0 and PendingBake.objects.count() == 1
    cache.delete(LOCK_KEY)
    assert bake_pending_task.run() > 0
    assert not PendingBake.objects.exists() and cache.get(LOCK_KEY) is None
    assert (baked / site_file(city.district_site, f"news/{article.slug}/index.html")).exists()


def test_a_long_column_bakes_its_first_page_at_once_and_its_further_pages_after(
        city, publish_root, article_factory, django_capture_on_commit_callbacks, monkeypatch):
    from portal.models import ColumnPage

    monkeypatch.setattr(ColumnPage, "PAGE_SIZE", 2)
    for number in range(5):
        article_factory(title=f"第{number}条通知")
    rebuild(out=lambda line: None)
    column = f"sites/{city.district_site.site.hostname}/news/"
    assert {p.name for p in (publish_root / column).glob("index*.html")} == {
        "index.html", "index.p2.html", "index.p3.html"}
    with django_capture_on_commit_callbacks(execute=True):
        article_factory(title="第六条通知")
    report = services.bake_pending()
    # The first pass: the article, the column's first page, its feed, the home, the sitemap.
    assert f"{column}index.html" in report.written and not any("index.p" in p for p in report.written)
    assert PendingBake.objects.filter(reason=services.DEEP_LISTING).count() == 1
    report = services.bake_pending()
    assert {p.rsplit("/", 1)[1] for p in report.written if p.startswith(column + "index.p")} == {
        "index.p2.html", "index.p3.html"}
    assert not PendingBake.objects.exists()
    assert "第0条通知" in (publish_root / column / "index.p3.html").read_text()


def test_deleting_a_published_page_from_the_editor_removes_its_files_and_its_listing_entry(
        baked, city, article_factory, client, django_user_model, django_capture_on_commit_callbacks):
    from django.db import connection
    from wagtail.models import PageViewRestriction

    article = bake_after(django_capture_on_commit_callbacks, lambda: article_factory(title="要删除的通知"))
    # A restriction deleted with the page is noted too (a row for a page being deleted).
    PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.PASSWORD, password="x1")
    own = baked / site_file(city.district_site, f"news/{article.slug}/index.html")
    admin = django_user_model.objects.create_superuser("root_delete", "r@cq.gov.cn", "pw-Test-2026")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/pages/{article.pk}/delete/")
    assert response.status_code == 302
    connection.check_constraints()  # what the commit checks: no row points at the deleted page
    assert not own.exists()
    while PendingBake.objects.exists():
        services.bake_pending()
    assert "要删除的通知" not in (baked / site_file(city.district_site, "news/index.html")).read_text()


def test_a_change_rolled_back_leaves_the_files_in_place(baked, city):
    from django.db import transaction

    listing = baked / site_file(city.district_site, "news/index.html")
    try:
        with transaction.atomic():
            services.withdraw(BakedFile.objects.filter(path=listing.relative_to(baked).as_posix()))
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert listing.exists() and BakedFile.objects.filter(path=listing.relative_to(baked).as_posix()).exists()


def test_the_home_page_edited_rebakes_its_whole_site(baked, city, django_capture_on_commit_callbacks):
    before = tree_state(baked)

    def edit():
        home = city.district_site.site.root_page.specific
        home.tagline = "东区人民政府门户网站·新口号"
        home.save_revision().publish()

    bake_after(django_capture_on_commit_callbacks, edit)
    changed = without_manifests(changed_files(before, tree_state(baked)))
    assert site_file(city.district_site, "news/index.html") in changed
    assert "新口号" in (baked / site_file(city.district_site, "news/index.html")).read_text()
    assert not any(p.startswith(f"sites/{city.dept_site.site.hostname}/") for p in changed)
