import pytest
from wagtail.models import ModelLogEntry

from orgs.errors import DomainError
from orgs.models import Membership, SiteRecord, Unit
from orgs.queries import visible_units
from orgs.services import membership_grant, membership_revoke, unit_create


@pytest.mark.django_db
def test_unit_gets_a_collection_and_one_group_per_role():
    unit = unit_create(name="测试区人民政府", code="test-district", kind="district_government")
    assert unit.collection.name == "测试区人民政府"
    groups = set(unit.collection.group_permissions.values_list("group__name", flat=True))
    assert {"test-district:editor", "test-district:site_admin"} <= groups


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, message",
    [
        ({"code": "Bad Code"}, "单位代码"),
        ({"credit_code": "12345"}, "统一社会信用代码"),
        ({"kind": "window_unit"}, "须注明行业"),
        ({"sector": "aviation"}, "只有窗口服务单位"),
    ],
)
def test_invalid_unit_is_refused_and_nothing_is_stored(fields, message):
    values = {"name": "坏单位", "code": "bad-unit", "kind": "municipal_department", **fields}
    with pytest.raises(DomainError, match=message):
        unit_create(**values)
    assert not Unit.objects.filter(name="坏单位").exists()


@pytest.mark.django_db
def test_a_unit_cannot_become_its_own_ancestor():
    from orgs.services import unit_update

    parent = unit_create(name="上级", code="upper", kind="municipal_department")
    child = unit_create(name="下级", code="lower", kind="municipal_department", parent=parent)
    with pytest.raises(DomainError, match="上级单位"):
        unit_update(unit=parent, parent=child)
    parent.refresh_from_db()
    assert parent.parent is None


@pytest.mark.django_db
def test_role_grant_and_revoke_are_recorded(city, make_user):
    person = make_user("newcomer")
    centre = make_user("office_admin", city.office, ["site_admin"])
    membership_grant(user=person, unit=city.district, role="reviewer", actor=centre)
    assert person.groups.filter(name="east:reviewer").exists()
    membership_revoke(user=person, unit=city.district, role="reviewer", actor=centre)
    assert not person.groups.filter(name="east:reviewer").exists()
    actions = list(ModelLogEntry.objects.filter(object_id=str(city.district.pk)).values_list("action", flat=True))
    assert "orgs.role.grant" in actions and "orgs.role.revoke" in actions


@pytest.mark.django_db
def test_unknown_role_is_refused(city, make_user):
    person = make_user("someone")
    with pytest.raises(DomainError, match="未知的角色"):
        membership_grant(user=person, unit=city.district, role="emperor")
    assert not Membership.objects.filter(user=person).exists()


@pytest.mark.django_db
def test_people_see_their_own_unit_and_supervisors_see_all(city):
    assert list(visible_units(city.editor)) == [city.district]
    assert visible_units(city.supervisor).count() == Unit.objects.count()


@pytest.mark.django_db
def test_site_registry_validates_identity_items(city):
    from hosting.sites import site_register_independent

    with pytest.raises(DomainError, match="网站标识码"):
        site_register_independent(
            unit=city.dept, kind="department", name="坏网站", hostname="bad.cq.gov.cn", url="https://bad.cq.gov.cn/",
            site_id_code="123", icp_number="x", psb_number="y", sponsor="z", contact_phone="1",
        )
    with pytest.raises(DomainError, match="网站地址"):
        site_register_independent(
            unit=city.dept, kind="department", name="坏网站", hostname="bad.cq.gov.cn", url="",
            site_id_code="5000000999", icp_number="x", psb_number="y", sponsor="z", contact_phone="1",
        )
    assert not SiteRecord.objects.filter(name="坏网站").exists()


@pytest.mark.parametrize("held, asked", [("editor", "reviewer"), ("reviewer", "leader"), ("editor", "leader"),
                                         ("mailbox_handler", "leader")])
def test_one_person_holds_no_two_roles_of_one_chain_of_checks_in_a_unit(city, make_user, held, asked):
    from orgs.errors import DomainError
    from orgs.models import Membership
    from orgs.services import membership_grant

    person = make_user("solo", city.district, [held])
    with pytest.raises(DomainError, match="职责分离"):
        membership_grant(user=person, unit=city.district, role=asked)
    assert set(Membership.objects.filter(user=person).values_list("role", flat=True)) == {held}
    assert set(person.groups.values_list("name", flat=True)) == {city.district.group_name(held)}
    membership_grant(user=person, unit=city.dept, role=asked)  # another unit's chain is another chain


def test_roles_outside_a_chain_of_checks_combine(city, make_user):
    from orgs.services import membership_grant

    person = make_user("versatile", city.district, ["editor"])
    membership_grant(user=person, unit=city.district, role="mailbox_handler")
    membership_grant(user=person, unit=city.district, role="site_admin")


def test_a_site_admin_cannot_revoke_their_own_site_admin_role(city, make_user):
    from orgs.errors import PermissionRefused
    from orgs.models import Membership
    from orgs.services import membership_revoke

    admin = make_user("centre_admin", city.office, ["site_admin"])  # the management centre's
    with pytest.raises(PermissionRefused, match="不能撤销自己的网站管理员角色"):
        membership_revoke(user=admin, unit=city.office, role="site_admin", actor=admin)
    assert Membership.objects.filter(user=admin, role="site_admin").exists()
