"""Hosting a site and registering an independent one (hosting/sites.py)."""

import pytest
from wagtail.models import ModelLogEntry

from hosting.sites import site_create, site_register_independent
from orgs.errors import DomainError
from orgs.models import Hosting, SiteRecord

pytestmark = pytest.mark.django_db

IDENTITY = dict(icp_number="渝ICP备00000009号", psb_number="渝公网安备 50000000000009号", contact_phone="023-60000009")


def _entries(unit):
    return list(ModelLogEntry.objects.filter(action="hosting.site.register", object_id=str(unit.pk)).order_by("id"))


def test_hosting_a_site_is_recorded_once_with_who_did_it(city, make_user):
    centre = make_user("centre_admin", city.office, ["site_admin"])
    before = len(_entries(city.dept))
    record = site_create(unit=city.dept, kind="department", name="新建部门网站", hostname="new.cq.gov.cn",
                         site_id_code="5000000099", sponsor=city.dept.name, actor=centre, **IDENTITY)
    entries = _entries(city.dept)
    assert len(entries) == before + 1
    assert entries[-1].user == centre
    assert entries[-1].data == {"site": "新建部门网站", "hostname": "new.cq.gov.cn", "hosting": "hosted"}
    assert record.hosting == Hosting.HOSTED and record.site.root_page.specific.unit == city.dept


def test_registering_an_independent_site_is_recorded(city):
    record = site_register_independent(
        unit=city.dept, kind="department", name="独立建设的网站", hostname="own.cq.gov.cn", url="https://own.cq.gov.cn/",
        site_id_code="5000000098", sponsor=city.dept.name, **IDENTITY,
    )
    assert record.hosting == Hosting.INDEPENDENT and record.site is None
    assert _entries(city.dept)[-1].data == {"site": "独立建设的网站", "hostname": "own.cq.gov.cn", "hosting": "independent"}


def test_an_unknown_kind_of_site_is_refused_and_nothing_is_stored(city):
    with pytest.raises(DomainError, match="未知的网站类别"):
        site_create(unit=city.dept, kind="palace", name="坏网站", hostname="bad.cq.gov.cn", site_id_code="5000000097",
                    sponsor=city.dept.name, **IDENTITY)
    assert not SiteRecord.objects.filter(name="坏网站").exists()
