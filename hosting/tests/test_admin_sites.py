"""网站登记 in the admin: the centre lists, creates and edits every site record; a
unit's site administrator their own unit's, within the identity items they keep."""

import pytest
from wagtail.models import Site

from orgs.errors import DomainError, PermissionRefused
from orgs.models import Hosting, SiteRecord
from orgs.services import site_record_update
from orgs.tests.adminpages import entries, form_data, form_errors, refused

pytestmark = pytest.mark.django_db

SITES = "/admin/sites/"


@pytest.fixture
def root(db, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw-Root-2026")


@pytest.fixture
def east_admin(city, make_user):
    return make_user("east_admin", city.district, ["site_admin"])


def listed(client):
    response = client.get(SITES)
    assert response.status_code == 200
    return {record.hostname for record in response.context["object_list"]}


@pytest.mark.parametrize("who", ["root", "centre"])
def test_the_centre_lists_every_site_hosted_or_independent(client, police, who, request):
    client.force_login(request.getfixturevalue(who))
    assert listed(client) == {"www.cq.gov.cn", "east.cq.gov.cn", "edu.cq.gov.cn", "gaj.cq.gov.cn"}
    page = client.get(SITES).content.decode()
    assert "渝ICP备05009999号" in page and "渝公网安备 50010302009999号" in page and "独立建设" in page


def test_a_site_admin_lists_their_units_sites_only(client, city, police, east_admin):
    client.force_login(east_admin)
    assert listed(client) == {"east.cq.gov.cn"}


def test_an_editor_cannot_open_the_site_records(client, city):
    client.force_login(city.editor)
    for url in (SITES, SITES + "new/", f"{SITES}edit/{city.district_site.pk}/", f"{SITES}history/{city.district_site.pk}/"):
        assert refused(client.get(url)), url
    assert 'href="/admin/sites/"' not in client.get("/admin/").content.decode()


def test_a_site_admin_edits_the_filing_numbers_of_their_units_site(client, city, east_admin):
    client.force_login(east_admin)
    url = f"{SITES}edit/{city.district_site.pk}/"
    response = client.post(url, form_data(client.get(url), icp_number="渝ICP备12345678号-1", contact_phone="023-61111111"))
    assert response.status_code == 302, form_errors(response)
    city.district_site.refresh_from_db()
    assert city.district_site.icp_number == "渝ICP备12345678号-1"
    entry = entries(city.district_site, "orgs.site.update").get()
    assert entry.user == east_admin
    assert entry.data["before"] == {"icp_number": "渝ICP备00000001号", "contact_phone": "023-60000000"}
    assert entry.data["after"] == {"icp_number": "渝ICP备12345678号-1", "contact_phone": "023-61111111"}


def test_a_site_admin_keeps_to_the_items_they_may_change(client, city, east_admin):
    client.force_login(east_admin)
    url = f"{SITES}edit/{city.district_site.pk}/"
    form = client.get(url)
    fields = form.context["form"].fields
    assert fields["name"].disabled and fields["site_id_code"].disabled and fields["hostname"].disabled
    client.post(url, form_data(form, name="改名网", site_id_code="5000009999", hostname="evil.cq.gov.cn"))
    city.district_site.refresh_from_db()
    assert (city.district_site.name, city.district_site.site_id_code, city.district_site.hostname) == (
        "东区政府网", "5000000002", "east.cq.gov.cn")
    with pytest.raises(PermissionRefused, match="网站标识码"):
        site_record_update(record=city.district_site, actor=east_admin, site_id_code="5000009999")


def test_a_record_of_another_unit_answers_404_and_stores_nothing(client, city, east_admin):
    client.force_login(east_admin)
    url = f"{SITES}edit/{city.dept_site.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"icp_number": "被改了", "sponsor": "外人"}).status_code == 404
    assert client.get(f"{SITES}history/{city.dept_site.pk}/").status_code == 404
    city.dept_site.refresh_from_db()
    assert city.dept_site.icp_number == "渝ICP备00000001号" and not entries(city.dept_site, "orgs.site.update").exists()


def test_the_centre_renames_a_site_and_its_wagtail_site_follows(client, city, centre):
    client.force_login(centre)
    url = f"{SITES}edit/{city.dept_site.pk}/"
    response = client.post(url, form_data(client.get(url), name="测试市教育网"))
    assert response.status_code == 302, form_errors(response)
    assert Site.objects.get(pk=city.dept_site.site_id).site_name == "测试市教育网"
    entry = entries(city.dept_site, "orgs.site.update").get()
    assert entry.data == {"before": {"name": "市教委网站"}, "after": {"name": "测试市教育网"}}
    assert "修改了网站登记信息" in client.get(f"{SITES}history/{city.dept_site.pk}/").content.decode()


def test_an_invalid_record_is_refused_with_its_reason_and_nothing_is_stored(client, city, centre):
    client.force_login(centre)
    url = f"{SITES}edit/{city.dept_site.pk}/"
    response = client.post(url, form_data(client.get(url), site_id_code="12", url="https://edu.example.com/"))
    assert response.status_code == 200
    assert "网站标识码应为10位数字或字母" in form_errors(response)
    city.dept_site.refresh_from_db()
    assert city.dept_site.site_id_code == "5000000003" and not entries(city.dept_site, "orgs.site.update").exists()


def test_the_host_name_and_the_way_of_hosting_are_not_changed_here(city):
    with pytest.raises(DomainError, match="域名"):
        site_record_update(record=city.dept_site, hostname="jw.cq.gov.cn")
    with pytest.raises(DomainError, match="建设方式"):
        site_record_update(record=city.dept_site, hosting=Hosting.INDEPENDENT)


def _new_site(client, **values):
    return client.post(SITES + "new/", form_data(client.get(SITES + "new/"), **values))


IDENTITY = dict(icp_number="渝ICP备20000001号", psb_number="渝公网安备 50000000000002号", contact_phone="023-62000000")


def test_the_centre_creates_a_hosted_site(client, city, centre):
    client.force_login(centre)
    response = _new_site(client, unit=str(city.dept.pk), kind="department", hosting="hosted", name="市教委二号站",
                         hostname="edu2.cq.gov.cn", site_id_code="5000000201", sponsor=city.dept.name, **IDENTITY)
    assert response.status_code == 302, form_errors(response)
    record = SiteRecord.objects.get(hostname="edu2.cq.gov.cn")
    assert record.hosting == Hosting.HOSTED and record.site.root_page.live
    assert record.site.root_page.specific.unit == city.dept


def test_the_centre_registers_an_independent_site(client, city, centre):
    client.force_login(centre)
    response = _new_site(client, unit=str(city.dept.pk), kind="department", hosting="independent", name="市招生考试网",
                         hostname="zsks.cq.gov.cn", url="https://zsks.cq.gov.cn/", site_id_code="5000000202",
                         sponsor=city.dept.name, address="重庆市(测试)1号", **IDENTITY)
    assert response.status_code == 302, form_errors(response)
    record = SiteRecord.objects.get(hostname="zsks.cq.gov.cn")
    assert (record.hosting, record.site, record.address) == (Hosting.INDEPENDENT, None, "重庆市(测试)1号")


def test_a_site_with_a_taken_host_name_is_refused_and_nothing_is_stored(client, city, centre):
    client.force_login(centre)
    before = SiteRecord.objects.count(), Site.objects.count()
    response = _new_site(client, unit=str(city.dept.pk), kind="department", hosting="hosted", name="重名站",
                         hostname="edu.cq.gov.cn", site_id_code="5000000203", sponsor=city.dept.name, **IDENTITY)
    assert response.status_code == 200 and "域名" in form_errors(response)
    assert (SiteRecord.objects.count(), Site.objects.count()) == before


def test_a_site_admin_cannot_create_a_site(client, city, east_admin):
    client.force_login(east_admin)
    assert refused(client.get(SITES + "new/"))
    assert refused(client.post(SITES + "new/", {"unit": city.district.pk, "kind": "district", "hosting": "independent",
                                                "name": "私建网站", "hostname": "rogue.cq.gov.cn"}))
    assert not SiteRecord.objects.filter(hostname="rogue.cq.gov.cn").exists()
