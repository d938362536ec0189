"""Submissions and register lines point at ``orgs.MachineClient``; the ids are those of
the ApiClients they pointed at (0003 kept them), so only the constraint moves."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0002_machine_clients"),
        ("publishing", "0003_publish_grants_from_api_clients"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apisubmission",
            name="client",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="submissions",
                                    to="orgs.machineclient", verbose_name="接口"),
        ),
        migrations.AlterField(
            model_name="publicationrecord",
            name="api_client",
            field=models.ForeignKey(blank=True, help_text="经发布接口由业务系统提交的内容,登记提交它的接口。", null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="publications",
                                    to="orgs.machineclient", verbose_name="来源接口"),
        ),
    ]
