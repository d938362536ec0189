"""The page /search/: the whole cluster or one site, with filters, groups and pages.

Dynamic and never cached (each answer depends on its query string); limited per
client (``guard.ratelimit``); a query that cannot be searched gets a message, and so
does each filter that was not understood (named, with what was done instead)."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from wagtail.models import Site

from guard import ratelimit
from portal.models import ColumnKind
from portal.queries import site_nav, site_record_for

from .models import Kind
from .params import (HELP_EXAMPLE, SEARCH_WINDOW, SEARCHES_PER_MINUTE, VALIDITY_CHOICES, filters_from, parse_page,
                     scope_from, site_records)
from .queries import PER_PAGE, QueryRefused, Results, search

CONTENT_TYPES = [("articlepage", "文章"), ("govdocumentpage", "政府文件"), ("interpretationpage", "政策解读"),
                 ("serviceguidepage", "办事指南"), ("annualreportpage", "年度报告"), ("letter", "公开信件")]


@never_cache
def results(request):
    get = request.GET
    records = site_records()
    scope_all = get.get("scope") == "all"
    record, problem = (None, None) if scope_all else scope_from(get.get("site"), records)
    problems = [problem] if problem else []
    scope_all = scope_all or (get.get("site") or "").strip().lower() == "all" or problem is not None
    if record is None and not scope_all and not (get.get("site") or "").strip():
        # A site's own search (no site named): the site the request came to.
        site = Site.find_for_request(request)
        record = next((r for r in records if site and r.site_id == site.pk), None)
    filters, dropped = filters_from(
        site_ids=[record.site_id] if record else None, kind=get.get("type", ""), column_kind=get.get("column", ""),
        content_type=get.get("ctype", ""), date_from=get.get("from", ""), date_to=get.get("to", ""),
        validity=get.get("validity", ""))
    problems += dropped
    messages = [p.message for p in problems]
    q = get.get("q", "")
    status = 200
    found = Results(query=q.strip()[:200], parts=[])
    if q.strip():
        # The supervision work's own test of a hosted site's search is no client.
        quota = None if ratelimit.is_internal(request) else ratelimit.hit(
            f"search:{ratelimit.client_key(request)}", limit=SEARCHES_PER_MINUTE, window=SEARCH_WINDOW)
        if quota is not None and not quota.allowed:
            messages.append("您搜索得太频繁了,请稍等一分钟再试。")
            status = 429
        else:
            try:
                found = search(q=q, filters=filters, page=parse_page(get.get("page")))
            except QueryRefused as exc:
                messages.append(exc.message)
    identity = record or next((r for r in records if r.site.is_default_site), None)
    site = identity.site if identity else Site.objects.filter(is_default_site=True).first()
    home = site.root_page.specific if site else None
    names = {r.site_id: r.name for r in records}
    keep = {k: v for k, v in {
        "q": found.query, "site": "all" if scope_all else (record.path_slug if record else ""),
        "type": filters.kind, "column": filters.column_kind, "ctype": filters.content_type,
        "from": filters.date_from.isoformat() if filters.date_from else "",
        "to": filters.date_to.isoformat() if filters.date_to else "", "validity": filters.validity,
    }.items() if v}
    context = {
        "site_record": site_record_for(site, request) if site else None, "home": home,
        "nav": site_nav(home, request), "page_title": f"搜索:{found.query}" if found.query else "站内搜索",
        "results": found, "hits": [(hit, names.get(hit.entry.site_id, "")) for hit in found.hits],
        "messages_list": messages, "help_example": HELP_EXAMPLE, "filters": filters, "scope_record": record, "scope_all": scope_all or record is None,
        "sites": records, "kinds": Kind.choices, "validities": VALIDITY_CHOICES,
        "column_kinds": list(ColumnKind.objects.exclude(category="social_news").order_by("name").values_list("code", "name")),
        "content_types": CONTENT_TYPES, "first_number": (found.page - 1) * PER_PAGE + 1,
        "query_without_type": urlencode({k: v for k, v in keep.items() if k != "type"}),
        "query_without_page": urlencode(keep),
        "suggestion_query": urlencode({**keep, "q": found.suggestion}) if found.suggestion else "",
    }
    response = render(request, "search/results.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(SEARCH_WINDOW)
    return response
