"""The content-assurance division (A2): supervisors assign portal columns to
responsible units with an update frequency; the daily sweep flags a column behind
it (one open flag, its unit told once) and clears the flag when it is updated."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from letters.models import Notification
from orgs.errors import DomainError, PermissionRefused
from supervision import outputs
from supervision.models import ColumnAssignment, ColumnFlag


@pytest.fixture
def people(city, make_user):
    from types import SimpleNamespace

    return SimpleNamespace(
        supervisor=city.supervisor,
        east_admin=make_user("east_site_admin", city.district, ["site_admin"], email="east-admin@cq.gov.cn"),
        edu_admin=make_user("edu_site_admin", city.dept, ["site_admin"], email="edu-admin@cq.gov.cn"),
    )


def _assign(city, people, column=None, unit=None, days=14, **extra):
    return outputs.assignment_save(actor=people.supervisor, column=column or city.portal_news,
                                   unit=unit or city.district, update_days=days, person="王海燕", phone="023-63000000",
                                   **extra)


def _days_ago(days):
    return timezone.now() - dt.timedelta(days=days)


def test_a_supervisor_assigns_a_portal_column_and_the_change_is_audited(city, people):
    assignment = _assign(city, people)
    assert (assignment.column_id, assignment.unit, assignment.update_days) == (city.portal_news.pk, city.district, 14)
    changed = outputs.assignment_save(actor=people.supervisor, instance=assignment, column=city.portal_news,
                                      unit=city.dept, update_days=7, person="李雪梅", phone="", active=True)
    assert (changed.unit, changed.update_days) == (city.dept, 7)
    actions = list(ModelLogEntry.objects.filter(object_id=str(assignment.pk), action__startswith="supervision.assignment")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["supervision.assignment.create", "supervision.assignment.update"]


@pytest.mark.parametrize("changes, message", [
    ({"column": "district_news"}, "只能分工门户网站的栏目"),
    ({"days": 0}, "更新周期应为1至3650天"),
    ({"days": "每周"}, "更新周期应为1至3650天"),
])
def test_a_bad_assignment_is_refused_with_a_reason(city, people, changes, message):
    if "column" in changes:
        changes = {"column": getattr(city, changes["column"])}
    with pytest.raises(DomainError) as refused:
        _assign(city, people, **changes)
    assert message in refused.value.message
    assert not ColumnAssignment.objects.exists()


def test_one_column_has_one_responsible_unit(city, people):
    _assign(city, people)
    with pytest.raises(DomainError, match="已经分工"):
        _assign(city, people, unit=city.dept)


def test_only_a_supervisor_of_every_site_assigns_columns(city, people):
    with pytest.raises(PermissionRefused):
        outputs.assignment_save(actor=people.east_admin, column=city.portal_news, unit=city.district, update_days=14)


def test_a_column_behind_is_flagged_once_its_unit_told_once_and_cleared_when_updated(city, people, article_factory):
    article_factory(column=city.portal_news, title="旧闻一则", pub_date=_days_ago(30))
    assignment = _assign(city, people, days=14)
    first = outputs.daily_sweep()
    assert first["flagged"] == 1
    flag = ColumnFlag.objects.get(assignment=assignment, cleared_at__isnull=True)
    assert flag.days_behind == 16 and flag.last_update == timezone.localtime(_days_ago(30)).date()
    mails = Notification.objects.filter(kind="column_behind")
    assert [m.to for m in mails] == ["east-admin@cq.gov.cn"] and "要闻动态" in mails[0].subject
    outputs.daily_sweep(timezone.localdate() + dt.timedelta(days=1))
    flag.refresh_from_db()
    assert flag.days_behind == 17 and ColumnFlag.objects.count() == 1
    assert Notification.objects.filter(kind="column_behind").count() == 1  # told once per flag
    article_factory(column=city.portal_news, title="今日要闻", pub_date=timezone.now())
    assert outputs.daily_sweep()["cleared"] == 1
    flag.refresh_from_db()
    assert flag.cleared_at is not None
    # Behind again later: a new flag, and the unit is told again.
    outputs.daily_sweep(timezone.localdate() + dt.timedelta(days=20))
    assert ColumnFlag.objects.filter(cleared_at__isnull=True).count() == 1
    assert Notification.objects.filter(kind="column_behind").count() == 2


def test_a_column_on_time_is_not_flagged_and_a_blank_one_is(city, people, article_factory):
    article_factory(column=city.portal_news, title="本周要闻", pub_date=_days_ago(3))
    _assign(city, people, days=14)
    blank = _assign(city, people, column=city.portal_policy, unit=city.dept, days=180)
    result = outputs.daily_sweep()
    assert (result["ok"], result["flagged"]) == (1, 1)
    flag = ColumnFlag.objects.get()
    assert flag.assignment == blank and flag.last_update is None
    assert [m.to for m in Notification.objects.filter(kind="column_behind")] == ["edu-admin@cq.gov.cn"]


def test_the_admin_pages_let_supervisors_manage_and_units_see_their_own(city, people, article_factory):
    article_factory(column=city.portal_news, title="旧闻一则", pub_date=_days_ago(30))
    _assign(city, people)
    _assign(city, people, column=city.portal_policy, unit=city.dept, days=180)
    outputs.daily_sweep()
    supervisor, east = Client(), Client()
    supervisor.force_login(people.supervisor)
    east.force_login(people.east_admin)
    html = supervisor.get("/admin/supervision/columns/").content.decode()
    assert "要闻动态" in html and "政策文件" in html and "更新不及时" in html
    assert supervisor.get("/admin/supervision/assignments/new/").status_code == 200
    listing = supervisor.get("/admin/supervision/assignments/").content.decode()
    assert "要闻动态" in listing and "政策文件" in listing
    own = east.get("/admin/supervision/columns/").content.decode()
    assert "要闻动态" in own and "政策文件" not in own
    own_list = east.get("/admin/supervision/assignments/")
    assert own_list.status_code == 200
    assert "要闻动态" in own_list.content.decode() and "政策文件" not in own_list.content.decode()
    assert east.get("/admin/supervision/assignments/new/").status_code in (302, 403)
    other = ColumnAssignment.objects.get(column=city.portal_policy)
    assert east.get(f"/admin/supervision/assignments/edit/{other.pk}/").status_code in (302, 403, 404)


def test_the_viewset_saves_through_the_service(city, people):
    supervisor = Client()
    supervisor.force_login(people.supervisor)
    response = supervisor.post("/admin/supervision/assignments/new/", {
        "column": city.district_news.pk, "unit": city.district.pk, "update_days": 14, "person": "", "phone": "",
        "active": "on"})
    assert response.status_code == 200 and "只能分工门户网站的栏目" in response.content.decode()
    assert not ColumnAssignment.objects.exists()
    response = supervisor.post("/admin/supervision/assignments/new/", {
        "column": city.portal_news.pk, "unit": city.district.pk, "update_days": 14, "person": "王海燕", "phone": "",
        "active": "on"})
    assert response.status_code == 302
    assert ColumnAssignment.objects.get().person == "王海燕"
