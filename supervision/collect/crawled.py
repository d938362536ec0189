"""The builder of what was measured over HTTP: ``measures(record, period)``.

It reads only the stored rows (probes, the newest finished crawl up to the period's
day, its pages, links and observations) and turns them into the measures the engine
reads (keys as in measures.py): availability, home_update, columns, links, footer,
meta, screening, search, ipv6, https. For a hosted site the database's own builder
(hosted.py) replaces the column and home-page measures with what it knows better.

Where the site could not be reached, or was never crawled, each measure says so
(not checked, with the reason): nothing is guessed.

The kinds of columns and their stale periods (检查指标: 动态、要闻 2 weeks; 通知公告、
政策文件 6 months for top-level columns; 人事、规划计划 1 year) are data: the
keyword table below, overridden by the active ruleset (a rule's params
``column_kinds``: ``[[kind, [keywords]], ...]`` and ``column_periods``: ``{kind:
days}``), else by ``SUPERVISION_COLUMN_KINDS`` / ``SUPERVISION_COLUMN_PERIODS`` in
the settings; or passed to :func:`column_kind` / :func:`columns_measure`.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from ..measures import NOT_CHECKED, OK, PROBLEM, Evidence, Measure, not_checked
from ..models import ItemState, Observation, Probe, RunStatus
from .crawler import latest_run
from .page import ERROR_ENTRY, FOOTER_ITEMS

# Column kind by name keywords, the first match wins (so 政策解读 is an
# interpretation before it is a policy column, 规划计划 a plan before anything).
COLUMN_KINDS = [
    ["interpretation", ["解读"]],
    ["personnel", ["人事", "任免", "招考", "招录", "招聘"]],
    ["plans", ["规划", "计划", "总结"]],
    ["notices", ["通知公告", "公告", "通知", "公示"]],
    ["policy", ["政策文件", "政策法规", "规范性文件", "政府文件", "文件", "政策"]],
    ["news", ["动态", "要闻", "新闻", "资讯", "快讯", "工作信息", "政务信息", "图片"]],
    ["leaders", ["领导"]],
    ["organisation", ["机构", "职能", "职责"]],
    ["overview", ["概况", "简介", "区情", "市情", "县情"]],
]
# Expected update period in days; ``TOP_LEVEL_ONLY`` kinds are judged only as
# top-level columns (their subcolumns may rest longer).
COLUMN_PERIODS = {"news": 14, "notices": 182, "policy": 182, "personnel": 365, "plans": 365}
TOP_LEVEL_ONLY = ("notices", "policy")
HOME_STALE_DAYS = 14
AVAILABILITY_DAYS = 7
META_SAMPLE = 10
EVIDENCE_CAP = 200

SITE_META = ("SiteName", "SiteDomain", "SiteIDCode")
COLUMN_META = ("ColumnName", "ColumnType")
ARTICLE_META = ("ArticleTitle", "PubDate", "ContentSource")
_NOT_COLUMNS = ("首页", "搜索", "站内搜索")
CRAWL_CODES = ("home_update", "columns", "links", "footer", "meta", "screening", "search", "ipv6", "https")


def _valid_kinds(value):
    return isinstance(value, list) and all(
        isinstance(row, (list, tuple)) and len(row) == 2 and isinstance(row[0], str) and isinstance(row[1], list)
        and all(isinstance(word, str) and word for word in row[1]) for row in value)


def _valid_periods(value):
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, int) and v >= 0
                                           for k, v in value.items())


def ruleset_tables():
    """``(kinds, periods)`` from the active ruleset: the first enabled rule whose
    params carry ``column_kinds`` / ``column_periods`` (None where none does, or
    where the value has the wrong shape)."""
    from ..models import Ruleset, RulesetStatus

    ruleset = Ruleset.objects.filter(status=RulesetStatus.ACTIVE).first()
    kinds = periods = None
    if ruleset is not None:
        for params in ruleset.rules.filter(enabled=True).values_list("params", flat=True):
            params = params if isinstance(params, dict) else {}
            if kinds is None and _valid_kinds(params.get("column_kinds")):
                kinds = params["column_kinds"]
            if periods is None and _valid_periods(params.get("column_periods")):
                periods = params["column_periods"]
    return kinds, periods


def kind_table(ruleset_kinds=None):
    """The name keywords of each column kind: the ruleset's, else the settings', else ours."""
    return ruleset_kinds or getattr(settings, "SUPERVISION_COLUMN_KINDS", None) or COLUMN_KINDS


def period_table(ruleset_periods=None):
    return {**COLUMN_PERIODS, **(getattr(settings, "SUPERVISION_COLUMN_PERIODS", None) or {}),
            **(ruleset_periods or {})}


def column_kind(name, column_type="", table=None):
    """The kind of a column from its ColumnType meta tag, else its name."""
    table = table or kind_table()
    for text in (column_type, name):
        if not text:
            continue
        for kind, words in table:
            if any(word in text for word in words):
                return kind
    return "other"


def expected_period(kind, top_level, periods=None):
    periods = periods or period_table()
    if kind in TOP_LEVEL_ONLY and not top_level:
        return 0
    return int(periods.get(kind, 0) or 0)


def _iso(value):
    return value.isoformat() if value else None


def _newest(page):
    dates = [d for d in (page.listing_newest, page.pub_date) if d]
    newest = (page.meta or {}).get("_newest_date")
    if newest:
        dates.append(datetime.date.fromisoformat(newest))
    return max(dates) if dates else None


def _read(page):
    """A page the crawl could read (its analysis is stored)."""
    return page.state == ItemState.DONE and bool(page.footer)


# --- Availability ---------------------------------------------------------------------

def availability(record, period):
    end = timezone.make_aware(datetime.datetime.combine(period.until + datetime.timedelta(days=1), datetime.time()))
    start = end - datetime.timedelta(days=AVAILABILITY_DAYS)
    probes = list(Probe.objects.filter(record=record, at__gte=start, at__lt=end).order_by("at"))
    checked = [p for p in probes if p.ok is not None]
    if not checked:
        reason = "近7天没有可判断的可用性监测" if not probes else f"近7天{len(probes)}次监测均无法判断:{probes[-1].error}"
        return not_checked("availability", reason)
    failed = [p for p in checked if p.ok is False]
    days = len({timezone.localtime(p.at).date() for p in checked})
    value = {"probes": len(checked), "failures": len(failed), "failure_ratio": round(len(failed) / len(checked), 4),
             "days": days, "timeout_seconds": settings.SUPERVISION_PROBE_TIMEOUT}
    evidence = [Evidence("监测访问失败", p.url, p.error or f"HTTP {p.status_code}", timezone.localtime(p.at).isoformat())
                for p in failed[:EVIDENCE_CAP]]
    reason = f"近{days}天监测{len(checked)}次,失败{len(failed)}次({value['failure_ratio']:.1%})"
    return Measure("availability", PROBLEM if failed else OK, value, evidence, reason, timezone.now().isoformat())


# --- From the crawl -------------------------------------------------------------------

def home_update(run, pages, period):
    home = next((p for p in pages if p.depth == 0), None)
    if home is None or not _read(home):
        return not_checked("home_update", "首页内容无法读取" + (f":{home.error}" if home and home.error else ""))
    last = _newest(home)
    navigation_only = last is None
    source = home
    if navigation_only:
        seconds = [(p, _newest(p)) for p in pages if p.depth == 1 and _read(p)]
        seconds = [(p, d) for p, d in seconds if d]
        if seconds:
            source, last = max(seconds, key=lambda item: item[1])
    days = (period.until - last).days if last else None
    value = {"last_update": _iso(last), "days_since": days, "navigation_only": navigation_only}
    if last:
        evidence = [Evidence("首页最新信息" if not navigation_only else "首页仅为导航,二级页面最新信息", source.url,
                             f"最新日期 {last.isoformat()},距今{days}天", last.isoformat())]
    else:
        evidence = [Evidence("首页没有带发布日期的信息", home.url)]
    stale = days is None or days > HOME_STALE_DAYS
    reason = f"首页最近更新于{last.isoformat()}({days}天前)" if last else "首页及二级页面没有带日期的信息"
    return Measure("home_update", PROBLEM if stale else OK, value, evidence, reason, _iso(run.finished_at) or "")


def columns_measure(run, pages, period, *, table=None, periods=None):
    groups = {}
    for page in pages:
        if page.depth == 0 or not page.is_listing or not _read(page):
            continue
        column_type = (page.meta or {}).get("ColumnType", "")
        name = page.column or page.title or page.url
        if name in _NOT_COLUMNS or column_type in _NOT_COLUMNS:
            continue
        group = groups.setdefault(name, {"pages": [], "type": column_type})
        group["pages"].append(page)
    columns, evidence = [], []
    for name, group in groups.items():
        first = min(group["pages"], key=lambda p: (p.depth, p.id))
        items = sum(p.listing_items or 0 for p in group["pages"])
        dates = [p.listing_newest for p in group["pages"] if p.listing_newest]
        last = max(dates) if dates else None
        top_level = min(p.depth for p in group["pages"]) <= 1
        kind = column_kind(name, group["type"], table)
        period_days = expected_period(kind, top_level, periods)
        days = (period.until - last).days if last else None
        blank = items == 0
        stale = bool(not blank and period_days and days is not None and days > period_days)
        columns.append({"title": name, "url": first.url, "kind": kind, "top_level": top_level,
                        "period_days": period_days, "last_update": _iso(last), "days_since": days, "blank": blank,
                        "stale": stale, "page_id": None})
        if blank:
            evidence.append(Evidence("空白栏目", first.url, f"「{name}」没有任何信息"))
        elif stale:
            evidence.append(Evidence("栏目未按期更新", first.url,
                                     f"「{name}」最近更新于{last.isoformat()},已{days}天(应{period_days}天内更新)",
                                     last.isoformat()))
    if not columns:
        return not_checked("columns", "抓取的页面中没有识别出栏目列表页")
    kinds = sorted({c["kind"] for c in columns})
    bad = [c for c in columns if c["blank"] or c["stale"]]
    reason = f"识别栏目{len(columns)}个,空白{sum(c['blank'] for c in columns)}个,未按期更新{sum(c['stale'] for c in columns)}个"
    return Measure("columns", PROBLEM if bad else OK, {"columns": columns, "present_kinds": kinds}, evidence, reason,
                   _iso(run.finished_at) or "")


def links_measure(run):
    rows = list(run.links.exclude(state=ItemState.PENDING).order_by("id"))
    checked = [r for r in rows if r.ok is not None]
    if not checked:
        return not_checked("links", "没有可检查的链接" if not rows else "链接均无法检查:" + rows[0].error)
    broken_home, broken_other, evidence = [], [], []
    for row in checked:
        if row.ok:
            continue
        item = {"url": row.url, "found_on": row.found_on, "status": row.status_code, "error": row.error,
                "kind": row.kind}
        (broken_home if row.on_home else broken_other).append(item)
        if len(evidence) < EVIDENCE_CAP:
            where = "首页" if row.on_home else "页面"
            evidence.append(Evidence(f"{where}{row.get_kind_display()}链接不可用", row.url,
                                     f"{row.error or row.status_code};所在页面 {row.found_on}"
                                     + (f";链接文字「{row.text}」" if row.text else "")))
    skipped = len(rows) - len(checked)
    reason = f"检查链接{len(checked)}个,首页不可用{len(broken_home)}个,其他页面不可用{len(broken_other)}个"
    if skipped:
        reason += f";{skipped}个未检查"
    value = {"checked": len(checked), "broken_home": broken_home, "broken_other": broken_other}
    return Measure("links", PROBLEM if broken_home or broken_other else OK, value, evidence, reason,
                   _iso(run.finished_at) or "")


def footer_measure(run, pages):
    read = [p for p in pages if _read(p)]
    if not read:
        return not_checked("footer", "没有可读取的页面")
    missing, evidence = [], []
    for key, label in FOOTER_ITEMS.items():
        lacking = [p for p in read if not p.footer.get(key)]
        if lacking:
            missing.append(label)
            for page in lacking[:3]:
                evidence.append(Evidence(f"页脚缺少{label}", page.url, f"共{len(lacking)}个页面缺少"))
    no_entry = [p.url for p in read if not p.footer.get("error_entry")]
    for url in no_entry[:3]:
        evidence.append(Evidence(f"页脚缺少“{ERROR_ENTRY}”入口", url, f"共{len(no_entry)}个页面缺少"))
    value = {"pages": len(read), "missing": missing, "error_entry_missing": no_entry[:50]}
    reason = f"检查{len(read)}个页面" + (f",缺少:{'、'.join(missing)}" if missing else ",页脚标识齐全") + \
        (f";{len(no_entry)}个页面没有“{ERROR_ENTRY}”" if no_entry else "")
    return Measure("footer", PROBLEM if missing or no_entry else OK, value, evidence, reason,
                   _iso(run.finished_at) or "")


def required_meta(page):
    names = list(SITE_META)
    if page.depth == 0:
        return names
    names += COLUMN_META
    if (page.meta or {}).get("_article"):
        names += ARTICLE_META
    return names


def sample(pages, count):
    if len(pages) <= count:
        return list(pages)
    step = len(pages) / count
    return [pages[int(i * step)] for i in range(count)]


def meta_measure(run, pages):
    read = [p for p in pages if _read(p)]
    if not read:
        return not_checked("meta", "没有可读取的页面")
    read.sort(key=lambda p: (p.depth != 0, p.id))
    chosen = [read[0]] + sample(read[1:], META_SAMPLE - 1)
    lacking, evidence = [], []
    for page in chosen:
        missing = [name for name in required_meta(page) if not (page.meta or {}).get(name)]
        if missing:
            lacking.append({"url": page.url, "missing": missing})
            evidence.append(Evidence("页面缺少元数据", page.url, "、".join(missing)))
    reason = f"抽查{len(chosen)}个页面,{len(lacking)}个缺少元数据"
    return Measure("meta", PROBLEM if lacking else OK, {"pages": len(chosen), "lacking": lacking}, evidence, reason,
                   _iso(run.finished_at) or "")


def observed(run, code):
    row = Observation.objects.filter(run=run, code=code).order_by("-at", "-id").first()
    if row is None:
        return not_checked(code, "本次抓取未完成此项检查")
    return Measure(code, row.state, row.value or {}, [Evidence.from_dict(e) for e in row.evidence or []],
                   row.reason, row.at.isoformat())


def screening_measure(run):
    measure = observed(run, "screening")
    if measure.state != NOT_CHECKED:
        measure.value = {"hits": [{k: h.get(k, "") for k in ("url", "term", "label", "severity", "context")}
                                  for h in measure.value.get("hits", [])]}
    return measure


# --- The builder ----------------------------------------------------------------------

def measures(record, period):
    """Every measure read over HTTP of ``record`` for ``period``."""
    result = [availability(record, period)]
    run = latest_run(record, period.until)
    if run is None:
        return result + [not_checked(code, "尚未完成抓取") for code in CRAWL_CODES]
    if run.status == RunStatus.UNREACHABLE:
        reason = f"网站无法访问({timezone.localtime(run.started_at):%Y-%m-%d %H:%M}):{run.error}"[:300]
        return result + [not_checked(code, reason) for code in CRAWL_CODES]
    pages = list(run.pages.exclude(state=ItemState.PENDING).order_by("id"))
    kinds, periods = ruleset_tables()
    result += [
        home_update(run, pages, period),
        columns_measure(run, pages, period, table=kind_table(kinds), periods=period_table(periods)),
        links_measure(run),
        footer_measure(run, pages),
        meta_measure(run, pages),
        screening_measure(run),
        observed(run, "search"),
        observed(run, "ipv6"),
        observed(run, "https"),
    ]
    return result
