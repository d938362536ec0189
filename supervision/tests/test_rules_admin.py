"""The indicators in the admin (设置 → 检查指标): a supervisor of the city edits a
version inline, an invalid change is refused with the reason on the form, a change
to the active version becomes a new draft, copy and activate; nobody else gets in."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from supervision import rules
from supervision.models import Rule, Ruleset, RulesetStatus

pytestmark = pytest.mark.django_db


class FormFields(HTMLParser):
    """The values a browser would post from the page's edit form."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea, self._in_form = {}, None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "post" == (a.get("method") or "").lower() and "data-edit-form" in a:
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(response):
    parser = FormFields()
    parser.feed(response.content.decode())
    assert parser.data, "no edit form on the page"
    return {k: v.lstrip("\n") if k.endswith("params") or k.endswith("notes") else v for k, v in parser.data.items()}


def _index_of(data, prefix, code):
    for key, value in data.items():
        if key.startswith(prefix) and key.endswith("-code") and value == code:
            return key[: -len("-code")]
    raise AssertionError(code)


def test_a_city_supervisor_edits_a_version_and_an_invalid_change_is_refused_on_the_form(client, city):
    client.force_login(city.supervisor)
    v1 = rules.active_ruleset()
    index = client.get(reverse("rulesets:index"))
    assert index.status_code == 200 and str(v1) in index.content.decode()
    assert "复制为新版本" in index.content.decode()
    assert client.get(reverse("rulesets:add")).status_code == 200
    url = reverse("rulesets:edit", args=[v1.pk])
    data = form_data(client.get(url))
    assert data["name"] == v1.name

    bad = dict(data)
    bad[_index_of(data, "categories-", "services") + "-points"] = "20"
    bad[_index_of(data, "rules-", "pub-news") + "-evaluator"] = "guess_the_score"
    response = client.post(url, bad)
    assert response.status_code == 200
    page = response.content.decode()
    assert "各类别分值合计应为100,现为95" in page
    assert "检查方法“guess_the_score”不存在" in page
    assert Ruleset.objects.count() == 1  # nothing stored

    good = dict(data)
    good[_index_of(data, "rules-", "veto-home-stale") + "-params"] = '{"days": 10}'
    response = client.post(url, good, follow=True)
    v2 = Ruleset.objects.get(version=2)
    # The editor is told the active version was kept and the change is a new draft.
    assert f"现行版本不能修改,已另存为{v2}(草稿)" in response.content.decode()
    assert v2.status == RulesetStatus.DRAFT
    assert Rule.objects.get(ruleset=v2, code="veto-home-stale").params == {"days": 10}
    assert Rule.objects.get(ruleset=v1, code="veto-home-stale").params == {"days": 14}
    assert v2.rules.count() == v1.rules.count() and v2.categories.count() == 4

    # copy, then activate the new version
    assert client.post(reverse("rulesets:copy", args=[v2.pk])).status_code == 302
    assert Ruleset.objects.filter(version=3, status=RulesetStatus.DRAFT).exists()
    confirm = client.get(reverse("rulesets:activate", args=[v2.pk]))
    assert "启用" in confirm.content.decode()
    assert client.post(reverse("rulesets:activate", args=[v2.pk])).status_code == 302
    assert rules.active_ruleset().pk == v2.pk
    assert Ruleset.objects.get(pk=v1.pk).status == RulesetStatus.RETIRED
    history = client.get(reverse("rulesets:history", args=[v2.pk]))
    assert history.status_code == 200 and "启用了检查指标版本" in history.content.decode()


def test_params_that_are_not_json_are_refused_on_the_form(client, city):
    client.force_login(city.supervisor)
    v1 = rules.active_ruleset()
    url = reverse("rulesets:edit", args=[v1.pk])
    data = form_data(client.get(url))
    data[_index_of(data, "rules-", "fn-links") + "-params"] = "{home_points: 0.2"
    response = client.post(url, data)
    assert response.status_code == 200 and Ruleset.objects.count() == 1


def test_others_do_not_reach_the_indicators(client, city, make_user):
    district_supervisor = make_user("east_supervisor", city.district, ["supervisor"])
    v1 = rules.active_ruleset()
    draft = rules.ruleset_copy(actor=city.supervisor, ruleset=v1)
    for person in (city.editor, district_supervisor):
        client.force_login(person)
        assert client.get(reverse("rulesets:index")).status_code in (302, 403)
        assert client.get(reverse("rulesets:edit", args=[v1.pk])).status_code in (302, 403, 404)
        # refused (the admin sends a refused person back to the dashboard)
        assert client.post(reverse("rulesets:activate", args=[draft.pk])).status_code in (302, 403)
        assert client.post(reverse("rulesets:copy", args=[v1.pk])).status_code in (302, 403)
    assert rules.active_ruleset().pk == v1.pk
    assert Ruleset.objects.count() == 2
