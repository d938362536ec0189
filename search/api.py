"""GET /api/v1/search: the site search for programs, with the page's filters.

A filter that is not understood (a site that does not exist, an unknown type or
validity, a date not in YYYY-MM-DD) is a typed 400 ``invalid_filter`` naming it; a
query that cannot be searched is a typed 400 too, too many searches from one client
a 429."""

from datetime import datetime

from ninja import Query, Router, Schema
from ninja.responses import Status

from guard import ratelimit
from orgs.errors import DomainError

from .params import SEARCH_WINDOW, SEARCHES_PER_MINUTE, clean, filters_from, parse_page, scope_from, site_records
from .queries import search

router = Router(tags=["站内搜索"])


class Error(Schema):
    code: str
    message: str


class GroupOut(Schema):
    kind: str
    label: str
    count: int


class HitOut(Schema):
    kind: str
    title: str
    url: str
    site: str
    site_name: str
    date: datetime | None
    column_kind: str
    content_type: str
    validity: str
    document_number: str
    issuing_organ: str
    snippet_html: str
    title_html: str


class SearchOut(Schema):
    query: str
    total: int
    capped: bool
    page: int
    pages: int
    groups: list[GroupOut]
    results: list[HitOut]
    suggestion: str
    broadened: list[str]
    messages: list[str]


@router.get("/search", response={200: SearchOut, 400: Error, 404: Error, 422: Error, 429: Error}, summary="站内搜索",
            description="在全部网站或一个网站中搜索已发布的文章、政府文件、办事指南、公开信件和附件。"
                        "q 最多100个字,用空格分开的词须同时出现;2至12个拉丁字母也按办事事项名称的拼音首字母查找。"
                        "snippet_html、title_html 中除 <mark> 外的字符均已转义。"
                        "筛选条件(site、type、validity、from、to)无法识别时返回 400,code 为 invalid_filter。"
                        "匹配超过2000条时 capped 为 true:total 与各类数目为下限,排序只在其中一部分内进行(完全相同的标题总在最前)。")
def search_api(request,
               q: str = Query("", description="搜索词,最多100个字"),
               site: str = Query("", description="网站:路径名(如 east)、域名或站点编号;空或 all 为全部网站"),
               type: str = Query("", description="类型:article、document、guide、letter、attachment"),
               column: str = Query("", description="栏目类型代码,如 news、policy"),
               ctype: str = Query("", description="内容类型,如 articlepage、govdocumentpage、letter"),
               date_from: str = Query("", alias="from", description="起始日期 YYYY-MM-DD"),
               date_to: str = Query("", alias="to", description="截止日期 YYYY-MM-DD"),
               validity: str = Query("", description="效力状态:in_force、amended、repealed、expired"),
               page: str = Query("1", description="页码,从1开始")):
    quota = ratelimit.hit(f"search:{ratelimit.client_key(request)}", limit=SEARCHES_PER_MINUTE, window=SEARCH_WINDOW)
    if not quota.allowed:
        raise DomainError("搜索过于频繁,请一分钟后再试。", code="too_many")
    records = site_records()
    record, problem = scope_from(site, records)
    filters, problems = filters_from(site_ids=[record.site_id] if record else None, kind=type, column_kind=column,
                                     content_type=ctype, date_from=date_from, date_to=date_to, validity=validity)
    problems = ([problem] if problem else []) + problems
    if problems:
        # A filter not understood is refused, never silently dropped: a program would
        # otherwise take results of the wrong scope for the ones it asked for.
        raise DomainError("".join(p.refusal for p in problems), code="invalid_filter", field=problems[0].field)
    found = search(q=clean(q, 10_000), filters=filters, page=parse_page(page))
    by_site = {r.site_id: r for r in records}
    hits = []
    for hit in found.hits:
        e = hit.entry
        r = by_site.get(e.site_id)
        hits.append(HitOut(
            kind=e.kind, title=e.title, url=e.url, site=r.path_slug if r else "", site_name=r.name if r else "",
            date=e.date, column_kind=e.column_kind, content_type=e.content_type, validity=e.validity,
            document_number=str(e.meta.get("document_number", "")), issuing_organ=str(e.meta.get("issuing_organ", "")),
            snippet_html=str(hit.snippet_html), title_html=str(hit.title_html),
        ))
    return Status(200, SearchOut(
        query=found.query, total=found.total, capped=found.capped, page=found.page, pages=found.pages,
        groups=[GroupOut(kind=k, label=label, count=n) for k, label, n in found.groups], results=hits,
        suggestion=found.suggestion, broadened=found.broadened, messages=[],
    ))
