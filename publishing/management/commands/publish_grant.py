"""The columns a machine client may submit to through the publish API.

    manage.py publish_grant --client 3 --column 12 --column 15   # only these columns
    manage.py publish_grant --client 3                           # every column of its unit
    manage.py publish_grant --client 3 --show

The client itself is registered with ``manage.py machine_client create --scope publish``.
"""

from django.core.management.base import BaseCommand, CommandError

from orgs.errors import DomainError
from orgs.models import MachineClient
from portal.models import ColumnPage
from publishing import intake, queries


class Command(BaseCommand):
    help = "设置接口客户端经发布接口可以提交的栏目"

    def add_arguments(self, parser):
        parser.add_argument("--client", type=int, required=True, help="接口客户端编号(machine_client list)")
        parser.add_argument("--column", type=int, action="append", default=[], help="允许的栏目编号(可重复;不填为全部)")
        parser.add_argument("--show", action="store_true", help="只显示现在可以提交的栏目")

    def handle(self, *args, client, column, show, **options):
        target = MachineClient.objects.select_related("unit").filter(pk=client).first()
        if target is None:
            raise CommandError(f"没有编号为 {client} 的接口客户端。")
        if not show:
            columns = list(ColumnPage.objects.filter(pk__in=column))
            missing = set(column) - {c.pk for c in columns}
            if missing:
                raise CommandError(f"没有这些栏目:{', '.join(map(str, sorted(missing)))}")
            try:
                intake.publish_grant_set(client=target, columns=columns)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        columns = list(queries.client_columns(target))
        trails = queries.column_trails(columns)
        for c in columns:
            self.stdout.write(f"{c.pk}\t{trails[c.pk]}")
