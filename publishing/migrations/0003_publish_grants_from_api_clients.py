"""Issue 8: the publish API's clients become machine clients of ``orgs``.

Each ``publishing.ApiClient`` becomes an ``orgs.MachineClient`` with the same id and
the same account, so its bearer tokens (Wagtail API tokens of that account) keep
working, and every id that points at it (submissions, the register, letters' keys and
quotas, which name the client by id) still names it. It gets the scopes of what it
could do before, ``publish`` and ``letters.intake`` (every ApiClient token was also
accepted by the letters API, and a 12345 system may rely on it), and no expiry, as it
had; a stopped client becomes a revoked one. Its columns become publish grants. The next two migrations repoint the foreign keys and drop the old table.

Reversible: going back, ``0005`` copies every machine client back into ApiClient
(letters-only clients included: the old model served both APIs) and this one removes
the machine clients it made.
"""

import django.db.models.deletion
from django.core.management.color import no_style
from django.db import migrations, models
from django.utils import timezone


SCOPES = ["letters.intake", "publish"]  # sorted, as the services store them


def reset_sequence(schema_editor, model):
    """After rows were inserted with explicit ids, PostgreSQL's sequence must move past them."""
    for statement in schema_editor.connection.ops.sequence_reset_sql(no_style(), [model]):
        schema_editor.execute(statement)


def copy_clients(apps, schema_editor):
    ApiClient = apps.get_model("publishing", "ApiClient")
    MachineClient = apps.get_model("orgs", "MachineClient")
    PublishGrant = apps.get_model("publishing", "PublishGrant")
    now = timezone.now()
    copied = False
    for old in ApiClient.objects.order_by("pk"):
        MachineClient.objects.create(
            pk=old.pk, unit_id=old.unit_id, name=old.name, user_id=old.user_id, scopes=SCOPES, expires_at=None,
            created_by_id=old.created_by_id, last_used_at=old.last_used_at,
            revoked_at=None if old.active else now, revoke_reason="" if old.active else "迁移前已停用",
        )
        MachineClient.objects.filter(pk=old.pk).update(created_at=old.created_at)  # auto_now_add set it to now
        PublishGrant.objects.bulk_create(
            [PublishGrant(client_id=old.pk, column_id=pk) for pk in old.columns.values_list("pk", flat=True)]
        )
        copied = True
    if copied:
        reset_sequence(schema_editor, MachineClient)


def remove_copied(apps, schema_editor):
    ApiClient = apps.get_model("publishing", "ApiClient")
    MachineClient = apps.get_model("orgs", "MachineClient")
    MachineClient.objects.filter(pk__in=ApiClient.objects.values("pk")).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0002_machine_clients"),
        ("portal", "0003_parent_column"),
        ("publishing", "0002_api_clients"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishGrant",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("client", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="publish_grants",
                                             to="orgs.machineclient", verbose_name="接口客户端")),
                ("column", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                             to="portal.columnpage", verbose_name="栏目")),
            ],
            options={"verbose_name": "发布接口栏目授权", "verbose_name_plural": "发布接口栏目授权"},
        ),
        migrations.AddConstraint(
            model_name="publishgrant",
            constraint=models.UniqueConstraint(fields=("client", "column"), name="publish_grant_unique"),
        ),
        migrations.RunPython(copy_clients, remove_copied),
    ]
