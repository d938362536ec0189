"""People's names read family name first, with no space, wherever they are shown."""

import pytest
from wagtail.admin.utils import get_user_display_name

from orgs.services import person_create


@pytest.mark.django_db
def test_a_person_is_named_family_name_first_without_a_space():
    user = person_create(username="zhang", password="pw-Test-2026", full_name="张晓明")
    assert (user.last_name, user.first_name) == ("张", "晓明")
    assert user.get_full_name() == "张晓明"
    assert user.get_short_name() == "张晓明"
    assert get_user_display_name(user) == "张晓明"


@pytest.mark.django_db
def test_a_latin_name_keeps_the_western_order(django_user_model):
    user = django_user_model.objects.create_user("ann", first_name="Ann", last_name="Lee")
    assert user.get_full_name() == "Ann Lee"


@pytest.mark.django_db
def test_the_admins_user_list_and_account_menu_show_chinese_order(client, django_user_model):
    person_create(username="zhang", password="pw-Test-2026", full_name="张晓明")
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw", first_name="管理员", last_name="门户")
    client.force_login(admin)
    html = client.get("/admin/users/").content.decode()
    assert "张晓明" in html and "晓明 张" not in html
    dashboard = client.get("/admin/").content.decode()
    assert "门户管理员" in dashboard and "管理员 门户" not in dashboard


@pytest.mark.parametrize("written, family, given", [
    ("张晓明", "张", "晓明"),
    ("欧阳文静", "欧阳", "文静"),
    ("司马 光", "司马", "光"),
    ("欧阳", "欧", "阳"),  # two characters in all: a family name and a given name
    ("Ann Lee", "Lee", "Ann"),
    ("Mary Ann Lee", "Lee", "Mary Ann"),
])
def test_a_full_name_is_split_into_family_and_given_name(written, family, given):
    from orgs.naming import split_full_name

    assert split_full_name(written) == (family, given)


@pytest.mark.django_db
def test_a_person_with_a_compound_family_name_or_a_latin_name_reads_as_written():
    assert person_create(username="ouyang", password="pw-Test-2026", full_name="欧阳文静").get_full_name() == "欧阳文静"
    assert person_create(username="ann", password="pw-Test-2026", full_name="Ann Lee").get_full_name() == "Ann Lee"
