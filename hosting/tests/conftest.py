"""A small city with one independent site (the police bureau's) and its export package."""

import pytest

from demo import site_package


@pytest.fixture(autouse=True)
def kept_apart(settings, tmp_path):
    """Packages and migrated documents of a test go to its own folder."""
    settings.HOSTING_PACKAGE_DIR = tmp_path / "packages"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def police(city):
    """The independent site to migrate, registered like the demo's 重庆市公安局."""
    from hosting.sites import site_register_independent
    from orgs.services import unit_create

    unit = unit_create(name="测试市公安局", code="police", kind="municipal_department", parent=city.gov, short_name="市公安局")
    record = site_register_independent(
        unit=unit, kind="department", name="测试市公安局网站", hostname="gaj.cq.gov.cn", url="https://gaj.cq.gov.cn/",
        site_id_code="5000000107", icp_number="渝ICP备05009999号", psb_number="渝公网安备 50010302009999号",
        sponsor=unit.name, contact_phone="023-63960000",
    )
    return record


@pytest.fixture
def centre(city, make_user):
    """A site administrator of the portal management centre (a unit that sees all units)."""
    return make_user("office_admin", city.office, ["site_admin"])


@pytest.fixture
def package(tmp_path):
    """Write an export package to a file: the demo's, or one changed by the test."""
    counter = iter(range(1000))

    def write(manifest=None, files=None, **build_options):
        path = tmp_path / f"export-{next(counter)}.zip"
        path.write_bytes(site_package.build(manifest, files, **build_options))
        return path

    return write


@pytest.fixture
def migrate(police, centre):
    """Create and run a migration of ``police`` from a package file."""
    from hosting import services

    def run(path, *, record=None, actor=None, progress=None):
        with open(path, "rb") as stream:
            migration = services.migration_create(record=record or police, source=stream, package_name=path.name,
                                                  actor=actor or centre)
        return services.migration_run(migration_id=migration.pk, progress=progress)

    return run
