"""The contract between the collectors and the indicator engine.

A collector measures; the engine judges. For a site and a period, each builder
(``BUILDERS``) returns :class:`Measure` objects, one per check code. The engine reads
only these (never the collectors' tables), and a scorecard keeps them as its
snapshot, so a verdict can be explained later from what was measured then.

A measure is ``ok``, ``problem`` or ``not_checked``. ``not_checked`` says why (the
site could not be reached, the machine's network cannot tell, the check does not
apply) and is never scored as a problem: nothing is guessed.

Check codes and the keys of their ``value`` (the engine's evaluators read these):

- ``availability``: probes, failures (ok is False), failure_ratio (0..1), days,
  timeout_seconds. Evidence: the failed probes.
- ``home_update``: last_update (ISO date or None), days_since (int or None),
  navigation_only (bool). Evidence: the newest dated item on the home page.
- ``columns``: columns: list of {title, url, kind (news|notices|policy|personnel|
  plans|overview|organisation|leaders|interpretation|other), top_level (bool),
  period_days (expected update period, 0 = none), last_update (ISO date or None),
  days_since, blank (bool), stale (bool), page_id (hosted) }; present_kinds: list.
- ``documents``: policy_total, sampled (list of {title, url, has_interpretation}),
  missing_links (list of {title, url, direction}).
- ``interaction``: has_channel (bool), unanswered_over_limit (list of {serial,
  received_at, days_open}), published (int), sample (list of {serial, missing:
  [fields]}), days_since_published (int or None), has_statistics (bool),
  late_answers (list of {serial, working_days}); optional: received (letters
  accepted in the past year: 0 means nothing to publish), answered,
  answered_within_one_day (the bonus for fast answers).
- ``guides``: total, lacking_four_or_more, sample (list of {title, url, missing:
  [element labels], vague: [messages]}), services_unusable (bool),
  without_forms (int); optional: sample items' problems (list of {kind:
  catch_all|unclear_material|unlinked_policy|no_time_limit, message}), without_forms_titles.
- ``links``: checked, broken_home (list of {url, found_on, status, error, kind}),
  broken_other (same shape).
- ``footer``: pages (sampled), missing (list of item names missing on some page,
  with the pages in evidence), error_entry_missing (pages without 我为政府网站找错).
- ``meta``: pages (sampled, ≤ 10), lacking (list of {url, missing: [names]}).
- ``screening``: hits (list of {url, term, label, severity: serious|banned,
  context}).
- ``search``: present (bool), tested (list of titles), not_found (list of titles),
  grouped (bool or None).
- ``error_report``: reports (int), late (list of {serial, received_at,
  working_days}), limit_days.
- ``integrity``: unhandled (list of {path, kind, at, minutes_open}).
- ``ipv6``: has_aaaa (bool or None). ``https``: serves_https (bool or None).
- ``live_data``: channels (list of {kind, label, expected_minutes, last_data_at
  (ISO or None), silent (bool), since (ISO or None)}), silent (int): a window unit's
  watched live-data streams (livedata.Channel); not checked when it watches none.
"""

import datetime
from dataclasses import asdict, dataclass, field

OK = "ok"
PROBLEM = "problem"
NOT_CHECKED = "not_checked"
STATES = (OK, PROBLEM, NOT_CHECKED)

CHECKS = (
    "availability", "home_update", "columns", "documents", "interaction", "guides", "links", "footer", "meta",
    "screening", "search", "error_report", "integrity", "ipv6", "https", "live_data",
)

# What each check is called in Chinese (scorecards, the dashboard, reports).
CHECK_LABELS = {
    "availability": "网站可用性", "home_update": "首页更新", "columns": "栏目更新", "documents": "政策文件与解读",
    "interaction": "互动回应", "guides": "办事指南", "links": "链接可用性", "footer": "页脚标识",
    "meta": "页面元数据", "screening": "内容正确性", "search": "站内搜索", "error_report": "我为政府网站找错",
    "integrity": "防篡改", "ipv6": "IPv6", "https": "HTTPS", "live_data": "实时数据更新",
}


@dataclass
class Evidence:
    """One thing that shows a measure: a page, a link, a letter, a probe."""

    what: str
    url: str = ""
    detail: str = ""
    at: str = ""  # ISO date or datetime

    def to_dict(self):
        return {k: v for k, v in asdict(self).items() if v != ""}

    @classmethod
    def from_dict(cls, data):
        return cls(**{k: str(data.get(k, "")) for k in ("what", "url", "detail", "at")})


@dataclass
class Measure:
    code: str
    state: str
    value: dict = field(default_factory=dict)
    evidence: list = field(default_factory=list)  # of Evidence
    reason: str = ""  # why not checked, or a one-line summary
    measured_at: str = ""

    def __post_init__(self):
        if self.code not in CHECKS:
            raise ValueError(f"unknown check {self.code!r}")
        if self.state not in STATES:
            raise ValueError(f"unknown state {self.state!r}")

    @property
    def checked(self):
        return self.state != NOT_CHECKED

    def to_dict(self):
        return {"code": self.code, "state": self.state, "value": self.value,
                "evidence": [e.to_dict() for e in self.evidence], "reason": self.reason,
                "measured_at": self.measured_at}

    @classmethod
    def from_dict(cls, data):
        return cls(code=data["code"], state=data["state"], value=data.get("value") or {},
                   evidence=[Evidence.from_dict(e) for e in data.get("evidence") or []],
                   reason=data.get("reason", ""), measured_at=data.get("measured_at", ""))


def not_checked(code, reason):
    return Measure(code, NOT_CHECKED, reason=reason)


@dataclass
class Period:
    """A scoring period: a calendar month; ``until`` is the day measured up to
    (today for the running month)."""

    start: datetime.date
    end: datetime.date
    until: datetime.date

    @classmethod
    def month_of(cls, day):
        start = day.replace(day=1)
        following = (start + datetime.timedelta(days=32)).replace(day=1)
        end = following - datetime.timedelta(days=1)
        return cls(start, end, min(day, end))


@dataclass
class Measurements:
    record_id: int
    period: Period
    measures: dict = field(default_factory=dict)  # code -> Measure

    def get(self, code):
        return self.measures.get(code) or not_checked(code, "未采集")

    def put(self, measure, *, override=True):
        if override or measure.code not in self.measures:
            self.measures[measure.code] = measure

    def to_dict(self):
        return {"record": self.record_id, "period": [self.period.start.isoformat(), self.period.end.isoformat(),
                                                     self.period.until.isoformat()],
                "measures": {code: m.to_dict() for code, m in self.measures.items()}}

    @classmethod
    def from_dict(cls, data):
        start, end, until = (datetime.date.fromisoformat(d) for d in data["period"])
        return cls(data["record"], Period(start, end, until),
                   {code: Measure.from_dict(m) for code, m in data.get("measures", {}).items()})


# The builders, in order: a later builder's measure of a code replaces an earlier one's
# (the database's knowledge of a hosted site beats what a crawl read of it). Each is a
# dotted path to ``measures(record, period) -> iterable of Measure``.
BUILDERS = (
    "supervision.collect.crawled.measures",  # availability, pages, links, footer, meta, screening, search, ...
    "supervision.collect.hosted.measures",  # columns, home, documents, interaction, guides, integrity
    "supervision.collect.error_reports.measures",  # the 我为政府网站找错 channel's answers
)


def collect(record, period):
    """Every builder's measures of ``record`` for ``period``."""
    from django.utils.module_loading import import_string

    result = Measurements(record.pk, period)
    for path in BUILDERS:
        for measure in import_string(path)(record, period):
            result.put(measure)
    return result
