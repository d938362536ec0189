"""No admin screen names another unit's drafts: a unit's editor (or site
administrator) who puts another unit's page ids into an admin address sees
neither the draft titles nor the titles of unpublished versions."""

import json

import pytest
from wagtail.models import Page

from portal.services import page_submit_for_review

EAST_DRAFT = "东区尚未发布的草稿标题"
EAST_NEW_TITLE = "东区已发布页面改过的新标题"
EDU_DRAFT = "市教委自己的草稿"


@pytest.fixture
def scene(city, article_factory, make_user):
    # The person's own draft first: another unit's edits are the latest anywhere.
    own = article_factory(column=city.dept_news, publish=False, actor=city.dept_editor, title=EDU_DRAFT)
    draft = article_factory(publish=False, actor=city.editor, title=EAST_DRAFT)
    page_submit_for_review(page=draft, actor=city.editor)
    Page.objects.filter(pk=draft.pk).update(locked=True, locked_by=city.editor)
    live = article_factory(title="东区已发布的页面")
    changed = live.get_latest_revision_as_object()
    changed.title = EAST_NEW_TITLE
    changed.save_revision(user=city.editor, log_action=True)
    article_factory(title="东区另一篇已发布的页面")
    edu_admin = make_user("edu_admin", city.dept, ["site_admin", "leader"])
    return {"draft": draft, "live": live, "own": own, "people": {"editor": city.dept_editor, "site_admin": edu_admin}}


def _text(response):
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)  # the chooser answers JSON, \u-escaped
    return response.content.decode(errors="replace")


def _get(client, url):
    response = client.get(url)
    html = _text(response)
    assert EAST_DRAFT not in html and EAST_NEW_TITLE not in html, url
    return response, html


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["editor", "site_admin"])
@pytest.mark.parametrize("action", ["publish", "unpublish", "delete", "move"])
def test_bulk_action_confirmation_pages_ignore_other_units_ids(scene, client, city, who, action):
    client.force_login(scene["people"][who])
    base = f"/admin/bulk/wagtailcore/page/{action}/"
    draft, live, own = scene["draft"], scene["live"], scene["own"]
    for ids in (f"id={draft.pk}", f"id={live.pk}", f"id={draft.pk}&id={live.pk}", f"id=all&childOf={city.district_news.pk}"):
        response, _ = _get(client, f"{base}?{ids}")
        assert response.status_code == 404, (ids, response.status_code)
    # With an own page among them the confirmation page answers, naming only that one.
    response, html = _get(client, f"{base}?id={own.pk}&id={draft.pk}&id={live.pk}")
    assert response.status_code == 200
    assert EDU_DRAFT in html


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["editor", "site_admin"])
def test_page_types_report_names_only_own_pages(scene, client, who):
    client.force_login(scene["people"][who])
    for url in ("/admin/reports/page-types-usage/", "/admin/reports/page-types-usage/results/"):
        response, html = _get(client, url)
        assert response.status_code == 200, url
        assert EDU_DRAFT in html, url  # the last edited article of the person's own site


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["editor", "site_admin"])
def test_other_admin_listings_do_not_name_other_units_drafts(scene, client, city, who):
    client.force_login(scene["people"][who])
    draft, live = scene["draft"], scene["live"]
    answered = {}
    for url in [
        "/admin/", "/admin/pages/", "/admin/pages/search/?q=东区", "/admin/pages/search/results/?q=市教委自己的草稿",
        "/admin/reports/aging-pages/", "/admin/reports/workflow/", "/admin/reports/workflow_tasks/",
        "/admin/reports/site-history/", "/admin/reports/locked/",
        f"/admin/choose-page/{city.district_news.pk}/", "/admin/choose-page/search/?q=东区",
        "/admin/pages/usage/portal/articlepage/", "/admin/api/main/pages/?search=东区&fields=title",
        f"/admin/pages/{draft.pk}/history/", f"/admin/pages/{live.pk}/history/",
        f"/admin/pages/{draft.pk}/workflow_history/", f"/admin/pages/{draft.pk}/revisions/compare/earliest...latest/",
        f"/admin/pages/{draft.pk}/usage/", f"/admin/pages/{draft.pk}/edit/", f"/admin/pages/{live.pk}/edit/",
    ]:
        response, html = _get(client, url)
        answered[url] = response.status_code
    # The person's own pages are listed where a listing of theirs is expected …
    assert answered["/admin/pages/search/results/?q=市教委自己的草稿"] == 200
    assert EDU_DRAFT in _text(client.get("/admin/pages/search/results/?q=市教委自己的草稿"))
    assert answered[f"/admin/choose-page/{city.district_news.pk}/"] == 200
    chooser = _text(client.get(f"/admin/choose-page/{city.district_news.pk}/"))
    assert "东区另一篇已发布的页面" in chooser  # other units' live pages stay choosable for links
    assert "东区已发布的页面" not in chooser  # … unless a retitled draft is pending
    # … and another unit's page history, comparison, usage and editor are refused.
    for url in (f"/admin/pages/{draft.pk}/history/", f"/admin/pages/{live.pk}/history/",
                f"/admin/pages/{draft.pk}/workflow_history/", f"/admin/pages/{draft.pk}/edit/",
                f"/admin/pages/{live.pk}/edit/", f"/admin/pages/{draft.pk}/usage/"):
        assert answered[url] in (302, 403, 404), (url, answered[url])
