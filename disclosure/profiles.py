"""Unit profiles (机构概况): the services that change them, the reads that show them,
and the builder that gives every hosted site its 机构概况 column.

Who edits a unit's profile: the unit's own site administrators and editors (the
profile is content the unit answers for, like its articles), and the portal
management centre every unit's (:func:`require_profile_editor`). A change is
published when it is saved, as a mailbox's public text is: the profile is a
handful of facts, not an article, so it does not go through the three-level
review; it is screened against the lexicons instead (a wrong official name or a
leader's wrong title is a veto item of the national inspection) and every change
is an entry of the audit trail with the values before and after.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from guard import audit
from guard.screening import screen_html, screen_text
from guard.services import check_uploaded_file
from orgs.authority import manages_every_unit
from orgs.errors import DomainError, PermissionRefused, validate_or_refuse
from orgs.models import Membership, Role, Unit
from portal.models import ColumnCategory, ColumnKind, ColumnPage
from portal.services import column_kind_save, page_create

from .models import (
    ContactPhone, InternalDepartment, PersonKind, ProfilePage, ProfileSection, ServiceGuidePage, UnitPerson,
    UnitProfile,
)

# Who edits their own unit's profile besides the management centre.
PROFILE_ROLES = (Role.SITE_ADMIN, Role.EDITOR)

PROFILE_FIELDS = ("intro", "address", "postcode", "office_hours", "website", "email", "duties")
DEPARTMENT_FIELDS = ("name", "duties", "phone", "sort_order")
PERSON_FIELDS = ("kind", "name", "title", "photo", "resume", "in_charge", "sort_order")
PHONE_FIELDS = ("name", "number", "hours", "note", "sort_order")

OVERVIEW_KIND = ("overview", "概况信息")
OVERVIEW_TITLE = "机构概况"
SECTION_SLUGS = {
    ProfileSection.FUNCTIONS: "functions",
    ProfileSection.LEADERS: "leaders",
    ProfileSection.DEPARTMENTS: "departments",
    ProfileSection.CONTACTS: "contacts",
    ProfileSection.MATTERS: "matters",
}
PHOTO_KINDS = ("jpg", "jpeg", "png", "webp")


# --- Who may ---------------------------------------------------------------------------------

def profile_units(user):
    """Units whose profile ``user`` edits."""
    if manages_every_unit(user):
        return Unit.objects.all()
    if user is None or not (user.is_authenticated and user.is_active):
        return Unit.objects.none()
    return Unit.objects.filter(memberships__user=user, memberships__role__in=PROFILE_ROLES).distinct()


def may_edit_profiles(user):
    """Has ``user`` any unit whose profile they edit (for menus)?"""
    if manages_every_unit(user):
        return True
    return bool(user is not None and user.is_authenticated and user.is_active
                and Membership.objects.filter(user=user, role__in=PROFILE_ROLES).exists())


def require_profile_editor(actor, unit):
    """``actor`` may change ``unit``'s profile (None: the system — demo, builder)."""
    if actor is None or manages_every_unit(actor):
        return
    if unit is not None and Membership.objects.filter(user=actor, unit=unit, role__in=PROFILE_ROLES).exists():
        return
    raise PermissionRefused(_("您不能编辑此单位的机构概况:只有本单位的网站管理员、编辑和门户网站管理中心可以编辑。"))


# --- Shared steps ------------------------------------------------------------------------------

def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _label(model, name):
    return str(model._meta.get_field(name).verbose_name)


def _screen(model, values, *, html=()):
    """Refuse text the lexicons forbid, naming each field (the page editor's rule)."""
    plain = {name: value for name, value in values.items() if isinstance(value, str) and name not in html}
    rich = {name: value for name, value in values.items() if isinstance(value, str) and name in html}
    labels = {_label(model, name): name for name in list(plain) + list(rich)}
    hits = screen_text({_label(model, n): v for n, v in plain.items()})
    hits += screen_html({_label(model, n): v for n, v in rich.items()})
    if hits:
        errors = {}
        for hit in hits:
            errors.setdefault(labels.get(hit.field, "__all__"), hit.describe())
        raise DomainError("内容未通过筛查:" + ";".join(hit.describe() for hit in hits),
                          field=next(iter(errors)), field_errors=errors)


def _unit_fixed(instance, unit):
    if instance is not None and unit is not None and instance.unit_id != unit.pk:
        raise DomainError(_("记录所属的单位不能更改:请在另一单位下新建。"), field="unit")


def _save(model, instance, unit, values, action_prefix, actor, *, html=()):
    """Validate, screen, save and record one row of a profile model."""
    created = instance is None
    if created:
        if unit is None:
            raise DomainError(_("请选择单位。"), field="unit")
        obj = model(unit=unit)
        before, after = None, dict(values)
    else:
        obj = model.objects.select_for_update().get(pk=instance.pk)
        before, after = audit.changes(obj, values)
    for name, value in values.items():
        setattr(obj, name, value)
    validate_or_refuse(obj)
    _screen(model, values, html=html)
    obj.save()
    if created or after:
        audit.record(obj, f"{action_prefix}.{'create' if created else 'update'}", actor=actor, before=before,
                     after=after)
    return obj


def _delete(model, instance, action, actor):
    obj = model.objects.select_related("unit").get(pk=instance.pk)
    require_profile_editor(actor, obj.unit)
    audit.record(obj, action, actor=actor, before={"name": obj.name, "unit": obj.unit.name})
    obj.delete()


# --- Overview and duties --------------------------------------------------------------------

@transaction.atomic
def profile_ensure(*, unit, actor=None):
    """The unit's profile row, made empty the first time (the site builder calls it)."""
    profile = UnitProfile.objects.filter(unit=unit).first()
    if profile is None:
        profile = UnitProfile.objects.create(unit=unit)
        audit.record(profile, "disclosure.profile.create", actor=actor, unit=unit.name)
    return profile


@transaction.atomic
def profile_save(*, actor, unit=None, instance=None, intro="", address="", postcode="", office_hours="",
                 website="", email="", duties=()):
    """Change (or make) ``unit``'s overview and duties. ``duties`` is the ordered
    list of duty texts (or the admin form's stream value); empty items are dropped."""
    if instance is not None:
        unit = instance.unit if unit is None else unit
        _unit_fixed(instance, unit)
    elif unit is not None:
        instance = UnitProfile.objects.filter(unit=unit).first()
    require_profile_editor(actor, unit)
    items = [_stripped(str(getattr(d, "value", d))) for d in (duties or ())]
    items = [item for item in items if item]
    values = {"intro": _stripped(intro) or "", "address": _stripped(address) or "", "postcode": _stripped(postcode) or "",
              "office_hours": _stripped(office_hours) or "", "website": _stripped(website) or "",
              "email": _stripped(email) or ""}
    for number, item in enumerate(items, 1):
        hits = screen_text({f"第{number}项职责": item})
        if hits:
            raise DomainError("内容未通过筛查:" + ";".join(h.describe() for h in hits), field="duties")
        if len(item) > 500:
            raise DomainError(_("第%(n)d项职责过长(最多500字)。") % {"n": number}, field="duties")
    created = instance is None
    profile = UnitProfile(unit=unit) if created else UnitProfile.objects.select_for_update().get(pk=instance.pk)
    before_duties = [] if created else profile.duty_items
    before, after = (None, dict(values)) if created else audit.changes(profile, values)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.duties = [("duty", item) for item in items]
    validate_or_refuse(profile, exclude=["duties"])
    _screen(UnitProfile, values)
    profile.save()
    if items != before_duties:
        before = dict(before or {}, duties=before_duties) if not created else None
        after = dict(after or {}, duties=items)
    if created or after:
        audit.record(profile, "disclosure.profile.create" if created else "disclosure.profile.update", actor=actor,
                     before=before, after=after)
    return profile


# --- Internal departments -------------------------------------------------------------------

@transaction.atomic
def department_save(*, actor, unit=None, instance=None, name, duties="", phone="", sort_order=0):
    unit = unit if unit is not None else getattr(instance, "unit", None)
    _unit_fixed(instance, unit)
    require_profile_editor(actor, unit)
    values = {"name": _stripped(name) or "", "duties": _stripped(duties) or "", "phone": _stripped(phone) or "",
              "sort_order": sort_order or 0}
    if InternalDepartment.objects.filter(unit=unit, name=values["name"]).exclude(
            pk=getattr(instance, "pk", None)).exists():
        raise DomainError(_("本单位已有名为“%(name)s”的内设机构。") % {"name": values["name"]}, field="name")
    return _save(InternalDepartment, instance, unit, values, "disclosure.department", actor)


@transaction.atomic
def department_delete(*, instance, actor):
    _delete(InternalDepartment, instance, "disclosure.department.delete", actor)


# --- Leaders and post-responsible persons ---------------------------------------------------------

@transaction.atomic
def person_save(*, actor, unit=None, instance=None, kind=PersonKind.LEADER, name, title, photo=None, resume="",
                in_charge="", matters=None, sort_order=0):
    """Add or change a leader or post-responsible person. ``matters`` (guides) must
    be the unit's own: a person answers for what their unit handles."""
    unit = unit if unit is not None else getattr(instance, "unit", None)
    _unit_fixed(instance, unit)
    require_profile_editor(actor, unit)
    if kind not in PersonKind.values:
        raise DomainError(_("请选择类别:领导或岗位负责人。"), field="kind")
    values = {"kind": kind, "name": _stripped(name) or "", "title": _stripped(title) or "", "photo": photo,
              "resume": resume or "", "in_charge": _stripped(in_charge) or "", "sort_order": sort_order or 0}
    matters = list(matters) if matters is not None else None
    if matters:
        own = set(guides_of_unit(unit).filter(pk__in=[m.pk for m in matters]).values_list("pk", flat=True))
        foreign = [m.title for m in matters if m.pk not in own]
        if foreign:
            raise DomainError(_("只能选择本单位的办理事项:%(titles)s 不是本单位的事项。") % {"titles": "、".join(foreign)},
                              field="matters")
    if photo is not None and getattr(photo, "file", None) is not None:
        ext = photo.file.name.rsplit(".", 1)[-1].lower()
        if ext not in PHOTO_KINDS:
            raise DomainError(_("照片须为 JPG、PNG 或 WebP 图片。"), field="photo")
    person = _save(UnitPerson, instance, unit, values, "disclosure.person", actor, html=("resume",))
    if matters is not None:
        before_matters = set(person.matters.values_list("pk", flat=True))
        if before_matters != {m.pk for m in matters}:
            person.matters.set(matters)
            audit.record(person, "disclosure.person.update", actor=actor, before={"matters": sorted(before_matters)},
                         after={"matters": sorted(m.pk for m in matters)})
    return person


@transaction.atomic
def person_delete(*, instance, actor):
    _delete(UnitPerson, instance, "disclosure.person.delete", actor)


@transaction.atomic
def person_photo_upload(*, unit, uploaded, title, actor=None):
    """Store a person's photo as a Wagtail image in the unit's collection, through
    the one upload check (the admin's image form runs the same check)."""
    from wagtail.images import get_image_model

    require_profile_editor(actor, unit)
    check_uploaded_file(uploaded, allowed=PHOTO_KINDS)
    image_model = get_image_model()
    image = image_model(title=title, file=uploaded, uploaded_by_user=actor)
    if unit.collection_id:
        image.collection_id = unit.collection_id
    image.save()
    return image


# --- Contact phones -------------------------------------------------------------------------------

@transaction.atomic
def phone_save(*, actor, unit=None, instance=None, name, number, hours="", note="", sort_order=0):
    unit = unit if unit is not None else getattr(instance, "unit", None)
    _unit_fixed(instance, unit)
    require_profile_editor(actor, unit)
    values = {"name": _stripped(name) or "", "number": _stripped(number) or "", "hours": _stripped(hours) or "",
              "note": _stripped(note) or "", "sort_order": sort_order or 0}
    return _save(ContactPhone, instance, unit, values, "disclosure.phone", actor)


@transaction.atomic
def phone_delete(*, instance, actor):
    _delete(ContactPhone, instance, "disclosure.phone.delete", actor)


# --- The 机构概况 column of every site -----------------------------------------------------------

def overview_column(home):
    """The site's overview column (category 概况信息), of any title, or None."""
    return (ColumnPage.objects.child_of(home).filter(kind__category=ColumnCategory.OVERVIEW)
            .order_by("path").first())


@transaction.atomic
def profile_sections_ensure(*, home, actor=None):
    """Every hosted site has a published 机构概况 column with the five sections of its
    unit's profile; a site's existing overview column (走进重庆, 区情概况 …) is used,
    and sections it has are kept. Idempotent (``disclosure.services.SECTION_BUILDERS``)."""
    profile_ensure(unit=home.unit, actor=actor)
    column = overview_column(home)
    if column is None:
        code, name = OVERVIEW_KIND
        kind = (ColumnKind.objects.filter(code=code).first()
                or ColumnKind.objects.filter(category=ColumnCategory.OVERVIEW).order_by("pk").first())
        if kind is None:
            kind = column_kind_save(code=code, name=name, category=ColumnCategory.OVERVIEW, update_period=365,
                                    actor=None)
        column = ColumnPage(title=OVERVIEW_TITLE, slug="overview", kind=kind, show_in_menus=True,
                            intro=f"{home.title} · {OVERVIEW_TITLE}")
        column = page_create(parent=home, page=column, publish=True)
    present = set(ProfilePage.objects.child_of(column).values_list("section", flat=True))
    for section, slug in SECTION_SLUGS.items():
        if section in present:
            continue
        page = ProfilePage(title=section.label, slug=slug, section=section, show_in_menus=True)
        page_create(parent=column, page=page, publish=True)
    return column


# --- Reads ----------------------------------------------------------------------------------

def guides_of_unit(unit):
    """The matters a unit handles or accepts: the live guides on its sites."""
    from wagtail.models import Site

    homes = Site.objects.filter(record__unit=unit).values_list("root_page__path", flat=True)
    guides = ServiceGuidePage.objects.none()
    for path in homes:
        guides = guides | ServiceGuidePage.objects.filter(path__startswith=path)
    return guides.live()


def people_of(unit_id, kind=None):
    people = UnitPerson.objects.filter(unit_id=unit_id).select_related("photo").prefetch_related(
        Prefetch("matters", queryset=ServiceGuidePage.objects.live().only(
            "id", "title", "slug", "url_path", "path", "depth", "content_type_id").order_by("path")),
        "photo__renditions",
    )
    if kind is not None:
        people = people.filter(kind=kind)
    return people.order_by("kind", "sort_order", "id")


def profile_context(*, unit_id, home, section):
    """What a 机构概况 section page shows, in a few queries whatever the data."""
    profile = UnitProfile.objects.filter(unit_id=unit_id).first()
    context = {"profile": profile, "section": section}
    if section == ProfileSection.FUNCTIONS:
        context["leaders"] = list(people_of(unit_id, PersonKind.LEADER))
    elif section == ProfileSection.LEADERS:
        people = list(people_of(unit_id))
        context["leaders"] = [p for p in people if p.kind == PersonKind.LEADER]
        context["post_people"] = [p for p in people if p.kind == PersonKind.POST_RESPONSIBLE]
    elif section == ProfileSection.DEPARTMENTS:
        context["departments"] = list(InternalDepartment.objects.filter(unit_id=unit_id))
    elif section == ProfileSection.CONTACTS:
        context["phones"] = list(ContactPhone.objects.filter(unit_id=unit_id))
    elif section == ProfileSection.MATTERS:
        context["matters"] = list(
            ServiceGuidePage.objects.live().descendant_of(home)
            .only("id", "title", "slug", "url_path", "path", "depth", "matter_type", "audience", "promised_limit_days",
                  "content_type_id")
            .order_by("title"))
    return context


def profile_summary(unit_id):
    """The overview and the leaders' names and posts (the overview column and home pages)."""
    profile = UnitProfile.objects.filter(unit_id=unit_id).first()
    leaders = list(UnitPerson.objects.filter(unit_id=unit_id, kind=PersonKind.LEADER)
                   .only("id", "name", "title", "kind", "sort_order").order_by("sort_order", "id"))
    return {"profile": profile, "leaders": leaders}


def photo_is_shown(image):
    """Whether ``image`` is the photo of a person on a unit's public profile."""
    return UnitPerson.objects.filter(photo=image).exists()
