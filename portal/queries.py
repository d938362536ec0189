"""Reads shared by the public pages, the API and the supervision work."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber, Substr

from orgs.models import SiteKind, SiteRecord

from .models import ColumnPage, ContentPage

HOME_ITEMS_PER_COLUMN = 6


def column_items(column):
    """Live items of a column: its own children and items placed in it."""
    own = Q(path__startswith=column.path, depth=column.depth + 1)
    placements = ContentPage.also_in.through.objects.filter(columnpage_id=column.pk)
    # Most columns hold no placements; an OR with the placement subquery would stop
    # the database from walking the column's path range alone.
    condition = own | Q(pk__in=placements.values("contentpage_id")) if placements.exists() else own
    return (
        ContentPage.objects.live()
        .filter(condition)
        .only("id", "title", "slug", "url_path", "path", "depth", "pub_date", "source", "summary", "content_type_id")
        .order_by("-pub_date", "-id")
    )


def paginate(queryset, page_number, per_page):
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(page_number or 1)
    except (PageNotAnInteger, EmptyPage):
        return paginator.page(1)


def home_listing(home):
    """The site's menu columns and the latest items of each, in two queries."""
    columns = list(
        ColumnPage.objects.child_of(home).live().in_menu().select_related("kind").order_by("path")
    )
    items_by_column = {c.pk: [] for c in columns}
    if columns:
        column_path_length = (home.depth + 1) * 4  # treebeard: 4 characters a level
        column_by_path = {c.path: c for c in columns}
        recent = (
            ContentPage.objects.live()
            .filter(path__startswith=home.path, depth=home.depth + 2)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=Substr("path", 1, column_path_length),
                    order_by=[F("pub_date").desc(), F("id").desc()],
                )
            )
            .filter(rank__lte=HOME_ITEMS_PER_COLUMN)
            .only("id", "title", "slug", "url_path", "path", "depth", "pub_date")
            .order_by("-pub_date", "-id")
        )
        for item in recent:
            column = column_by_path.get(item.path[:column_path_length])
            if column is not None:
                items_by_column[column.pk].append(item)
    return {"columns": [(c, items_by_column[c.pk]) for c in columns]}


def site_directory():
    """Every site of the cluster grouped by kind, in the order of SiteKind."""
    records = SiteRecord.objects.select_related("site", "unit").order_by("sort_order", "id")
    groups = {kind: [] for kind in SiteKind.values}
    for record in records:
        groups[record.kind].append(record)
    return [(SiteKind(kind).label, groups[kind]) for kind in SiteKind.values if groups[kind]]


def site_record_for(site):
    if site is None:
        return None
    return SiteRecord.objects.filter(site=site).select_related("unit").first()


def portal_context():
    """What a platform-level page (directory, mailbox) needs to wear the portal's identity."""
    from wagtail.models import Site

    from .models import site_nav

    portal = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = portal.root_page.specific if portal else None
    return {"site_record": site_record_for(portal), "home": home, "nav": site_nav(home)}
