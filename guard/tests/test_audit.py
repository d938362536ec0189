"""The audit helper, the lexicon's entries, and who reads the trail in the site history report."""

import datetime as dt
import decimal

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry, PageLogEntry

from guard import audit
from guard.models import LexiconTerm
from guard.services import lexicon_term_save
from orgs.services import membership_grant

pytestmark = pytest.mark.django_db
REPORT, RESULTS = "/admin/reports/site-history/", "/admin/reports/site-history/results/"


def _mark():
    return ModelLogEntry.objects.aggregate(last=Max("pk"))["last"] or 0


def _since(mark):
    return list(ModelLogEntry.objects.filter(pk__gt=mark).order_by("pk"))


# --- The helper ----------------------------------------------------------------------------------------

def test_plain_makes_dates_decimals_sets_and_instances_json(city):
    assert audit.plain({"d": dt.date(2026, 5, 1), "n": decimal.Decimal("1.50"), "s": {3, 1}, "u": city.district}) == {
        "d": "2026-05-01", "n": "1.50", "s": [1, 3], "u": city.district.pk,
    }


def test_changes_keeps_only_the_fields_that_differ(city):
    assert audit.changes(city.district, {"name": city.district.name, "short_name": "东城区"}) == (
        {"short_name": "东区"}, {"short_name": "东城区"}
    )


def test_an_entry_is_one_insert_with_the_actor_the_object_and_before_after(city):
    with CaptureQueriesContext(connection) as queries:
        entry = audit.record(city.district, "orgs.unit.update", actor=city.supervisor, before={"a": 1}, after={"a": 2},
                             note="x")
    assert len(queries.captured_queries) == 1 and queries.captured_queries[0]["sql"].startswith("INSERT")
    entry = ModelLogEntry.objects.get(pk=entry.pk)
    assert (entry.action, entry.user, entry.object_id, entry.label) == (
        "orgs.unit.update", city.supervisor, str(city.district.pk), city.district.name
    )
    assert entry.data == {"note": "x", "before": {"a": 1}, "after": {"a": 2}}


def test_an_action_without_a_registered_label_is_refused(city):
    with pytest.raises(ValueError, match="register_log_actions"):
        audit.record(city.district, "orgs.unit.renamed_without_a_label")
    assert not ModelLogEntry.objects.filter(action="orgs.unit.renamed_without_a_label").exists()


def test_an_anonymous_actor_is_recorded_as_nobody(city):
    from django.contrib.auth.models import AnonymousUser

    entry = audit.record(city.district, "orgs.unit.update", actor=AnonymousUser())
    assert entry.user is None


def test_a_page_entry_goes_to_wagtails_page_log(article_factory):
    page = article_factory()
    audit.record(page, "publishing.api.submit", client=1)
    assert PageLogEntry.objects.filter(page=page, action="publishing.api.submit").exists()
    assert not ModelLogEntry.objects.filter(action="publishing.api.submit").exists()


# --- The lexicon -------------------------------------------------------------------------------------------

def test_a_new_lexicon_term_is_one_entry_linked_to_its_revision(city, managers):
    mark = _mark()
    term = lexicon_term_save(term="某违禁词", kind="banned", reason="测试", actor=managers.centre)
    [entry] = _since(mark)
    assert (entry.action, entry.object_id, entry.user) == ("guard.lexicon.create", str(term.pk), managers.centre)
    assert entry.data["after"]["term"] == "某违禁词" and entry.data["before"] == {}
    assert entry.revision == term.latest_revision


def test_changing_a_lexicon_term_records_its_values_before_and_after(city, managers):
    term = lexicon_term_save(term="某违禁词", kind="banned", reason="测试", actor=managers.centre)
    mark = _mark()
    # As the admin's form does: the instance already carries the new values.
    term.reason = "依据新规定"
    lexicon_term_save(term="某违禁词", kind="banned", reason="依据新规定", active=False, lawful_window=20,
                      actor=managers.centre, instance=term)
    [entry] = _since(mark)
    assert entry.action == "guard.lexicon.update"
    assert entry.data["before"] == {"reason": "测试", "active": True, "lawful_window": 15}
    assert entry.data["after"] == {"reason": "依据新规定", "active": False, "lawful_window": 20}
    assert LexiconTerm.objects.get(pk=term.pk).revisions.count() == 2


# --- Who reads the trail in the site history report ----------------------------------------------------------

@pytest.fixture
def trail(city, make_user):
    """A role granted in 市教委 and one in 东区 by the management centre."""
    centre = make_user("centre_admin", city.office, ["site_admin"])
    membership_grant(user=make_user("edu_new"), unit=city.dept, role="editor", actor=centre)
    membership_grant(user=make_user("east_new"), unit=city.district, role="reviewer", actor=centre)
    return centre


def test_the_management_centre_reads_the_whole_trail_and_filters_it_by_action(client, city, trail):
    client.force_login(trail)
    page = client.get(REPORT).content.decode()
    assert page.count("授予了角色") >= 2 and "授予角色" in page  # the entries, and the action in the filter
    assert city.dept.name in page and city.district.name in page
    filtered = client.get(RESULTS, {"action": "orgs.role.grant"}).content.decode()
    assert "授予了角色" in filtered and "新建了人员账号" not in filtered
    assert "新建了人员账号" in client.get(RESULTS, {"action": "orgs.person.create"}).content.decode()


def test_a_superuser_reads_the_whole_trail(client, city, trail, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-Test-2026"))
    assert "授予了角色" in client.get(RESULTS).content.decode()


def test_a_unit_editor_sees_only_the_pages_of_their_own_site_and_no_trail(client, city, trail, article_factory):
    own = article_factory(column=city.dept_news, title="教委自己的文章", actor=city.dept_editor, publish=False)
    other = article_factory(title="东区的另一篇文章", actor=city.editor, publish=False)
    client.force_login(city.dept_editor)
    page = client.get(RESULTS).content.decode()
    assert own.title in page  # Wagtail's page entries of the editor's own site stay
    assert other.title not in page and city.district.name not in page
    assert "授予了角色" not in page and "新建了人员账号" not in page
    assert "orgs.role.grant" not in client.get(REPORT).content.decode()  # nor offered as a filter
    # Asking for the trail's action by hand finds nothing either.
    assert "授予了角色" not in client.get(RESULTS, {"action": "orgs.role.grant"}).content.decode()


def test_a_unit_site_administrator_is_not_the_management_centre(client, city, trail, make_user):
    client.force_login(make_user("east_admin", city.district, ["site_admin"]))
    assert "授予了角色" not in client.get(RESULTS).content.decode()


def test_the_report_exports_the_trail_for_the_centre(client, trail):
    client.force_login(trail)
    response = client.get(REPORT, {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "授予角色" in text
