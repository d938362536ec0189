"""Sites of the cluster: hosting a new site and registering an independent one.

These are hosting's site services (one function per use case, keyword-only
arguments, one transaction, one audit entry); ``hosting/services.py`` holds the
other half of the app's services, moving an independent site onto the platform,
which builds its site with :func:`home_page_create` and
:func:`interaction_column_ensure` from here. A site is its home page (a portal
page type), its Wagtail ``Site``, its registry entry (``orgs.SiteRecord``), its
unit's permissions over it (orgs) and its review workflow (publishing).
"""

from django.db import transaction
from wagtail.models import Page, Site

from disclosure.services import site_sections_ensure
from guard.audit import record as audit
from orgs.errors import DomainError, clean_or_refuse
from orgs.models import Hosting, SiteKind, SiteRecord
from orgs.services import grant_page_permissions
from portal.models import (
    ColumnCategory, ColumnKind, ColumnPage, DepartmentHomePage, DistrictHomePage, PortalHomePage, WindowUnitHomePage,
)
from portal.services import column_kind_save, page_create
from publishing.review import unit_workflow_install

HOME_PAGE_TYPES = {
    SiteKind.PORTAL: PortalHomePage,
    SiteKind.DISTRICT: DistrictHomePage,
    SiteKind.DEPARTMENT: DepartmentHomePage,
    SiteKind.WINDOW: WindowUnitHomePage,
}

INTERACTION_KIND = ("interaction", "互动交流")


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
    site_sections_ensure(home=home, actor=actor)
    site = Site.objects.create(hostname=hostname, port=80, root_page=home, site_name=name, is_default_site=is_default)
    record.site = site
    record.save()
    audit(unit, "hosting.site.register", actor=actor, site=name, hostname=hostname, hosting="hosted")
    return record


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
    audit(unit, "hosting.site.register", actor=actor, site=name, hostname=hostname, hosting="independent")
    return record


def home_page_create(*, record, tagline="", actor=None):
    """A site's home page under the tree's root, of the type its kind asks for and
    published, with its unit's permissions over it and its review workflow. Part of
    hosting a site (``site_create``, or moving an independent one onto the platform);
    the caller has checked who may do that."""
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


def interaction_column_ensure(*, home, actor=None):
    """Every hosted site has a published 互动交流 column in its menu, so the public
    mailbox (write, published letters, statistics) is two clicks from its home page;
    an existing interaction column of any title is kept as it is. Part of what a
    hosted site is made of, so it lives with site creation; the column itself is
    made by portal's page and column services."""
    existing = ColumnPage.objects.child_of(home).filter(kind__category=ColumnCategory.INTERACTION).first()
    if existing is not None:
        return existing.specific
    code, name = INTERACTION_KIND
    kind = ColumnKind.objects.filter(category=ColumnCategory.INTERACTION).order_by("pk").first()
    if kind is None:
        kind = column_kind_save(code=code, name=name, category=ColumnCategory.INTERACTION, update_period=0, actor=actor)
    column = ColumnPage(title=name, slug=code, kind=kind, show_in_menus=True, intro=f"{home.title} · {name}")
    return page_create(parent=home, page=column, publish=True)
