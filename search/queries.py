"""Searching the index: the one read behind the page /search/ and the API.

A query is split at spaces into parts; an entry is found when its text contains
every part (normalised, see ``search.text``). A part of 2-12 Latin letters also
finds service guides by the pinyin initials of their name. When a query of one part
finds less than a page, entries containing all of its jieba words (in any order and
place) follow the exact matches.

Ranking, best first: the exact title; titles containing the parts (and jieba words of
the query); then newer before older.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from orgs.errors import DomainError

from . import engine
from .models import Entry, Kind, Term
from .text import MAX_QUERY_CHARS, is_initials_query, jieba_terms, normalise, query_parts

PER_PAGE = 20
# A query matching more entries than this is counted "at least" and ranked within a
# pool of this many matches (plus every exact title): counting and ranking hundreds of
# thousands of matches of a common word would cost seconds (docs/search.md).
MATCH_CAP = 2000
MAX_PAGE = 500  # deeper pages are refused (no reader goes there; offsets stay cheap)
MAX_PARTS = 8


class QueryRefused(DomainError):
    code = "invalid_query"


@dataclass
class Filters:
    site_ids: list | None = None
    kind: str = ""
    column_kind: str = ""
    content_type: str = ""
    date_from: object = None
    date_to: object = None
    validity: str = ""


@dataclass
class Hit:
    entry: Entry
    title_html: str
    snippet_html: str


@dataclass
class Results:
    query: str
    parts: list
    total: int = 0
    groups: list = field(default_factory=list)  # (kind, label, count), every kind with hits
    hits: list = field(default_factory=list)
    page: int = 1
    pages: int = 0
    broadened: list = field(default_factory=list)  # jieba words used beyond the exact matches
    capped: bool = False  # more than MATCH_CAP matches: counts are lower bounds
    suggestion: str = ""

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


def terms_version():
    from django.db.models import Count, Max

    figures = Term.objects.aggregate(last=Max("updated_at"), n=Count("id"))  # a change or a new term
    return f"{figures['last']}-{figures['n']}"


def load_terms():
    return list(Term.objects.filter(active=True).values_list("word", "frequency"))


def query_terms(part, *, for_search=False):
    """jieba's words of ``part``, with the dictionary of government terms (``for_search``:
    also the shorter words inside longer ones)."""
    return jieba_terms(part, terms_version=terms_version(), load_terms=load_terms, for_search=for_search)


def clean_query(q):
    q = (q or "").strip()
    if len(q) > MAX_QUERY_CHARS:
        raise QueryRefused(f"搜索词太长了:最多{MAX_QUERY_CHARS}个字,请缩短后再搜索。", code="too_long")
    parts = query_parts(q)
    if len(parts) > MAX_PARTS:
        raise QueryRefused(f"搜索词中用空格分开的词太多了:最多{MAX_PARTS}个。", code="too_many_words")
    return q, parts


# --- SQL -----------------------------------------------------------------------------

def _filter_sql(filters, *, with_kind=True):
    where, params = [], []
    if filters.site_ids is not None:
        if not filters.site_ids:
            where.append("1 = 0")
        else:
            where.append(f"e.site_id IN ({', '.join(['%s'] * len(filters.site_ids))})")
            params += list(filters.site_ids)
    if with_kind and filters.kind:
        where.append("e.kind = %s")
        params.append(filters.kind)
    for column in ("column_kind", "content_type", "validity"):
        value = getattr(filters, column)
        if value:
            where.append(f"e.{column} = %s")
            params.append(value)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        where.append("e.date >= %s")
        params.append(timezone.make_aware(datetime.combine(filters.date_from, time.min), tz))
    if filters.date_to:
        where.append("e.date < %s")
        params.append(timezone.make_aware(datetime.combine(filters.date_to + timedelta(days=1), time.min), tz))
    return where, params


def _parts_sql(parts):
    where, params = [], []
    for part in parts:
        sql, p = engine.match_sql(part)
        if is_initials_query(part):
            where.append(f"(e.id IN ({sql}) OR e.initials LIKE %s)")
            params += p + [f"%{part}%"]
        else:
            where.append(f"e.id IN ({sql})")
            params += p
    return where, params


def _score_sql(whole, parts, terms):
    pieces, params = ["(CASE WHEN e.title_norm = %s THEN 64 ELSE 0 END)"], [whole]
    for part in parts:
        pieces.append(f"(CASE WHEN {engine.contains_sql('e.title_norm')} THEN 8 ELSE 0 END)")
        params.append(part)
        if is_initials_query(part):
            pieces.append("(CASE WHEN e.initials = %s THEN 16 WHEN e.initials LIKE %s THEN 8 ELSE 0 END)")
            params += [part, f"{part}%"]
    for term in terms:
        pieces.append(f"(CASE WHEN {engine.contains_sql('e.title_norm')} THEN 1 ELSE 0 END)")
        params.append(term)
    return " + ".join(pieces), params


def _ids(where, params, score, score_params, *, limit, offset):
    sql = (f"SELECT e.id FROM search_entry e WHERE {' AND '.join(where) or '1 = 1'} "
           f"ORDER BY {score} DESC, e.date DESC NULLS LAST, e.id DESC LIMIT %s OFFSET %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, params + score_params + [limit, offset])
        return [row[0] for row in cursor.fetchall()]


def _counts(where, params):
    sql = f"SELECT e.kind, COUNT(*) FROM search_entry e WHERE {' AND '.join(where) or '1 = 1'} GROUP BY e.kind"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _pool(where, params, cap, *, parts=None, f_where=(), f_params=()):
    """Up to ``cap`` matching (id, kind) in the index's order, and whether there are more. With ``parts``, the
    scan is driven by the first part's full-text match (the others and the filters
    checked on the way), so that it stops after ``cap`` + 1 rows."""
    if parts and not is_initials_query(parts[0]):
        tables, condition, first = engine.match_from(parts[0])
        rest, rest_params = _parts_sql(parts[1:])
        sql = (f"SELECT c.entry_id, e.kind FROM {tables} JOIN search_entry e ON e.id = c.entry_id "
               f"WHERE {' AND '.join([condition, *rest, *f_where])} LIMIT %s")
        params = first + rest_params + list(f_params)
    else:
        sql = f"SELECT e.id, e.kind FROM search_entry e WHERE {' AND '.join(where) or '1 = 1'} LIMIT %s"
    rows, seen = [], set()
    limit = cap + 1 + (cap + 1) // 10
    with connection.cursor() as cursor:
        # A long text has several chunks: a few more rows, then each entry once.
        cursor.execute(sql, params + [limit])
        fetched = cursor.fetchall()
    for pk, kind in fetched:
        if pk not in seen:
            seen.add(pk)
            rows.append((pk, kind))
    # More than ``cap`` entries, or the scan stopped early: more matches may exist.
    more = len(rows) > cap or len(fetched) == limit
    return rows[:cap], more


def _exact_title_ids(whole, where, params):
    sql = f"SELECT e.id FROM search_entry e WHERE e.title_norm = %s AND {' AND '.join(where) or '1 = 1'} LIMIT 50"
    with connection.cursor() as cursor:
        cursor.execute(sql, [whole] + params)
        return [row[0] for row in cursor.fetchall()]


def count_matches(parts, filters=None):
    """Whether ``parts`` find anything under ``filters`` (1 or 0)."""
    where, params = _parts_sql(parts)
    f_where, f_params = _filter_sql(filters or Filters())
    pool, more = _pool(where + f_where, params + f_params, 1, parts=parts, f_where=f_where, f_params=f_params)
    return len(pool)


# --- The search ----------------------------------------------------------------------

def search(*, q, filters=None, page=1, per_page=PER_PAGE, suggest=True, broaden=True):
    """The results of query ``q`` under ``filters``: one page of hits, the counts of
    each kind, and a suggestion when nothing was found. Raises ``QueryRefused`` for
    a query too long or of too many words."""
    filters = filters or Filters()
    q, parts = clean_query(q)
    results = Results(query=q, parts=parts)
    if not parts:
        return results
    whole = normalise(q)
    per_page = max(1, min(int(per_page), 100))
    page = max(1, min(int(page), MAX_PAGE))
    terms = query_terms(parts[0]) if len(parts) == 1 and len(parts[0]) >= 3 else []
    terms = [t for t in terms if t != parts[0]]

    p_where, p_params = _parts_sql(parts)
    f_where, f_params = _filter_sql(filters, with_kind=False)
    k_where, k_params = _filter_sql(Filters(kind=filters.kind))
    pool, more = _pool(p_where + f_where, p_params + f_params, MATCH_CAP, parts=parts, f_where=f_where,
                       f_params=f_params)
    if more:
        # A common word: counts are what the pool holds ("at least"), ranking within it.
        results.capped = True
        pool_ids = [pk for pk, _ in pool] + _exact_title_ids(whole, f_where, f_params)
        counts = {}
        for _, kind in pool:
            counts[kind] = counts.get(kind, 0) + 1
        p_where, p_params = [f"e.id IN ({', '.join(['%s'] * len(pool_ids))})"], pool_ids
    else:
        counts = {}
        for _, kind in pool:
            counts[kind] = counts.get(kind, 0) + 1
    exact_total = counts.get(filters.kind, 0) if filters.kind else sum(counts.values())

    # Fewer exact matches than a page: entries with every jieba word follow them.
    broad_where = broad_params = None
    if broaden and exact_total < per_page and len(terms) >= 2:
        t_where, t_params = _parts_sql(terms)
        not_exact = [f"NOT ({' AND '.join(p_where)})"]
        broad_where, broad_params = t_where + not_exact + f_where, t_params + p_params + f_params
        broad_counts = _counts(broad_where, broad_params)
        if broad_counts:
            results.broadened = terms
            for kind, n in broad_counts.items():
                counts[kind] = counts.get(kind, 0) + n
    labels = dict(Kind.choices)
    results.groups = [(k, str(labels.get(k, k)), counts[k]) for k, _ in Kind.choices if counts.get(k)]
    results.total = counts.get(filters.kind, 0) if filters.kind else sum(counts.values())
    results.pages = math.ceil(results.total / per_page) if results.total else 0
    results.page = min(page, max(results.pages, 1))

    score, score_params = _score_sql(whole, parts, terms)
    offset = (results.page - 1) * per_page
    ids = []
    if offset < exact_total:
        ids = _ids(p_where + f_where + k_where, p_params + f_params + k_params, score, score_params,
                   limit=per_page, offset=offset)
    if results.broadened and len(ids) < per_page:
        ids += _ids(broad_where + k_where, broad_params + k_params, score, score_params,
                    limit=per_page - len(ids), offset=max(0, offset - exact_total))
    entries = Entry.objects.in_bulk(ids)
    marks = parts + results.broadened
    results.hits = [Hit(entry=entries[i], title_html=highlight(entries[i].title, marks),
                        snippet_html=snippet(entries[i].text, marks)) for i in ids if i in entries]
    if suggest and exact_total == 0:
        from .suggest import suggestion

        results.suggestion = suggestion(q, filters=filters)
    return results


# --- Highlighting --------------------------------------------------------------------

SNIPPET_CHARS = 120
SNIPPET_SCAN = 20_000


def _normalised_map(value):
    """``value`` normalised character by character, with each normalised character's
    index in ``value``."""
    chars, where = [], []
    for i, ch in enumerate(value):
        for n in normalise(ch):
            chars.append(n)
            where.append(i)
    return "".join(chars), where


def _spans(value, marks):
    """The spans of ``value`` (original indexes) where a mark occurs."""
    norm, where = _normalised_map(value)
    spans = []
    for mark in sorted({m for m in marks if m}, key=len, reverse=True):
        start = norm.find(mark)
        while start != -1:
            spans.append((where[start], where[start + len(mark) - 1] + 1))
            start = norm.find(mark, start + len(mark))
    spans.sort()
    merged = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _marked(value, spans, offset=0):
    """``value`` escaped, with the spans (relative to ``offset``) in <mark>."""
    out, at = [], 0
    for s, e in spans:
        s, e = max(s - offset, 0), min(e - offset, len(value))
        if e <= at:
            continue
        s = max(s, at)
        out.append(escape(value[at:s]))
        out.append(f"<mark>{escape(value[s:e])}</mark>")
        at = e
    out.append(escape(value[at:]))
    return "".join(out)


def highlight(value, marks):
    return mark_safe(_marked(value, _spans(value, marks)))


def snippet(value, marks, width=SNIPPET_CHARS):
    """About ``width`` characters of ``value`` around the first mark, escaped, each
    mark in <mark>; the beginning when no mark is in the first part of the text."""
    head = " ".join((value or "")[:SNIPPET_SCAN].split())
    spans = _spans(head, marks)
    start = max(0, spans[0][0] - width // 3) if spans else 0
    end = min(len(head), start + width)
    window = head[start:end]
    inside = [(s, e) for s, e in spans if s < end and e > start]
    text = _marked(window, inside, offset=start)
    return mark_safe(("…" if start > 0 else "") + text + ("…" if end < len(head) else ""))
