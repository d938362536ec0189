"""The indicator engine: a ruleset (data) applied to a site's measurements.

Every rule names an evaluator (:data:`EVALUATORS`): a small function that reads the
measures (``measures.Measurements``) and the rule's params, and answers with the
items it found (each with its points and the evidence an editor acts on), or says
the rule could not be checked and why. The engine then applies the indicators' own
arithmetic, which is the same whatever the rules say:

- any veto item hit → 不合格, and no score;
- otherwise deductions from 100: each rule at most its ``cap``, each category at
  most its points;
- a unit without external services skips the services category, and its score is
  rescaled to 100 (100 / points of the categories kept: ×4/3 for the 2019 table);
- the pass mark decides 合格; a pass below the risk mark is 有风险;
- bonus points only above the bonus threshold, only for the ruleset's site kinds,
  at most the bonus cap (kept apart from the score);
- when no veto or deduction rule could be checked at all (nothing was measured),
  there is no score and the verdict is 未评定: a site nobody could measure neither
  passes nor fails.

A rule whose measure was not taken is listed as 未检测 with the reason: never
scored, never guessed. The engine reads rules through plain attributes (a stored
``Rule`` or anything with the same fields), so a ruleset being edited can be tried.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .measures import CHECK_LABELS, NOT_CHECKED, Evidence

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
DETAIL_ITEMS = 5  # findings named in a deduction's one-line detail; the rest are counted


def dec(value):
    return value if isinstance(value, Decimal) else Decimal(str(value))


def q2(value):
    return dec(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- What an evaluator answers -----------------------------------------------------------

@dataclass
class Hit:
    """One thing found: ``points`` it takes off (or adds), None for the rule's amount."""

    detail: str
    evidence: list = field(default_factory=list)  # of Evidence
    points: Decimal | None = None
    check: str = ""


@dataclass
class Outcome:
    """An evaluator's answer: the hits (none: clear), or not checked with a reason."""

    hits: list = field(default_factory=list)
    checked: bool = True
    reason: str = ""
    check: str = ""

    @classmethod
    def skip(cls, check, reason):
        return cls(checked=False, reason=reason, check=check)


def _ev(what, url="", detail="", at=""):
    return Evidence(what=str(what), url=url or "", detail=detail or "", at=at or "")


def _measure(measurements, code):
    """The measure of ``code`` if it was taken, else an Outcome saying why not."""
    measure = measurements.get(code)
    if measure.state == NOT_CHECKED:
        return None, Outcome.skip(code, measure.reason or f"{CHECK_LABELS.get(code, code)}未检测")
    return measure, None


# --- The evaluators ----------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    """A param of an evaluator: its type (int, float, bool, str, list), bounds and default."""

    type: type
    default: object
    minimum: float | None = None
    maximum: float | None = None
    label: str = ""


@dataclass(frozen=True)
class Evaluator:
    function: object
    checks: tuple
    label: str
    params: dict = field(default_factory=dict)
    measurable: bool = True


EVALUATORS = {}


def evaluator(name, *, checks, label, params=None, measurable=True):
    def register(function):
        EVALUATORS[name] = Evaluator(function, tuple(checks), label, dict(params or {}), measurable)
        return function
    return register


# Params every rule may have, whatever its evaluator: the kinds of site it applies to
# (empty: every kind). A rule that does not apply to a site is left out of its
# scorecard (neither scored nor "not checked").
COMMON_PARAMS = {"site_kinds": Param(list, [], label="适用网站类别")}


def params_of(rule):
    """The rule's params over the evaluator's defaults."""
    spec = EVALUATORS[rule.evaluator]
    given = rule.params if isinstance(rule.params, dict) else {}
    return {name: given.get(name, p.default) for name, p in spec.params.items()}


def applies_to(rule, site_kind):
    kinds = rule.params.get("site_kinds") if isinstance(rule.params, dict) else None
    return not kinds or not isinstance(kinds, list) or site_kind in kinds


def points(rule, value=None):
    return dec(rule.amount) if value is None else dec(value)


@evaluator("not_measurable", checks=(), label="需人工核查(不自动评分)",
           params={"reason": Param(str, "需人工核查", label="原因")}, measurable=False)
def _not_measurable(measurements, rule, params):
    return Outcome.skip("", params["reason"] or "需人工核查")


@evaluator("screening_serious", checks=("screening",), label="严重错误和不良内容",
           params={"severities": Param(list, ["serious", "banned"], label="严重程度")})
def _screening_serious(measurements, rule, params):
    measure, skipped = _measure(measurements, "screening")
    if skipped:
        return skipped
    wanted = set(params["severities"])
    hits = [Hit(f"页面出现“{h.get('term', '')}”({h.get('label', '')})",
                [_ev(h.get("label") or "内容问题", h.get("url", ""), h.get("context", ""))], check="screening")
            for h in measure.value.get("hits") or [] if h.get("severity") in wanted]
    return Outcome(hits, check="screening")


@evaluator("integrity_unhandled", checks=("integrity",), label="网页被篡改未及时处置",
           params={"limit_minutes": Param(int, 60, 0, 100000, "处置时限(分钟)")})
def _integrity_unhandled(measurements, rule, params):
    measure, skipped = _measure(measurements, "integrity")
    if skipped:
        return skipped
    hits = [Hit(f"文件 {e.get('path', '')} 被篡改,{e.get('minutes_open')} 分钟未恢复",
                [_ev("防篡改事件", e.get("path", ""), e.get("kind", ""), e.get("at", ""))], check="integrity")
            for e in measure.value.get("unhandled") or []
            if e.get("minutes_open") is None or e["minutes_open"] > params["limit_minutes"]]
    return Outcome(hits, check="integrity")


@evaluator("availability", checks=("availability",), label="网站无法访问",
           params={"max_failure_ratio": Param(float, 0.05, 0, 1, "失败比例"),
                   "min_probes": Param(int, 20, 1, 100000, "最少探测次数")})
def _availability(measurements, rule, params):
    measure, skipped = _measure(measurements, "availability")
    if skipped:
        return skipped
    value = measure.value
    probes = int(value.get("probes") or 0)
    if probes < params["min_probes"]:
        return Outcome.skip("availability", f"探测次数不足({probes}次,至少需{params['min_probes']}次)")
    ratio = float(value.get("failure_ratio") or 0)
    if ratio < params["max_failure_ratio"]:
        return Outcome(check="availability")
    detail = f"{probes}次访问中{value.get('failures', 0)}次失败({ratio:.1%}),达到{params['max_failure_ratio']:.0%}"
    return Outcome([Hit(detail, list(measure.evidence), check="availability")], check="availability")


@evaluator("home_update", checks=("home_update",), label="首页不更新",
           params={"days": Param(int, 14, 1, 3650, "天数")})
def _home_update(measurements, rule, params):
    measure, skipped = _measure(measurements, "home_update")
    if skipped:
        return skipped
    days = measure.value.get("days_since")
    if days is not None and days <= params["days"]:
        return Outcome(check="home_update")
    detail = ("首页没有标明发布日期的更新内容" if days is None
              else f"首页已{days}天未更新(超过{params['days']}天)")
    return Outcome([Hit(detail, list(measure.evidence), check="home_update")], check="home_update")


def _columns(measurements):
    measure, skipped = _measure(measurements, "columns")
    if skipped:
        return None, skipped
    return measure.value.get("columns") or [], None


def _column_ev(column, detail):
    return _ev(f"栏目“{column.get('title', '')}”", column.get("url", ""), detail, column.get("last_update") or "")


def _late(column, days):
    since = column.get("days_since")
    return not column.get("blank") and since is not None and since > days


def _veto_count(found, minimum, what, check="columns"):
    if len(found) < minimum:
        return Outcome(check=check)
    detail = f"{what}{len(found)}个(达到{minimum}个)"
    return Outcome([Hit(detail, [ev for _c, ev in found], check=check)], check=check)


@evaluator("columns_key_stale", checks=("columns",), label="重点栏目不更新",
           params={"news_days": Param(int, 14, 1, 3650, "动态类栏目天数"),
                   "notices_days": Param(int, 182, 1, 3650, "通知公告、政策文件栏目天数"),
                   "minimum": Param(int, 5, 1, 1000, "栏目个数")})
def _columns_key_stale(measurements, rule, params):
    columns, skipped = _columns(measurements)
    if skipped:
        return skipped
    found = []
    for c in columns:
        if c.get("kind") == "news" and _late(c, params["news_days"]):
            found.append((c, _column_ev(c, f"{c['days_since']}天未更新(动态类要求{params['news_days']}天内)")))
        elif c.get("kind") in ("notices", "policy") and c.get("top_level") and _late(c, params["notices_days"]):
            found.append((c, _column_ev(c, f"{c['days_since']}天未更新(要求{params['notices_days']}天内)")))
    return _veto_count(found, params["minimum"], "动态、通知公告、政策文件类栏目未按期更新")


@evaluator("columns_unupdated", checks=("columns",), label="应更新未更新栏目",
           params={"minimum": Param(int, 10, 1, 1000, "栏目个数")})
def _columns_unupdated(measurements, rule, params):
    columns, skipped = _columns(measurements)
    if skipped:
        return skipped
    found = [(c, _column_ev(c, f"{c.get('days_since')}天未更新(更新周期{c.get('period_days')}天)"))
             for c in columns if c.get("stale") and not c.get("blank")]
    return _veto_count(found, params["minimum"], "应更新而未更新的栏目")


@evaluator("columns_blank", checks=("columns",), label="空白栏目",
           params={"minimum": Param(int, 5, 1, 1000, "栏目个数")})
def _columns_blank(measurements, rule, params):
    columns, skipped = _columns(measurements)
    if skipped:
        return skipped
    found = [(c, _column_ev(c, "开设以来没有内容")) for c in columns if c.get("blank")]
    return _veto_count(found, params["minimum"], "空白栏目")


@evaluator("column_kind", checks=("columns",), label="栏目缺失或不更新",
           params={"kinds": Param(list, ["news"], label="栏目类型"),
                   "missing_points": Param(float, 5, 0, 100, "栏目缺失扣分"),
                   "stale_days": Param(int, 0, 0, 3650, "更新天数(0:按栏目的更新周期)"),
                   "top_level_only": Param(bool, False, label="只看一级栏目")})
def _column_kind(measurements, rule, params):
    measure, skipped = _measure(measurements, "columns")
    if skipped:
        return skipped
    kinds = set(params["kinds"])
    columns = [c for c in measure.value.get("columns") or [] if c.get("kind") in kinds]
    present = set(measure.value.get("present_kinds") or []) | {c.get("kind") for c in columns}
    if not kinds & present:
        return Outcome([Hit(f"没有{rule.name}栏目", [_ev(f"缺少{rule.name}栏目")],
                            points=dec(params["missing_points"]), check="columns")], check="columns")
    hits = []
    for c in columns:
        if params["top_level_only"] and not c.get("top_level"):
            continue
        days = params["stale_days"] or c.get("period_days") or 0
        if c.get("blank"):
            hits.append(Hit(f"栏目“{c.get('title')}”没有内容", [_column_ev(c, "开设以来没有内容")], check="columns"))
        elif days and _late(c, days):
            hits.append(Hit(f"栏目“{c.get('title')}”{c['days_since']}天未更新",
                            [_column_ev(c, f"{c['days_since']}天未更新(要求{days}天内)")], check="columns"))
    return Outcome(hits, check="columns")


@evaluator("columns_other", checks=("columns",), label="其他栏目空白或不更新",
           params={"exclude_kinds": Param(list, ["news", "policy", "interpretation", "overview", "organisation",
                                                 "leaders"], label="不计的栏目类型"),
                   "blank_points": Param(float, 2, 0, 100, "空白栏目扣分"),
                   "stale_points": Param(float, 1, 0, 100, "不更新栏目扣分")})
def _columns_other(measurements, rule, params):
    columns, skipped = _columns(measurements)
    if skipped:
        return skipped
    hits = []
    for c in columns:
        if c.get("kind") in params["exclude_kinds"]:
            continue
        if c.get("blank"):
            hits.append(Hit(f"栏目“{c.get('title')}”空白", [_column_ev(c, "开设以来没有内容")],
                            points=dec(params["blank_points"]), check="columns"))
        elif c.get("stale"):
            hits.append(Hit(f"栏目“{c.get('title')}”{c.get('days_since')}天未更新",
                            [_column_ev(c, f"{c.get('days_since')}天未更新(更新周期{c.get('period_days')}天)")],
                            points=dec(params["stale_points"]), check="columns"))
    return Outcome(hits, check="columns")


@evaluator("documents_uninterpreted", checks=("documents",), label="政策文件没有解读",
           params={"sample": Param(int, 3, 1, 100, "抽查件数")})
def _documents_uninterpreted(measurements, rule, params):
    measure, skipped = _measure(measurements, "documents")
    if skipped:
        return skipped
    sampled = (measure.value.get("sampled") or [])[:params["sample"]]
    if not sampled:
        return Outcome.skip("documents", "没有可抽查的政策文件")
    hits = [Hit(f"《{d.get('title')}》没有政策解读", [_ev(f"文件《{d.get('title')}》", d.get("url", ""), "没有解读")],
                check="documents") for d in sampled if not d.get("has_interpretation")]
    return Outcome(hits, check="documents")


@evaluator("documents_missing_links", checks=("documents",), label="文件与解读未相互关联")
def _documents_missing_links(measurements, rule, params):
    measure, skipped = _measure(measurements, "documents")
    if skipped:
        return skipped
    hits = [Hit(f"《{m.get('title')}》{m.get('direction', '')}",
                [_ev(f"《{m.get('title')}》", m.get("url", ""), m.get("direction", ""))], check="documents")
            for m in measure.value.get("missing_links") or []]
    return Outcome(hits, check="documents")


@evaluator("services_unusable", checks=("guides",), label="服务不实用",
           params={"lacking_min": Param(int, 5, 1, 1000, "缺要素事项数"),
                   "none_is_veto": Param(bool, True, label="没有办事指南即否决")})
def _services_unusable(measurements, rule, params):
    measure, skipped = _measure(measurements, "guides")
    if skipped:
        return skipped
    total = int(measure.value.get("total") or 0)
    lacking = int(measure.value.get("lacking_four_or_more") or 0)
    evidence = [_ev(f"办事指南“{g.get('title')}”", g.get("url", ""), "缺少:" + "、".join(g.get("missing") or []))
                for g in measure.value.get("sample") or [] if len(g.get("missing") or []) >= 4]
    if total == 0:
        if not params["none_is_veto"]:
            return Outcome(check="guides")
        return Outcome([Hit("没有提供在线办事服务(无办事指南)", [_ev("办事指南0项")], check="guides")], check="guides")
    if lacking >= params["lacking_min"] or (total < params["lacking_min"] and lacking == total):
        return Outcome([Hit(f"{total}项办事指南中{lacking}项缺少4个以上要素", evidence, check="guides")],
                       check="guides")
    return Outcome(check="guides")


@evaluator("guides_sample", checks=("guides",), label="办事指南要素",
           params={"sample": Param(int, 5, 1, 100, "抽查事项数"),
                   "none_points": Param(float, 4, 0, 100, "没有办事指南扣分"),
                   "missing_points": Param(float, 0.5, 0, 100, "每缺一个要素扣分"),
                   "unclear_material_points": Param(float, 1, 0, 100, "材料形式不明确扣分"),
                   "catch_all_points": Param(float, 2, 0, 100, "兜底性表述扣分"),
                   "unlinked_policy_points": Param(float, 0.5, 0, 100, "政策未给出原文扣分")})
def _guides_sample(measurements, rule, params):
    measure, skipped = _measure(measurements, "guides")
    if skipped:
        return skipped
    if not int(measure.value.get("total") or 0):
        return Outcome([Hit("没有办事指南", [_ev("办事指南0项")], points=dec(params["none_points"]), check="guides")],
                       check="guides")
    by_kind = {"unclear_material": "unclear_material_points", "catch_all": "catch_all_points",
               "unlinked_policy": "unlinked_policy_points"}
    hits = []
    for g in (measure.value.get("sample") or [])[:params["sample"]]:
        title, url = g.get("title", ""), g.get("url", "")
        for label in g.get("missing") or []:
            hits.append(Hit(f"“{title}”缺少{label}", [_ev(f"办事指南“{title}”", url, f"缺少{label}")],
                            points=dec(params["missing_points"]), check="guides"))
        for problem in g.get("problems") or []:
            key = by_kind.get(problem.get("kind"))
            if key:
                hits.append(Hit(f"“{title}”{problem.get('message')}",
                                [_ev(f"办事指南“{title}”", url, problem.get("message", ""))],
                                points=dec(params[key]), check="guides"))
    return Outcome(hits, check="guides")


@evaluator("guides_without_forms", checks=("guides",), label="表格样表不可下载")
def _guides_without_forms(measurements, rule, params):
    measure, skipped = _measure(measurements, "guides")
    if skipped:
        return skipped
    names = measure.value.get("without_forms_titles") or []
    count = measure.value.get("without_forms")
    if count is None:
        return Outcome.skip("guides", "未统计表格下载")
    hits = [Hit(f"“{t}”没有可下载的表格或样表", [_ev(f"办事指南“{t}”", detail="没有空白表格或示范样表")],
                check="guides") for t in names[:int(count)]]
    hits += [Hit("办事指南没有可下载的表格或样表", check="guides") for _ in range(int(count) - len(hits))]
    return Outcome(hits, check="guides")


def _interaction(measurements):
    return _measure(measurements, "interaction")


@evaluator("interaction_veto", checks=("interaction",), label="互动回应差",
           params={"days": Param(int, 90, 1, 3650, "未回复天数")})
def _interaction_veto(measurements, rule, params):
    measure, skipped = _interaction(measurements)
    if skipped:
        return skipped
    if not measure.value.get("has_channel"):
        return Outcome([Hit("没有可用的在线咨询建议渠道", list(measure.evidence), check="interaction")],
                       check="interaction")
    late = [u for u in measure.value.get("unanswered_over_limit") or [] if (u.get("days_open") or 0) > params["days"]]
    if not late:
        return Outcome(check="interaction")
    evidence = [_ev(f"来信 {u.get('serial')}", detail=f"{u.get('days_open')}天未回复", at=u.get("received_at", ""))
                for u in late]
    return Outcome([Hit(f"{len(late)}件有效留言超过{params['days']}天未回复", evidence, check="interaction")],
                   check="interaction")


@evaluator("interaction_channel", checks=("interaction",), label="留言渠道")
def _interaction_channel(measurements, rule, params):
    measure, skipped = _interaction(measurements)
    if skipped:
        return skipped
    if measure.value.get("has_channel"):
        return Outcome(check="interaction")
    return Outcome([Hit("没有在线留言渠道", list(measure.evidence), check="interaction")], check="interaction")


@evaluator("interaction_published", checks=("interaction",), label="留言办理公开",
           params={"sample": Param(int, 5, 1, 100, "抽查件数"),
                   "none_points": Param(float, 6, 0, 100, "未公开扣分"),
                   "missing_points": Param(float, 1, 0, 100, "每件缺要素扣分"),
                   "stale_days": Param(int, 61, 1, 3650, "公开更新天数"),
                   "stale_points": Param(float, 3, 0, 100, "未按期更新扣分"),
                   "no_statistics_points": Param(float, 3, 0, 100, "未公开统计扣分")})
def _interaction_published(measurements, rule, params):
    measure, skipped = _interaction(measurements)
    if skipped:
        return skipped
    value = measure.value
    if not value.get("published") and value.get("received") == 0:
        return Outcome.skip("interaction", "过去一年没有收到来信,无可公开的留言")
    if not value.get("published"):
        return Outcome([Hit("没有公开留言办理情况", [_ev("公开留言0件")], points=dec(params["none_points"]),
                            check="interaction")], check="interaction")
    labels = {"received_at": "留言时间", "replied_at": "答复时间", "unit": "答复单位", "reply": "答复内容"}
    hits = [Hit(f"来信 {s.get('serial')} 公开时缺少" + "、".join(labels.get(f, f) for f in s.get("missing")),
                [_ev(f"来信 {s.get('serial')}", detail="缺少" + "、".join(labels.get(f, f) for f in s["missing"]))],
                points=dec(params["missing_points"]), check="interaction")
            for s in (value.get("sample") or [])[:params["sample"]] if s.get("missing")]
    days = value.get("days_since_published")
    if days is not None and days > params["stale_days"]:
        hits.append(Hit(f"留言公开已{days}天未更新", [_ev("最近一次公开", detail=f"{days}天前")],
                        points=dec(params["stale_points"]), check="interaction"))
    if not value.get("has_statistics"):
        hits.append(Hit("没有公开留言办理统计", [_ev("留言统计")], points=dec(params["no_statistics_points"]),
                        check="interaction"))
    return Outcome(hits, check="interaction")


@evaluator("interaction_late", checks=("interaction",), label="答复不及时",
           params={"working_days": Param(int, 5, 1, 365, "工作日"), "sample": Param(int, 2, 1, 100, "计入件数")})
def _interaction_late(measurements, rule, params):
    measure, skipped = _interaction(measurements)
    if skipped:
        return skipped
    late = [a for a in measure.value.get("late_answers") or [] if (a.get("working_days") or 0) > params["working_days"]]
    hits = [Hit(f"来信 {a.get('serial')} {a.get('working_days')}个工作日才答复",
                [_ev(f"来信 {a.get('serial')}", detail=f"{a.get('working_days')}个工作日答复", at=a.get("received_at", ""))],
                check="interaction") for a in late[:params["sample"]]]
    return Outcome(hits, check="interaction")


@evaluator("footer_missing", checks=("footer",), label="页脚标识缺失")
def _footer_missing(measurements, rule, params):
    measure, skipped = _measure(measurements, "footer")
    if skipped:
        return skipped
    hits = [Hit(f"页脚缺少{name}", [e for e in measure.evidence if name in (e.what + e.detail)][:5], check="footer")
            for name in measure.value.get("missing") or []]
    return Outcome(hits, check="footer")


@evaluator("broken_links", checks=("links",), label="链接不可用",
           params={"home_points": Param(float, 0.2, 0, 100, "首页每个扣分"),
                   "other_points": Param(float, 0.1, 0, 100, "其他页面每个扣分")})
def _broken_links(measurements, rule, params):
    measure, skipped = _measure(measurements, "links")
    if skipped:
        return skipped

    def hit(link, where, pts):
        status = link.get("status") or link.get("error") or ""
        return Hit(f"{where}链接不可用:{link.get('url')}",
                   [_ev(f"{where}不可用链接", link.get("url", ""), f"{status} 所在页面 {link.get('found_on', '')}".strip())],
                   points=dec(pts), check="links")

    hits = [hit(link, "首页", params["home_points"]) for link in measure.value.get("broken_home") or []]
    hits += [hit(link, "", params["other_points"]) for link in measure.value.get("broken_other") or []]
    return Outcome(hits, check="links")


@evaluator("error_report", checks=("footer", "error_report"), label="我为政府网站找错",
           params={"entry_points": Param(float, 3, 0, 100, "页脚缺入口扣分"),
                   "working_days": Param(int, 3, 1, 365, "答复工作日")})
def _error_report(measurements, rule, params):
    footer = measurements.get("footer")
    report = measurements.get("error_report")
    if footer.state == NOT_CHECKED and report.state == NOT_CHECKED:
        return Outcome.skip("error_report", report.reason or footer.reason or "未检测")
    hits = []
    pages = footer.value.get("error_entry_missing") or [] if footer.state != NOT_CHECKED else []
    if pages:
        evidence = [_ev("页脚没有“我为政府网站找错”入口", p if isinstance(p, str) else p.get("url", "")) for p in pages]
        hits.append(Hit(f"{len(pages)}个页面的页脚没有“我为政府网站找错”入口", evidence[:10],
                        points=dec(params["entry_points"]), check="footer"))
    if report.state != NOT_CHECKED:
        for late in report.value.get("late") or []:
            if (late.get("working_days") or 0) > params["working_days"]:
                hits.append(Hit(f"纠错留言 {late.get('serial')} {late.get('working_days')}个工作日才办理",
                                [_ev(f"纠错留言 {late.get('serial')}", at=late.get("received_at", ""),
                                     detail=f"{late.get('working_days')}个工作日")], check="error_report"))
    return Outcome(hits, check="error_report")


@evaluator("live_data_silent", checks=("live_data",), label="实时数据中断")
def _live_data_silent(measurements, rule, params):
    measure, skipped = _measure(measurements, "live_data")
    if skipped:
        return skipped
    hits = [Hit(e.detail, [e], check="live_data") for e in measure.evidence]
    return Outcome(hits, check="live_data")


@evaluator("site_search", checks=("search",), label="站内搜索",
           params={"none_points": Param(float, 4, 0, 100, "没有搜索扣分"),
                   "ungrouped_points": Param(float, 1, 0, 100, "未分类扣分")})
def _site_search(measurements, rule, params):
    measure, skipped = _measure(measurements, "search")
    if skipped:
        return skipped
    value = measure.value
    if not value.get("present"):
        return Outcome([Hit("没有站内搜索", list(measure.evidence), points=dec(params["none_points"]), check="search")],
                       check="search")
    hits = [Hit(f"搜索“{t}”首页结果中没有该信息", [_ev("搜索测试", detail=t)], check="search")
            for t in value.get("not_found") or []]
    if value.get("grouped") is False:
        hits.append(Hit("搜索结果未按类别区分", [_ev("搜索结果")], points=dec(params["ungrouped_points"]),
                        check="search"))
    return Outcome(hits, check="search")


@evaluator("meta_lacking", checks=("meta",), label="页面元数据")
def _meta_lacking(measurements, rule, params):
    measure, skipped = _measure(measurements, "meta")
    if skipped:
        return skipped
    hits = [Hit(f"页面缺少元数据:{'、'.join(p.get('missing') or [])}",
                [_ev("缺少元数据的页面", p.get("url", ""), "、".join(p.get("missing") or []))], check="meta")
            for p in measure.value.get("lacking") or []]
    return Outcome(hits, check="meta")


@evaluator("ipv6", checks=("ipv6",), label="IPv6")
def _ipv6(measurements, rule, params):
    measure, skipped = _measure(measurements, "ipv6")
    if skipped:
        return skipped
    if measure.value.get("has_aaaa") is None:
        return Outcome.skip("ipv6", measure.reason or "无法判断")
    if measure.value["has_aaaa"]:
        return Outcome(check="ipv6")
    return Outcome([Hit("网站域名没有IPv6地址(AAAA记录)", list(measure.evidence), check="ipv6")], check="ipv6")


# Bonus evaluators: an item found is a merit.

@evaluator("bonus_columns_fresh", checks=("columns",), label="栏目全部按期更新")
def _bonus_columns_fresh(measurements, rule, params):
    columns, skipped = _columns(measurements)
    if skipped:
        return skipped
    if not columns or any(c.get("blank") or c.get("stale") for c in columns):
        return Outcome(check="columns")
    return Outcome([Hit(f"{len(columns)}个栏目全部按期更新、没有空白栏目", check="columns")], check="columns")


@evaluator("bonus_fast_answers", checks=("interaction",), label="留言快速答复",
           params={"min_share": Param(float, 0.8, 0, 1, "比例"), "min_answers": Param(int, 5, 1, 100000, "最少答复数")})
def _bonus_fast_answers(measurements, rule, params):
    measure, skipped = _interaction(measurements)
    if skipped:
        return skipped
    answered = int(measure.value.get("answered") or 0)
    fast = int(measure.value.get("answered_within_one_day") or 0)
    if answered < params["min_answers"]:
        return Outcome(check="interaction")
    if fast / answered < params["min_share"]:
        return Outcome(check="interaction")
    return Outcome([Hit(f"{answered}件答复中{fast}件在1个工作日内答复", check="interaction")], check="interaction")


def evaluate_rule(rule, measurements):
    """One rule's :class:`Outcome` (an unknown evaluator or a broken measure is
    reported as not checked, never as a problem)."""
    spec = EVALUATORS.get(rule.evaluator)
    if spec is None:
        return Outcome.skip("", f"未知的检查方法“{rule.evaluator}”")
    try:
        return spec.function(measurements, rule, params_of(rule))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:  # a measure of an unexpected shape
        check = spec.checks[0] if spec.checks else ""
        return Outcome.skip(check, f"测量数据格式不正确:{type(exc).__name__}")


# --- The arithmetic ----------------------------------------------------------------------

@dataclass
class Result:
    verdict: str  # models.Verdict values
    score: Decimal | None
    bonus: Decimal
    vetoes: list
    deductions: list
    bonuses: list
    not_checked: list
    categories: list
    ruleset_id: int | None = None

    @property
    def total(self):
        return None if self.score is None else self.score + self.bonus

    def to_dict(self):
        """The JSON shapes of the Scorecard model's docstring."""
        return {"verdict": self.verdict, "score": None if self.score is None else float(self.score),
                "bonus": float(self.bonus), "vetoes": self.vetoes, "deductions": self.deductions,
                "bonuses": self.bonuses, "not_checked": self.not_checked, "categories": self.categories}


def _detail(hits):
    named = [h.detail for h in hits[:DETAIL_ITEMS]]
    more = len(hits) - len(named)
    return ";".join(named) + (f" 等{len(hits)}项" if more > 0 else "")


def _item(rule, outcome, taken):
    evidence = [e.to_dict() for h in outcome.hits for e in h.evidence]
    check = outcome.check or next((h.check for h in outcome.hits if h.check), "")
    return {"rule": rule.code, "name": rule.name, "category": rule.category or "", "check": check,
            "points": float(q2(taken)), "detail": _detail(outcome.hits), "evidence": evidence}


def _rule_total(rule, outcome):
    total = sum((points(rule, h.points) for h in outcome.hits), ZERO)
    if rule.cap is not None:
        total = min(total, dec(rule.cap))
    return max(total, ZERO)


def _items(ruleset, attr):
    value = getattr(ruleset, attr)
    return list(value.all()) if hasattr(value, "all") else list(value)


# A score is given only when the site itself was read: its home page and its columns.
# Without them most deductions could not be looked for, and the score would be high
# for a site nobody could see (an unreachable site is 未评定, never 100).
READ_FOR_A_SCORE = ("home_update", "columns")


def evaluate(ruleset, measurements, *, site_kind, external_services=True):
    """The verdict of ``measurements`` under ``ruleset`` (see the module's docstring)."""
    from .models import RuleKind, Verdict

    categories = sorted(_items(ruleset, "categories"), key=lambda c: (c.sort_order, c.code))
    skipped = {c.code for c in categories if c.is_services and not external_services}
    kept_points = sum((dec(c.points) for c in categories if c.code not in skipped), ZERO)
    deducted = {c.code: ZERO for c in categories}
    vetoes, deductions, bonuses, not_checked = [], [], [], []
    bonus_total = ZERO

    rules = sorted((r for r in _items(ruleset, "rules") if r.enabled), key=lambda r: (r.sort_order, r.code))
    judged = 0  # veto and deduction rules that could be checked
    for rule in rules:
        if rule.category and rule.category in skipped or not applies_to(rule, site_kind):
            continue
        outcome = evaluate_rule(rule, measurements)
        if not outcome.checked:
            not_checked.append({"rule": rule.code, "name": rule.name, "check": outcome.check, "reason": outcome.reason})
            continue
        judged += rule.kind in (RuleKind.VETO, RuleKind.DEDUCTION)
        if not outcome.hits:
            continue
        if rule.kind == RuleKind.VETO:
            vetoes.append(_item(rule, outcome, ZERO))
        elif rule.kind == RuleKind.DEDUCTION:
            total = _rule_total(rule, outcome)
            room = next((dec(c.points) for c in categories if c.code == rule.category), ZERO) - deducted.get(
                rule.category, ZERO)
            taken = min(total, max(room, ZERO))
            deducted[rule.category] = deducted.get(rule.category, ZERO) + taken
            deductions.append(_item(rule, outcome, taken))
        elif rule.kind == RuleKind.BONUS:
            total = _rule_total(rule, outcome)
            bonuses.append(_item(rule, outcome, total))
            bonus_total += total

    category_rows = [{"code": c.code, "name": c.name, "points": float(dec(c.points)),
                      "deducted": float(q2(deducted[c.code])), "skipped": c.code in skipped} for c in categories]
    if vetoes:
        for b in bonuses:
            b["points"] = 0.0
        return Result(Verdict.FAIL, None, ZERO, vetoes, deductions, bonuses, not_checked, category_rows,
                      getattr(ruleset, "pk", None))

    unread = [code for code in READ_FOR_A_SCORE if not measurements.get(code).checked]
    if not judged or unread:  # the site itself not read (the reasons are in not_checked): no verdict guessed
        for b in bonuses:
            b["points"] = 0.0
        return Result(Verdict.UNSCORED, None, ZERO, vetoes, deductions, bonuses, not_checked, category_rows,
                      getattr(ruleset, "pk", None))

    lost = sum((deducted[c.code] for c in categories if c.code not in skipped), ZERO)
    raw = kept_points - lost
    score = q2(raw * HUNDRED / kept_points) if kept_points > 0 else ZERO
    score = max(score, ZERO)
    passed = score >= dec(ruleset.pass_mark)
    kinds = {k.strip() for k in (ruleset.bonus_site_kinds or "").split(",") if k.strip()}
    bonus = ZERO
    if passed and score > dec(ruleset.bonus_threshold) and site_kind in kinds:
        bonus = q2(min(bonus_total, dec(ruleset.bonus_cap)))
    _spread(bonuses, bonus)
    if not passed:
        verdict = Verdict.FAIL
    elif score < dec(ruleset.risk_mark):
        verdict = Verdict.AT_RISK
    else:
        verdict = Verdict.PASS
    return Result(verdict, score, bonus, vetoes, deductions, bonuses, not_checked, category_rows,
                  getattr(ruleset, "pk", None))


def _spread(bonuses, granted):
    """Each bonus item's points after the cap (none granted: every item 0)."""
    left = granted
    for item in bonuses:
        take = min(dec(item["points"]), left)
        item["points"] = float(q2(take))
        left -= take
