"""Register the business systems that call the open API, and manage their tokens.

    manage.py machine_client create --unit east --name 东区公文系统 --scope publish [--scope letters.intake]
                                    [--expires 2027-12-31 | --no-expiry] [--json]
    manage.py machine_client list [--unit east]
    manage.py machine_client rotate --id 3 [--grace-hours 24] [--json]
    manage.py machine_client revoke --id 3 --reason "系统停用"
    manage.py machine_client scopes        # the scopes that exist

``create`` and ``rotate`` print the token once; only its HMAC is stored. Without
``--expires`` a new client expires in a year, as in the admin. The command acts as the
platform (the operator on the server), so it may manage every unit's clients.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orgs import clients as services
from orgs.errors import DomainError
from orgs.models import MachineClient, Unit
from orgs.scopes import all_scopes


def _expiry(value):
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--expires 应为日期,如 2027-12-31:{value}") from exc
    # Valid through that day: it stops at the following midnight, Beijing time.
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


class Command(BaseCommand):
    help = "管理接口客户端(业务系统)及其令牌"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        create = commands.add_parser("create", help="登记一个业务系统并生成令牌(只显示这一次)")
        create.add_argument("--unit", required=True, help="单位代码")
        create.add_argument("--name", required=True, help="系统名称")
        create.add_argument("--scope", action="append", default=[], required=True,
                            help="权限范围(可重复),见 machine_client scopes")
        expiry = create.add_mutually_exclusive_group()
        expiry.add_argument("--expires", help="有效期至(含当天),如 2027-12-31;不填为一年")
        expiry.add_argument("--no-expiry", action="store_true", help="长期有效(不建议)")
        create.add_argument("--json", action="store_true", dest="as_json", help="以 JSON 输出")
        listing = commands.add_parser("list", help="列出接口客户端")
        listing.add_argument("--unit", help="单位代码")
        rotate = commands.add_parser("rotate", help="生成新令牌,旧令牌立即或在过渡期后失效")
        rotate.add_argument("--id", type=int, required=True)
        rotate.add_argument("--grace-hours", type=int, default=0, help=f"旧令牌再用几小时(0–{services.MAX_GRACE_HOURS})")
        rotate.add_argument("--json", action="store_true", dest="as_json", help="以 JSON 输出")
        revoke = commands.add_parser("revoke", help="吊销(不可恢复)")
        revoke.add_argument("--id", type=int, required=True)
        revoke.add_argument("--reason", required=True, help="吊销原因")
        commands.add_parser("scopes", help="列出可授予的权限范围")

    def handle(self, *args, action, **options):
        try:
            getattr(self, action)(**options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def create(self, *, unit, name, scope, expires, no_expiry, as_json, **options):
        unit_obj = Unit.objects.filter(code=unit).first()
        if unit_obj is None:
            raise CommandError(f"没有代码为 {unit} 的单位。")
        if no_expiry:
            expires_at = None
        elif expires:
            expires_at = _expiry(expires)
        else:
            expires_at = services.default_expiry()
        client, token = services.machine_client_create(unit=unit_obj, name=name, scopes=scope, expires_at=expires_at)
        self._print_token(client, token, as_json=as_json)

    def rotate(self, *, id, grace_hours, as_json, **options):
        client = self._client(id)
        token = services.machine_client_rotate_token(client=client, grace_hours=grace_hours)
        self._print_token(client, token, as_json=as_json)

    def revoke(self, *, id, reason, **options):
        client = services.machine_client_revoke(client=self._client(id), reason=reason)
        self.stdout.write(f"已吊销:{client}")

    def list(self, *, unit=None, **options):
        clients = MachineClient.objects.select_related("unit", "user").order_by("unit__code", "id")
        if unit:
            clients = clients.filter(unit__code=unit)
        for c in clients:
            used = self._when(c.last_used_at) or "从未"
            expires = self._when(c.expires_at) or "长期"
            self.stdout.write(f"{c.pk}\t{c.unit.code}\t{c.name}\t{c.user.get_username()}\t{','.join(c.scopes)}\t"
                              f"{c.get_state_display()}\t有效期至 {expires}\t最近使用 {used}")

    def scopes(self, **options):
        for scope in all_scopes():
            self.stdout.write(f"{scope.code}\t{scope.label}\t{scope.description}")

    @staticmethod
    def _when(moment):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    def _client(self, pk):
        client = MachineClient.objects.select_related("unit", "user").filter(pk=pk).first()
        if client is None:
            raise CommandError(f"没有编号为 {pk} 的接口客户端。")
        return client

    def _print_token(self, client, token, *, as_json):
        if as_json:
            self.stdout.write(json.dumps({
                "id": client.pk, "unit": client.unit.code, "name": client.name, "account": client.user.get_username(),
                "scopes": client.scopes, "expires_at": client.expires_at.isoformat() if client.expires_at else None,
                "token": token,
            }, ensure_ascii=False))
            return
        self.stdout.write(f"接口客户端 {client.pk}:{client}(账号 {client.user.get_username()},"
                          f"权限范围 {','.join(client.scopes)},有效期至 {self._when(client.expires_at) or '长期'})")
        self.stdout.write("令牌(只显示这一次,请立即交给业务系统保存):")
        self.stdout.write(token)
