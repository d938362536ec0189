"""Every change to units, people and roles goes through these functions."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection

from guard import audit

from .errors import DomainError, clean_or_refuse
from .models import Membership, Role, Unit

User = get_user_model()

# What each role may do in the page tree of its unit's site and in its collection.
ROLE_PAGE_PERMISSIONS = {
    Role.EDITOR: ["add_page", "change_page", "lock_page"],
    Role.REVIEWER: ["change_page", "lock_page"],
    # "publish" is what lets a leader unpublish; publishing itself goes through review.
    Role.LEADER: ["change_page", "publish_page", "lock_page", "unlock_page"],
    Role.SITE_ADMIN: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page"],
    Role.MAILBOX_HANDLER: [],
    Role.SUPERVISOR: [],
}
ROLE_COLLECTION_PERMISSIONS = {
    Role.EDITOR: ["add", "change", "choose"],
    Role.REVIEWER: ["change", "choose"],
    Role.LEADER: ["change", "choose"],
    Role.SITE_ADMIN: ["add", "change", "delete", "choose"],
    Role.MAILBOX_HANDLER: ["choose"],
    Role.SUPERVISOR: ["choose"],
}


@transaction.atomic
def unit_create(*, name, code, kind, parent=None, actor=None, **fields):
    """Create a unit with its document collection and one group per role."""
    unit = Unit(name=name, code=code, kind=kind, parent=parent, **fields)
    clean_or_refuse(unit)
    root = Collection.get_first_root_node()
    unit.collection = root.add_child(instance=Collection(name=name))
    unit.save()
    for role in Role.values:
        group, _ = Group.objects.get_or_create(name=unit.group_name(role))
        group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
        _grant_collection_permissions(group, unit.collection, role)
    audit.record(unit, "orgs.unit.create", actor=actor,
                 after={"name": name, "code": code, "kind": kind, "parent": parent, **fields})
    return unit


@transaction.atomic
def unit_update(*, unit, actor=None, **fields):
    before, after = audit.changes(unit, fields)
    for name, value in fields.items():
        setattr(unit, name, value)
    clean_or_refuse(unit)
    unit.save()
    audit.record(unit, "orgs.unit.update", actor=actor, before=before, after=after)
    return unit


def _grant_collection_permissions(group, collection, role):
    from wagtail.models import GroupCollectionPermission

    for model in ("document", "image"):
        app = "wagtaildocs" if model == "document" else "wagtailimages"
        for action in ROLE_COLLECTION_PERMISSIONS[role]:
            perm = Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}")
            GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=perm)


def grant_page_permissions(unit, root_page):
    """Give each role group of ``unit`` its permissions over ``root_page``'s subtree."""
    from wagtail.models import GroupPagePermission

    for role, codenames in ROLE_PAGE_PERMISSIONS.items():
        group = Group.objects.get(name=unit.group_name(role))
        for codename in codenames:
            perm = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=perm)


def join_unit(*, user, unit, role):
    """The role and its group, without an audit entry of their own: for services whose
    own entry records the change (a machine client's account follows its scopes)."""
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    user.groups.add(Group.objects.get(name=unit.group_name(role)))
    return membership, created


def leave_unit(*, user, unit, role):
    deleted, _ = Membership.objects.filter(user=user, unit=unit, role=role).delete()
    if deleted:
        user.groups.remove(Group.objects.get(name=unit.group_name(role)))
    return bool(deleted)


@transaction.atomic
def membership_grant(*, user, unit, role, actor=None):
    if role not in Role.values:
        raise DomainError(f"未知的角色:{role}", code="invalid", field="role")
    membership, created = join_unit(user=user, unit=unit, role=role)
    if created:
        audit.record(unit, "orgs.role.grant", actor=actor, user=user.get_username(), role=role)
    return membership


@transaction.atomic
def membership_revoke(*, user, unit, role, actor=None):
    if not leave_unit(user=user, unit=unit, role=role):
        raise DomainError("此人在该单位没有这个角色。", code="not_found")
    audit.record(unit, "orgs.role.revoke", actor=actor, user=user.get_username(), role=role)


@transaction.atomic
def person_create(*, username, password, full_name, email="", unit=None, roles=(), actor=None):
    if User.objects.filter(username=username).exists():
        raise DomainError(f"用户名 {username} 已被使用。", code="conflict", field="username")
    user = User(username=username, email=email, first_name=full_name[1:], last_name=full_name[:1])
    user.set_password(password)
    user.save()
    audit.record(user, "orgs.person.create", actor=actor, after={"username": username, "full_name": full_name,
                                                                 "email": email})
    for role in roles:
        membership_grant(user=user, unit=unit, role=role, actor=actor)
    return user
