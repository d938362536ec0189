"""Matters (事项) and their service guides (办事指南): the completeness check, the
rule that keeps an incomplete guide from being published, the directory of matters
(a unit's and the whole city's), the completeness report, and the services that keep
the city's themes, life events and catch-all phrases.

The completeness check is one pure function over a guide (:func:`guide_completeness`)
that works on a page as stored and on a revision's page (its materials, legal bases
and steps in memory), so the editor's panel, the publish rule, the admin report and
the supervision work all apply the same reading of the ten key elements of the
inspection indicators (``../shared/reference/inspection-indicators.md``).
"""

import gc
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guard import audit
from orgs.authority import require_manager
from orgs.errors import DomainError, validate_or_refuse
from orgs.models import SiteRecord
from portal.models import ColumnCategory, ColumnKind, ColumnPage
from portal.services import column_kind_save, page_create

from .models import Audience, CatchAllPhrase, LifeEvent, MaterialForm, ServiceGuidePage, Theme

# --- The completeness check ----------------------------------------------------------------

# The ten key elements of a service guide, in the indicators' order.
ELEMENTS = (
    ("name", gettext_lazy("事项名称")),
    ("legal_basis", gettext_lazy("设定依据")),
    ("conditions", gettext_lazy("申请条件")),
    ("materials", gettext_lazy("办理材料")),
    ("place", gettext_lazy("办理地点")),
    ("handling_body", gettext_lazy("办理机构")),
    ("fees", gettext_lazy("收费标准")),
    ("hours", gettext_lazy("办理时间")),
    ("phone", gettext_lazy("联系电话")),
    ("procedure", gettext_lazy("办理流程")),
)
ELEMENT_LABELS = dict(ELEMENTS)

# Severities: a missing element keeps a guide from being published; the rest warn.
MISSING = "missing"
VAGUE = "vague"
SEVERITIES = ((MISSING, gettext_lazy("缺少要素")), (VAGUE, gettext_lazy("表述不清")))

# Kinds of problem.
MISSING_ELEMENT = "missing_element"
CATCH_ALL = "catch_all"
UNLINKED_POLICY = "unlinked_policy"
UNCLEAR_MATERIAL = "unclear_material"
NO_TIME_LIMIT = "no_time_limit"

# The catch-all phrases a new platform starts with (seeded into CatchAllPhrase by the
# migration ``service_guide_completeness``; the management centre edits the list).
DEFAULT_CATCH_ALL_PHRASES = (
    "其他材料", "其他相关材料", "相关材料", "有关材料", "其他有关材料", "等材料", "等相关材料",
    "相关证明", "有关证明", "其他证明材料", "其他必要材料", "其他需要提交的材料", "其他条件",
    "法律法规规定的其他条件", "相关部门要求的",
)

# The indicators' veto: a guide lacking this many elements or more is "not usable".
LACKING_THRESHOLD = 4

POLICY_TITLE = re.compile(r"《([^《》]{2,100})》")


@dataclass(frozen=True)
class Problem:
    kind: str
    severity: str
    element: str
    message: str


@dataclass
class Completeness:
    problems: list = field(default_factory=list)

    @property
    def missing(self):
        return [p for p in self.problems if p.severity == MISSING]

    @property
    def vague(self):
        return [p for p in self.problems if p.severity == VAGUE]

    @property
    def missing_elements(self):
        return [p.element for p in self.missing]

    @property
    def missing_count(self):
        return len(self.missing)

    @property
    def is_complete(self):
        """All ten elements present: the guide may be published."""
        return not self.missing

    def describe_missing(self):
        return "、".join(str(ELEMENT_LABELS[e]) for e in self.missing_elements)


def _blank(value):
    return value is None or not str(value).strip()


def catch_all_phrases():
    """The active catch-all phrases, as the management centre keeps them."""
    return list(CatchAllPhrase.objects.filter(active=True).values_list("phrase", flat=True))


def find_catch_all(text, phrases):
    """The catch-all phrases ``text`` uses, longest first and without counting a
    phrase again inside a longer one it is part of ("其他相关材料" is not also "相关材料")."""
    if not text:
        return []
    taken, found = [], []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        start = text.find(phrase)
        while start != -1:
            end = start + len(phrase)
            if not any(s < end and start < e for s, e in taken):
                taken.append((start, end))
                if phrase not in found:
                    found.append(phrase)
            start = text.find(phrase, start + 1)
    return found


def _children(page, name):
    # A page built from a revision keeps its children in memory; a stored page may
    # have them prefetched. Either way ``.all()`` answers without a query per row kind.
    return list(getattr(page, name).all())


def guide_completeness(page, *, phrases=None):
    """The problems of ``page``'s guide: each missing element (severity ``missing``),
    and catch-all wording, a policy named but not linked, a material whose form,
    original/copy or copies is not stated, and a guide without any time limit
    (severity ``vague``). ``phrases``: the catch-all list (default: the active ones
    kept in the database)."""
    if phrases is None:
        phrases = catch_all_phrases()
    problems = []

    def missing(element):
        label = ELEMENT_LABELS[element]
        problems.append(Problem(MISSING_ELEMENT, MISSING, element, _("缺少“%(label)s”") % {"label": label}))

    materials = _children(page, "materials")
    steps = _children(page, "steps")
    bases = _children(page, "legal_bases")

    if _blank(page.title):
        missing("name")
    if _blank(page.legal_basis) and not bases:
        missing("legal_basis")
    if _blank(page.conditions):
        missing("conditions")
    if not materials:
        missing("materials")
    for element in ("place", "handling_body", "fees", "hours", "phone"):
        if _blank(getattr(page, element)):
            missing(element)
    if not steps:
        missing("procedure")

    for phrase in find_catch_all(page.conditions, phrases):
        problems.append(Problem(CATCH_ALL, VAGUE, "conditions",
                                _("申请条件使用了兜底性表述“%(phrase)s”") % {"phrase": phrase}))
    for material in materials:
        for phrase in find_catch_all(f"{material.name} {material.note}", phrases):
            problems.append(Problem(CATCH_ALL, VAGUE, "materials",
                                    _("材料“%(name)s”使用了兜底性表述“%(phrase)s”")
                                    % {"name": material.name, "phrase": phrase}))
        unstated = []
        if _blank(material.form):
            unstated.append(_("材料形式"))
        if _blank(material.original):
            unstated.append(_("原件或复印件"))
        if material.copies is None and material.form != MaterialForm.ELECTRONIC:
            unstated.append(_("份数"))
        if unstated:
            problems.append(Problem(UNCLEAR_MATERIAL, VAGUE, "materials",
                                    _("材料“%(name)s”未注明%(what)s")
                                    % {"name": material.name, "what": "、".join(str(u) for u in unstated)}))

    linked_texts = []
    for basis in bases:
        document = basis.document if basis.document_id else None
        if document is not None or basis.url:
            linked_texts.append(f"{basis.citation} {document.title if document is not None else ''}")
    for title in dict.fromkeys(POLICY_TITLE.findall(page.legal_basis or "")):
        if not any(title in text for text in linked_texts):
            problems.append(Problem(UNLINKED_POLICY, VAGUE, "legal_basis",
                                    _("设定依据提到《%(title)s》,但没有链接文件库中的文件或原文网址")
                                    % {"title": title}))

    if page.statutory_limit_days is None and page.promised_limit_days is None:
        problems.append(Problem(NO_TIME_LIMIT, VAGUE, "limits", _("未写明法定或承诺办结时限")))
    return Completeness(problems)


class GuideIncomplete(DomainError):
    code = "guide_incomplete"


def refuse_incomplete(page):
    """The one publication rule of guides: a guide missing any of the ten elements
    stays a draft. Raises :class:`GuideIncomplete` naming every missing element."""
    result = guide_completeness(page)
    if not result.is_complete:
        raise GuideIncomplete(
            _("办事指南“%(title)s”缺少要素,不能发布:%(missing)s。请补齐后再发布(草稿已保存)。")
            % {"title": page.title, "missing": result.describe_missing()}
        )
    return result


def submission_refusal(page):
    """Why ``page``'s guide may not be sent for review (it lacks one of the ten
    elements: the reviewers could only send it back), or ``None``. The editor's form
    is saved as a draft instead (disclosure/wagtail_hooks.py)."""
    result = guide_completeness(page)
    if result.is_complete:
        return None
    return _("办事指南“%(title)s”缺少要素,不能提交审核:%(missing)s。草稿已保存,请补齐后再提交。") % {
        "title": page.title, "missing": result.describe_missing()}


# --- Where guides live: sites, units --------------------------------------------------------

@dataclass(frozen=True)
class SiteHome:
    path: str
    unit_id: int
    unit_code: str
    unit_name: str
    site_kind: str


def hosted_site_homes():
    """Every hosted site's home (its tree path) with its unit: one query. A guide's
    unit is the unit of the site it is filed in, read from its path."""
    rows = (SiteRecord.objects.filter(site__isnull=False)
            .order_by("sort_order", "pk")
            .values_list("site__root_page__path", "unit_id", "unit__code", "unit__short_name", "unit__name", "kind"))
    return [SiteHome(path, unit_id, code, short or name, kind) for path, unit_id, code, short, name, kind in rows]


def _under(paths, prefix=""):
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in paths))


def home_of(page, homes):
    """The site home (from :func:`hosted_site_homes`) ``page`` is filed under."""
    for home in homes:
        if page.path.startswith(home.path):
            return home
    return None


# --- The completeness report (admin; the supervision work calls it) --------------------------

@dataclass
class GuideReportRow:
    page: ServiceGuidePage
    unit_name: str
    result: Completeness


@dataclass
class GuideReport:
    rows: list
    total: int = 0
    complete: int = 0
    with_missing: int = 0
    with_vague: int = 0
    lacking_four_or_more: int = 0

    @property
    def services_unusable(self):
        """The indicators' veto "services not usable" on the guides alone: five or more
        guides lacking four or more elements, or fewer than five guides in all and
        every one lacking four or more."""
        if self.lacking_four_or_more >= 5:
            return True
        return 0 < self.total < 5 and self.lacking_four_or_more == self.total


def unit_guide_report(unit=None, *, units=None, live_only=False, severity=None):
    """Every guide of ``unit``'s sites (or of ``units``; neither: the whole city) with its
    problems, and the counts the supervision work scores: how many are complete, how
    many have missing or vague elements, how many lack four elements or more.

    A live guide is read as published; a draft as last saved. ``live_only``: the
    guides the public sees (what supervision scores). ``severity`` ("missing" or
    "vague") keeps only the rows with a problem of that severity (the counts are of
    every guide). A fixed number of queries, whatever the number of guides.
    """
    homes = hosted_site_homes()
    if unit is not None:
        homes = [h for h in homes if h.unit_id == unit.pk]
    elif units is not None:
        wanted = {u.pk for u in units}
        homes = [h for h in homes if h.unit_id in wanted]
    guides = (ServiceGuidePage.objects.filter(_under([h.path for h in homes]))
              .prefetch_related("materials", "steps", "legal_bases__document")
              .order_by("path"))
    if live_only:
        guides = guides.live()
    phrases = catch_all_phrases()
    report = GuideReport(rows=[])
    for page in guides:
        result = guide_completeness(page, phrases=phrases)
        home = home_of(page, homes)
        report.total += 1
        report.complete += result.is_complete
        report.with_missing += bool(result.missing)
        report.with_vague += bool(result.vague)
        report.lacking_four_or_more += result.missing_count >= LACKING_THRESHOLD
        if severity == MISSING and not result.missing or severity == VAGUE and not result.vague:
            continue
        report.rows.append(GuideReportRow(page=page, unit_name=home.unit_name if home else "", result=result))
    return report


# --- The directory of matters (a unit's 办事服务 column; the portal's for the city) -------

PAGE_SIZE = 20
MAX_QUERY = 40


@dataclass
class DirectoryFilters:
    q: str = ""
    audience: str = ""
    theme: str = ""
    event: str = ""
    unit: str = ""
    online: bool = False  # only the matters that take applications online (网上办理)

    @property
    def active(self):
        return any((self.q, self.audience, self.theme, self.event, self.unit, self.online))

    def query_string(self):
        """The filters as a query string, for the pager's links."""
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in (("q", self.q), ("audience", self.audience), ("theme", self.theme),
                                             ("event", self.event), ("unit", self.unit),
                                             ("online", "1" if self.online else "")) if v})


def directory_filters(params):
    """Read the filters from a GET query; a value of the wrong shape is dropped (a
    filter that matches nothing is kept, and answers an empty list)."""
    def one(name, pattern=r"[a-z0-9_-]{1,40}"):
        value = (params.get(name) or "").strip()
        return value if re.fullmatch(pattern, value) else ""

    audience = (params.get("audience") or "").strip()
    return DirectoryFilters(
        q=" ".join((params.get("q") or "").split())[:MAX_QUERY],
        audience=audience if audience in (Audience.PERSON, Audience.ENTERPRISE) else "",
        theme=one("theme"), event=one("event"), unit=one("unit"), online=params.get("online") == "1",
    )


def guides_in(paths):
    """The live guides filed under the given site homes' paths (None: every site's)."""
    guides = ServiceGuidePage.objects.live()
    return guides if paths is None else guides.filter(_under(paths))


class _Listed(NamedTuple):
    """What the directory filters and orders a live guide by."""

    pk: int
    title: str
    code: str
    path: str
    audience: str
    online: bool
    theme_order: int | None
    themes: frozenset
    events: frozenset
    words: str  # the name and the code, case-folded, for a search by name


def directory_index():
    """Every live guide of the city as the directory filters it, in the directory's
    order (by the place of the first theme, then by name): five small queries. A city
    has thousands of matters, not millions; filtering and ordering them in memory answers
    any combination of filters and any name in a few milliseconds, where the database
    joins the page tables over every match to order a page of twenty (20–40 ms for a
    theme of 1,000 matters). Kept until the next publication (portal.framecache).
    The collector is paused while the ten thousand entries are made (it would walk
    the whole heap a few times over for nothing: a third of the time)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _directory_index()
    finally:
        if paused:
            gc.enable()


def _directory_index():
    theme_codes = dict(Theme.objects.values_list("pk", "code"))
    event_codes = dict(LifeEvent.objects.values_list("pk", "code"))
    themes, events = {}, {}
    for guide_id, theme_id in ServiceGuidePage.themes.through.objects.values_list("serviceguidepage_id", "theme_id"):
        themes.setdefault(guide_id, set()).add(theme_codes[theme_id])
    for guide_id, event_id in ServiceGuidePage.life_events.through.objects.values_list(
            "serviceguidepage_id", "lifeevent_id"):
        events.setdefault(guide_id, set()).add(event_codes[event_id])
    rows = ServiceGuidePage.objects.live().values_list(
        "pk", "title", "matter_code", "path", "audience", "online_form_enabled", "theme_order")
    listed = [_Listed(pk, title, code, path, audience, online, order, frozenset(themes.get(pk, ())),
                      frozenset(events.get(pk, ())), f"{title}\n{code}".casefold())
              for pk, title, code, path, audience, online, order in rows]
    listed.sort(key=lambda g: (g.theme_order is None, g.theme_order or 0, g.title, g.pk))
    by_theme, by_event = {}, {}
    for g in listed:
        for code in g.themes:
            by_theme.setdefault(code, []).append(g)
        for code in g.events:
            by_event.setdefault(code, []).append(g)
    return DirectoryIndex(listed, by_theme, by_event)


@dataclass(frozen=True)
class DirectoryIndex:
    """The live guides in the directory's order, and those of each theme and life
    event (in the same order)."""

    guides: list
    by_theme: dict
    by_event: dict


def guide_directory(*, paths, filters, index=None):
    """The ids of the live guides under ``paths`` (None: the whole city) that pass
    ``filters``, ordered by their first theme (so a page of results reads theme by
    theme), then by name; filtered by one theme, by name. A name matches a part of the
    matter's name or code (letters in any case). ``index``: :func:`directory_index`."""
    index = index if index is not None else directory_index()
    prefixes = tuple(paths) if paths is not None else None
    audiences = {filters.audience, Audience.BOTH} if filters.audience else None
    q = filters.q.casefold()
    if filters.theme:
        candidates = index.by_theme.get(filters.theme, [])
    elif filters.event:
        candidates = index.by_event.get(filters.event, [])
    else:
        candidates = index.guides
    found = [
        g for g in candidates
        if (prefixes is None or g.path.startswith(prefixes))
        and (audiences is None or g.audience in audiences)
        and (not filters.theme or filters.theme in g.themes)
        and (not filters.event or filters.event in g.events)
        and (not filters.online or g.online)
        and (not q or q in g.words)
    ]
    if filters.theme:
        found.sort(key=lambda g: (g.title, g.pk))
    return [g.pk for g in found]


@dataclass
class DirectoryEntry:
    page: ServiceGuidePage
    theme: Theme
    unit_name: str
    audience: str = ""  # who applies, in words


# What a directory entry shows and links (the guides' long texts stay in the database).
DIRECTORY_FIELDS = ("id", "title", "slug", "url_path", "path", "depth", "content_type_id", "audience",
                    "promised_limit_days", "online_form_enabled", "theme_order")


def directory_context(*, home, params, page_number=None):
    """Everything a services column shows: the filters, the themes and life events
    with their counts, and one page of matters grouped by theme. A unit's site lists
    the unit's own matters (on all its sites); the portal lists the whole city's, and
    can be filtered by unit. The same for every reader: no per-user content."""
    from portal import framecache
    from portal.queries import paginate

    homes = framecache.kept(("hosted-site-homes",), hosted_site_homes)
    city_wide = home.site_kind == "portal"
    scope = homes if city_wide else [h for h in homes if h.unit_id == home.unit_id]
    filters = directory_filters(params)
    units = []
    if city_wide:
        seen = {}
        for h in homes:
            seen.setdefault(h.unit_code, h)
        units = list(seen.values())
        if filters.unit:
            scope = [h for h in homes if h.unit_code == filters.unit]
    else:
        filters.unit = ""
    paths = None if city_wide and not filters.unit else [h.path for h in scope]
    scope_key = ",".join(h.unit_code for h in scope) if paths is not None else "city"
    themes, events = _facets(paths, key=scope_key)
    ids = guide_directory(paths=paths, filters=filters, index=framecache.kept(("directory-index",), directory_index))
    results = paginate(ids, page_number, PAGE_SIZE)
    pages = ServiceGuidePage.objects.filter(pk__in=results.object_list).only(*DIRECTORY_FIELDS).prefetch_related("themes")
    by_id = {p.pk: p for p in pages}
    results.object_list = [by_id[pk] for pk in results.object_list if pk in by_id]
    audiences = {value: str(label) for value, label in Audience.choices}
    entries = []
    for page in results.object_list:
        page_themes = [t for t in page.themes.all() if not filters.theme or t.code == filters.theme]
        theme = min(page_themes, key=lambda t: (t.sort_order, t.code)) if page_themes else None
        owner = home_of(page, homes)
        entries.append(DirectoryEntry(page=page, theme=theme, unit_name=owner.unit_name if owner else "",
                                      audience=audiences.get(page.audience, "")))
    return {
        "filters": filters,
        "city_wide": city_wide,
        "themes": themes,
        "person_events": [e for e in events if e.audience == Audience.PERSON],
        "enterprise_events": [e for e in events if e.audience == Audience.ENTERPRISE],
        "units": units,
        "results": results,
        "entries": entries,
        "audiences": [(Audience.PERSON, Audience.PERSON.label), (Audience.ENTERPRISE, Audience.ENTERPRISE.label)],
    }


def _facets(paths, *, key):
    """The themes and life events with how many live guides of the scope each has
    (only those with some). The same for every request until something is published
    or a theme changes (both start a new page-cache generation), so kept for that
    long (portal.framecache): counting them reads every guide's themes."""
    from portal import framecache

    return framecache.kept(("guide-facets", key), lambda: _facets_counted(paths))


def _facets_counted(paths):
    live = Q(guides__live=True) if paths is None else Q(guides__live=True) & _under(paths, prefix="guides__")
    kept = {}
    for model in (Theme, LifeEvent):
        rows = model.objects.annotate(n=Count("guides", filter=live, distinct=True)).values_list("pk", "n")
        kept[model.__name__] = {pk: n for pk, n in rows if n}
    themes = [t for t in _all(Theme) if t.pk in kept["Theme"]]
    events = [e for e in _all(LifeEvent) if e.pk in kept["LifeEvent"]]
    for item in themes:
        item.n = kept["Theme"][item.pk]
    for item in events:
        item.n = kept["LifeEvent"][item.pk]
    return themes, events


def _all(model):
    return list(model.objects.all())


# --- A site's 办事服务 column ------------------------------------------------------------------

SERVICES_KIND = ("services", "办事服务")


def services_column_ensure(*, home, actor=None):
    """Every hosted site has a published 办事服务 column in its menu, where its unit's
    matters are listed (a window unit's is called 服务指南); an existing services
    column of any title is kept as it is. Idempotent: a builder of
    ``disclosure.services.SECTION_BUILDERS``."""
    existing = ColumnPage.objects.child_of(home).filter(kind__category=ColumnCategory.SERVICES).first()
    if existing is not None:
        return existing.specific
    code, name = SERVICES_KIND
    kind = ColumnKind.objects.filter(category=ColumnCategory.SERVICES).order_by("pk").first()
    if kind is None:
        kind = column_kind_save(code=code, name=name, category=ColumnCategory.SERVICES, update_period=0, actor=actor)
    title = "服务指南" if getattr(home.specific, "site_kind", None) == "window" else name
    column = ColumnPage(title=title, slug=code, kind=kind, show_in_menus=True,
                        intro=f"{home.title} · {title}:办事指南、表格下载")
    return page_create(parent=home, page=column, publish=True)


# --- Themes, life events and catch-all phrases (the management centre's lists) -------------

THEME_FIELDS = ("code", "name", "audience", "sort_order")
LIFE_EVENT_FIELDS = ("code", "name", "audience", "sort_order")
PHRASE_FIELDS = ("phrase", "note", "active")


def _save(model, action, *, actor, instance, values):
    require_manager(actor, None)
    record = model.objects.select_for_update().get(pk=instance.pk) if instance else model()
    before, after = audit.changes(record, values) if instance else ({}, values)
    if instance and not after:
        return record
    for name, value in values.items():
        setattr(record, name, value)
    validate_or_refuse(record)
    record.save()
    audit.record(record, f"disclosure.{action}.{'update' if instance else 'create'}", actor=actor,
                 before=before if instance else None, after=after)
    return record


def _text(value):
    return (value or "").strip()


@transaction.atomic
def theme_save(*, actor, code, name, audience=Audience.BOTH, sort_order=0, instance=None):
    """Create or change a theme matters are grouped by (the management centre only)."""
    values = {"code": _text(code), "name": _text(name), "audience": audience or Audience.BOTH,
              "sort_order": sort_order or 0}
    moved = instance is not None and instance.sort_order != values["sort_order"]
    theme = _save(Theme, "theme", actor=actor, instance=instance, values=values)
    if moved:
        # Directories order matters by their first theme's place, kept on each guide.
        first = (Theme.objects.filter(guides=OuterRef("pk")).order_by("sort_order").values("sort_order")[:1])
        ServiceGuidePage.objects.filter(themes=theme).update(theme_order=Subquery(first))
    return theme


@transaction.atomic
def life_event_save(*, actor, code, name, audience=Audience.PERSON, sort_order=0, instance=None):
    """Create or change a life event (the management centre only)."""
    values = {"code": _text(code), "name": _text(name), "audience": audience or Audience.PERSON,
              "sort_order": sort_order or 0}
    return _save(LifeEvent, "life_event", actor=actor, instance=instance, values=values)


@transaction.atomic
def catch_all_phrase_save(*, actor, phrase, note="", active=True, instance=None):
    """Add or change a catch-all phrase the completeness check looks for (the
    management centre only). Every guide is read against the new list at once."""
    phrase = _text(phrase)
    if len(phrase) < 2:
        raise DomainError(_("兜底性表述至少两个字,否则几乎每份指南都会被标记。"), field="phrase")
    values = {"phrase": phrase, "note": _text(note), "active": bool(active)}
    return _save(CatchAllPhrase, "catch_all_phrase", actor=actor, instance=instance, values=values)


# --- A guide's public page ------------------------------------------------------------------

_CITATION_SEPARATORS = re.compile(r"[\s;；,，、。]+")


def legal_basis_beyond_links(text, legal_bases):
    """The legal basis as written, unless it only repeats the linked citations (then the
    page lists those once, linked). Text that says more is shown in full."""
    names = set()
    for basis in legal_bases:
        for name in (basis.citation, basis.document.title if basis.document_id else ""):
            if name and name.strip("《》"):
                names |= {name, f"《{name.strip('《》')}》"}
    rest = text or ""
    for name in sorted(names, key=len, reverse=True):
        rest = rest.replace(name, "")
    return text if _CITATION_SEPARATORS.sub("", rest) else ""


def guide_page_context(page):
    """What a guide's page shows beside its fields: materials with their forms to
    download, the legal bases with the documents they link to, the steps in order, an
    example of how the promised limit is counted (the page adds where to apply
    online: ``applyforms.online_form_url``)."""
    from django.utils import timezone
    from letters.calendar import add_working_days

    limit = page.promised_limit_days if page.promised_limit_days is not None else page.statutory_limit_days
    example = add_working_days(timezone.localdate(), limit) if limit else None
    legal_bases = list(page.legal_bases.select_related("document"))
    return {
        "materials": list(page.materials.select_related("blank_form", "sample")),
        "legal_bases": legal_bases,
        "legal_basis_text": legal_basis_beyond_links(page.legal_basis, legal_bases),
        "steps": list(page.steps.all()),
        "limit_example": example,
    }
