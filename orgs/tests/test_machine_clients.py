"""Machine clients (business systems calling the open API): one identity in orgs with
scopes, expiry, rotation, revocation and a record of use, and one authentication for
every router of the API."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.models import APIToken, ModelLogEntry

from orgs.clients import (
    machine_client_create,
    machine_client_note_use,
    machine_client_revoke,
    machine_client_rotate_token,
    machine_client_update,
)
from orgs.errors import DomainError, PermissionRefused
from orgs.models import MachineClient, MachineClientUse

ALL = ["letters.intake", "publish"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# Each router of the API, called as a business system would; "passed" = got past authentication.
def call_publish(http, token):
    return http.get("/api/v1/publish/columns", headers=bearer(token))


def call_letters(http, token):
    return http.post("/api/v1/letters/track", {"query_code": "NOSUCHCODE1", "check": "1234"},
                     content_type="application/json", headers=bearer(token))


ROUTERS = {"publish": call_publish, "letters.intake": call_letters}


def passed(response):
    return response.status_code not in (401, 403)


@pytest.fixture
def hotline(city, make_machine_client):
    return make_machine_client(city.district, "12345热线转办系统", scopes=["letters.intake"])


@pytest.fixture
def both(city, make_machine_client):
    return make_machine_client(city.district, "东区综合系统", scopes=ALL)


@pytest.fixture
def east_admin(city, make_user):
    return make_user("east_admin", city.district, ["site_admin"])


@pytest.fixture
def edu_admin(city, make_user):
    return make_user("edu_admin", city.dept, ["site_admin"])


@pytest.fixture
def centre(city, make_user):
    # The portal management centre: a site admin of a unit that sees across units.
    return make_user("centre_admin", city.office, ["site_admin"])


def nothing_stored(users_before):
    return (not MachineClient.objects.exists() and not APIToken.objects.exists()
            and get_user_model().objects.count() == users_before)


def entries(client, action):
    return list(ModelLogEntry.objects.filter(action=action, object_id=str(client.pk)))


# --- The identity ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_client_has_an_account_that_cannot_log_in_and_only_the_tokens_hash(city):
    client, token = machine_client_create(unit=city.district, name="东区公文系统", scopes=["publish"])
    assert client.scopes == ["publish"] and client.expires_at is None and client.state() == "active"
    assert not client.user.has_usable_password()
    assert client.user.get_username() == "api-east-1"
    row = APIToken.objects.get(user=client.user)
    assert row.key_hash == APIToken.hash_token(token) and token not in (row.key_hash, row.prefix)


@pytest.mark.django_db
def test_the_account_holds_the_roles_its_scopes_need_and_no_more(city):
    hotline, _ = machine_client_create(unit=city.district, name="12345热线", scopes=["letters.intake"])
    assert not hotline.user.memberships.exists()  # a hotline system is nobody's editor
    machine_client_update(client=hotline, name=hotline.name, scopes=ALL, expires_at=None)
    assert list(hotline.user.memberships.values_list("role", flat=True)) == ["editor"]
    assert hotline.user.groups.filter(name="east:editor").exists()
    machine_client_update(client=hotline, name=hotline.name, scopes=["letters.intake"], expires_at=None)
    assert not hotline.user.memberships.exists() and not hotline.user.groups.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("scopes, message", [
    (["publish", "letters.write"], "没有这些权限范围:letters.write"),
    ([], "至少选择一项"),
])
def test_a_scope_that_does_not_exist_or_none_at_all_is_refused_and_nothing_stored(city, scopes, message):
    users = get_user_model().objects.count()
    with pytest.raises(DomainError, match=message) as refused:
        machine_client_create(unit=city.district, name="东区公文系统", scopes=scopes)
    assert refused.value.field == "scopes"
    assert nothing_stored(users)


@pytest.mark.django_db
def test_an_expiry_in_the_past_is_refused_on_create_and_on_update(city, hotline):
    users = get_user_model().objects.count()
    with pytest.raises(DomainError, match="有效期不能早于现在") as refused:
        machine_client_create(unit=city.dept, name="市教委系统", scopes=["publish"],
                              expires_at=timezone.now() - timedelta(minutes=1))
    assert refused.value.field == "expires_at"
    assert MachineClient.objects.count() == 1 and get_user_model().objects.count() == users
    with pytest.raises(DomainError, match="有效期不能早于现在"):
        machine_client_update(client=hotline.client, name="改名", scopes=ALL,
                              expires_at=timezone.now() - timedelta(days=1))
    hotline.client.refresh_from_db()
    assert (hotline.client.name, hotline.client.scopes, hotline.client.expires_at) == ("12345热线转办系统",
                                                                                      ["letters.intake"], None)


@pytest.mark.django_db
def test_a_name_is_unique_within_its_unit(city, hotline):
    with pytest.raises(DomainError, match="已有名为") as refused:
        machine_client_create(unit=city.district, name="12345热线转办系统", scopes=["letters.intake"])
    assert refused.value.code == "conflict"
    machine_client_create(unit=city.dept, name="12345热线转办系统", scopes=["letters.intake"])  # another unit may


# --- Who may manage -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_site_admin_of_another_unit_can_neither_create_update_rotate_nor_revoke(city, hotline, edu_admin):
    users = get_user_model().objects.count()
    with pytest.raises(PermissionRefused, match="东区"):
        machine_client_create(unit=city.district, name="私建接口", scopes=["publish"], actor=edu_admin)
    with pytest.raises(PermissionRefused):
        machine_client_update(client=hotline.client, name="改名", scopes=ALL, expires_at=None, actor=edu_admin)
    with pytest.raises(PermissionRefused):
        machine_client_rotate_token(client=hotline.client, actor=edu_admin)
    with pytest.raises(PermissionRefused):
        machine_client_revoke(client=hotline.client, reason="不想要了", actor=edu_admin)
    client = MachineClient.objects.get()
    assert (client.name, client.scopes, client.revoked_at) == ("12345热线转办系统", ["letters.intake"], None)
    assert get_user_model().objects.count() == users and APIToken.objects.filter(revoked_at__isnull=True).count() == 1
    assert not ModelLogEntry.objects.filter(action__startswith="orgs.machine_client.", user=edu_admin).exists()


@pytest.mark.django_db
def test_a_site_admin_manages_own_units_clients_and_the_centre_every_units(city, east_admin, centre):
    own, _ = machine_client_create(unit=city.district, name="东区公文系统", scopes=["publish"], actor=east_admin)
    assert own.created_by == east_admin
    theirs, _ = machine_client_create(unit=city.dept, name="市教委办公系统", scopes=["publish"], actor=centre)
    machine_client_revoke(client=own, reason="系统更换", actor=centre)
    with pytest.raises(PermissionRefused):
        machine_client_revoke(client=theirs, reason="越权", actor=east_admin)
    for person in (city.editor, city.leader, city.supervisor):  # roles that manage nothing here
        with pytest.raises(PermissionRefused):
            machine_client_create(unit=city.district, name=f"{person.username}的接口", scopes=["publish"], actor=person)


# --- Rotation, revocation, audit ------------------------------------------------------------


@pytest.mark.django_db
def test_create_update_rotate_and_revoke_each_write_one_audit_entry_without_the_token(city, east_admin):
    client, token = machine_client_create(unit=city.district, name="东区公文系统", scopes=["publish"], actor=east_admin)
    expires = timezone.now() + timedelta(days=30)
    machine_client_update(client=client, name="东区公文系统", scopes=ALL, expires_at=expires, actor=east_admin)
    new = machine_client_rotate_token(client=client, grace_hours=24, actor=east_admin)
    machine_client_revoke(client=client, reason="令牌疑似泄露", actor=east_admin)

    created, = entries(client, "orgs.machine_client.create")
    assert created.user == east_admin and created.data["scopes"] == ["publish"] and created.data["unit"] == "east"
    updated, = entries(client, "orgs.machine_client.update")
    assert updated.data["before"] == {"scopes": ["publish"], "expires_at": None}
    assert updated.data["after"]["scopes"] == ALL
    rotated, = entries(client, "orgs.machine_client.rotate")
    assert rotated.data["grace_hours"] == 24
    revoked, = entries(client, "orgs.machine_client.revoke")
    assert revoked.data["reason"] == "令牌疑似泄露" and revoked.user == east_admin
    every = json.dumps([e.data for e in ModelLogEntry.objects.all()], ensure_ascii=False)
    assert token not in every and new not in every
    assert ModelLogEntry.objects.filter(action="orgs.machine_client.revoke").get().message == \
        "吊销了接口客户端(理由:令牌疑似泄露)"


@pytest.mark.django_db
def test_an_update_that_changes_nothing_writes_no_entry(city, hotline):
    client = hotline.client
    machine_client_update(client=client, name=client.name, scopes=client.scopes, expires_at=client.expires_at)
    assert not entries(client, "orgs.machine_client.update")


@pytest.mark.django_db
def test_a_revocation_needs_a_reason_and_is_final(city, hotline):
    with pytest.raises(DomainError, match="吊销原因"):
        machine_client_revoke(client=hotline.client, reason="  ")
    assert MachineClient.objects.get().revoked_at is None
    machine_client_revoke(client=hotline.client, reason="系统停用")
    for attempt in (lambda: machine_client_revoke(client=hotline.client, reason="再次"),
                    lambda: machine_client_rotate_token(client=hotline.client),
                    lambda: machine_client_update(client=hotline.client, name="复活", scopes=ALL, expires_at=None)):
        with pytest.raises(DomainError, match="已被吊销"):
            attempt()
    assert not APIToken.objects.filter(revoked_at__isnull=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("grace", [-1, 73, "一天"])
def test_a_grace_period_outside_zero_to_72_hours_is_refused(hotline, grace):
    with pytest.raises(DomainError, match="过渡期"):
        machine_client_rotate_token(client=hotline.client, grace_hours=grace)
    assert APIToken.objects.count() == 1 and not APIToken.objects.filter(revoked_at__isnull=False).exists()


# --- One authentication for every router ----------------------------------------------------


@pytest.mark.django_db
def test_a_letters_only_client_is_forbidden_the_publish_api_and_a_publish_client_the_letters_api(
        client, city, hotline, make_machine_client):
    publisher = make_machine_client(city.district, "东区公文系统", scopes=["publish"])
    for token, allowed, refused in ((hotline.token, "letters.intake", "publish"),
                                    (publisher.token, "publish", "letters.intake")):
        assert passed(ROUTERS[allowed](client, token))
        response = ROUTERS[refused](client, token)
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden" and refused in response.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("router", ROUTERS)
def test_an_expired_client_gets_401_token_expired_on_every_router(client, both, router):
    assert passed(ROUTERS[router](client, both.token))
    MachineClient.objects.filter(pk=both.client.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = ROUTERS[router](client, both.token)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired" and "过期" in response.json()["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
@pytest.mark.parametrize("router", ROUTERS)
def test_a_revoked_client_gets_401_token_revoked_on_every_router(client, both, router):
    machine_client_revoke(client=both.client, reason="系统停用")
    response = ROUTERS[router](client, both.token)
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked" and "吊销" in response.json()["message"]
    assert "系统停用" not in response.json()["message"]  # the reason is for the platform's people


@pytest.mark.django_db
@pytest.mark.parametrize("router", ROUTERS)
def test_after_rotation_the_old_token_gets_401_and_the_new_one_works(client, both, router):
    new = machine_client_rotate_token(client=both.client)
    old = ROUTERS[router](client, both.token)
    assert old.status_code == 401 and old.json()["code"] == "token_revoked" and "更换" in old.json()["message"]
    assert passed(ROUTERS[router](client, new))


@pytest.mark.django_db
def test_with_a_grace_period_the_old_token_works_until_it_ends(client, both):
    new = machine_client_rotate_token(client=both.client, grace_hours=24)
    assert passed(call_publish(client, both.token)) and passed(call_publish(client, new))
    old = APIToken.objects.get(key_hash=APIToken.hash_token(both.token))
    assert timedelta(hours=23) < old.revoked_at - timezone.now() <= timedelta(hours=24)
    APIToken.objects.filter(pk=old.pk).update(revoked_at=timezone.now() - timedelta(seconds=1))  # the day has passed
    assert call_publish(client, both.token).status_code == 401
    assert passed(call_publish(client, new))


@pytest.mark.django_db
@pytest.mark.parametrize("router", ROUTERS)
def test_no_token_a_wrong_one_or_a_persons_is_401_unauthorized(client, city, router):
    _, personal = APIToken.create_token(user=city.editor, name="编辑自己的令牌")
    for token in ("wagtail_notatoken", personal, "x" * 500):
        response = ROUTERS[router](client, token)
        assert response.status_code == 401 and response.json()["code"] == "unauthorized", token


@pytest.mark.django_db
def test_a_session_does_not_stand_in_for_a_token(client, User):
    client.force_login(User.objects.create_superuser("centre", password="pw-Test-2026"))
    assert client.get("/api/v1/publish/columns").status_code == 401


# --- A record of use ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_use_is_recorded_at_most_once_a_minute_with_a_row_per_day(client, both):
    assert both.client.last_used_at is None
    for _ in range(3):
        assert passed(call_publish(client, both.token))
    used = MachineClient.objects.get()
    assert used.last_used_at is not None
    day, = MachineClientUse.objects.filter(client=used)
    assert (day.day, day.active_minutes, day.first_at) == (timezone.localdate(used.last_used_at), 1, used.last_used_at)

    later = used.last_used_at + timedelta(seconds=90)
    machine_client_note_use(client=used, now=later)
    machine_client_note_use(client=used, now=later + timedelta(seconds=10))  # within the minute: no write
    day.refresh_from_db()
    assert (day.active_minutes, day.last_at) == (2, later)
    machine_client_note_use(client=used, now=later + timedelta(days=1))
    assert MachineClientUse.objects.filter(client=used).count() == 2


@pytest.mark.django_db
def test_a_refused_call_is_not_recorded_as_use(client, hotline):
    assert call_publish(client, hotline.token).status_code == 403
    assert MachineClient.objects.get().last_used_at is None and not MachineClientUse.objects.exists()


# --- The admin ----------------------------------------------------------------------------------


def token_on(html):
    return html.split('id="api-token-value" value="')[1].split('"')[0]


@pytest.mark.django_db
def test_a_unit_site_admin_registers_a_client_of_its_unit_and_sees_the_token_once(client, city, east_admin):
    client.force_login(east_admin)
    form = client.get("/admin/machine-clients/new/").content.decode()
    assert "测试市东区人民政府" in form and "测试市教育委员会" not in form  # only the units this person manages
    assert str(timezone.localdate() + timedelta(days=365))[:4] in form  # the proposed expiry: a year from now
    response = client.post("/admin/machine-clients/new/", {
        "unit": city.district.pk, "name": "12345热线转办系统", "scopes": ["letters.intake"],
        "expires_at": (timezone.localtime() + timedelta(days=365)).strftime("%Y-%m-%d %H:%M"),
    })
    assert response.status_code == 200
    created = MachineClient.objects.get()
    assert created.scopes == ["letters.intake"] and created.expires_at is not None
    token = token_on(response.content.decode())
    assert passed(call_letters(client, token))
    listing = client.get("/admin/machine-clients/").content.decode()
    assert "12345热线转办系统" in listing and "来信提交" in listing and token not in listing
    assert f"/admin/machine-clients/rotate/{created.pk}/" in listing
    assert f"/admin/machine-clients/revoke/{created.pk}/" in listing
    moved = client.get("/admin/api-clients/")  # the publish API's old client list
    assert moved.status_code == 302 and moved["Location"] == "/admin/machine-clients/"


@pytest.mark.django_db
def test_a_unit_site_admin_cannot_reach_another_units_clients(client, city, edu_admin, hotline):
    client.force_login(edu_admin)
    assert "12345热线转办系统" not in client.get("/admin/machine-clients/").content.decode()
    pk = hotline.client.pk
    for url in (f"/admin/machine-clients/history/{pk}/", f"/admin/machine-clients/usage/{pk}/"):
        assert client.get(url).status_code == 404, url  # who registered, rotated, revoked it: not another unit's
    for url in (f"/admin/machine-clients/edit/{pk}/", f"/admin/machine-clients/rotate/{pk}/",
                f"/admin/machine-clients/revoke/{pk}/"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "改名", "scopes": ALL, "reason": "越权", "grace_hours": "0"}).status_code == 404
    response = client.post("/admin/machine-clients/new/", {"unit": city.district.pk, "name": "私建接口",
                                                           "scopes": ["publish"]})
    assert response.status_code == 200 and "私建接口" not in MachineClient.objects.values_list("name", flat=True)
    client_row = MachineClient.objects.get()
    assert (client_row.name, client_row.revoked_at) == ("12345热线转办系统", None)
    assert APIToken.objects.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_the_admin_edits_scopes_and_expiry_and_refuses_a_past_expiry(client, city, centre, hotline):
    client.force_login(centre)
    url = f"/admin/machine-clients/edit/{hotline.client.pk}/"
    response = client.post(url, {"name": "12345热线转办系统", "scopes": ALL, "expires_at": "2020-01-01 00:00"})
    assert response.status_code == 200 and "有效期不能早于现在" in response.content.decode()
    assert MachineClient.objects.get().scopes == ["letters.intake"]
    response = client.post(url, {"name": "12345热线转办系统", "scopes": ALL, "expires_at": "2099-06-30 18:00"})
    assert response.status_code == 302
    changed = MachineClient.objects.get()
    assert changed.scopes == ALL
    assert timezone.localtime(changed.expires_at).strftime("%Y-%m-%d %H:%M") == "2099-06-30 18:00"
    assert client.get(f"/admin/machine-clients/history/{hotline.client.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_admin_revokes_with_a_reason_and_rotates_with_a_grace_period(client, city, centre, both):
    client.force_login(centre)
    pk = both.client.pk
    html = client.post(f"/admin/machine-clients/rotate/{pk}/", {"grace_hours": "24"}).content.decode()
    new = token_on(html)
    assert passed(call_publish(client, both.token)) and passed(call_publish(client, new))
    refused = client.post(f"/admin/machine-clients/revoke/{pk}/", {"reason": ""})
    assert refused.status_code == 200 and MachineClient.objects.get().revoked_at is None
    assert client.post(f"/admin/machine-clients/revoke/{pk}/", {"reason": "系统下线"}).status_code == 302
    revoked = MachineClient.objects.get()
    assert (revoked.revoke_reason, revoked.revoked_by) == ("系统下线", centre)
    assert call_publish(client, new).json()["code"] == "token_revoked"
    assert "已吊销" in client.get("/admin/machine-clients/").content.decode()
    history = client.get(f"/admin/machine-clients/history/{pk}/").content.decode()
    assert "吊销了接口客户端" in history and "更换了接口客户端的令牌" in history


# --- The management command ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_creates_lists_rotates_and_revokes(client, city):
    out = io.StringIO()
    call_command("machine_client", "create", "--unit", "east", "--name", "12345热线", "--scope", "letters.intake",
                 "--expires", "2099-12-31", "--json", stdout=out)
    created = json.loads(out.getvalue())
    made = MachineClient.objects.get(pk=created["id"])
    assert made.scopes == ["letters.intake"]
    assert timezone.localtime(made.expires_at).strftime("%Y-%m-%d %H:%M") == "2100-01-01 00:00"  # through 31 December
    out = io.StringIO()
    call_command("machine_client", "rotate", "--id", str(made.pk), "--json", stdout=out)
    new = json.loads(out.getvalue())["token"]
    assert call_letters(client, created["token"]).status_code == 401 and passed(call_letters(client, new))
    call_command("machine_client", "revoke", "--id", str(made.pk), "--reason", "停用", stdout=io.StringIO())
    listing = io.StringIO()
    call_command("machine_client", "list", "--unit", "east", stdout=listing)
    assert "12345热线" in listing.getvalue() and "已吊销" in listing.getvalue() and new not in listing.getvalue()


@pytest.mark.django_db
def test_the_command_without_an_expiry_gives_a_year_and_refuses_an_unknown_scope(city):
    out = io.StringIO()
    call_command("machine_client", "create", "--unit", "east", "--name", "东区OA", "--scope", "publish", "--json",
                 stdout=out)
    expires = MachineClient.objects.get().expires_at
    assert timedelta(days=364) < expires - timezone.now() <= timedelta(days=365)
    with pytest.raises(CommandError, match="没有这些权限范围"):
        call_command("machine_client", "create", "--unit", "east", "--name", "东区热线", "--scope", "letter")
    assert MachineClient.objects.count() == 1
    scopes = io.StringIO()
    call_command("machine_client", "scopes", stdout=scopes)
    assert "publish" in scopes.getvalue() and "letters.intake" in scopes.getvalue()
