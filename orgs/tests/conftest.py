"""The people who use the admin's configuration pages: a superuser, the management
centre's site administrator, the site administrator of unit A (东区) and an editor of
unit A. Unit B is 市教委."""

import pytest


@pytest.fixture
def root(db, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw-Root-2026",
                                                      first_name="管理员", last_name="平台")


@pytest.fixture
def centre(city, make_user):
    """A site administrator of 市政府办公厅, a unit that sees every unit: the management centre."""
    return make_user("office_admin", city.office, ["site_admin"])


@pytest.fixture
def east_admin(city, make_user):
    return make_user("east_admin", city.district, ["site_admin"])
