"""Unit profiles (机构概况): structured data, its rules, who edits it, and the pages
that show it (N-2.4a: organisation, duties, post-responsible persons, contact phones,
items handled)."""

import io

import pytest

from disclosure.tests import guides_helpers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage
from wagtail.models import ModelLogEntry

from disclosure import profiles
from disclosure.models import (
    ContactPhone, InternalDepartment, PersonKind, ProfilePage, UnitPerson, UnitProfile,
)
from disclosure.services import site_sections_ensure
from orgs.errors import DomainError, PermissionRefused
from portal.models import ColumnCategory, ColumnPage
from portal.pagecache import HEADER
from portal.services import page_create

SECTIONS = {"functions", "leaders", "departments", "contacts", "matters"}


def _overview(record):
    return ColumnPage.objects.child_of(record.site.root_page).get(kind__category=ColumnCategory.OVERVIEW)


def _section(record, section):
    return ProfilePage.objects.child_of(_overview(record)).get(section=section)


def _png(colour=(120, 120, 120), name="photo.png"):
    buffer = io.BytesIO()
    PILImage.new("RGB", (60, 80), colour).save(buffer, "PNG")
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _guide(city, column, title="东区居民临时救助申请", **extra):
    """A complete guide (a guide missing elements is never published)."""
    guide = guides_helpers.guide(title=title, summary="为遭遇突发困难的居民提供临时救助。", **extra)
    return page_create(parent=column, page=guide, publish=True)


def _services_column(city, record):
    column = ColumnPage(title="办事服务", slug="services", kind=city.kinds["services"], show_in_menus=True)
    return page_create(parent=record.site.root_page.specific, page=column, publish=True)


# --- The column every site gets ------------------------------------------------------------------

@pytest.mark.django_db
def test_every_hosted_site_gets_a_published_profile_column_with_its_five_sections(city):
    for record in (city.portal_site, city.district_site, city.dept_site):
        column = _overview(record)
        assert column.live and column.show_in_menus and column.title == "机构概况"
        pages = ProfilePage.objects.child_of(column)
        assert set(pages.values_list("section", flat=True)) == SECTIONS
        assert all(page.live for page in pages)
        assert UnitProfile.objects.filter(unit=record.unit).count() == 1


@pytest.mark.django_db
def test_the_builder_is_idempotent_and_keeps_a_sites_own_overview_column(city):
    home = city.district_site.site.root_page.specific
    _overview(city.district_site).delete()
    own = page_create(parent=home, page=ColumnPage(title="区情概况", slug="quqing", kind=city.kinds["overview"],
                                                   show_in_menus=True), publish=True)
    site_sections_ensure(home=home)
    site_sections_ensure(home=home)
    columns = ColumnPage.objects.child_of(home).filter(kind__category=ColumnCategory.OVERVIEW)
    assert list(columns.values_list("title", flat=True)) == ["区情概况"]
    assert sorted(ProfilePage.objects.child_of(own).values_list("section", flat=True)) == sorted(SECTIONS)
    assert UnitProfile.objects.filter(unit=city.district).count() == 1


# --- Structured data and its rules ---------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("number", ["023-63851234", "023 6385 1234", "(023)63851234", "63851234", "12345", "95598",
                                    "13812345678", "400-820-1234", "023-63851234转801"])
def test_phone_numbers_as_the_public_dials_them_are_accepted(city, number):
    phone = profiles.phone_save(actor=None, unit=city.district, name="办公室", number=number)
    assert ContactPhone.objects.get(pk=phone.pk).number == number


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["abc", "023-12", "电话:63851234", "12345678901234"])
def test_a_phone_number_nobody_could_dial_is_refused_beside_its_field(city, number):
    with pytest.raises(DomainError) as refused:
        profiles.phone_save(actor=None, unit=city.district, name="办公室", number=number)
    assert "number" in refused.value.field_errors
    assert "电话号码格式不正确" in refused.value.field_errors["number"]
    assert not ContactPhone.objects.exists()


@pytest.mark.django_db
def test_names_are_required_with_clear_messages_and_nothing_is_stored(city):
    with pytest.raises(DomainError) as refused:
        profiles.person_save(actor=None, unit=city.district, name="  ", title="")
    assert refused.value.field_errors == {"name": "请填写姓名。", "title": "请填写职务或岗位。"}
    with pytest.raises(DomainError) as refused:
        profiles.department_save(actor=None, unit=city.district, name="", phone="123")
    assert set(refused.value.field_errors) == {"name", "phone"}
    with pytest.raises(DomainError) as refused:
        profiles.phone_save(actor=None, unit=city.district, name="", number="")
    assert refused.value.field_errors["name"].startswith("请填写电话的名称")
    assert not (UnitPerson.objects.exists() or InternalDepartment.objects.exists() or ContactPhone.objects.exists())


@pytest.mark.django_db
def test_a_department_name_is_once_per_unit(city):
    profiles.department_save(actor=None, unit=city.district, name="办公室", duties="负责机关日常运转。")
    with pytest.raises(DomainError, match="已有名为“办公室”的内设机构"):
        profiles.department_save(actor=None, unit=city.district, name="办公室")
    profiles.department_save(actor=None, unit=city.dept, name="办公室")  # another unit's is its own


@pytest.mark.django_db
def test_overview_and_duties_are_kept_in_order_and_checked(city):
    profile = profiles.profile_save(actor=None, unit=city.district, intro="东区人民政府是东区的行政机关。",
                                    address="测试市东区政府路1号", postcode="400010", office_hours="工作日 9:00—17:00",
                                    website="https://east.cq.gov.cn/", duties=["执行区人大决议。", " ", "管理区内行政工作。"])
    assert UnitProfile.objects.get(pk=profile.pk).duty_items == ["执行区人大决议。", "管理区内行政工作。"]
    with pytest.raises(DomainError) as refused:
        profiles.profile_save(actor=None, unit=city.district, postcode="4000", website="east.cq.gov.cn")
    assert set(refused.value.field_errors) == {"postcode", "website"}
    assert UnitProfile.objects.get(pk=profile.pk).postcode == "400010"


@pytest.mark.django_db
def test_a_wrong_official_name_in_a_profile_is_refused_by_the_screening(city):
    with pytest.raises(DomainError) as refused:
        profiles.person_save(actor=None, unit=city.district, name="王海涛", title="重庆市政府办公室副主任")
    assert "重庆市人民政府办公厅" in refused.value.message and "title" in refused.value.field_errors
    assert not UnitPerson.objects.exists()
    with pytest.raises(DomainError):
        profiles.profile_save(actor=None, unit=city.district, duties=["协助重庆市政府办公室工作。"])


@pytest.mark.django_db
def test_every_change_is_an_audit_entry_with_before_and_after(city):
    person = profiles.person_save(actor=city.editor, unit=city.district, name="王海涛", title="副区长")
    profiles.person_save(actor=city.editor, instance=person, name="王海涛", title="常务副区长")
    from django.contrib.contenttypes.models import ContentType

    entries = ModelLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(UnitPerson),
                                           object_id=str(person.pk)).order_by("timestamp", "pk")
    assert [e.action for e in entries] == ["disclosure.person.create", "disclosure.person.update"]
    assert entries[1].data["before"] == {"title": "副区长"} and entries[1].data["after"] == {"title": "常务副区长"}
    assert entries[1].user_id == city.editor.pk
    profiles.person_delete(instance=person, actor=city.editor)
    assert ModelLogEntry.objects.filter(action="disclosure.person.delete", object_id=str(person.pk)).exists()


# --- Matters and photos ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_person_answers_for_their_own_units_matters_only(city):
    own = _guide(city, _services_column(city, city.district_site))
    other = _guide(city, _services_column(city, city.dept_site), title="教师资格认定")
    person = profiles.person_save(actor=None, unit=city.district, kind=PersonKind.POST_RESPONSIBLE, name="李静",
                                  title="社会救助科科长", matters=[own])
    assert list(person.matters.values_list("pk", flat=True)) == [own.pk]
    with pytest.raises(DomainError, match="教师资格认定"):
        profiles.person_save(actor=None, instance=person, name="李静", title="社会救助科科长", matters=[own, other])
    assert list(UnitPerson.objects.get(pk=person.pk).matters.values_list("pk", flat=True)) == [own.pk]


@pytest.mark.django_db
def test_a_photo_goes_through_the_upload_check(city):
    image = profiles.person_photo_upload(unit=city.district, uploaded=_png(), title="王海涛")
    person = profiles.person_save(actor=None, unit=city.district, name="王海涛", title="区长", photo=image)
    assert person.photo_id == image.pk
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.png", b"<html>not a picture</html>", content_type="image/png")
    with pytest.raises(DomainError, match="文件内容与扩展名"):
        profiles.person_photo_upload(unit=city.district, uploaded=fake, title="假照片")
    with pytest.raises(DomainError, match="不允许上传"):
        profiles.person_photo_upload(unit=city.district, uploaded=_png(name="photo.gif"), title="动图")


# --- Who edits which unit's profile ---------------------------------------------------------------

@pytest.mark.django_db
def test_a_units_editor_edits_their_own_profile_and_no_other(city, managers):
    person = profiles.person_save(actor=city.editor, unit=city.district, name="王海涛", title="区长")
    with pytest.raises(PermissionRefused):
        profiles.person_save(actor=city.dept_editor, instance=person, name="王海涛", title="假区长")
    with pytest.raises(PermissionRefused):
        profiles.phone_save(actor=city.dept_editor, unit=city.district, name="办公室", number="023-63851234")
    with pytest.raises(PermissionRefused):
        profiles.person_save(actor=city.reviewer, unit=city.district, name="李四", title="科长")  # a reviewer is not
    profiles.person_save(actor=managers.centre, instance=person, name="王海涛", title="区长(兼)")
    profiles.phone_save(actor=managers.east_admin, unit=city.district, name="办公室", number="023-63851234")
    assert UnitPerson.objects.get(pk=person.pk).title == "区长(兼)"


@pytest.mark.django_db
def test_the_admin_pages_show_and_change_only_the_units_a_person_edits(city, managers, client):
    from disclosure.admin_profiles import person_viewset

    person = profiles.person_save(actor=None, unit=city.district, name="王海涛", title="区长")
    edit = f"/admin/disclosure/people/edit/{person.pk}/"
    client.force_login(city.dept_editor)
    assert client.get(edit).status_code == 404
    listing = client.get("/admin/disclosure/people/")
    assert listing.status_code == 200 and "王海涛" not in listing.content.decode()
    response = client.post(edit, {"kind": "leader", "name": "王海涛", "title": "假区长", "sort_order": 0})
    assert response.status_code == 404
    assert UnitPerson.objects.get(pk=person.pk).title == "区长"

    client.force_login(city.editor)
    assert "王海涛" in client.get("/admin/disclosure/people/").content.decode()
    resume = ('{"blocks":[{"key":"a1","type":"unstyled","text":"2018年起任东区区长。","depth":0,'
              '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}')
    response = client.post(edit, {"kind": "leader", "name": "王海涛", "title": "常务副区长", "in_charge": "负责政府常务工作。",
                                  "sort_order": 1, "resume": resume})
    assert response.status_code == 302, response.content.decode()[:3000]
    changed = UnitPerson.objects.get(pk=person.pk)
    assert changed.title == "常务副区长" and "2018年起任东区区长。" in changed.resume
    assert person_viewset.permission_policy.user_has_permission(city.editor, "add")

    client.force_login(managers.centre)
    assert client.get(edit).status_code == 200


# --- The pages ------------------------------------------------------------------------------------

def _fill_profile(city):
    profiles.profile_save(actor=None, unit=city.district, intro="东区人民政府是东区的行政机关。",
                          address="测试市东区政府路1号", office_hours="工作日 9:00—17:00",
                          duties=["执行区人民代表大会的决议。", "管理本区的经济和社会事务。"])
    profiles.department_save(actor=None, unit=city.district, name="区政府办公室", duties="协助区政府领导处理日常工作。",
                             phone="023-63850001")
    profiles.phone_save(actor=None, unit=city.district, name="政务服务中心", number="023-63850002",
                        hours="工作日 9:00—17:00")
    return profiles.person_save(actor=None, unit=city.district, name="王海涛", title="区长",
                                in_charge="主持区政府全面工作。", resume="<p>2018年起任东区区长。</p>")


@pytest.mark.django_db
def test_each_section_shows_its_structured_data(city, client):
    guide = _guide(city, _services_column(city, city.district_site))
    _fill_profile(city)
    pages = {s: client.get(_section(city.district_site, s).get_url()).content.decode() for s in SECTIONS}
    assert "管理本区的经济和社会事务。" in pages["functions"] and "测试市东区政府路1号" in pages["functions"]
    assert pages["functions"].index("执行区人民代表大会") < pages["functions"].index("管理本区的经济")
    assert "王海涛" in pages["leaders"] and "主持区政府全面工作。" in pages["leaders"] and "2018年起任东区区长" in pages["leaders"]
    assert "区政府办公室" in pages["departments"] and "023-63850001" in pages["departments"]
    assert "政务服务中心" in pages["contacts"] and "023-63850002" in pages["contacts"]
    assert guide.title in pages["matters"] and guide.get_url() in pages["matters"]
    for html in pages.values():
        assert '<meta name="ColumnName" content="机构概况">' in html
        assert '<meta name="ContentSource" content="测试市东区人民政府">' in html
        assert 'aria-current="page"' in html


@pytest.mark.django_db
def test_one_leader_edit_changes_every_page_that_shows_the_leader(city, client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    person = _fill_profile(city)
    guide = _guide(city, _services_column(city, city.district_site))
    profiles.person_save(actor=None, instance=person, name="王海涛", title="区长", matters=[guide])
    urls = [_section(city.district_site, "leaders").get_url(), _section(city.district_site, "functions").get_url(),
            _overview(city.district_site).get_url(), "/s/east/"]
    for url in urls:
        client.get(url)
        second = client.get(url)
        assert second[HEADER] == "hit" and "王海涛" in second.content.decode(), url
    profiles.person_save(actor=city.editor, instance=person, name="王海峰", title="区长")
    for url in urls:
        html = client.get(url).content.decode()
        assert "王海峰" in html and "王海涛" not in html, url


@pytest.mark.django_db
def test_the_leaders_page_costs_the_same_queries_for_one_leader_or_many(city, client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    guide = _guide(city, _services_column(city, city.district_site))
    image = profiles.person_photo_upload(unit=city.district, uploaded=_png(), title="照片")
    profiles.person_save(actor=None, unit=city.district, name="王海涛", title="区长", photo=image, matters=[guide])
    url = _section(city.district_site, "leaders").get_url()
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(5):
        photo = profiles.person_photo_upload(unit=city.district, uploaded=_png((i * 40, 90, 90)), title=f"照片{i}")
        profiles.person_save(actor=None, unit=city.district, name=f"副区长{i}号", title="副区长", photo=photo,
                             matters=[guide], kind=PersonKind.LEADER if i % 2 else PersonKind.POST_RESPONSIBLE)
    client.get(url)  # the new photos' renditions are made once, on the first view
    assert count() == few


@pytest.mark.django_db
def test_every_profile_admin_page_opens_for_a_units_editor(city, client):
    person = _fill_profile(city)
    records = {
        "profiles": UnitProfile.objects.get(unit=city.district), "people": person,
        "departments": InternalDepartment.objects.get(unit=city.district),
        "phones": ContactPhone.objects.get(unit=city.district),
    }
    client.force_login(city.editor)
    for prefix, record in records.items():
        for url in (f"/admin/disclosure/{prefix}/", f"/admin/disclosure/{prefix}/edit/{record.pk}/",
                    f"/admin/disclosure/{prefix}/new/", f"/admin/disclosure/{prefix}/history/{record.pk}/"):
            assert client.get(url).status_code == 200, url
    menu = client.get("/admin/").content.decode()
    assert "unit-profile" in menu  # the 机构概况 menu (the sidebar is JSON for its script)
    client.force_login(city.reviewer)  # no profile role: no menu, no page
    assert client.get("/admin/disclosure/people/").status_code in (302, 403)


@pytest.mark.django_db
def test_a_leaders_photo_is_served_to_everyone_and_an_unused_upload_is_not(city, client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PAGE_CACHE_SECONDS = 0
    image = profiles.person_photo_upload(unit=city.district, uploaded=_png(), title="王海涛")
    unused = profiles.person_photo_upload(unit=city.district, uploaded=_png((10, 200, 10)), title="未用的照片")
    assert client.get(f"/media/{image.file.name}").status_code == 404  # nobody shows it yet
    profiles.person_save(actor=None, unit=city.district, name="王海涛", title="区长", photo=image)

    html = client.get(_section(city.district_site, "leaders").get_url()).content.decode()
    shown = [u for u in html.split('"') if u.startswith("/media/images/")]
    assert shown, "the leaders page shows the photo"
    for url in shown + [f"/media/{image.file.name}"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/media/{unused.file.name}").status_code == 404
