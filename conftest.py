"""Fixtures shared by every app's tests: a small city built through the services."""

import pytest
from django.contrib.auth import get_user_model

from demo.city import COLUMN_KINDS, LEXICON


@pytest.fixture(autouse=True)
def fresh_page_cache():
    """Each test's database starts over, so pages kept by an earlier test are stale."""
    from django.conf import settings

    if not settings.configured:  # the browser tests run without Django (-p no:django)
        return
    from portal import pagecache

    pagecache.reset()


def clear_own_cache():
    """Empty this test worker's cache and nothing else. ``cache.clear()`` would be
    FLUSHDB on Redis: the other parallel worker's entries and the broker's queued
    tasks (same Redis database) would go with it."""
    from django.core.cache import cache

    if not settings_are_redis():
        cache.clear()  # the file cache has a directory per test worker
        return
    client = cache._cache.get_client(None, write=True)
    keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
    if keys:
        client.delete(*keys)


def settings_are_redis():
    from django.conf import settings

    return settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with this worker's cache empty: rate-limit counters (kept in
    Redis when the cache is Redis), kept pages, statistics."""
    from django.conf import settings

    if settings.configured:
        clear_own_cache()


@pytest.fixture
def clear_cache():
    """For a test that empties the cache half-way."""
    return clear_own_cache


@pytest.fixture(autouse=True)
def wagtail_roots(request):
    """A transactional test (the worker test) flushes the tables, taking with them
    the locale, root page and root collection that Wagtail's migrations create, and
    the rows of our own data migrations."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if marker is None:
            return
    request.getfixturevalue("db") if "transactional_db" not in request.fixturenames else None
    roots_ensure()


def roots_ensure():
    from wagtail.models import Collection, Locale, Page

    locale = Locale.objects.first() or Locale.objects.create(language_code="zh-hans")
    if not Page.get_first_root_node():
        Page.add_root(title="Root", slug="root", locale=locale)
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    _seeded_by_migrations()


def _seeded_by_migrations():
    """Rows the data migrations write (the not-accepted reasons, the error-report
    letter type, the online forms' platform answer limit, the guides' catch-all
    phrases, the 2019 indicators, the known stations), gone after a transactional test flushed the
    tables: written again by the migration's own code."""
    import importlib

    from django.apps import apps

    from disclosure.models import AnswerLimit, CatchAllPhrase
    from letters.models import LetterType, NotAcceptedReason
    from livedata.models import Station
    from supervision.models import Ruleset

    if not NotAcceptedReason.objects.exists():
        importlib.import_module("letters.migrations.0009_seed_not_accepted_reasons").seed(apps, None)
    if not LetterType.objects.filter(code="error_report").exists():
        importlib.import_module("letters.migrations.0011_error_report_type").seed(apps, None)
    if not AnswerLimit.objects.filter(unit__isnull=True).exists():
        importlib.import_module("disclosure.migrations.0004_online_forms_and_pre_acceptance").seed(apps, None)
    if not CatchAllPhrase.objects.exists():
        importlib.import_module("disclosure.migrations.0006_service_guide_completeness").seed(apps, None)
    if not Ruleset.objects.exists():
        importlib.import_module("supervision.migrations.0002_ruleset_2019").load(apps, None)
    if not Station.objects.exists():
        importlib.import_module("livedata.migrations.0002_known_stations").load(apps, None)


def user_make(username, unit=None, roles=(), **extra):
    from orgs.services import membership_grant, person_create

    user = person_create(username=username, password="pw-Test-2026", full_name="测试" + username[:4], **extra)
    for role in roles:
        membership_grant(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def make_user(db):
    return user_make


@pytest.fixture
def make_machine_client(db):
    """A business system's client and its token (shown once): ``make(unit, name, scopes)``."""
    from types import SimpleNamespace

    from orgs.clients import machine_client_create

    def make(unit, name="东区公文系统", scopes=("publish",), expires_at=None, actor=None):
        client, token = machine_client_create(unit=unit, name=name, scopes=list(scopes), expires_at=expires_at,
                                              actor=actor)
        return SimpleNamespace(client=client, token=token, headers={"Authorization": f"Bearer {token}"})

    return make


def lexicon_build():
    from guard.services import lexicon_term_save

    return [lexicon_term_save(term=t, kind=k, reason=r, correct_form=c) for t, k, r, c in LEXICON]


def kinds_build():
    from portal.services import column_kind_save

    return {
        code: column_kind_save(code=code, name=name, category=category, update_period=period)
        for code, name, category, period in COLUMN_KINDS
        if category != "social_news"
    }


class City:
    """Handles to the small city: units, site records, columns and people."""


def city_build(kinds):
    from hosting.sites import site_create
    from orgs.services import unit_create
    from portal.models import ColumnPage
    from portal.services import page_create

    c = City()
    c.kinds = kinds
    c.gov = unit_create(name="测试市人民政府", code="gov", kind="municipal_government")
    c.office = unit_create(name="测试市人民政府办公厅", code="office", kind="general_office", parent=c.gov,
                           sees_all_units=True, short_name="市政府办公厅")
    c.district = unit_create(name="测试市东区人民政府", code="east", kind="district_government", parent=c.gov,
                             short_name="东区")
    c.dept = unit_create(name="测试市教育委员会", code="edu", kind="municipal_department", parent=c.gov,
                         short_name="市教委")
    identity = dict(icp_number="渝ICP备00000001号", psb_number="渝公网安备 50000000000001号", contact_phone="023-60000000")
    c.portal_site = site_create(unit=c.office, kind="portal", name="测试门户", hostname="www.cq.gov.cn",
                                site_id_code="5000000001", sponsor=c.office.name, is_default=True, **identity)
    c.district_site = site_create(unit=c.district, kind="district", name="东区政府网", hostname="east.cq.gov.cn",
                                  site_id_code="5000000002", sponsor=c.district.name, **identity)
    c.dept_site = site_create(unit=c.dept, kind="department", name="市教委网站", hostname="edu.cq.gov.cn",
                              site_id_code="5000000003", sponsor=c.dept.name, **identity)

    def column(record, title, kind, accepts=False):
        page = ColumnPage(title=title, slug=kind, kind=kinds[kind], accepts_placements=accepts, show_in_menus=True)
        return page_create(parent=record.site.root_page.specific, page=page, publish=True)

    c.portal_news = column(c.portal_site, "要闻动态", "news", accepts=True)
    c.portal_policy = column(c.portal_site, "政策文件", "policy")
    c.district_news = column(c.district_site, "区县动态", "news")
    c.district_notices = column(c.district_site, "通知公告", "notices")
    c.dept_news = column(c.dept_site, "工作动态", "news")
    c.editor = user_make("east_editor", c.district, ["editor"])
    c.reviewer = user_make("east_reviewer", c.district, ["reviewer"])
    c.leader = user_make("east_leader", c.district, ["leader"])
    c.dept_editor = user_make("edu_editor", c.dept, ["editor"])
    c.supervisor = user_make("office_supervisor", c.office, ["supervisor"])
    return c


# --- The small city, built once and shared by consecutive tests -----------------------
#
# Building the city (four units, three sites with their disclosure sections, columns,
# people) takes seconds; most tests need it and change little of it. A test that asks
# for ``city`` (and is not transactional) runs inside a savepoint of an outer
# transaction that holds the city: the outer transaction is opened before the test's
# own, the city is built in it once, and it is rolled back when the next test does not
# want the city (or at the end). Each test gets fresh Python objects read from the
# database, so what one test changes in memory or in the database never reaches the
# next. Within a file, the tests that share the city run one after the other.


class _Snapshot:
    atomic = None
    blocker = None
    kinds = None
    lexicon = None
    city = None


def _is_transactional(item):
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names or "django_db_serialized_rollback" in names:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback")))


def _shares_city(item):
    return item is not None and "city" in getattr(item, "fixturenames", ()) and not _is_transactional(item)


def pytest_collection_modifyitems(items):
    # Within each file, the tests that share the city come last, one after another; the
    # order is the same in every parallel worker (xdist requires it).
    order = {}
    for index, item in enumerate(items):
        order.setdefault(item.nodeid.split("::", 1)[0], index)
    items.sort(key=lambda item: (order[item.nodeid.split("::", 1)[0]], _shares_city(item)))


def _snapshot_close():
    if _Snapshot.atomic is None:
        return
    from django.db import transaction

    with _Snapshot.blocker.unblock():
        transaction.set_rollback(True)
        _Snapshot.atomic.__exit__(None, None, None)
    _Snapshot.atomic = _Snapshot.kinds = _Snapshot.lexicon = _Snapshot.city = None


@pytest.fixture(autouse=True)
def _django_db_marker(request):
    """pytest-django's own fixture of this name (the test's transaction for a
    ``django_db`` mark), preceded by the outer transaction holding the city (see
    above): it is the first autouse fixture that may open the test's transaction."""
    _city_outer_transaction(request)
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")


def _city_outer_transaction(request):
    if not _shares_city(request.node) or _Snapshot.atomic is not None:
        return
    from django.db import connection, transaction

    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    if connection.in_atomic_block:  # the test's transaction is open already: build in it
        return
    _Snapshot.blocker = blocker
    with blocker.unblock():
        _Snapshot.atomic = transaction.atomic()
        _Snapshot.atomic.__enter__()
        try:
            roots_ensure()
            _Snapshot.kinds = kinds_build()
            _Snapshot.lexicon = lexicon_build()
            _Snapshot.city = city_build(_Snapshot.kinds)
        except BaseException:
            _snapshot_close()
            raise


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if _Snapshot.atomic is not None and not _shares_city(nextitem):
        _snapshot_close()


def pytest_sessionfinish():
    _snapshot_close()


def _fresh(value):
    """The same rows, read again: a test's changes to its objects stay with it."""
    from django.db.models import Model

    if isinstance(value, Model):
        return type(value)._default_manager.get(pk=value.pk)
    if isinstance(value, dict):
        return {key: _fresh(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    return value


def _from_snapshot(request):
    return _Snapshot.atomic is not None and _shares_city(request.node)


@pytest.fixture
def lexicon(db, request):
    return _fresh(_Snapshot.lexicon) if _from_snapshot(request) else lexicon_build()


@pytest.fixture
def kinds(db, request):
    return _fresh(_Snapshot.kinds) if _from_snapshot(request) else kinds_build()


@pytest.fixture
def city(db, kinds, lexicon, request):
    if not _from_snapshot(request):
        return city_build(kinds)
    c = City()
    for name, value in vars(_Snapshot.city).items():
        setattr(c, name, _fresh(value))
    c.kinds = kinds
    return c


@pytest.fixture
def article_factory(city):
    from portal.models import ArticlePage
    from portal.services import page_create

    def make(column=None, title="东区召开民生工作推进会", body="<p>会议部署了民生实事工作。</p>", publish=True, actor=None, **extra):
        page = ArticlePage(title=title, body=body, **extra)
        return page_create(parent=column or city.district_news, page=page, publish=publish, actor=actor)

    return make


@pytest.fixture
def User():
    return get_user_model()


@pytest.fixture
def managers(city, make_user, django_user_model):
    """The people of the configuration pages: a superuser, the management centre's
    site administrator (a unit that sees every unit), 东区's site administrator and
    an editor of 东区."""
    from types import SimpleNamespace

    return SimpleNamespace(
        superuser=django_user_model.objects.create_superuser("platform_root", "root@cq.gov.cn", "pw-Test-2026"),
        centre=make_user("centre_admin", city.office, ["site_admin"]),
        east_admin=make_user("east_admin", city.district, ["site_admin"]),
        editor=city.editor,
    )
