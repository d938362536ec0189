"""Disclosure's sections of every site's home page and of its overview column,
given to portal through its hooks (``disclosure/wagtail_hooks.py``): 政务公开,
办事服务 and 机构概况.

Home pages are kept for every reader (portal.pagecache), so nothing here reads the
request. Each section costs a fixed number of queries, whatever the site holds:
the menu columns come already fetched from the home listing.

Assumptions shared with the other parts of disclosure (docs/decisions.md):

- the catalogue (政府信息公开) is the site's menu column whose kind's code is
  ``xxgk``; its child columns are its entries. Until a site has one, the entries
  are its menu columns of the disclosure categories (policy, notices …);
- a theme or life event links to the site's 办事服务 column (its matter directory)
  with ``?theme=<code>`` or ``?event=<code>``;
- "most-used" matters are the guides marked ``featured`` (常用事项), then those
  with the most online submissions over the last 90 days, then the newest.
"""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.http import urlencode

from portal.models import ColumnCategory, ColumnPage

from .models import (
    GovDocumentPage, LifeEvent, PersonKind, ProfilePage, ServiceGuidePage, Theme, UnitPerson, UnitProfile,
)

CATALOGUE_KIND_CODE = "xxgk"
DISCLOSURE_CATEGORIES = (ColumnCategory.POLICY, ColumnCategory.INTERPRETATION, ColumnCategory.NOTICES,
                         ColumnCategory.PERSONNEL, ColumnCategory.PLANS)
HOME_DOCUMENTS = 6
HOME_MATTERS = 8
USAGE_DAYS = 90
PAGE_FIELDS = ("id", "title", "slug", "url_path", "path", "depth", "content_type_id")


def home_sections(*, home_page, columns):
    sections = {}
    disclosure = _disclosure_section(home_page, columns)
    if disclosure:
        sections["disclosure"] = disclosure
    services = _services_section(home_page, columns)
    if services:
        sections["services"] = services
    profile = _profile_section(home_page, columns)
    if profile:
        sections["profile"] = profile
    return sections


def _disclosure_section(home_page, columns):
    catalogue = next((c for c in columns if c.kind.code == CATALOGUE_KIND_CODE), None)
    if catalogue is not None:
        entries = list(ColumnPage.objects.child_of(catalogue).live()
                       .only(*PAGE_FIELDS).order_by("path")) or [catalogue]
        claims = [catalogue.pk]
    else:
        entries = [c for c in columns if c.kind.category in DISCLOSURE_CATEGORIES]
        claims = []
    documents = list(GovDocumentPage.objects.live().descendant_of(home_page)
                     .only(*PAGE_FIELDS, "pub_date", "doc_type", "validity")
                     .order_by("-pub_date", "-pk")[:HOME_DOCUMENTS])
    if not entries and not documents:
        return None
    return {"template": "disclosure/includes/home_disclosure.html", "title": "政务公开", "catalogue": catalogue,
            "entries": entries, "documents": documents, "claims": claims}


def _matters_url(services_column):
    return services_column.url if services_column is not None else None


def _services_section(home_page, columns):
    service_columns = [c for c in columns if c.kind.category == ColumnCategory.SERVICES]
    column = service_columns[0] if service_columns else None
    guides = ServiceGuidePage.objects.live()
    if home_page.site_kind != "portal":
        guides = guides.descendant_of(home_page)
    # Most used: marked 常用 by the unit, then the most online submissions of the last
    # 90 days, then the newest (one query, counted in the database).
    since = timezone.now() - timedelta(days=USAGE_DAYS)
    matters = list(guides.only(*PAGE_FIELDS, "featured", "audience", "pub_date")
                   .annotate(recent_use=Count("submissions", filter=Q(submissions__submitted_at__gte=since)))
                   .order_by("-featured", "-recent_use", "-pub_date", "-pk")[:HOME_MATTERS])
    base = _matters_url(column)
    themes, events = [], []
    if home_page.site_kind in ("portal", "district"):
        # Citizens of a city or district look for services by theme and by life event;
        # a department's or window unit's few matters are listed as they are.
        themes = [(t, _with_query(base, theme=t.code)) for t in Theme.objects.all()] if base else []
        events = [(e, _with_query(base, event=e.code)) for e in LifeEvent.objects.all()] if base else []
    if column is None and not matters:
        return None
    return {"template": "disclosure/includes/home_services.html", "title": column.title if column else "办事服务",
            "column": column, "matters": matters, "themes": themes, "events": events,
            "claims": [c.pk for c in service_columns]}


def _with_query(url, **params):
    return f"{url}?{urlencode(params)}"


def _profile_section(home_page, columns):
    column = next((c for c in columns if c.kind.category == ColumnCategory.OVERVIEW), None)
    if column is None:
        return None
    context = overview_summary(column=column, unit_id=home_page.unit_id)
    return dict(context, template="disclosure/includes/home_profile.html", title=column.title, column=column,
                claims=[column.pk])


def overview_summary(*, column, unit_id):
    """The unit's short intro, its leaders' names and posts, and the column's section pages."""
    return {
        "profile": UnitProfile.objects.filter(unit_id=unit_id).only("id", "unit_id", "intro", "address",
                                                                    "office_hours").first(),
        "leaders": list(UnitPerson.objects.filter(unit_id=unit_id, kind=PersonKind.LEADER)
                        .only("id", "name", "title").order_by("sort_order", "id")),
        "sections": list(ProfilePage.objects.child_of(column).live().only(*PAGE_FIELDS, "section").order_by("path")),
    }


def overview_column_context(*, column):
    """A site's overview column shows its unit's profile and the links to its sections."""
    if column.kind.category != ColumnCategory.OVERVIEW:
        return None
    summary = overview_summary(column=column, unit_id=column.home.unit_id)
    if not summary["sections"]:
        return None
    return {"unit_profile": summary, "column_includes": ["disclosure/includes/overview_column.html"]}
