"""Reads shared by the public pages, the API and the supervision work."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import cached_property
from django.db.models.expressions import RawSQL

from orgs.models import SiteKind, SiteRecord

from . import framecache
from .addresses import url_below  # noqa: F401 (public: a listing's links from one)
from .models import ArticlePage, ColumnCategory, ColumnPage, ContentPage

HOME_ITEMS_PER_COLUMN = 6


LISTING_FIELDS = ("id", "title", "slug", "url_path", "path", "depth", "pub_date", "source", "summary", "content_type_id", "parent_column")


def column_items(column):
    """Live items of a column, newest first: its own children and items placed in it."""
    own = Q(parent_column=column.pk)
    placements = ContentPage.also_in.through.objects.filter(columnpage_id=column.pk)
    # Most columns hold no placements; without the OR the database reads the
    # column's newest items straight from the listing index.
    condition = own | Q(pk__in=placements.values("contentpage_id")) if placements.exists() else own
    return ContentPage.objects.live().filter(condition).only(*LISTING_FIELDS).order_by("-pub_date", "-pk")


class _KeptCountPaginator(Paginator):
    """A paginator whose item count is kept in the cache until the next publication.

    Counting a 10,000-item column joins every item to its page row (tens of ms on
    PostgreSQL); the count only changes when something is published, unpublished,
    moved or deleted, which starts a new page-cache generation.
    """

    def __init__(self, object_list, per_page, count_key):
        super().__init__(object_list, per_page)
        self._count_key = count_key

    @cached_property
    def count(self):
        from django.core.cache import cache

        from .pagecache import generation

        key = f"listing-count:{generation()}:{self._count_key}"
        count = cache.get(key)
        if count is None:
            count = self._count_rows()
            cache.set(key, count, 3600)
        return count

    def _count_rows(self):
        return Paginator.count.func(self)


class _BoundedCountPaginator(_KeptCountPaginator):
    """A paginator that counts only as far as a reader can go from the page asked for:
    ``BOUND_PAGES`` pages, or the page asked for and the next one.

    A filtered listing of a large catalogue may match thousands of rows, each joined
    to its column and page to be counted; a reader who wants more than ten pages
    narrows the filters. ``more`` tells that there are more rows than counted
    (``bound`` of them); the pager then offers the next page without a last one.
    """

    BOUND_PAGES = 10

    def __init__(self, object_list, per_page, count_key, page_number):
        number = int(page_number) if str(page_number or "").isdigit() and len(str(page_number)) <= 6 else 1
        self.bound = max(self.BOUND_PAGES, number) * per_page
        super().__init__(object_list, per_page, f"{count_key}:{self.bound}")

    def _count_rows(self):
        return self.object_list.order_by()[: self.bound + 1].count()

    @property
    def more(self):
        return self.count > self.bound


def paginate(queryset, page_number, per_page, count_key=None, bounded=False):
    """One page of ``queryset``: page 1 for a number that is not a page. The count is
    kept until the next publication under ``count_key``, and counted only as far as
    the pages offered when ``bounded`` (:class:`_BoundedCountPaginator`)."""
    if bounded and count_key:
        paginator = _BoundedCountPaginator(queryset, per_page, count_key, page_number)
    elif count_key:
        paginator = _KeptCountPaginator(queryset, per_page, count_key)
    else:
        paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(page_number or 1)
    except (PageNotAnInteger, EmptyPage):
        return paginator.page(1)


def home_listing(home):
    """The site's menu columns and the newest items of each, in two queries.

    A column's items are its own and those other units placed in it (as on the
    column page, :func:`column_items`). The items are one query over a UNION ALL
    of two LIMIT queries per column (own items, placed items), each an index range
    (ranking every item of the site would read them all); one EXISTS per column
    tells which of the fetched items are placed where. SQLite refuses LIMIT in a
    compound's members, not in a subquery, so each member is wrapped in one.
    """
    columns = list(
        ColumnPage.objects.child_of(home).live().in_menu().select_related("kind").order_by("path")
    )
    items_by_column = {c.pk: [] for c in columns}
    if columns:
        placements = ContentPage.also_in.through.objects
        members, params, placed_flags = [], [], {}
        for i, column in enumerate(columns):
            own = ContentPage.objects.live().filter(parent_column=column.pk)
            placed = ContentPage.objects.live().filter(
                pk__in=placements.filter(columnpage_id=column.pk).values("contentpage_id")
            )
            for j, candidates in enumerate((own, placed)):
                newest = candidates.order_by("-pub_date", "-pk").values("pk")[:HOME_ITEMS_PER_COLUMN]
                sql, member_params = newest.query.sql_with_params()
                members.append(f"SELECT * FROM ({sql}) AS newest_{i}_{j}")
                params.extend(member_params)
            placed_flags[f"placed_in_{column.pk}"] = Exists(
                placements.filter(contentpage_id=OuterRef("pk"), columnpage_id=column.pk)
            )
        recent = (
            ContentPage.objects.filter(pk__in=RawSQL(" UNION ALL ".join(members), params))
            .only(*LISTING_FIELDS)
            .annotate(**placed_flags)
        )
        for item in recent:
            for column in columns:
                if item.parent_column_id == column.pk or getattr(item, f"placed_in_{column.pk}"):
                    items_by_column[column.pk].append(item)
        for pk, items in items_by_column.items():
            items.sort(key=lambda i: (i.pub_date, i.pk), reverse=True)
            del items[HOME_ITEMS_PER_COLUMN:]
    return {"columns": [(c, items_by_column[c.pk]) for c in columns]}


def home_news(columns):
    """The home's 要闻 section: the first news column of ``columns`` (the home
    listing's ``(column, items)`` pairs, already fetched) and its items, the newest
    one the top story, with its lead picture if it is an article that has one (one
    query, none when the top story is not an article)."""
    for column, items in columns:
        if column.kind.category == ColumnCategory.NEWS:
            break
    else:
        return None
    top = items[0] if items else None
    lead = None
    if top is not None and top.content_type_id == _article_type_id():
        lead = (ArticlePage.objects.filter(pk=top.pk, lead_image__isnull=False)
                .select_related("lead_image").only("id", "lead_image").first())
    return {"template": "portal/includes/home_news.html", "title": column.title, "column": column, "top": top,
            "lead_image": lead.lead_image if lead else None, "items": items[1:], "claims": [column.pk]}


def _article_type_id():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(ArticlePage).pk


def site_directory():
    """Every site of the cluster grouped by kind, in the order of SiteKind."""
    records = SiteRecord.objects.select_related("site", "unit").order_by("sort_order", "id")
    groups = {kind: [] for kind in SiteKind.values}
    for record in records:
        groups[record.kind].append(record)
    return [(SiteKind(kind).label, groups[kind]) for kind in SiteKind.values if groups[kind]]


def site_record_for(site, request=None):
    """The site record of ``site`` with its unit (kept until the next publication)."""
    if site is None:
        return None

    def build():
        record = SiteRecord.objects.filter(site=site).select_related("unit").first()
        if record is not None:
            record.site = site  # the caller's site, no second query for its address
        return record

    return framecache.kept(("site-record", site.pk), build, request=request)


def site_nav(home, request=None):
    """The menu columns of a site, as ColumnPage objects (path-aware links), kept
    until the next publication."""
    if home is None:
        return []
    return framecache.kept(("nav", home.pk), lambda: list(
        ColumnPage.objects.child_of(home).live().in_menu().only("id", "title", "slug", "url_path", "path", "depth")
    ), request=request)


def portal_context():
    """What a platform-level page (directory, mailbox) needs to wear the portal's identity."""
    from wagtail.models import Site

    portal = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = portal.root_page.specific if portal else None
    return {"site_record": site_record_for(portal), "home": home, "nav": site_nav(home)}
