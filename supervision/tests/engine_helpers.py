"""Hand-built measurements of a site that has no problem at all, for the engine's
tests to break one thing at a time."""

import copy
import datetime

from supervision.measures import NOT_CHECKED, OK, PROBLEM, Evidence, Measure, Measurements, Period

PERIOD = Period.month_of(datetime.date(2026, 11, 20))

FRESH_COLUMNS = [
    # title, kind, top level, period days
    ("区情概况", "overview", True, 365),
    ("机构职能", "organisation", True, 365),
    ("领导信息", "leaders", True, 365),
    ("工作动态", "news", True, 14),
    ("政策文件", "policy", True, 182),
    ("政策解读", "interpretation", True, 182),
    ("通知公告", "notices", True, 182),
    ("人事信息", "personnel", True, 365),
    ("规划计划", "plans", True, 365),
]


def column(title, kind, *, top_level=True, period_days=14, days_since=3, blank=False, stale=None):
    if stale is None:
        stale = blank or (period_days > 0 and days_since is not None and days_since > period_days)
    return {"title": title, "url": f"https://east.example.gov.cn/{kind}/", "kind": kind, "top_level": top_level,
            "period_days": period_days, "last_update": None if blank else "2026-11-17",
            "days_since": None if blank else days_since, "blank": blank, "stale": stale}


def clean_values():
    columns = [column(t, k, top_level=top, period_days=p) for t, k, top, p in FRESH_COLUMNS]
    return {
        "availability": {"probes": 168, "failures": 0, "failure_ratio": 0.0, "days": 7, "timeout_seconds": 15},
        "home_update": {"last_update": "2026-11-19", "days_since": 1, "navigation_only": False},
        "columns": {"columns": columns, "present_kinds": sorted({c["kind"] for c in columns})},
        "documents": {"policy_total": 4, "sampled": [
            {"title": f"关于促进就业的若干措施{i}", "url": f"/zcwj/{i}/", "has_interpretation": True} for i in range(3)],
            "missing_links": []},
        "interaction": {"has_channel": True, "unanswered_over_limit": [], "published": 12, "sample": [
            {"serial": f"2026110{i}0001", "missing": []} for i in range(5)], "days_since_published": 4,
            "has_statistics": True, "late_answers": [], "answered": 10, "answered_within_one_day": 9},
        "guides": {"total": 6, "lacking_four_or_more": 0, "sample": [
            {"title": f"事项{i}", "url": f"/bs/{i}/", "missing": [], "vague": [], "problems": []} for i in range(5)],
            "services_unusable": False, "without_forms": 0},
        "links": {"checked": 300, "broken_home": [], "broken_other": []},
        "footer": {"pages": 10, "missing": [], "error_entry_missing": []},
        "meta": {"pages": 10, "lacking": []},
        "screening": {"hits": []},
        "search": {"present": True, "tested": ["a", "b", "c", "d"], "not_found": [], "grouped": True},
        "error_report": {"reports": 2, "late": [], "limit_days": 3},
        "integrity": {"unhandled": []},
        "ipv6": {"has_aaaa": True},
        "https": {"serves_https": True},
    }


def build(values=None, *, not_checked=(), evidence=None):
    """Measurements from ``values`` (code → value; a clean site's by default)."""
    values = values if values is not None else clean_values()
    result = Measurements(1, PERIOD)
    for code, value in values.items():
        state = OK
        result.put(Measure(code, state, copy.deepcopy(value), list((evidence or {}).get(code, []))))
    for code, reason in dict(not_checked).items():
        result.put(Measure(code, NOT_CHECKED, reason=reason))
    return result


def problem(measurements, code, **changes):
    measure = measurements.get(code)
    measure.value.update(changes)
    measure.state = PROBLEM
    return measurements


__all__ = ["PERIOD", "Evidence", "build", "clean_values", "column", "problem"]
