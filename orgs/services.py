"""Every change to units, people, roles and site records goes through these functions.

Each checks who acts (``actor``; None is the system itself: the demo loader,
commands, migrations), validates with a Chinese :class:`~orgs.errors.DomainError`,
runs in one transaction and writes one audit entry (``guard.audit.record``).

Who may do what (issue 8; ``orgs.authority`` says who manages which unit):

- Units: the management centre creates them and changes every field but the code
  (the code names the unit's permission groups and starts its index numbers, so it
  never changes); a unit's site administrator changes their own unit's short name
  and contact details (``UNIT_OWN_FIELDS``).
- Roles: granted and revoked by whoever manages the unit, except the roles that
  reach beyond a unit's own content (site administrator, supervisor: ``CENTRE_ROLES``),
  which only the centre grants or revokes; nobody but a superuser grants a role to
  themselves. Memberships are the only source of Wagtail group membership
  (``orgs.groups``).
- People: the centre manages everyone; a unit's site administrator manages the people
  whose every role is in units they manage and who hold no centre role, and edits
  their own name and e-mail (but does not deactivate themselves).
- Site records: whoever manages the site's unit changes its filing numbers and
  contact details (``SITE_OWN_FIELDS``); the centre also its name, identifier code,
  colour and order. Unit, kind, way of hosting and host name are not changed here
  (moving a site is a migration, see ``hosting``).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Collection

from guard import audit
from guard.audit import changes

from . import groups
from .authority import managed_units, manages_every_unit, require_manager
from .errors import DomainError, PermissionRefused, clean_or_refuse
from .models import Hosting, Membership, Role, SiteRecord, Unit
from .naming import split_full_name

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


UNIT_FIELDS = ("name", "short_name", "kind", "sector", "parent", "credit_code", "leader_name", "leader_title",
               "staff_name", "staff_phone", "sees_all_units", "sort_order")
# What a unit's own site administrator may change: how the unit is called for short and
# whom to contact. Its name, kind, place in the hierarchy and reach are the centre's.
UNIT_OWN_FIELDS = ("short_name", "leader_name", "leader_title", "staff_name", "staff_phone")
CENTRE_ROLES = (Role.SITE_ADMIN, Role.SUPERVISOR)

# Separation of duties (三审, 审签): in one unit nobody holds two roles of one chain
# of checks, so no one writes and approves, or approves twice, the same item.
CONFLICTING_ROLES = (
    {Role.EDITOR, Role.REVIEWER, Role.LEADER},  # a page: written, reviewed, signed off
    {Role.MAILBOX_HANDLER, Role.LEADER},  # a reply: drafted, signed off
)


def _refuse_unknown(fields, allowed, what):
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise DomainError(_("%(what)s没有这些可修改的项:%(names)s") % {"what": what, "names": "、".join(unknown)})


def _refuse_beyond(model, changed, allowed, reason):
    """``changed`` holds a field the actor may not change: refuse, naming it."""
    beyond = [name for name in changed if name not in allowed]
    if beyond:
        labels = "、".join(str(model._meta.get_field(name).verbose_name) for name in beyond)
        raise PermissionRefused(reason % {"fields": labels},
                                field_errors={name: _("只有门户网站管理中心可以修改此项。") for name in beyond})


@transaction.atomic
def unit_create(*, name, code, kind, parent=None, actor=None, **fields):
    """Create a unit with its document collection and one group per role."""
    require_manager(actor, None)
    _refuse_unknown(fields, UNIT_FIELDS, _("单位"))
    unit = Unit(name=name, code=code, kind=kind, parent=parent, **fields)
    clean_or_refuse(unit)
    root = Collection.get_first_root_node()
    unit.collection = root.add_child(instance=Collection(name=name))
    unit.save()
    for role in Role.values:
        group, _created = Group.objects.get_or_create(name=unit.group_name(role))
        group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
        _grant_collection_permissions(group, unit.collection, role)
    audit.record(unit, "orgs.unit.create", actor=actor,
                 after={"code": code, "kind": kind, "name": name, "parent": parent, **fields})
    return unit


@transaction.atomic
def unit_update(*, unit, actor=None, **fields):
    """Change a unit's fields; a unit's own site administrator only ``UNIT_OWN_FIELDS``."""
    require_manager(actor, unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if "code" in fields and fields.pop("code") != unit.code:
        raise DomainError(_("单位代码创建后不能修改:权限组名和索引号都由它而来。"), field="code")
    _refuse_unknown(fields, UNIT_FIELDS, _("单位"))
    before, after = changes(unit, fields)
    if not after:
        return unit
    if actor is not None and not manages_every_unit(actor):
        _refuse_beyond(Unit, after, UNIT_OWN_FIELDS, _("本单位的网站管理员只能修改简称和联系人信息;%(fields)s由门户网站管理中心修改。"))
    for name, value in after.items():
        setattr(unit, name, value)
    clean_or_refuse(unit)
    unit.save()
    if "name" in after and unit.collection_id:
        # The unit's documents are filed under its name in the admin.
        Collection.objects.filter(pk=unit.collection_id).update(name=unit.name)
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
    if created:
        groups.sync(user)
    return membership, created


def leave_unit(*, user, unit, role):
    deleted, _rows = Membership.objects.filter(user=user, unit=unit, role=role).delete()
    if deleted:
        groups.sync(user)
    return bool(deleted)


def _check_role_change(*, actor, user, unit, role, granting):
    if role not in Role.values:
        raise DomainError(_("未知的角色:%(role)s") % {"role": role}, code="invalid", field="role")
    require_manager(actor, unit)
    if granting:
        _check_separation_of_duties(user=user, unit=unit, role=role)
    if actor is None:
        return
    if role in CENTRE_ROLES and not manages_every_unit(actor):
        raise PermissionRefused(_("只有门户网站管理中心可以授予或撤销“%(role)s”角色。") % {"role": Role(role).label})
    if granting and actor.pk == user.pk and not actor.is_superuser:
        raise PermissionRefused(_("不能给自己授予角色:请由其他管理员授予。"))
    if not granting and actor.pk == user.pk and role == Role.SITE_ADMIN and not actor.is_superuser:
        raise PermissionRefused(_("不能撤销自己的网站管理员角色(撤销后您将无法再管理本单位):请由其他管理员撤销。"))


def _check_separation_of_duties(*, user, unit, role):
    held = set(Membership.objects.filter(user=user, unit=unit).values_list("role", flat=True)) - {role}
    for chain in CONFLICTING_ROLES:
        clash = sorted(held & chain) if role in chain else []
        if clash:
            raise DomainError(
                _("职责分离:此人在本单位已是“%(held)s”,不能再担任“%(role)s”(同一稿件或答复的撰写、审核和签发须由不同的人完成)。")
                % {"held": "、".join(str(Role(r).label) for r in clash), "role": Role(role).label},
                code="invalid", field="roles")


@transaction.atomic
def membership_grant(*, user, unit, role, actor=None):
    """Give ``user`` ``role`` at ``unit`` (and so the unit's group for it)."""
    _check_role_change(actor=actor, user=user, unit=unit, role=role, granting=True)
    membership, created = join_unit(user=user, unit=unit, role=role)
    if created:
        audit.record(unit, "orgs.role.grant", actor=actor, user=user.get_username(), user_id=user.pk, role=role)
    return membership


@transaction.atomic
def membership_revoke(*, user, unit, role, actor=None):
    _check_role_change(actor=actor, user=user, unit=unit, role=role, granting=False)
    if not leave_unit(user=user, unit=unit, role=role):
        raise DomainError(_("此人在该单位没有这个角色。"), code="not_found")
    audit.record(unit, "orgs.role.revoke", actor=actor, user=user.get_username(), user_id=user.pk, role=role)


# --- People --------------------------------------------------------------------------------------

def require_person_manager(actor, person, *, own_account_allowed=False):
    """``actor`` may change ``person``'s account: the centre anyone's; a unit's site
    administrator the account of someone whose every role is in units they manage
    and who holds no centre role (and, where ``own_account_allowed``, their own)."""
    if actor is None or manages_every_unit(actor):
        return
    if own_account_allowed and actor.pk == person.pk:
        return
    memberships = list(person.memberships.all())
    managed = set(managed_units(actor).values_list("pk", flat=True))
    if (person.is_superuser or not memberships or any(m.unit_id not in managed for m in memberships)
            or any(m.role in CENTRE_ROLES for m in memberships)):
        raise PermissionRefused(_("此人的账号由门户网站管理中心管理:其角色不全在您管理的单位,或担任网站管理员、监督人员。"))


def _clean_full_name(full_name):
    family, given = split_full_name(full_name)
    if not family:
        raise DomainError(_("请填写姓名。"), field="full_name")
    if len(family) > 150 or len(given) > 150:
        raise DomainError(_("姓名过长。"), field="full_name")
    return family, given


def _clean_email(email):
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError(_("电子邮箱格式不正确。"), field="email") from exc
    return email


@transaction.atomic
def person_create(*, username, password, full_name, email="", unit=None, roles=(), actor=None):
    """An account for a person, with their roles at ``unit``. A unit's site
    administrator creates people of their own unit only, with at least one role
    there (so the person stays in their care)."""
    require_manager(actor, unit)
    if actor is not None and not manages_every_unit(actor) and not roles:
        raise DomainError(_("请为此人选择至少一个本单位的角色。"), field="roles")
    username = (username or "").strip()
    try:
        User._meta.get_field(User.USERNAME_FIELD).run_validators(username)
    except ValidationError as exc:
        raise DomainError(_("用户名只能包含字母、数字和 @ . + - _,最长150位。"), field="username") from exc
    if not username:
        raise DomainError(_("请填写用户名。"), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("用户名 %(name)s 已被使用。") % {"name": username}, code="conflict", field="username")
    family, given = _clean_full_name(full_name)
    user = User(username=username, email=_clean_email(email), first_name=given, last_name=family)
    if actor is not None:  # a person chose it in the admin; the system's loaders use their own
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(";".join(exc.messages), field="password1") from exc
    user.set_password(password)
    user.save()
    audit.record(user, "orgs.person.create", actor=actor,
           after={"username": username, "full_name": user.get_full_name(), "email": user.email,
                  "unit": unit.code if unit else None, "roles": list(roles)})
    for role in roles:
        membership_grant(user=user, unit=unit, role=role, actor=actor)
    return user


def _person_values(person):
    return {"full_name": person.get_full_name(), "email": person.email, "is_active": person.is_active}


def _person_change(*, person, actor, action, full_name=None, email=None, is_active=None):
    person = User.objects.select_for_update().get(pk=person.pk)
    old = _person_values(person)
    if full_name is not None:
        person.last_name, person.first_name = _clean_full_name(full_name)
    if email is not None:
        person.email = _clean_email(email)
    if is_active is not None:
        person.is_active = bool(is_active)
    new = _person_values(person)
    before = {name: value for name, value in old.items() if new[name] != value}
    after = {name: new[name] for name in before}
    if not after:
        return person
    if "is_active" in after and actor is not None and actor.pk == person.pk:
        raise PermissionRefused(_("不能停用自己的账号。"))
    require_person_manager(actor, person, own_account_allowed="is_active" not in after)
    person.save(update_fields=["first_name", "last_name", "email", "is_active"])
    audit.record(person, action, actor=actor, before=before, after=after)
    return person


@transaction.atomic
def person_update(*, person, actor=None, full_name=None, email=None, is_active=None):
    """Change a person's name, e-mail or whether their account is active (None: keep)."""
    return _person_change(person=person, actor=actor, action="orgs.person.update", full_name=full_name,
                          email=email, is_active=is_active)


@transaction.atomic
def person_deactivate(*, person, actor=None):
    """Close a person's account; their roles and history are kept, so reactivating
    (``person_update(is_active=True)``) gives everything back."""
    if not person.is_active:
        raise DomainError(_("此账号已经停用。"))
    return _person_change(person=person, actor=actor, action="orgs.person.deactivate", is_active=False)


# --- Site records --------------------------------------------------------------------------------

SITE_FIELDS = ("name", "url", "site_id_code", "icp_number", "psb_number", "sponsor", "contact_phone", "contact_email",
               "address", "colour", "sort_order")
# What the site administrator of the site's unit may change: filing numbers and contacts.
SITE_OWN_FIELDS = ("url", "icp_number", "psb_number", "sponsor", "contact_phone", "contact_email", "address")
SITE_FIXED_FIELDS = ("unit", "kind", "hosting", "hostname", "site")


@transaction.atomic
def site_record_update(*, record, actor=None, **fields):
    """Change a site record's identity items (those every footer shows)."""
    site_record = SiteRecord.objects.select_for_update().get(pk=record.pk)
    require_manager(actor, site_record.unit)
    fixed = [name for name in SITE_FIXED_FIELDS if name in fields
             and changes(site_record, {name: fields[name]})[1]]
    if fixed:
        labels = "、".join(str(SiteRecord._meta.get_field(name).verbose_name) for name in fixed)
        raise DomainError(_("%(fields)s不在这里修改:主办单位、类别、建设方式和域名的变更属于网站迁移。") % {"fields": labels},
                          field=fixed[0])
    fields = {name: value for name, value in fields.items() if name not in SITE_FIXED_FIELDS}
    _refuse_unknown(fields, SITE_FIELDS, _("网站登记"))
    before, after = changes(site_record, fields)
    if not after:
        return site_record
    if actor is not None and not manages_every_unit(actor):
        _refuse_beyond(SiteRecord, after, SITE_OWN_FIELDS,
                       _("本单位的网站管理员只能修改备案号和联系信息;%(fields)s由门户网站管理中心修改。"))
    if "url" in after and site_record.hosting == Hosting.HOSTED and after["url"]:
        raise DomainError(_("托管网站的地址由平台生成,不必填写。"), field="url")
    for name, value in after.items():
        setattr(site_record, name, value)
    clean_or_refuse(site_record)
    site_record.save()
    if "name" in after and site_record.site_id:
        site_record.site.site_name = site_record.name
        site_record.site.save(update_fields=["site_name"])
    audit.record(site_record, "orgs.site.update", actor=actor, before=before, after=after)
    return site_record
