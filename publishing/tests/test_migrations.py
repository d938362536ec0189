"""The publish API's clients of before issue 8 (publishing.ApiClient) become machine
clients of orgs with their ids, accounts, tokens and columns, and back again."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from wagtail.models import APIToken

BEFORE = [("publishing", "0002_api_clients")]


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_api_clients_carry_over_with_their_ids_accounts_tokens_and_columns(city, client):
    old = migrate(BEFORE)
    ApiClient = old.get_model("publishing", "ApiClient")
    ApiSubmission = old.get_model("publishing", "ApiSubmission")
    User = get_user_model()
    accounts = [User.objects.create(username=f"api-east-{n}", first_name="接口") for n in (1, 2)]
    for account in accounts:
        city.district.memberships.create(user=account, role="editor")
    # Ids that a fresh table would not hand out, so a copy that renumbers them fails.
    kept = ApiClient.objects.create(id=41, unit_id=city.district.pk, name="东区公文系统", user_id=accounts[0].pk)
    kept.columns.set([city.district_notices.pk])
    ApiClient.objects.create(id=42, unit_id=city.district.pk, name="东区旧系统", user_id=accounts[1].pk, active=False)
    ApiSubmission.objects.create(client_id=41, idempotency_key="oa-article-0001", fingerprint="f" * 64,
                                 kind="article", title="东区通知")
    _, token = APIToken.create_token(user=accounts[0], name="发布接口令牌")

    migrate()
    from orgs.models import MachineClient
    from publishing.models import ApiSubmission as Submission
    from publishing.models import PublishGrant

    active, stopped = MachineClient.objects.order_by("pk")
    assert (active.pk, active.user_id, active.name, active.scopes, active.expires_at, active.revoked_at) == (
        41, accounts[0].pk, "东区公文系统", ["letters.intake", "publish"], None, None)
    assert stopped.pk == 42 and stopped.revoked_at is not None and stopped.state() == "revoked"
    assert [g.column_id for g in PublishGrant.objects.filter(client=active)] == [city.district_notices.pk]
    assert Submission.objects.get().client == active
    response = client.get("/api/v1/publish/columns", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and [c["id"] for c in response.json()] == [city.district_notices.pk]
    from orgs.clients import machine_client_create

    later, _ = machine_client_create(unit=city.dept, name="市教委办公系统", scopes=["publish"])
    assert later.pk > 42  # the sequence moved past the copied ids

    back = migrate(BEFORE)  # and back: every machine client is an ApiClient again
    ApiClient = back.get_model("publishing", "ApiClient")
    restored = {c.pk: c for c in ApiClient.objects.all()}
    assert set(restored) == {41, 42, later.pk}
    assert restored[41].active and not restored[42].active
    assert list(restored[41].columns.values_list("pk", flat=True)) == [city.district_notices.pk]
    assert back.get_model("publishing", "ApiSubmission").objects.get().client_id == 41
    migrate()
    assert set(MachineClient.objects.values_list("pk", flat=True)) == {41, 42, later.pk}
