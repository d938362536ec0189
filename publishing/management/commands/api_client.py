"""Register the business systems that publish through the API, and manage their tokens.

    manage.py api_client create --unit east --name 东区公文系统 [--column 12 --column 15] [--json]
    manage.py api_client list [--unit east]
    manage.py api_client rotate --id 3
    manage.py api_client deactivate --id 3

``create`` and ``rotate`` print the token once; only its HMAC is stored.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orgs.errors import DomainError
from orgs.models import Unit
from portal.models import ColumnPage
from publishing import intake as services
from publishing.models import ApiClient


class Command(BaseCommand):
    help = "管理发布接口客户端(业务系统)及其令牌"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        create = commands.add_parser("create", help="登记一个业务系统并生成令牌(只显示这一次)")
        create.add_argument("--unit", required=True, help="单位代码")
        create.add_argument("--name", required=True, help="系统名称")
        create.add_argument("--column", type=int, action="append", default=[], help="只允许提交到这个栏目(可重复)")
        create.add_argument("--json", action="store_true", dest="as_json", help="以 JSON 输出")
        listing = commands.add_parser("list", help="列出业务系统")
        listing.add_argument("--unit", help="单位代码")
        for name, text in (("rotate", "吊销旧令牌并生成新令牌"), ("deactivate", "停用")):
            sub = commands.add_parser(name, help=text)
            sub.add_argument("--id", type=int, required=True)

    def handle(self, *args, action, **options):
        try:
            getattr(self, action)(**options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def create(self, *, unit, name, column, as_json, **options):
        unit_obj = Unit.objects.filter(code=unit).first()
        if unit_obj is None:
            raise CommandError(f"没有代码为 {unit} 的单位。")
        columns = list(ColumnPage.objects.filter(pk__in=column))
        missing = set(column) - {c.pk for c in columns}
        if missing:
            raise CommandError(f"没有这些栏目:{', '.join(map(str, sorted(missing)))}")
        client, token = services.api_client_create(unit=unit_obj, name=name, columns=columns)
        self._print_token(client, token, as_json=as_json)

    def rotate(self, *, id, **options):
        client = self._client(id)
        self._print_token(client, services.api_client_rotate_token(client=client), as_json=False)

    def deactivate(self, *, id, **options):
        client = self._client(id)
        services.api_client_update(client=client, name=client.name, active=False, columns=list(client.columns.all()))
        self.stdout.write(f"已停用:{client}")

    def list(self, *, unit=None, **options):
        clients = ApiClient.objects.select_related("unit", "user").order_by("unit__code", "id")
        if unit:
            clients = clients.filter(unit__code=unit)
        for c in clients:
            used = timezone.localtime(c.last_used_at).strftime("%Y-%m-%d %H:%M") if c.last_used_at else "从未"
            self.stdout.write(f"{c.pk}\t{c.unit.code}\t{c.name}\t{c.user.get_username()}\t"
                              f"{'启用' if c.active else '停用'}\t最近使用 {used}")

    def _client(self, pk):
        client = ApiClient.objects.select_related("unit", "user").filter(pk=pk).first()
        if client is None:
            raise CommandError(f"没有编号为 {pk} 的接口客户端。")
        return client

    def _print_token(self, client, token, *, as_json):
        if as_json:
            self.stdout.write(json.dumps({"id": client.pk, "unit": client.unit.code, "name": client.name,
                                          "account": client.user.get_username(), "token": token}, ensure_ascii=False))
            return
        self.stdout.write(f"接口客户端 {client.pk}:{client}(账号 {client.user.get_username()})")
        self.stdout.write("令牌(只显示这一次,请立即交给业务系统保存):")
        self.stdout.write(token)
