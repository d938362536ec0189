"""The indicators as data: the 2019 table (国办秘函〔2019〕19号) as the default
ruleset, the validation of a ruleset a supervisor enters, and the services that save,
copy and activate a version.

Point values and thresholds are data, not code (the reference says so: the official
text could not be checked line by line, and the rules change). A rule names its
evaluator (``engine.EVALUATORS``) and its params; a rule a machine cannot judge
(single login, browser compatibility, accuracy, evasive answers) is present with the
``not_measurable`` evaluator, so it shows as 未检测 with its reason and is never
guessed.

Versions: a ruleset that has been active is never changed; saving it makes a new
version (a draft), so every scorecard keeps naming the version it was computed with.
A draft is changed in place. One version is active at a time; activating another
retires the one before, in one transaction, with an audit entry.
"""

import copy
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max

from guard import audit
from orgs.errors import DomainError, PermissionRefused
from orgs.models import Membership, Role

from .engine import COMMON_PARAMS, EVALUATORS
from .models import Rule, RuleCategory, RuleKind, Ruleset, RulesetStatus

DEFAULT_NAME = "政府网站检查指标(2019)"

# code, name, points, is_services
DEFAULT_CATEGORIES = [
    ("publishing", "信息发布与解读", 31, False),
    ("services", "办事服务", 25, True),
    ("interaction", "互动交流", 23, False),
    ("function", "功能设计", 21, False),
]

_HUMAN = "not_measurable"
_GOVERNMENT = {"site_kinds": ["portal", "district", "department"]}

# A window unit's live data (flights, trains, outages) is content that must be kept
# up to date: each stream that stopped takes points, like a column not updated
# (issue 12; migration 0003 adds it to the stored rulesets).
LIVE_DATA_RULE = ("pub-live-data", "实时数据更新", "deduction", "publishing", "live_data_silent", 2, 4,
                  {"site_kinds": ["window"]})

# code, name, kind, category, evaluator, amount, cap, params
DEFAULT_RULES = [
    # Veto items (单项否决)
    ("veto-serious", "严重表述错误或不良内容", "veto", "", "screening_serious", 0, None, {}),
    ("veto-tampering", "网页被篡改未及时处置", "veto", "", "integrity_unhandled", 0, None, {"limit_minutes": 60}),
    ("veto-faking", "虚假或伪造内容、引发严重负面舆情", "veto", "", _HUMAN, 0, None,
     {"reason": "伪造发布日期、负面舆情等需人工核查"}),
    ("veto-unreachable", "站点无法访问", "veto", "", "availability", 0, None,
     {"max_failure_ratio": 0.05, "min_probes": 20}),
    ("veto-home-stale", "首页不更新", "veto", "", "home_update", 0, None, {"days": 14}),
    ("veto-columns-stale", "栏目不更新:动态、通知公告、政策文件类栏目", "veto", "", "columns_key_stale", 0, None,
     {"news_days": 14, "notices_days": 182, "minimum": 5}),
    ("veto-columns-unupdated", "栏目不更新:应更新未更新栏目", "veto", "", "columns_unupdated", 0, None, {"minimum": 10}),
    ("veto-columns-blank", "栏目不更新:空白栏目", "veto", "", "columns_blank", 0, None, {"minimum": 5}),
    ("veto-interaction", "互动回应差", "veto", "", "interaction_veto", 0, None, {"days": 90}),
    ("veto-services", "服务不实用", "veto", "services", "services_unusable", 0, None,
     {"lacking_min": 5, "none_is_veto": True}),
    # 信息发布与解读 (31)
    ("pub-overview", "概况信息", "deduction", "publishing", "column_kind", 1, 2,
     {"kinds": ["overview"], "missing_points": 2, "stale_days": 0, "top_level_only": False}),
    ("pub-organisation", "机构职能", "deduction", "publishing", "column_kind", 1, 2,
     {"kinds": ["organisation"], "missing_points": 2, "stale_days": 0, "top_level_only": False}),
    ("pub-leaders", "负责人信息", "deduction", "publishing", "column_kind", 1, 2,
     {"kinds": ["leaders"], "missing_points": 2, "stale_days": 0, "top_level_only": False}),
    ("pub-news", "新闻动态", "deduction", "publishing", "column_kind", 5, 5,
     {"kinds": ["news"], "missing_points": 5, "stale_days": 14, "top_level_only": False}),
    # Policy documents and their interpretations are a government body's: a window
    # unit (airport, station, utility) publishes none, so these do not apply to it.
    ("pub-policy", "政策文件", "deduction", "publishing", "column_kind", 5, 5,
     {"kinds": ["policy"], "missing_points": 5, "stale_days": 182, "top_level_only": True, **_GOVERNMENT}),
    ("pub-interpretation", "政策解读", "deduction", "publishing", "column_kind", 5, 5,
     {"kinds": ["interpretation"], "missing_points": 5, "stale_days": 182, "top_level_only": True, **_GOVERNMENT}),
    ("pub-ratio", "解读比例", "deduction", "publishing", "documents_uninterpreted", 1, 3, {"sample": 3, **_GOVERNMENT}),
    ("pub-relations", "文件与解读相互关联", "deduction", "publishing", "documents_missing_links", "0.5", 3, {**_GOVERNMENT}),
    ("pub-other-columns", "其他栏目", "deduction", "publishing", "columns_other", 1, 4,
     {"exclude_kinds": ["news", "policy", "interpretation", "overview", "organisation", "leaders"],
      "blank_points": 2, "stale_points": 1}),
    LIVE_DATA_RULE,
    # 办事服务 (25)
    ("svc-grouped", "事项按类别归集", "deduction", "services", _HUMAN, 3, 3, {"reason": "事项分类归集需人工核查"}),
    ("svc-online", "在线申请面向所有用户", "deduction", "services", _HUMAN, 5, 5,
     {"reason": "异地用户在线申请需人工测试"}),
    ("svc-statistics", "办件统计公开", "deduction", "services", _HUMAN, 2, 2, {"reason": "办件统计按月更新需人工核查"}),
    ("svc-guides", "办事指南", "deduction", "services", "guides_sample", "0.5", 8,
     {"sample": 5, "none_points": 4, "missing_points": 0.5, "unclear_material_points": 1, "catch_all_points": 2,
      "unlinked_policy_points": 0.5}),
    ("svc-accuracy", "办事指南准确性", "deduction", "services", _HUMAN, 1, 5, {"reason": "准确性需人工核对"}),
    ("svc-forms", "表格样表下载", "deduction", "services", "guides_without_forms", 1, 2, {}),
    # 互动交流 (23)
    ("int-submit", "留言渠道", "deduction", "interaction", "interaction_channel", 7, 7, {}),
    ("int-login", "统一登录", "deduction", "interaction", _HUMAN, 3, 3, {"reason": "统一登录需人工测试"}),
    ("int-published", "留言办理公开", "deduction", "interaction", "interaction_published", 1, 6,
     {"sample": 5, "none_points": 6, "missing_points": 1, "stale_days": 61, "stale_points": 3,
      "no_statistics_points": 3}),
    ("int-answers", "答复时效", "deduction", "interaction", "interaction_late", 4, 7,
     {"working_days": 5, "sample": 2}),
    ("int-evasive", "答复敷衍推诿", "deduction", "interaction", _HUMAN, 4, 7, {"reason": "答复是否敷衍需人工判断"}),
    # 功能设计 (21)
    ("fn-domain", "域名和网站名称", "deduction", "function", _HUMAN, 1, 3, {"reason": "域名和名称规范需人工核查"}),
    ("fn-footer", "页脚标识", "deduction", "function", "footer_missing", "0.5", 3, {}),
    ("fn-links", "链接可用性", "deduction", "function", "broken_links", "0.1", 1,
     {"home_points": 0.2, "other_points": 0.1}),
    ("fn-error-report", "我为政府网站找错", "deduction", "function", "error_report", 1, 3,
     {"entry_points": 3, "working_days": 3}),
    ("fn-search", "站内搜索", "deduction", "function", "site_search", 1, 4, {"none_points": 4, "ungrouped_points": 1}),
    ("fn-login", "单点登录", "deduction", "function", _HUMAN, 2, 2, {"reason": "单点登录需人工测试"}),
    ("fn-meta", "页面元数据", "deduction", "function", "meta_lacking", "0.1", 1, {}),
    ("fn-compat", "浏览器兼容", "deduction", "function", _HUMAN, 2, 2, {"reason": "主流浏览器兼容需人工测试"}),
    ("fn-ipv6", "IPv6", "deduction", "function", "ipv6", 1, 1, {}),
    # Bonus (portals, up to 30)
    ("bonus-columns", "栏目全部按期更新", "bonus", "", "bonus_columns_fresh", 3, 3, {}),
    ("bonus-answers", "1个工作日内答复", "bonus", "", "bonus_fast_answers", 3, 3, {"min_share": 0.8, "min_answers": 5}),
    ("bonus-innovation", "创新服务(智能问答、征集调查等)", "bonus", "", _HUMAN, 3, 3, {"reason": "创新做法需人工评定"}),
]

RULESET_FIELDS = ("name", "effective_from", "pass_mark", "risk_mark", "bonus_threshold", "bonus_cap",
                  "bonus_site_kinds", "notes")
DEFAULT_RULESET = {"name": DEFAULT_NAME, "pass_mark": 60, "risk_mark": 70, "bonus_threshold": 80, "bonus_cap": 30,
                   "bonus_site_kinds": "portal", "notes": "国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》。"}


def default_spec():
    """The 2019 indicators as a spec (the shape ``ruleset_save`` takes)."""
    return dict(
        DEFAULT_RULESET,
        categories=[{"code": c, "name": n, "points": p, "is_services": s} for c, n, p, s in DEFAULT_CATEGORIES],
        rules=[{"code": c, "name": n, "kind": k, "category": cat, "evaluator": e, "amount": a, "cap": cap,
                "params": copy.deepcopy(params), "enabled": True} for c, n, k, cat, e, a, cap, params in DEFAULT_RULES],
    )


# --- Validation --------------------------------------------------------------------------

SITE_KINDS = ("portal", "district", "department", "window")


def _decimal(value, what, errors, *, required=True):
    if value in (None, ""):
        if required:
            errors.append(f"{what}不能为空。")
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.append(f"{what}应为数字,而不是“{value}”。")
        return None
    if not number.is_finite():
        errors.append(f"{what}应为数字。")
        return None
    if number < 0:
        errors.append(f"{what}不能为负数。")
    return number


def _check_param(rule_name, name, spec, value, errors):
    label = spec.label or name
    if spec.type is bool:
        if not isinstance(value, bool):
            errors.append(f"指标“{rule_name}”的参数“{label}”应为 true 或 false。")
        return
    if spec.type is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors.append(f"指标“{rule_name}”的参数“{label}”应为文字列表,如 [\"news\"]。")
        return
    if spec.type is str:
        if not isinstance(value, str):
            errors.append(f"指标“{rule_name}”的参数“{label}”应为文字。")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (spec.type is int and not float(value).is_integer()):
        kind = "整数" if spec.type is int else "数字"
        errors.append(f"指标“{rule_name}”的参数“{label}”应为{kind},而不是“{value}”。")
        return
    if spec.minimum is not None and value < spec.minimum or spec.maximum is not None and value > spec.maximum:
        errors.append(f"指标“{rule_name}”的参数“{label}”应在{spec.minimum}到{spec.maximum}之间,而不是{value}。")


def validate_spec(spec):
    """Every reason ``spec`` (a ruleset with its categories and rules, as plain data)
    cannot be used, in Chinese; an empty list when it can."""
    errors = []
    for field in ("pass_mark", "risk_mark", "bonus_threshold", "bonus_cap"):
        label = str(Ruleset._meta.get_field(field).verbose_name)
        value = _decimal(spec.get(field), label, errors)
        if value is not None and value > 100:
            errors.append(f"{label}不能超过100。")
    if not (spec.get("name") or "").strip():
        errors.append("名称不能为空。")
    try:
        if Decimal(str(spec.get("risk_mark"))) < Decimal(str(spec.get("pass_mark"))):
            errors.append("预警分不能低于合格分。")
    except (InvalidOperation, ValueError):
        pass
    for kind in (k.strip() for k in (spec.get("bonus_site_kinds") or "").split(",") if k.strip()):
        if kind not in SITE_KINDS:
            errors.append(f"未知的网站类别“{kind}”(可用:{'、'.join(SITE_KINDS)})。")

    categories = spec.get("categories") or []
    codes = {}
    total = Decimal(0)
    for category in categories:
        code = (category.get("code") or "").strip()
        name = category.get("name") or code
        if not code:
            errors.append(f"类别“{name}”没有代码。")
        elif code in codes:
            errors.append(f"两个类别使用了同一代码“{code}”。")
        points = _decimal(category.get("points"), f"类别“{name}”的分值", errors)
        if points is not None:
            codes[code] = points
            total += points
    if not categories:
        errors.append("至少要有一个指标类别。")
    elif total != 100:
        errors.append(f"各类别分值合计应为100,现为{total.normalize():f}。")

    seen = set()
    for rule in spec.get("rules") or []:
        errors.extend(_rule_errors(rule, codes, seen))
    return errors


def _rule_errors(rule, categories, seen):
    errors = []
    code = (rule.get("code") or "").strip()
    name = rule.get("name") or code or "(未命名)"
    if not code:
        errors.append(f"指标“{name}”没有代码。")
    elif code in seen:
        errors.append(f"两个指标使用了同一代码“{code}”。")
    seen.add(code)
    kind = rule.get("kind")
    if kind not in RuleKind.values:
        errors.append(f"指标“{name}”的类型“{kind}”无效。")
    category = (rule.get("category") or "").strip()
    if kind == RuleKind.DEDUCTION and not category:
        errors.append(f"扣分项“{name}”没有所属类别。")
    if category and category not in categories and kind != RuleKind.BONUS:
        errors.append(f"指标“{name}”所属类别“{category}”不存在。")
    evaluator = rule.get("evaluator")
    spec = EVALUATORS.get(evaluator)
    if spec is None:
        errors.append(f"指标“{name}”的检查方法“{evaluator}”不存在。")
    params = rule.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        errors.append(f"指标“{name}”的参数应为键值对(JSON 对象)。")
    elif spec is not None:
        for key, value in params.items():
            known = spec.params.get(key) or COMMON_PARAMS.get(key)
            if known is None:
                errors.append(f"指标“{name}”的检查方法没有参数“{key}”。")
            else:
                _check_param(name, key, known, value, errors)
        kinds = params.get("site_kinds")
        if isinstance(kinds, list):
            for kind in kinds:
                if kind not in SITE_KINDS:
                    errors.append(f"指标“{name}”的适用网站类别“{kind}”未知(可用:{'、'.join(SITE_KINDS)})。")
    amount = _decimal(rule.get("amount"), f"指标“{name}”的每项分值", errors)
    cap = _decimal(rule.get("cap"), f"指标“{name}”的最多分值", errors, required=False)
    if amount is not None and cap is not None and cap < amount and cap >= 0:
        errors.append(f"指标“{name}”的最多分值({cap.normalize():f})小于每项分值({amount.normalize():f})。")
    limit = categories.get(category) if kind == RuleKind.DEDUCTION else None
    if limit is not None and limit < 0:
        limit = None  # the category's own points are refused already: no follow-on reason for each rule
    if limit is not None and amount is not None and amount > limit:
        errors.append(f"指标“{name}”每项扣{amount.normalize():f}分,超过了所属类别的分值{limit.normalize():f}。")
    if limit is not None and cap is not None and cap > limit:
        errors.append(f"指标“{name}”最多扣{cap.normalize():f}分,超过了所属类别的分值{limit.normalize():f}。")
    if kind == RuleKind.VETO and ((amount is not None and amount != 0) or (cap is not None and cap != 0)):
        errors.append(f"单项否决指标“{name}”不扣分:每项分值和最多分值应为0(否决即不合格)。")
    if kind in (RuleKind.DEDUCTION, RuleKind.BONUS) and amount is not None and amount == 0 and (
            spec is None or spec.measurable):
        errors.append(f"指标“{name}”的每项分值不能为0。")
    return errors


def refuse_invalid(spec):
    errors = validate_spec(spec)
    if errors:
        raise DomainError("检查指标有误,未保存:" + ";".join(errors), code="invalid_ruleset")


# --- Reading a stored version as a spec ----------------------------------------------------

def spec_of(ruleset):
    """A stored ruleset (or one being edited, its children in memory) as a spec."""
    data = {name: getattr(ruleset, name) for name in RULESET_FIELDS}
    data["categories"] = [{"code": c.code, "name": c.name, "points": c.points, "is_services": c.is_services}
                          for c in ruleset.categories.all()]
    data["rules"] = [{"code": r.code, "name": r.name, "kind": r.kind, "category": r.category,
                      "evaluator": r.evaluator, "amount": r.amount, "cap": r.cap, "params": r.params,
                      "enabled": r.enabled} for r in ruleset.rules.all()]
    return data


# --- Who may change the indicators --------------------------------------------------------

def may_edit_rules(user):
    """Superusers, and supervisors of a unit that sees every unit (督查室)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role=Role.SUPERVISOR, unit__sees_all_units=True).exists()


def _require_editor(actor):
    if actor is not None and not may_edit_rules(actor):
        raise PermissionRefused("只有全市监督人员可以修改检查指标。")


# --- Services ----------------------------------------------------------------------------

def _write(ruleset, spec):
    for name in RULESET_FIELDS:
        if name in spec:
            value = spec[name]
            if name in ("notes", "bonus_site_kinds") and value is None:
                value = ""
            setattr(ruleset, name, value)
    ruleset.save()
    ruleset.categories.all().delete()
    ruleset.rules.all().delete()
    for order, c in enumerate(spec.get("categories") or []):
        RuleCategory.objects.create(ruleset=ruleset, code=c["code"].strip(), name=c.get("name") or c["code"],
                                    points=Decimal(str(c["points"])), is_services=bool(c.get("is_services")),
                                    sort_order=order)
    for order, r in enumerate(spec.get("rules") or []):
        Rule.objects.create(ruleset=ruleset, code=r["code"].strip(), name=r.get("name") or r["code"], kind=r["kind"],
                            category=(r.get("category") or "").strip(), evaluator=r["evaluator"],
                            amount=Decimal(str(r["amount"])),
                            cap=None if r.get("cap") in (None, "") else Decimal(str(r["cap"])),
                            params=r.get("params") or {}, enabled=r.get("enabled", True), sort_order=order)
    return ruleset


def _next_version():
    return (Ruleset.objects.aggregate(v=Max("version"))["v"] or 0) + 1


@transaction.atomic
def ruleset_save(*, actor, spec, instance=None):
    """Save ``spec`` (validated first; refused with every reason). A new ruleset, or a
    change of ``instance``: a draft is changed in place; a version that has been
    active is kept as it is and the change becomes a new draft version."""
    _require_editor(actor)
    if spec.get("status") == RulesetStatus.ACTIVE:
        raise DomainError("保存时不能直接设为现行版本:请保存后使用“启用”。", code="invalid_ruleset")
    refuse_invalid(spec)
    if instance is not None and instance.pk and instance.status == RulesetStatus.DRAFT:
        stored = Ruleset.objects.select_for_update().get(pk=instance.pk)
        before = spec_of(stored)
        ruleset = _write(stored, spec)
        audit.record(ruleset, "supervision.ruleset.update", actor=actor, before={"spec": before},
                     after={"spec": spec})
        return ruleset
    ruleset = _write(Ruleset(version=_next_version(), status=RulesetStatus.DRAFT, created_by=_user(actor)), spec)
    audit.record(ruleset, "supervision.ruleset.create", actor=actor, after={"spec": spec},
                 based_on=instance.version if instance is not None and instance.pk else None)
    return ruleset


@transaction.atomic
def ruleset_copy(*, actor, ruleset):
    """A new draft version with the same data as ``ruleset``."""
    _require_editor(actor)
    spec = spec_of(ruleset)
    copy = _write(Ruleset(version=_next_version(), status=RulesetStatus.DRAFT, created_by=_user(actor)), spec)
    audit.record(copy, "supervision.ruleset.copy", actor=actor, based_on=ruleset.version)
    return copy


@transaction.atomic
def ruleset_activate(*, actor, ruleset):
    """Make ``ruleset`` the version every new scorecard uses; the one before is retired."""
    _require_editor(actor)
    ruleset = Ruleset.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.status == RulesetStatus.ACTIVE:
        raise DomainError(f"{ruleset}已是现行版本。", code="already_active")
    refuse_invalid(spec_of(ruleset))
    was = ruleset.status
    previous = list(Ruleset.objects.select_for_update().filter(status=RulesetStatus.ACTIVE))
    for old in previous:
        old.status = RulesetStatus.RETIRED
        old.save(update_fields=["status"])
        audit.record(old, "supervision.ruleset.retire", actor=actor, before={"status": RulesetStatus.ACTIVE},
                     after={"status": RulesetStatus.RETIRED})
    ruleset.status = RulesetStatus.ACTIVE
    ruleset.save(update_fields=["status"])
    audit.record(ruleset, "supervision.ruleset.activate", actor=actor, before={"status": was},
                 after={"status": RulesetStatus.ACTIVE}, replaced=[old.version for old in previous])
    return ruleset


def active_ruleset():
    """The version in force (None before one is activated)."""
    return Ruleset.objects.filter(status=RulesetStatus.ACTIVE).prefetch_related("categories", "rules").first()


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@dataclass
class LoadedDefault:
    ruleset: Ruleset
    created: bool


def default_ensure():
    """The 2019 ruleset as version 1, active, when there is no ruleset at all (the
    data migration's work, again after a test flushed the tables)."""
    existing = Ruleset.objects.order_by("version").first()
    if existing is not None:
        return LoadedDefault(existing, False)
    with transaction.atomic():
        ruleset = _write(Ruleset(version=1, status=RulesetStatus.ACTIVE), default_spec())
    return LoadedDefault(ruleset, True)
