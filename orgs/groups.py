"""Wagtail groups follow memberships, and nothing else writes them.

Permissions in Wagtail come from groups (one per unit and role, ``<code>:<role>``);
the platform's record of who holds which role is :class:`~orgs.models.Membership`.
So that the two never drift, :func:`sync` (called by the membership services) is the
only writer of a user's groups: it sets them to exactly the groups of the user's
memberships. Every other write through Django's relation managers (a form that
still offered groups, Wagtail's "assign role" bulk action, a stray ``groups.add`` in
new code) is refused by :func:`refuse_stray_changes`, which ``OrgsConfig.ready``
connects; the admin faces hide those ways anyway (see ``orgs.adminusers``).
"""

import contextlib
import contextvars

from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from .errors import DomainError

_writing = contextvars.ContextVar("orgs_groups_writing", default=False)


class GroupsFollowMemberships(DomainError):
    code = "forbidden"


@contextlib.contextmanager
def _writer():
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def expected_groups(user):
    names = [membership.unit.group_name(membership.role)
             for membership in user.memberships.select_related("unit")]
    return Group.objects.filter(name__in=names)


def sync(user):
    """Set ``user``'s groups to exactly the groups of their memberships (the unit's
    role groups are made by ``unit_create``)."""
    with _writer():
        user.groups.set(expected_groups(user))


def refuse_stray_changes(sender, instance, action, reverse, model, pk_set, **kwargs):
    """``m2m_changed`` of ``User.groups``: refuse any change that :func:`sync` does not make."""
    if _writing.get() or action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    if action != "pre_clear" and not pk_set:
        return
    raise GroupsFollowMemberships(_("权限组成员由单位岗位决定:请在「人员与角色」中授予或撤销角色。"))
