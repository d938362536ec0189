"""The admin page of column kinds: the management centre's, every save through
``column_kind_save`` (a revision and a log entry), a kind without an update period
refused with the reason and nothing stored."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from portal.models import ColumnKind, UpdatePeriod

ADD = "column_kinds:add"
NEW_KIND = {"code": "open-data", "name": "数据开放", "category": "other", "update_period": str(UpdatePeriod.SIX_MONTHS),
            "approval": ""}


def page(response):
    return response.content.decode()


def edit_url(kind):
    return reverse("column_kinds:edit", args=[kind.pk])


def refused(response):
    """Wagtail answers a page the person may not use by sending them to the dashboard."""
    home = reverse("wagtailadmin_home")
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == home)


def log_entries(kind, user):
    return ModelLogEntry.objects.filter(content_type__model="columnkind", object_id=str(kind.pk), user=user)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["superuser", "centre"])
def test_the_management_centre_adds_a_kind_through_the_service(client, managers, who):
    person = getattr(managers, who)
    client.force_login(person)
    response = client.post(reverse(ADD), NEW_KIND)
    assert response.status_code == 302, page(response)
    kind = ColumnKind.objects.get(code="open-data")
    assert (kind.name, kind.update_period) == ("数据开放", UpdatePeriod.SIX_MONTHS)
    assert kind.revisions.filter(user=person).count() == 1  # only the service saves revisions
    assert log_entries(kind, person).exists()


@pytest.mark.django_db
def test_a_kind_without_an_update_period_is_refused_and_nothing_stored(client, managers):
    client.force_login(managers.centre)
    assert 'value="" selected' in page(client.get(reverse(ADD))).replace("selected=\"\"", "selected")
    response = client.post(reverse(ADD), dict(NEW_KIND, update_period=""))
    assert response.status_code == 200
    assert "请选择栏目的更新周期" in page(response)
    assert not ColumnKind.objects.filter(code="open-data").exists()


@pytest.mark.django_db
def test_a_social_news_kind_without_the_authoritys_approval_is_refused(client, managers):
    client.force_login(managers.centre)
    response = client.post(reverse(ADD), dict(NEW_KIND, category="social_news"))
    assert response.status_code == 200 and "社会新闻类栏目须经新闻主管部门批准" in page(response)
    assert not ColumnKind.objects.filter(code="open-data").exists()


@pytest.mark.django_db
def test_an_edit_keeps_a_revision_and_shows_in_the_history(client, managers, kinds):
    kind = kinds["news"]
    revisions = kind.revisions.count()
    client.force_login(managers.centre)
    data = {"code": kind.code, "name": "工作动态", "category": kind.category, "update_period": str(UpdatePeriod.ONE_YEAR),
            "approval": ""}
    response = client.post(edit_url(kind), data)
    assert response.status_code == 302, page(response)
    kind.refresh_from_db()
    assert (kind.name, kind.update_period) == ("工作动态", UpdatePeriod.ONE_YEAR)
    assert kind.revisions.count() == revisions + 1
    assert log_entries(kind, managers.centre).exists()
    history = client.get(reverse("column_kinds:history", args=[kind.pk]))
    assert history.status_code == 200 and "测试cent" in page(history)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["east_admin", "editor"])
def test_a_units_admin_and_an_editor_cannot_reach_column_kinds(client, managers, kinds, who):
    client.force_login(getattr(managers, who))
    kind = kinds["news"]
    assert refused(client.get(reverse("column_kinds:index")))
    assert refused(client.post(reverse(ADD), NEW_KIND))
    data = {"code": kind.code, "name": "改名", "category": kind.category, "update_period": "14", "approval": ""}
    assert refused(client.post(edit_url(kind), data))
    assert not ColumnKind.objects.filter(code="open-data").exists()
    kind.refresh_from_db()
    assert kind.name == "新闻动态"


@pytest.mark.django_db
def test_the_service_refuses_anyone_but_the_management_centre(managers):
    from orgs.errors import PermissionRefused
    from portal.services import column_kind_save

    with pytest.raises(PermissionRefused):
        column_kind_save(code="x", name="X", category="other", update_period=0, actor=managers.east_admin)
    assert not ColumnKind.objects.filter(code="x").exists()


@pytest.mark.django_db
def test_kinds_are_never_deleted_from_the_admin(client, managers, kinds):
    client.force_login(managers.superuser)
    kind = kinds["news"]
    assert reverse("column_kinds:delete", args=[kind.pk]) not in page(client.get(edit_url(kind)))
    assert refused(client.post(reverse("column_kinds:delete", args=[kind.pk])))
    assert ColumnKind.objects.filter(pk=kind.pk).exists()
