"""Site migration screens through the one screening service: titles and column
names as written, evasions folded."""

import pytest

from demo import site_package
from hosting import services
from hosting.models import ItemStatus
from hosting.package import PackageInvalid
from portal.models import ArticlePage

pytestmark = pytest.mark.django_db


def test_an_item_whose_title_has_a_term_in_angle_brackets_is_held(police, package, migrate):
    manifest = site_package.manifest()
    title = "关于<六合彩>销售点的情况说明"
    manifest["items"][0]["title"] = title
    migration = migrate(package(manifest))
    item = migration.items.get(title=title)
    assert item.status == ItemStatus.HELD and "六合彩" in item.message
    assert not ArticlePage.objects.get(title=title).live


def test_a_column_name_with_an_evasive_term_refuses_the_package(police, centre, package):
    manifest = site_package.manifest()
    manifest["columns"][0]["title"] = "代開 發票"
    path = package(manifest)
    with open(path, "rb") as stream, pytest.raises(PackageInvalid) as caught:
        services.migration_create(record=police, source=stream, package_name=path.name, actor=centre)
    assert "代开发票" in " ".join(caught.value.problems)
