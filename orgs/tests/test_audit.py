"""Units, people and roles: each change is one entry of the audit trail (guard.audit)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from wagtail.models import ModelLogEntry

from orgs.services import membership_grant, membership_revoke, person_create, unit_create, unit_update

pytestmark = pytest.mark.django_db


def _mark():
    return ModelLogEntry.objects.aggregate(last=Max("pk"))["last"] or 0


def _one(mark, action, obj, actor):
    entries = list(ModelLogEntry.objects.filter(pk__gt=mark).order_by("pk"))
    assert [e.action for e in entries] == [action]
    entry = entries[0]
    assert entry.content_type == ContentType.objects.get_for_model(obj) and entry.object_id == str(obj.pk)
    assert entry.user_id == (actor.pk if actor else None)
    return entry


@pytest.fixture
def admin_person(make_user, city):
    """The portal management centre's site administrator: may change every unit."""
    return make_user("centre_admin", city.office, ["site_admin"])


def test_creating_a_unit_is_one_entry_with_its_values(city, admin_person):
    mark = _mark()
    unit = unit_create(name="测试市水利局", code="water", kind="municipal_department", parent=city.gov,
                       short_name="市水利局", actor=admin_person)
    entry = _one(mark, "orgs.unit.create", unit, admin_person)
    assert entry.data["after"] == {"name": "测试市水利局", "code": "water", "kind": "municipal_department",
                                   "parent": city.gov.pk, "short_name": "市水利局"}


def test_updating_a_unit_records_only_what_changed_before_and_after(city, admin_person):
    mark = _mark()
    unit_update(unit=city.district, staff_name="李四", short_name="东区", parent=city.office, actor=admin_person)
    entry = _one(mark, "orgs.unit.update", city.district, admin_person)
    assert entry.data["before"] == {"staff_name": "", "parent": city.gov.pk}
    assert entry.data["after"] == {"staff_name": "李四", "parent": city.office.pk}


def test_granting_and_revoking_a_role_are_one_entry_each_on_the_unit(city, make_user, admin_person):
    person = make_user("newcomer")
    mark = _mark()
    membership_grant(user=person, unit=city.district, role="reviewer", actor=admin_person)
    entry = _one(mark, "orgs.role.grant", city.district, admin_person)
    assert entry.data == {"user": "newcomer", "user_id": person.pk, "role": "reviewer"}
    mark = _mark()
    membership_grant(user=person, unit=city.district, role="reviewer", actor=admin_person)  # held already: no change
    assert not ModelLogEntry.objects.filter(pk__gt=mark).exists()
    membership_revoke(user=person, unit=city.district, role="reviewer", actor=admin_person)
    assert _one(mark, "orgs.role.revoke", city.district, admin_person).data == {"user": "newcomer", "user_id": person.pk, "role": "reviewer"}


def test_creating_a_person_is_one_entry_and_each_role_another(city, admin_person):
    mark = _mark()
    person = person_create(username="wangwu", password="pw-Test-2026", full_name="王五", email="wangwu@cq.gov.cn",
                           unit=city.district, roles=["editor"], actor=admin_person)
    entries = list(ModelLogEntry.objects.filter(pk__gt=mark).order_by("pk"))
    assert [e.action for e in entries] == ["orgs.person.create", "orgs.role.grant"]
    assert entries[0].object_id == str(person.pk) and entries[0].user == admin_person
    assert entries[0].data["after"] == {"username": "wangwu", "full_name": "王五", "email": "wangwu@cq.gov.cn",
                                        "unit": "east", "roles": ["editor"]}
    assert "pw-Test-2026" not in str(entries[0].data)
