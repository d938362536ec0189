"""Creating sites, columns and content; sending content through review."""

import zlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import Page, Site, TaskState

from guard import audit
from orgs.adminfaces import require_manager
from orgs.errors import (
    DomainError, PermissionRefused, clean_or_refuse, describe_validation_error, validate_or_refuse,
)
from orgs.models import Hosting, SiteKind, SiteRecord
from orgs.services import grant_page_permissions

from .models import ColumnKind, DepartmentHomePage, DistrictHomePage, PortalHomePage, WindowUnitHomePage

HOME_PAGE_TYPES = {
    SiteKind.PORTAL: PortalHomePage,
    SiteKind.DISTRICT: DistrictHomePage,
    SiteKind.DEPARTMENT: DepartmentHomePage,
    SiteKind.WINDOW: WindowUnitHomePage,
}




@transaction.atomic
def site_create(*, unit, kind, name, hostname, site_id_code, icp_number, psb_number, sponsor, contact_phone,
                contact_email="", address="", colour="#b31b1b", tagline="", is_default=False, sort_order=0, actor=None):
    """Host a new site on the platform: its home page, Wagtail site, registry entry,
    the unit's permissions over it and its review workflow."""
    if kind not in HOME_PAGE_TYPES:
        raise DomainError(f"未知的网站类别:{kind}")
    record = SiteRecord(
        unit=unit, name=name, kind=kind, hosting=Hosting.HOSTED, hostname=hostname, site_id_code=site_id_code,
        icp_number=icp_number, psb_number=psb_number, sponsor=sponsor, contact_phone=contact_phone,
        contact_email=contact_email, address=address, colour=colour, sort_order=sort_order,
    )
    clean_or_refuse(record)
    home = home_page_create(record=record, tagline=tagline, actor=actor)
    interaction_column_ensure(home=home, actor=actor)
    site = Site.objects.create(hostname=hostname, port=80, root_page=home, site_name=name, is_default_site=is_default)
    record.site = site
    record.save()
    log(unit, "orgs.site.register", user=actor, data={"site": name, "hostname": hostname, "hosting": "hosted"})
    return record


def home_page_create(*, record, tagline="", actor=None):
    """A site's home page under the tree's root, of the type its kind asks for and
    published, with its unit's permissions over it and its review workflow. Part of
    hosting a site (``site_create``, or moving an independent one onto the platform);
    the caller has checked who may do that."""
    from publishing.review import unit_workflow_install

    root = Page.get_first_root_node()
    base = record.path_slug.replace(".", "-")
    taken = set(root.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    home = HOME_PAGE_TYPES[record.kind](title=record.name, slug=slug, unit=record.unit, tagline=tagline)
    root.add_child(instance=home)
    home.save_revision(user=actor).publish(user=actor, skip_permission_checks=True)
    grant_page_permissions(record.unit, home)
    unit_workflow_install(unit=record.unit, root_page=home)
    return home


INTERACTION_KIND = ("interaction", "互动交流")


def interaction_column_ensure(*, home, actor=None):
    """Every hosted site has a published 互动交流 column in its menu, so the public
    mailbox (write, published letters, statistics) is two clicks from its home page;
    an existing interaction column of any title is kept as it is."""
    from .models import ColumnCategory, ColumnPage

    existing = ColumnPage.objects.child_of(home).filter(kind__category=ColumnCategory.INTERACTION).first()
    if existing is not None:
        return existing.specific
    code, name = INTERACTION_KIND
    kind = ColumnKind.objects.filter(category=ColumnCategory.INTERACTION).order_by("pk").first()
    if kind is None:
        kind = column_kind_save(code=code, name=name, category=ColumnCategory.INTERACTION, update_period=0, actor=actor)
    column = ColumnPage(title=name, slug=code, kind=kind, show_in_menus=True, intro=f"{home.title} · {name}")
    return page_create(parent=home, page=column, publish=True)


@transaction.atomic
def site_register_independent(*, unit, kind, name, hostname, url, site_id_code, icp_number, psb_number, sponsor,
                              contact_phone, contact_email="", sort_order=0, actor=None):
    """Register a site that a unit runs itself; it is supervised like a hosted one."""
    record = SiteRecord(
        unit=unit, name=name, kind=kind, hosting=Hosting.INDEPENDENT, hostname=hostname, url=url,
        site_id_code=site_id_code, icp_number=icp_number, psb_number=psb_number, sponsor=sponsor,
        contact_phone=contact_phone, contact_email=contact_email, sort_order=sort_order,
    )
    clean_or_refuse(record)
    record.save()
    log(unit, "orgs.site.register", user=actor, data={"site": name, "hostname": hostname, "hosting": "independent"})
    return record


@transaction.atomic
def column_kind_save(*, code, name, category, update_period, approval=None, actor=None, instance=None):
    """Create or change a column kind (management centre only, with history): a
    revision of each version, and one entry of the audit trail with the values before
    and after."""
    require_manager(actor, None)
    if update_period in (None, ""):
        raise DomainError(_("请选择栏目的更新周期;不要求定期更新的栏目请选「不要求」。"), field="update_period")
    kind = instance or ColumnKind()
    values = {"code": code, "name": name, "category": category, "update_period": update_period, "approval": approval}
    created = kind.pk is None
    # Compared with the stored row, not ``instance``: an admin form has already set its values on it.
    before, after = (None, values) if created else audit.changes(ColumnKind.objects.get(pk=kind.pk), values)
    kind.code, kind.name, kind.category, kind.update_period, kind.approval = code, name, category, update_period, approval
    validate_or_refuse(kind)
    kind.save()
    revision = kind.save_revision(user=actor)
    audit.record(kind, "portal.column_kind.create" if created else "portal.column_kind.update", actor=actor,
                 before=before, after=after, revision=revision)
    return kind


def _check_can_add(parent, actor):
    if actor is not None and not parent.permissions_for_user(actor).can_add_subpage():
        raise PermissionRefused(f"您没有在「{parent.title}」下添加内容的权限。")


def _default_slug(page):
    """ASCII slugs keep addresses readable when shared: the title if it is Latin,
    otherwise the publication date and a short checksum of the title."""
    latin = slugify(page.title)
    if latin and len(latin) >= len(page.title) // 2:
        return latin[:60]
    stamp = getattr(page, "pub_date", None) or timezone.now()
    return f"{timezone.localtime(stamp):%Y%m%d}-{zlib.crc32(page.title.encode()) % 100000:05d}"


def _free_slug(parent, base):
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def page_create(*, parent, page, actor=None, publish=False):
    """Add ``page`` under ``parent`` as a draft (or published, for system loads).

    ``publish=True`` is for the demo loader and migrations only: every person
    goes through :func:`page_submit_for_review`.
    """
    _check_can_add(parent, actor)
    page.owner = actor
    page.live = publish and page.live
    page.slug = _free_slug(parent, page.slug or _default_slug(page))
    page._parent_for_clean = parent
    clean_or_refuse(page, exclude=["path", "depth", "numchild", "url_path", "draft_title", "live"])
    try:
        parent.add_child(instance=page)
    except ValidationError as exc:
        raise DomainError(describe_validation_error(exc, page)) from exc
    revision = page.save_revision(user=actor, log_action=True)
    if publish:
        revision.publish(user=actor)
        page.refresh_from_db()
    return page


@transaction.atomic
def page_submit_for_review(*, page, actor):
    """Start the unit's review workflow for the page's latest revision."""
    if not page.permissions_for_user(actor).can_submit_for_moderation():
        raise PermissionRefused("此页面不能提交审核(可能已在审核中,或您没有权限)。")
    workflow = page.get_workflow()
    if workflow is None:
        raise DomainError("此页面所属网站没有设置审核流程。")
    return workflow.start(page, actor)


@transaction.atomic
def page_review(*, page, actor, approve, comment=""):
    """Approve or send back the review step the page is waiting on."""
    state = page.current_workflow_state
    if state is None or state.current_task_state is None:
        raise DomainError("此页面没有待审核的步骤。")
    task_state = state.current_task_state
    task = task_state.task.specific
    names = {name for name, _, _ in task.get_actions(page, actor)}
    action = "approve" if approve else "reject"
    if action not in names:
        raise PermissionRefused(f"您不能处理「{task.name}」这一步。")
    if task_state.status != TaskState.STATUS_IN_PROGRESS:
        raise DomainError("这一步已经处理过了。")
    task.on_action(task_state, actor, action, comment=comment)
    return page.specific.__class__.objects.get(pk=page.pk)
