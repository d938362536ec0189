"""What a machine client (a business system) may be allowed to do: one registry of scopes.

A scope names one capability of the open API (``publish``: the publish API;
``letters.intake``: letters from a hotline or service-hall system). A client holds a
list of scope codes; each router of the API names the one scope it requires
(``orgs.api_auth.MachineClientAuth(scope)``), so a token opens only what its client
was granted.

The scopes the platform has today are declared here, as data, in one place. An app
that adds a capability later registers its scope from its ``AppConfig.ready()``
(``register_scope("livedata.push", …)`` for the live-data push, ``atlas.update`` for
the map's update API); the admin, the services and the management command then know
it without changes in ``orgs``.

A scope may also name the unit roles its work needs: the client's account holds those
roles at its unit while it holds the scope (a publishing system submits pages as an
editor of its unit; a hotline system needs no role at all).
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .models import Role

SCOPE_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")

PUBLISH = "publish"
LETTERS_INTAKE = "letters.intake"


@dataclass(frozen=True)
class Scope:
    code: str
    label: str
    description: str = ""
    roles: tuple = ()

    def __str__(self):
        return f"{self.label}({self.code})"


_registry = {}


def register_scope(code, label, description="", *, roles=()):
    """Make ``code`` a scope that clients may be granted; registering it again with the
    same meaning is harmless (an app's ``ready()`` may run twice in tests)."""
    if not SCOPE_CODE_RE.match(code or ""):
        raise ImproperlyConfigured(f"Scope code {code!r}: lower-case words joined by dots, e.g. 'letters.intake'.")
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ImproperlyConfigured(f"Scope {code!r} names unknown roles: {sorted(unknown)}")
    scope = Scope(code=code, label=label, description=description, roles=tuple(roles))
    existing = _registry.get(code)
    if existing is not None and (existing.roles, str(existing.label)) != (scope.roles, str(scope.label)):
        raise ImproperlyConfigured(f"Scope {code!r} is already registered with another meaning.")
    _registry[code] = scope
    return scope


def get_scope(code):
    return _registry.get(code)


def all_scopes():
    return list(_registry.values())


def scope_choices():
    return [(scope.code, str(scope)) for scope in _registry.values()]


def scope_labels(codes):
    """The Chinese labels of ``codes`` (an unknown code, e.g. of an app since removed, as itself)."""
    return [str(_registry[code].label) if code in _registry else code for code in codes]


def roles_for(codes):
    """The unit roles an account needs for the scopes ``codes``."""
    return sorted({role for code in codes if code in _registry for role in _registry[code].roles})


register_scope(
    PUBLISH, _("发布接口"),
    _("经 /api/v1/publish 向本单位网站的栏目提交文章和政府文件,进入本单位三审。"),
    roles=[Role.EDITOR],
)
register_scope(
    LETTERS_INTAKE, _("来信提交"),
    _("经 /api/v1/letters 代来信人提交和查询来信(12345 热线、政务服务大厅等系统),无需验证题。"),
)
