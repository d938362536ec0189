"""Disclosure's reads shared by the public pages, the admin and the supervision work.

- the catalogue: a site's tree (:func:`catalogue_tree`) and what is filed under a
  node, filtered (:func:`catalogue_items`);
- policy interpretations: the policy documents that lack one
  (:func:`policy_documents_without_interpretation`, for the admin report and the
  supervision work);
- the figures of a unit's year (:func:`year_figures`) that the annual report is
  drafted from;
- service guides: the completeness check and its report (``disclosure.guides``,
  named here for the supervision work and the home pages).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from wagtail.models import Page

from portal.models import ColumnCategory, ColumnPage, ContentPage

from .guides import (  # noqa: F401 (the guides' reads, for the apps above)
    LACKING_THRESHOLD, MISSING, VAGUE, Completeness, GuideReport, Problem, directory_context, guide_completeness,
    guides_in, hosted_site_homes, unit_guide_report,
)
from .models import (
    AnswerKind, Application, AppStatus, CatalogueNode, DocumentType, GovDocumentPage, InterpretationPage,
    RefusalReason, ServiceGuidePage, TopicCategory, Validity,
)

# --- The catalogue ---------------------------------------------------------------------------

CATALOGUE_KIND = "xxgk"  # the column kind of a site's 政府信息公开 column
REPORTS_KIND = "xxgk-reports"  # its 年度报告 column
APPLY_KIND = "xxgk-apply"  # its 依申请公开 column
CATALOGUE_PAGE_SIZE = 20
LISTING_FIELDS = ("id", "title", "slug", "url_path", "path", "depth", "pub_date", "source", "content_type_id",
                  "parent_column")
FILTERS = ("topic", "type", "organ", "year", "validity")


@dataclass
class Filters:
    """The reader's choices, each checked against what it may be; anything else is
    dropped (a filtered listing is never stored by the page cache)."""

    topic: str = ""
    type: str = ""
    organ: str = ""
    year: int | None = None
    validity: str = ""
    errors: list = field(default_factory=list)

    @classmethod
    def from_query(cls, params):
        f = cls()
        topic, doc_type = params.get("topic", ""), params.get("type", "")
        validity, organ, year = params.get("validity", ""), (params.get("organ") or "").strip(), params.get("year", "")
        f.topic = topic if topic in TopicCategory.values else ""
        f.type = doc_type if doc_type in DocumentType.values else ""
        f.validity = validity if validity in Validity.values else ""
        f.organ = organ[:50]
        if year:
            if year.isdigit() and 1949 <= int(year) <= timezone.localdate().year + 1:
                f.year = int(year)
            else:
                f.errors.append("年份应为四位数字,例如 2025。")
        return f

    @property
    def active(self):
        return bool(self.topic or self.type or self.organ or self.year or self.validity)

    @property
    def documents_only(self):
        return self.active

    def as_query(self):
        pairs = [("topic", self.topic), ("type", self.type), ("organ", self.organ),
                 ("year", str(self.year) if self.year else ""), ("validity", self.validity)]
        return [(k, v) for k, v in pairs if v]


def catalogue_nodes(home):
    """Every shown node of ``home``'s catalogue with its unit-chosen columns, in tree
    order: ``[(node, depth)]`` (one query for the nodes, one for their columns)."""
    nodes = list(CatalogueNode.objects.filter(home=home, active=True).prefetch_related(
        "columns").order_by("sort_order", "id"))
    children = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    known = {n.pk for n in nodes}
    ordered = []

    def walk(parent_id, depth):
        for node in children.get(parent_id, []):
            ordered.append((node, depth))
            walk(node.pk, depth + 1)

    walk(None, 0)
    # A node under a hidden parent is shown at the top, not lost.
    for node in nodes:
        if node.parent_id is not None and node.parent_id not in known:
            ordered.append((node, 0))
            walk(node.pk, 1)
    return ordered


def catalogue_tree(home):
    """The nodes as a nested list for the template: ``[{"node", "children"}]``."""
    by_parent = {}
    nodes = catalogue_nodes(home)
    for node, _depth in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)

    def build(parent_id):
        return [{"node": n, "children": build(n.pk)} for n in by_parent.get(parent_id, [])]

    return build(None) or [{"node": n, "children": []} for n, d in nodes if d == 0]


def _subtree(nodes, code):
    if not code:
        return [n for n, _d in nodes]
    found = next((n for n, _d in nodes if n.code == code), None)
    if found is None:
        return None
    wanted, ids = [found], {found.pk}
    for node, _depth in nodes:
        if node.parent_id in ids:
            wanted.append(node)
            ids.add(node.pk)
    return wanted


def site_columns(home):
    """``[(column id, path, kind category)]`` of every column of ``home``'s site."""
    return list(ColumnPage.objects.descendant_of(home).values_list("pk", "path", "kind__category"))


def _columns_of(columns, categories):
    roots = [path for _pk, path, category in columns if category in categories]
    return {pk for pk, path, _category in columns if any(path.startswith(root) for root in roots)}


def node_columns(node, columns):
    """``{column id: None (every item) or a set of document types}`` that ``node``
    files under itself, from the site's columns ``columns``."""
    types = set(node.doc_type_list) or None
    if node.category_list:
        ids = _columns_of(columns, node.category_list)
    elif types:
        ids = {pk for pk, _path, _category in columns}  # a type filed wherever the site published it
    else:
        ids = set()
    filed = {pk: types for pk in ids}
    for column in node.columns.all():
        filed[column.pk] = None
    return filed


def _merge(filed, more):
    for pk, types in more.items():
        if types is None or (pk in filed and filed[pk] is None):
            filed[pk] = None
        else:
            filed[pk] = (filed.get(pk) or set()) | types
    return filed


def filing_condition(filed):
    """One condition on ``ContentPage`` for ``{column id: types or None}``: the items
    of the columns taken whole, or of a column among some types. Conditions on the
    items' own columns only (no page path), so the database starts from whichever
    index the reader's filters choose."""
    whole = sorted(pk for pk, types in filed.items() if types is None)
    by_types = {}
    for pk, types in filed.items():
        if types is not None:
            by_types.setdefault(tuple(sorted(types)), []).append(pk)
    condition = Q(parent_column__in=whole) if whole else None
    for types, ids in sorted(by_types.items()):
        part = Q(parent_column__in=sorted(ids), govdocumentpage__doc_type__in=list(types))
        condition = part if condition is None else condition | part
    return condition


def catalogue_items(home, *, node_code="", filters=None, nodes=None, columns=None):
    """What the catalogue of ``home`` lists under the node ``node_code`` and its
    children (every node when empty), newest first, with the document fields of
    government documents (``item.govdocumentpage``); :func:`document_links` tells
    what a page of them replaced and which are interpreted. ``None`` for an unknown
    node."""
    filters = filters or Filters()
    nodes = nodes if nodes is not None else catalogue_nodes(home)
    wanted = _subtree(nodes, node_code)
    if wanted is None:
        return None
    columns = columns if columns is not None else site_columns(home)
    filed = {}
    for node in wanted:
        _merge(filed, node_columns(node, columns))
    condition = filing_condition(filed)
    items = ContentPage.objects.live()
    items = items.filter(condition) if condition is not None else items.none()
    if filters.documents_only:
        items = items.filter(govdocumentpage__isnull=False)
    if filters.topic:
        items = items.filter(govdocumentpage__topic=filters.topic)
    if filters.type:
        items = items.filter(govdocumentpage__doc_type=filters.type)
    if filters.validity:
        items = items.filter(govdocumentpage__validity=filters.validity)
    if filters.organ:
        items = items.filter(govdocumentpage__issuing_organ__contains=filters.organ)
    if filters.year:
        items = items.filter(govdocumentpage__date_written__gte=dt.date(filters.year, 1, 1),
                             govdocumentpage__date_written__lt=dt.date(filters.year + 1, 1, 1))
    return (
        items.select_related("govdocumentpage")
        .only(*LISTING_FIELDS, *(f"govdocumentpage__{f}" for f in (
            "index_number", "doc_type", "issuing_organ", "document_number", "date_written", "topic", "validity",
            "supersedes")))
        # A filtered listing is a list of documents, newest written first: the
        # filters' indexes (topic or type, then date written) give it in order, where
        # walking the publication dates would pass over most of a large catalogue.
        .order_by(*(("-govdocumentpage__date_written", "-pub_date", "-pk") if filters.documents_only
                    else ("-pub_date", "-pk")))
    )


def earliest_year(home):
    """The year the oldest document of ``home``'s site was written (this year when it
    has none): the year filter offers every year from it, the 2005 notice included."""
    from django.db.models import Min

    oldest = GovDocumentPage.objects.live().descendant_of(home).aggregate(oldest=Min("date_written"))["oldest"]
    return oldest.year if oldest else timezone.localdate().year


@dataclass(frozen=True)
class _PageLink:
    """Enough of a page to link to it (``portal.addresses.url_below``)."""

    pk: int
    title: str
    url_path: str

    def get_url(self, request=None):
        return Page.objects.get(pk=self.pk).specific.get_url(request)


def document_relations():
    """Every live amendment or replacement between documents and every document a
    live interpretation explains, city-wide: ``{"replaces": {id: link},
    "replaced_by": {id: [links]}, "interpreted": {ids}}`` (two queries; few
    documents have either, and a catalogue page keeps them until the next
    publication instead of asking for each page of documents)."""
    replaces, replaced_by = {}, {}
    later = GovDocumentPage.objects.filter(supersedes__isnull=False, live=True).values(
        "pk", "title", "url_path", "supersedes_id", "supersedes__title", "supersedes__url_path",
        "supersedes__live").order_by("pub_date", "pk")
    for row in later:
        earlier_id = row["supersedes_id"]
        replaced_by.setdefault(earlier_id, []).append(_PageLink(row["pk"], row["title"], row["url_path"]))
        if row["supersedes__live"]:
            replaces[row["pk"]] = _PageLink(earlier_id, row["supersedes__title"], row["supersedes__url_path"])
    interpreted = set(InterpretationPage.interprets.through.objects.filter(interpretationpage__live=True).values_list(
        "govdocumentpage_id", flat=True))
    return {"replaces": replaces, "replaced_by": replaced_by, "interpreted": interpreted}


def document_links(items, relations=None):
    """For the documents among ``items``: what each replaced, what replaced it and
    whether a live interpretation explains it, as ``{document id: {"replaces": link,
    "replaced_by": [links], "interpreted": bool}}``, from ``relations``
    (:func:`document_relations`, read when not given)."""
    relations = relations if relations is not None else document_relations()
    return {item.pk: {"replaces": relations["replaces"].get(item.pk),
                      "replaced_by": relations["replaced_by"].get(item.pk, []),
                      "interpreted": item.pk in relations["interpreted"]}
            for item in items if _document_of(item) is not None}


def _document_of(item):
    try:
        return item.govdocumentpage
    except GovDocumentPage.DoesNotExist:
        return None


# --- Policy interpretations ----------------------------------------------------------------

def policy_documents(units=None):
    """Live policy documents: normative documents, and every document in a column of
    the 政策文件 category; of sites of ``units`` (every site when None)."""
    docs = GovDocumentPage.objects.live().filter(
        Q(doc_type=DocumentType.NORMATIVE) | Q(parent_column__kind__category=ColumnCategory.POLICY))
    if units is not None:
        homes = _homes_of(units)
        site_paths = Q()
        for path in homes:
            site_paths |= Q(path__startswith=path)
        docs = docs.filter(site_paths) if homes else docs.none()
    return docs


def _homes_of(units):
    from wagtail.models import Site

    from orgs.models import SiteRecord

    return list(Site.objects.filter(pk__in=SiteRecord.objects.filter(unit__in=units, site__isnull=False).values(
        "site_id")).values_list("root_page__path", flat=True))


def policy_documents_without_interpretation(units=None):
    """The policy documents no live interpretation is linked to: the admin report's
    rows and the supervision work's check (indicator: interpretation ratio)."""
    interpreted = InterpretationPage.interprets.through.objects.filter(
        govdocumentpage_id=OuterRef("pk"), interpretationpage__live=True)
    return policy_documents(units).annotate(interpreted=Exists(interpreted)).filter(interpreted=False).order_by(
        "-pub_date", "-pk")


def interpretation_ratio(units=None):
    """``(policy documents, of them interpreted)`` for a unit's sites (or all)."""
    total = policy_documents(units).count()
    missing = policy_documents_without_interpretation(units).count()
    return total, total - missing


# --- The figures of a year (annual report) --------------------------------------------------

def documents_published(home, year):
    """Live government documents of ``home``'s site published in ``year``, by type.
    The year is the document's 发布日期 (``pub_date``), the date its page and the
    catalogue show, which a migrated or backdated document carries from its source."""
    start, end = _year_bounds(year)
    rows = (GovDocumentPage.objects.live().filter(path__startswith=home.path, pub_date__gte=start,
                                                  pub_date__lt=end)
            .order_by().values("doc_type").annotate(n=Count("pk")))
    counts = {r["doc_type"]: r["n"] for r in rows}
    return [(str(label), counts.get(value, 0)) for value, label in DocumentType.choices]


def _year_bounds(year):
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(dt.datetime(year, 1, 1), tz), timezone.make_aware(dt.datetime(year + 1, 1, 1), tz))


def application_figures(unit, year):
    """Applications to ``unit`` in ``year``: received (by applicant type), answered
    by kind of answer (and the reasons of refusals), carried into the next year."""
    start, end = _year_bounds(year)
    apps = Application.objects.filter(unit=unit).order_by()
    received = apps.filter(received_at__gte=start, received_at__lt=end)
    by_type = dict(received.values_list("applicant_type").annotate(n=Count("pk")))
    carried_in = apps.filter(received_at__lt=start).filter(
        Q(answered_at__isnull=True) | Q(answered_at__gte=start)).exclude(status=AppStatus.WITHDRAWN).count()
    answered = apps.filter(answered_at__gte=start, answered_at__lt=end)
    by_kind = dict(answered.values_list("answer_kind").annotate(n=Count("pk")))
    refusals = dict(answered.exclude(refusal_reason="").values_list("refusal_reason").annotate(n=Count("pk")))
    still_open = received.filter(Q(answered_at__isnull=True) | Q(answered_at__gte=end)).exclude(
        status=AppStatus.WITHDRAWN).count()
    return {
        "received": {"citizen": by_type.get("citizen", 0), "organisation": by_type.get("organisation", 0),
                     "total": sum(by_type.values())},
        "carried_in": carried_in,
        "answered": [(str(kind.label), by_kind.get(kind.value, 0)) for kind in AnswerKind],
        "answered_total": sum(by_kind.values()),
        "refusals": [(str(reason.label), refusals.get(reason.value, 0)) for reason in RefusalReason],
        "carried_over": still_open,
    }


# --- What shows a page (the bake's affected set, delivery) --------------------------------

def pages_linking_to(page):
    """The pages besides its ancestors that show ``page``: for a document, those it
    replaced or that replace it, the interpretations that explain it; for an
    interpretation, the documents it explains; for a document or a guide, its site's
    catalogue and services columns (which list them)."""
    linked = []
    document = GovDocumentPage.objects.filter(pk=page.pk).only("pk", "supersedes_id").first()
    if document is not None:
        ids = set(GovDocumentPage.objects.filter(supersedes_id=page.pk).values_list("pk", flat=True))
        if document.supersedes_id:
            ids.add(document.supersedes_id)
        ids |= set(InterpretationPage.objects.filter(interprets__pk=page.pk).values_list("pk", flat=True))
    else:
        ids = set(GovDocumentPage.objects.filter(interpretations__pk=page.pk).values_list("pk", flat=True)) \
            if InterpretationPage.objects.filter(pk=page.pk).exists() else set()
    linked += list(Page.objects.filter(pk__in=ids))
    site_root = page.path[:8] if page.depth >= 2 else page.path  # the site homes lie at depth 2
    home = Page.objects.filter(path=site_root).first()
    catalogues = ColumnPage.objects.filter(path__startswith=site_root, kind__code=CATALOGUE_KIND)
    if home is not None and catalogues.exists():
        listed = catalogue_items(home)
        if listed is not None and listed.filter(pk=page.pk).exists():
            linked += list(catalogues)
    if ServiceGuidePage.objects.filter(pk=page.pk).exists():
        linked += list(ColumnPage.objects.filter(path__startswith=site_root, kind__category=ColumnCategory.SERVICES))
    return linked
