"""The one rule of who sees every unit (orgs.queries.sees_every_unit, visible_units)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from orgs.models import Role, Unit
from orgs.queries import sees_every_unit, visible_units
from orgs.services import membership_grant

pytestmark = pytest.mark.django_db

MAILBOX_ROLES = (Role.MAILBOX_HANDLER, Role.LEADER, Role.SUPERVISOR)


def test_a_unit_member_sees_only_their_own_units(city, make_user):
    person = make_user("two_hats", city.district, ["editor"])
    membership_grant(user=person, unit=city.dept, role=Role.MAILBOX_HANDLER)
    assert not sees_every_unit(person)
    assert set(visible_units(person)) == {city.district, city.dept}
    assert list(visible_units(person, roles=(Role.MAILBOX_HANDLER,))) == [city.dept]


def test_a_superuser_sees_every_unit_whatever_the_roles_asked_for(city, make_user):
    root = make_user("root")
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    for roles in (None, MAILBOX_ROLES, (Role.SITE_ADMIN,), ()):
        assert sees_every_unit(root, roles=roles)
    assert visible_units(root, roles=()).count() == Unit.objects.count()


def test_a_supervisor_sees_every_unit_wherever_the_role_is_held(city, make_user):
    supervisor = make_user("east_supervisor", city.district, [Role.SUPERVISOR])  # not a unit that sees across
    assert sees_every_unit(supervisor)
    assert sees_every_unit(supervisor, roles=MAILBOX_ROLES)
    assert not sees_every_unit(supervisor, roles=(Role.SITE_ADMIN,))  # seeing is not running sites
    assert visible_units(supervisor).count() == Unit.objects.count()


def test_any_role_in_a_unit_that_sees_across_sees_every_unit_unless_roles_narrow_it(city, make_user):
    editor = make_user("office_editor", city.office, [Role.EDITOR])  # the office sees all units
    assert sees_every_unit(editor)
    assert not sees_every_unit(editor, roles=MAILBOX_ROLES)
    assert list(visible_units(editor, roles=MAILBOX_ROLES)) == []
    handler = make_user("office_handler", city.office, [Role.MAILBOX_HANDLER])
    assert sees_every_unit(handler, roles=MAILBOX_ROLES)


def test_no_unit_role_counts_where_a_capability_asks_for_none(city):
    assert not sees_every_unit(city.supervisor, roles=())
    assert list(visible_units(city.supervisor, roles=())) == []


def test_an_anonymous_visitor_sees_no_unit(city):
    visitor = AnonymousUser()
    assert not sees_every_unit(visitor) and not sees_every_unit(None)
    assert list(visible_units(visitor)) == []
