"""Drop ``publishing.ApiClient`` (its rows live on as ``orgs.MachineClient``, 0003).

Going back, the old table is made again and every machine client is copied into it
(same id, account, name; active unless revoked; columns from the publish grants)
before 0004's reversal points the foreign keys at it again.
"""

from django.db import migrations
from django.core.management.color import no_style


def restore_api_clients(apps, schema_editor):
    ApiClient = apps.get_model("publishing", "ApiClient")
    MachineClient = apps.get_model("orgs", "MachineClient")
    PublishGrant = apps.get_model("publishing", "PublishGrant")
    restored = False
    for client in MachineClient.objects.order_by("pk"):
        old = ApiClient.objects.create(pk=client.pk, unit_id=client.unit_id, name=client.name, user_id=client.user_id,
                                       active=client.revoked_at is None, created_by_id=client.created_by_id,
                                       last_used_at=client.last_used_at)
        ApiClient.objects.filter(pk=old.pk).update(created_at=client.created_at)
        old.columns.set(PublishGrant.objects.filter(client_id=client.pk).values_list("column_id", flat=True))
        restored = True
    if restored:
        for statement in schema_editor.connection.ops.sequence_reset_sql(no_style(), [ApiClient]):
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("publishing", "0004_submissions_point_to_machine_clients"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_api_clients),
        migrations.DeleteModel(name="ApiClient"),
    ]
