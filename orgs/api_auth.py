"""The one authentication of machine clients for every router of the open API.

``auth=MachineClientAuth("publish")`` on a router (or an operation) lets in a bearer
token of a machine client that holds that scope; ``request.auth`` is then the
:class:`orgs.models.MachineClient` and ``request.user`` its account. The answers:

- no ``Authorization`` header, or a token nobody holds → the API's ``unauthorized``
  401 (this class returns None, so a router may fall back to another check, e.g. an
  anonymous caller who answers a challenge);
- the client expired → 401 ``token_expired``; the client revoked, or this token
  replaced by a newer one → 401 ``token_revoked`` (each with a Chinese message saying so);
- a valid token whose client lacks the router's scope → 403 ``forbidden``.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from . import scopes as scope_registry
from .clients import machine_client_note_use
from .errors import PermissionRefused, Unauthenticated
from .queries import machine_client_by_token


def _when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


class MachineClientAuth(HttpBearer):
    openapi_description = (
        "接口客户端(业务系统)的令牌,由门户网站管理中心或本单位网站管理员登记接口客户端时发放,只显示一次。"
        "每组接口要求一项权限范围:发布接口 publish,来信提交 letters.intake。令牌无效答复 401 unauthorized,"
        "客户端过期答复 401 token_expired,已吊销或令牌已更换答复 401 token_revoked,缺少权限范围答复 403 forbidden。"
    )

    def __init__(self, scope):
        if scope_registry.get_scope(scope) is None:
            raise ImproperlyConfigured(f"MachineClientAuth: no scope {scope!r} is registered (orgs.scopes).")
        self.scope = scope
        super().__init__()

    def authenticate(self, request, token):
        # A session cookie never stands in for a token: whatever happens below, the
        # request is anonymous unless a machine client is found.
        request.user = AnonymousUser()
        found = machine_client_by_token(token.strip())
        if found is None:
            return None
        client, api_token = found
        now = timezone.now()
        if client.revoked_at is not None:
            raise Unauthenticated(_("接口客户端「%(client)s」已于 %(at)s 被吊销,它的令牌一律无效;如需继续对接,请联系门户网站管理中心。")
                                  % {"client": client.name, "at": _when(client.revoked_at)}, code="token_revoked")
        if api_token.revoked_at is not None and api_token.revoked_at <= now:
            raise Unauthenticated(_("此令牌已于 %(at)s 更换作废,请改用新令牌。") % {"at": _when(api_token.revoked_at)},
                                  code="token_revoked")
        if client.expires_at is not None and client.expires_at <= now:
            raise Unauthenticated(_("接口客户端「%(client)s」已于 %(at)s 过期;请联系门户网站管理中心延长有效期。")
                                  % {"client": client.name, "at": _when(client.expires_at)}, code="token_expired")
        if not client.user.is_active:
            return None
        if not client.has_scope(self.scope):
            scope = scope_registry.get_scope(self.scope)
            raise PermissionRefused(_("接口客户端「%(client)s」没有「%(label)s」权限(%(code)s),不能调用这个接口;"
                                      "如需开通,请联系门户网站管理中心。")
                                    % {"client": client.name, "label": scope.label, "code": scope.code})
        machine_client_note_use(client=client, now=now)
        request.user = client.user
        return client
