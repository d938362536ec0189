"""The admin page of the screening lexicon: the management centre's alone (supervisors
and units' administrators read screening results, they do not edit the lexicon);
every save through ``lexicon_term_save`` with a revision; a term is deactivated,
never deleted."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from guard.models import LexiconTerm
from guard.screening import screen_text

NEW_TERM = {"term": "代办证件", "kind": "banned", "correct_form": "", "reason": "违法广告", "active": "on",
            "lawful_contexts": "", "lawful_window": "15"}


def page(response):
    return response.content.decode()


def refused(response):
    """Wagtail answers a page the person may not use by sending them to the dashboard."""
    home = reverse("wagtailadmin_home")
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == home)


def edit_data(term, **changes):
    data = {"term": term.term, "kind": term.kind, "correct_form": term.correct_form, "reason": term.reason,
            "lawful_contexts": term.lawful_contexts, "lawful_window": str(term.lawful_window)}
    if term.active:
        data["active"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["superuser", "centre"])
def test_the_management_centre_adds_a_term_through_the_service(client, managers, who):
    person = getattr(managers, who)
    client.force_login(person)
    response = client.post(reverse("lexicon:add"), NEW_TERM)
    assert response.status_code == 302, page(response)
    term = LexiconTerm.objects.get(term="代办证件")
    assert term.revisions.filter(user=person).count() == 1  # only the service saves revisions
    assert ModelLogEntry.objects.filter(content_type__model="lexiconterm", object_id=str(term.pk), user=person).exists()
    assert [hit.term for hit in screen_text({"标题": "专业代办证件"})] == ["代办证件"]


@pytest.mark.django_db
def test_a_wrong_name_without_its_correct_form_is_refused_and_nothing_stored(client, managers):
    client.force_login(managers.centre)
    response = client.post(reverse("lexicon:add"), dict(NEW_TERM, term="市政府办公室", kind="wrong_name"))
    assert response.status_code == 200 and "错误名称类词条须填写正确表述" in page(response)
    assert not LexiconTerm.objects.filter(term="市政府办公室").exists()


@pytest.mark.django_db
def test_a_term_that_folds_like_another_is_refused(client, managers):
    client.force_login(managers.centre)
    response = client.post(reverse("lexicon:add"), dict(NEW_TERM, term="網絡 賭博"))
    assert response.status_code == 200 and "与已有词条「网络赌博」相同" in page(response)
    assert not LexiconTerm.objects.filter(term="網絡 賭博").exists()


@pytest.mark.django_db
def test_deactivating_a_term_keeps_it_and_its_history(client, managers):
    term = LexiconTerm.objects.get(term="优惠券")
    client.force_login(managers.centre)
    edit = reverse("lexicon:edit", args=[term.pk])
    assert reverse("lexicon:delete", args=[term.pk]) not in page(client.get(edit))
    response = client.post(edit, edit_data(term, active=None))
    assert response.status_code == 302, page(response)
    term.refresh_from_db()
    assert term.active is False and term.revisions.count() == 2
    assert screen_text({"标题": "领取优惠券"}) == []
    assert refused(client.post(reverse("lexicon:delete", args=[term.pk])))
    assert LexiconTerm.objects.filter(pk=term.pk).exists()
    history = client.get(reverse("lexicon:history", args=[term.pk]))
    assert history.status_code == 200 and "测试cent" in page(history)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["east_admin", "editor", "supervisor"])
def test_only_the_management_centre_reaches_the_lexicon(client, managers, city, who):
    person = city.supervisor if who == "supervisor" else getattr(managers, who)
    term = LexiconTerm.objects.get(term="优惠券")
    client.force_login(person)
    assert refused(client.get(reverse("lexicon:index")))
    assert refused(client.post(reverse("lexicon:add"), NEW_TERM))
    assert refused(client.post(reverse("lexicon:edit", args=[term.pk]), edit_data(term, reason="改了")))
    assert not LexiconTerm.objects.filter(term="代办证件").exists()
    term.refresh_from_db()
    assert term.reason == "政府网站不得刊登商业广告"


@pytest.mark.django_db
def test_the_menu_offers_the_lexicon_to_the_management_centre_only(client, managers):
    client.force_login(managers.centre)
    assert reverse("lexicon:index") in page(client.get(reverse("wagtailadmin_home")))
    client.force_login(managers.east_admin)
    assert reverse("lexicon:index") not in page(client.get(reverse("wagtailadmin_home")))


@pytest.mark.django_db
def test_the_service_refuses_anyone_but_the_management_centre(managers):
    from guard.services import lexicon_term_save
    from orgs.errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        lexicon_term_save(term="代办证件", kind="banned", reason="违法广告", actor=managers.east_admin)
    assert not LexiconTerm.objects.filter(term="代办证件").exists()
