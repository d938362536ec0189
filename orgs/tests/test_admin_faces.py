"""The admin's pages for units and for people and their roles: who sees what, and
every save going through the services (an audit entry with before and after), a
refused change showing its reason and storing nothing."""

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Collection

from orgs.errors import PermissionRefused
from orgs.models import Membership, Unit
from orgs.services import membership_grant, membership_revoke, unit_update

from .adminpages import entries, form_data, form_errors, refused

pytestmark = pytest.mark.django_db

UNITS = "/admin/units/"
PEOPLE = "/admin/people/"


def group_names(user):
    return set(user.groups.values_list("name", flat=True))


def membership_groups(user):
    return {m.unit.group_name(m.role) for m in Membership.objects.filter(user=user).select_related("unit")}


def listed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return {str(item) for item in response.context["object_list"]}


# --- Units ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["root", "centre"])
def test_the_management_centre_lists_every_unit(client, city, who, request):
    client.force_login(request.getfixturevalue(who))
    assert listed(client, UNITS) == set(Unit.objects.values_list("name", flat=True))


def test_a_site_admin_lists_their_own_unit_only(client, city, east_admin):
    client.force_login(east_admin)
    assert listed(client, UNITS) == {city.district.name}


@pytest.mark.parametrize("who", ["root", "centre"])
def test_the_centre_creates_a_unit_through_the_service(client, city, who, request):
    actor = request.getfixturevalue(who)
    client.force_login(actor)
    form = client.get(UNITS + "new/")
    response = client.post(UNITS + "new/", form_data(
        form, name="测试市西区人民政府", short_name="西区", code="west", kind="district_government", parent=str(city.gov.pk)))
    assert response.status_code == 302, form_errors(response)
    unit = Unit.objects.get(code="west")
    assert unit.parent == city.gov and unit.collection.name == "测试市西区人民政府"
    assert Group.objects.filter(name="west:editor").exists()  # unit_create made the role groups
    entry = entries(unit, "orgs.unit.create").get()
    assert entry.user == actor and entry.data["after"]["code"] == "west"


def test_a_site_admin_cannot_create_a_unit(client, city, east_admin):
    client.force_login(east_admin)
    assert refused(client.get(UNITS + "new/"))
    assert refused(client.post(UNITS + "new/", {"name": "私建单位", "code": "rogue", "kind": "municipal_department"}))
    assert not Unit.objects.filter(code="rogue").exists()
    assert 'href="/admin/units/new/"' not in client.get(UNITS).content.decode()


def test_a_site_admin_edits_the_short_name_and_contacts_of_their_unit(client, city, east_admin):
    client.force_login(east_admin)
    url = f"{UNITS}edit/{city.district.pk}/"
    response = client.post(url, form_data(client.get(url), short_name="东区政府", staff_name="李明", staff_phone="023-61234567"))
    assert response.status_code == 302, form_errors(response)
    city.district.refresh_from_db()
    assert (city.district.short_name, city.district.staff_name) == ("东区政府", "李明")
    entry = entries(city.district, "orgs.unit.update").get()
    assert entry.user == east_admin
    assert entry.data["before"] == {"short_name": "东区", "staff_name": "", "staff_phone": ""}
    assert entry.data["after"] == {"short_name": "东区政府", "staff_name": "李明", "staff_phone": "023-61234567"}


def test_a_site_admin_cannot_change_what_the_centre_decides(client, city, east_admin):
    client.force_login(east_admin)
    url = f"{UNITS}edit/{city.district.pk}/"
    form = client.get(url)
    assert form.context["form"].fields["name"].disabled and form.context["form"].fields["parent"].disabled
    assert "sees_all_units" not in form.context["form"].fields
    client.post(url, form_data(form, name="东区(改)", kind="municipal_department", sees_all_units=True))
    city.district.refresh_from_db()
    assert (city.district.name, city.district.kind, city.district.sees_all_units) == (
        "测试市东区人民政府", "district_government", False)
    # The service refuses it too, naming the field, whatever face calls it.
    with pytest.raises(PermissionRefused, match="可查看全部单位"):
        unit_update(unit=city.district, actor=east_admin, sees_all_units=True)
    assert not entries(city.district, "orgs.unit.update").exists()


def test_a_unit_of_another_unit_answers_404_to_a_site_admin_and_stores_nothing(client, city, east_admin):
    client.force_login(east_admin)
    url = f"{UNITS}edit/{city.dept.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"short_name": "被改了", "staff_name": "外人"}).status_code == 404
    assert client.get(f"{UNITS}history/{city.dept.pk}/").status_code == 404
    city.dept.refresh_from_db()
    assert city.dept.short_name == "市教委" and not entries(city.dept, "orgs.unit.update").exists()


def test_the_centre_edits_any_unit_but_never_its_code(client, city, centre):
    client.force_login(centre)
    url = f"{UNITS}edit/{city.dept.pk}/"
    form = client.get(url)
    assert form.context["form"].fields["code"].disabled
    response = client.post(url, form_data(form, name="测试市教育局", code="changed"))
    assert response.status_code == 302, form_errors(response)
    city.dept.refresh_from_db()
    assert (city.dept.name, city.dept.code) == ("测试市教育局", "edu")
    assert Collection.objects.get(pk=city.dept.collection_id).name == "测试市教育局"
    entry = entries(city.dept, "orgs.unit.update").get()
    assert entry.data == {"before": {"name": "测试市教育委员会"}, "after": {"name": "测试市教育局"}}


def test_an_invalid_unit_is_refused_with_its_reason_and_nothing_is_stored(client, city, centre):
    client.force_login(centre)
    url = f"{UNITS}edit/{city.gov.pk}/"
    response = client.post(url, form_data(client.get(url), parent=str(city.district.pk)))
    assert response.status_code == 200 and "上级单位不能是本单位或其下级单位" in response.content.decode()
    city.gov.refresh_from_db()
    assert city.gov.parent is None and not entries(city.gov, "orgs.unit.update").exists()


def test_units_are_not_deleted_from_the_admin(client, city, centre):
    client.force_login(centre)
    assert refused(client.post(f"{UNITS}delete/{city.dept.pk}/"))
    assert Unit.objects.filter(pk=city.dept.pk).exists()
    assert f'href="/admin/units/delete/{city.dept.pk}/"' not in client.get(f"{UNITS}edit/{city.dept.pk}/").content.decode()


def test_the_history_of_a_unit_lists_its_audit_entries(client, city, east_admin, centre):
    unit_update(unit=city.district, actor=east_admin, staff_name="李明")
    client.force_login(east_admin)
    page = client.get(f"{UNITS}history/{city.district.pk}/").content.decode()
    assert "修改了单位信息" in page and "授予了角色" in page  # the grant that made east_admin


# --- People and roles ----------------------------------------------------------------------------

def test_a_site_admin_lists_the_people_of_their_unit_only(client, city, east_admin):
    client.force_login(east_admin)
    names = {user.username for user in client.get(PEOPLE).context["object_list"]}
    assert names == {"east_admin", "east_editor", "east_reviewer", "east_leader"}


def test_the_centre_lists_everyone(client, city, centre, django_user_model):
    client.force_login(centre)
    names = {user.username for user in client.get(PEOPLE).context["object_list"]}
    assert names == set(django_user_model.objects.values_list("username", flat=True))


def _new_person(client, unit, roles, username="east_new", full_name="欧阳文静"):
    form = client.get(PEOPLE + "new/")
    return client.post(PEOPLE + "new/", form_data(
        form, username=username, full_name=full_name, email="wenjing@cq.gov.cn", password1="Xq7-lake-Harbor",
        password2="Xq7-lake-Harbor", unit=str(unit.pk), roles=roles))


def test_a_site_admin_creates_a_person_of_their_unit_with_roles(client, city, east_admin, django_user_model):
    client.force_login(east_admin)
    response = _new_person(client, city.district, ["editor", "mailbox_handler"])
    assert response.status_code == 302, form_errors(response)
    person = django_user_model.objects.get(username="east_new")
    assert (person.last_name, person.first_name, person.get_full_name()) == ("欧阳", "文静", "欧阳文静")
    assert person.check_password("Xq7-lake-Harbor")
    assert group_names(person) == {"east:editor", "east:mailbox_handler"} == membership_groups(person)
    created = entries(person, "orgs.person.create").get()
    assert created.user == east_admin and created.data["after"]["full_name"] == "欧阳文静"
    assert entries(city.district, "orgs.role.grant").filter(data__user_id=person.pk).count() == 2


def test_a_role_in_a_unit_the_actor_cannot_manage_is_refused_on_the_form(client, city, east_admin, django_user_model):
    client.force_login(east_admin)
    response = _new_person(client, city.dept, ["editor"])
    assert response.status_code == 200
    assert "您不能管理此单位的配置" in form_errors(response)
    assert not django_user_model.objects.filter(username="east_new").exists()

    url = f"{PEOPLE}edit/{city.editor.pk}/"
    response = client.post(url, form_data(client.get(url), full_name="张改名", unit=str(city.dept.pk), roles=["editor"]))
    assert response.status_code == 200 and "您不能管理此单位的配置" in response.content.decode()
    city.editor.refresh_from_db()
    assert city.editor.get_full_name() != "张改名"  # the whole save is undone, not only the grant
    assert not Membership.objects.filter(user=city.editor, unit=city.dept).exists()
    assert group_names(city.editor) == {"east:editor"}


@pytest.mark.parametrize("role, label", [("site_admin", "网站管理员"), ("supervisor", "监督人员")])
def test_only_the_centre_grants_the_roles_that_reach_beyond_a_unit(client, city, east_admin, centre, role, label):
    url = f"{PEOPLE}edit/{city.editor.pk}/"
    client.force_login(east_admin)
    form = client.get(url)
    assert role not in dict(form.context["form"].fields["roles"].widget.choices)  # not offered; posted anyway:
    response = client.post(url, form_data(form, unit=str(city.district.pk), roles=[role]))
    assert f"只有门户网站管理中心可以授予或撤销“{label}”角色" in form_errors(response)
    assert not Membership.objects.filter(user=city.editor, role=role).exists()

    client.force_login(centre)
    response = client.post(url, form_data(client.get(url), unit=str(city.district.pk), roles=[role]))
    assert response.status_code == 302, form_errors(response)
    assert group_names(city.editor) == {"east:editor", f"east:{role}"}


@pytest.mark.parametrize("who", ["east_admin", "centre"])
def test_nobody_grants_themselves_a_role(client, city, who, request):
    actor = request.getfixturevalue(who)
    client.force_login(actor)
    url = f"{PEOPLE}edit/{actor.pk}/"
    response = client.post(url, form_data(client.get(url), unit=str(city.district.pk), roles=["leader"]))
    assert "不能给自己授予角色" in form_errors(response)
    assert not Membership.objects.filter(user=actor, role="leader").exists()


def test_unticking_a_role_revokes_it(client, city, east_admin):
    client.force_login(east_admin)
    url = f"{PEOPLE}edit/{city.reviewer.pk}/"
    response = client.post(url, form_data(client.get(url), keep=None))
    assert response.status_code == 302, form_errors(response)
    assert not Membership.objects.filter(user=city.reviewer).exists() and group_names(city.reviewer) == set()
    revoke = entries(city.district, "orgs.role.revoke").get()
    assert revoke.user == east_admin and revoke.data["role"] == "reviewer"


def test_a_site_admin_edits_and_deactivates_a_person_of_their_unit(client, city, east_admin):
    client.force_login(east_admin)
    url = f"{PEOPLE}edit/{city.leader.pk}/"
    response = client.post(url, form_data(client.get(url), full_name="王建国", email="wang@cq.gov.cn", is_active=False))
    assert response.status_code == 302, form_errors(response)
    city.leader.refresh_from_db()
    assert (city.leader.get_full_name(), city.leader.email, city.leader.is_active) == ("王建国", "wang@cq.gov.cn", False)
    update = entries(city.leader, "orgs.person.update").get()
    assert update.data["before"] == {"full_name": "测试east", "email": ""}
    assert update.data["after"] == {"full_name": "王建国", "email": "wang@cq.gov.cn"}
    deactivate = entries(city.leader, "orgs.person.deactivate").get()
    assert (deactivate.data["before"], deactivate.data["after"]) == ({"is_active": True}, {"is_active": False})
    assert group_names(city.leader) == {"east:leader"}  # roles are kept for a reactivation


def test_a_site_admin_does_not_deactivate_themselves(client, city, east_admin):
    client.force_login(east_admin)
    url = f"{PEOPLE}edit/{east_admin.pk}/"
    response = client.post(url, form_data(client.get(url), is_active=False))
    assert "不能停用自己的账号" in form_errors(response)
    east_admin.refresh_from_db()
    assert east_admin.is_active


def test_a_person_with_roles_in_another_unit_is_the_centres_to_manage(client, city, east_admin):
    membership_grant(user=city.editor, unit=city.dept, role="editor")
    client.force_login(east_admin)
    url = f"{PEOPLE}edit/{city.editor.pk}/"
    response = client.post(url, form_data(client.get(url), email="moved@cq.gov.cn"))
    assert "此人的账号由门户网站管理中心管理" in form_errors(response)
    city.editor.refresh_from_db()
    assert city.editor.email == ""


def test_a_person_of_another_unit_answers_404_to_a_site_admin(client, city, east_admin):
    client.force_login(east_admin)
    url = f"{PEOPLE}edit/{city.dept_editor.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"full_name": "外人", "email": "x@example.com"}).status_code == 404
    assert client.get(f"{PEOPLE}history/{city.dept_editor.pk}/").status_code == 404
    city.dept_editor.refresh_from_db()
    assert city.dept_editor.email == "" and city.dept_editor.is_active


def test_a_persons_history_shows_their_account_and_role_changes(client, city, east_admin):
    client.force_login(east_admin)
    _new_person(client, city.district, ["editor"])
    person = city.editor.__class__.objects.get(username="east_new")
    page = client.get(f"{PEOPLE}history/{person.pk}/").content.decode()
    assert "新建了人员账号" in page and "授予了角色" in page


# --- Nobody else reaches these pages -------------------------------------------------------------

def test_an_editor_cannot_open_the_configuration_pages(client, city):
    client.force_login(city.editor)
    for url in (UNITS, UNITS + "new/", f"{UNITS}edit/{city.district.pk}/", f"{UNITS}history/{city.district.pk}/",
                PEOPLE, PEOPLE + "new/", f"{PEOPLE}edit/{city.reviewer.pk}/", f"{PEOPLE}history/{city.reviewer.pk}/"):
        assert refused(client.get(url)), url
    assert refused(client.post(f"{PEOPLE}edit/{city.reviewer.pk}/", {"full_name": "改名", "keep": []}))
    assert Membership.objects.filter(user=city.reviewer).exists()
    menu = client.get("/admin/").content.decode()
    assert 'href="/admin/units/"' not in menu and 'href="/admin/people/"' not in menu


def test_a_site_admin_sees_the_menu(client, city, east_admin):
    client.force_login(east_admin)
    menu = client.get("/admin/").content.decode()
    assert "/admin/units/" in menu and "/admin/people/" in menu


# --- Groups follow memberships, and nothing else -------------------------------------------------

def test_grant_and_revoke_keep_groups_exactly_in_line_with_memberships(city, make_user):
    person = make_user("in_line")
    steps = [("grant", city.district, "editor"), ("grant", city.district, "mailbox_handler"), ("grant", city.dept, "editor"),
             ("grant", city.district, "editor"), ("revoke", city.district, "mailbox_handler"), ("revoke", city.dept, "editor")]
    for verb, unit, role in steps:
        (membership_grant if verb == "grant" else membership_revoke)(user=person, unit=unit, role=role)
        assert group_names(person) == membership_groups(person)
    assert group_names(person) == {"east:editor"}


def test_a_group_added_behind_the_memberships_back_is_refused(city):
    from orgs.groups import GroupsFollowMemberships

    edu_editor, east_leader = Group.objects.get(name="edu:editor"), Group.objects.get(name="east:leader")
    with pytest.raises(GroupsFollowMemberships, match="人员与角色"), transaction.atomic():
        city.editor.groups.add(edu_editor)
    with pytest.raises(GroupsFollowMemberships), transaction.atomic():
        east_leader.user_set.add(city.editor)
    with pytest.raises(GroupsFollowMemberships), transaction.atomic():
        city.editor.groups.clear()
    assert group_names(city.editor) == {"east:editor"}


def test_editing_a_user_in_wagtails_user_admin_cannot_add_a_group(client, city, root):
    client.force_login(root)
    url = f"/admin/users/edit/{city.editor.pk}/"
    form = client.get(url)
    assert form.context["form"].fields["groups"].disabled
    edu_editor = Group.objects.get(name="edu:editor")
    response = client.post(url, form_data(form, groups=[str(edu_editor.pk)], email="e@cq.gov.cn", first_name="小明",
                                          last_name="张"))
    assert response.status_code == 302
    city.editor.refresh_from_db()
    assert city.editor.email == "e@cq.gov.cn"  # the rest of the form was saved
    assert group_names(city.editor) == {"east:editor"} == membership_groups(city.editor)


def test_creating_a_user_in_wagtails_user_admin_gives_no_group(client, city, root, django_user_model):
    client.force_login(root)
    form = client.get("/admin/users/new/")
    response = client.post("/admin/users/new/", form_data(
        form, username="wagtail_made", email="w@cq.gov.cn", first_name="明", last_name="李",
        password1="Xq7-lake-Harbor", password2="Xq7-lake-Harbor", groups=[str(Group.objects.get(name="east:editor").pk)]))
    assert response.status_code == 302
    assert not django_user_model.objects.get(username="wagtail_made").groups.exists()


def test_wagtails_assign_role_bulk_action_is_refused(client, city, root):
    client.force_login(root)
    group = Group.objects.get(name="edu:site_admin")
    response = client.post(f"/admin/bulk/auth/user/assign_role/?id={city.editor.pk}&next=/admin/users/",
                           {"role": group.pk})
    assert response.status_code == 302
    assert group_names(city.editor) == {"east:editor"}


def test_a_units_role_group_is_neither_renamed_nor_deleted_in_the_group_admin(client, city, root):
    client.force_login(root)
    group = Group.objects.get(name="east:editor")
    form = client.get(f"/admin/groups/edit/{group.pk}/")
    assert form.context["form"].fields["name"].disabled
    client.post(f"/admin/groups/delete/{group.pk}/")
    assert Group.objects.filter(pk=group.pk, name="east:editor").exists()
    assert group_names(city.editor) == {"east:editor"}


def test_units_are_listed_in_tree_order(client, city, root):
    from orgs.services import unit_create

    unit_create(name="测试市东区教育局", code="east-edu", kind="municipal_department", parent=city.district)
    client.force_login(root)
    names = [unit.name for unit in client.get(UNITS).context["object_list"]]
    assert names == ["测试市人民政府", "测试市人民政府办公厅", "测试市东区人民政府", "测试市东区教育局", "测试市教育委员会"]
