"""The search's parameters as a reader or a program sends them. A filter that is
not understood is never dropped silently: it becomes a ``Problem`` naming it, which
the page shows (and searches without that filter) and the API refuses (a typed 400)."""

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings

from .models import Kind
from .queries import Filters

SEARCHES_PER_MINUTE = getattr(settings, "SEARCHES_PER_MINUTE", 60)
SEARCH_WINDOW = 60

# The example of pinyin initials in the search box's help: 失业保险金申领 is a matter
# of the demo city (demo/guides.py) and of the tests' corpus (a test checks both).
HELP_EXAMPLE = ("sybx", "失业保险")

VALIDITY_CHOICES = [("in_force", "有效"), ("amended", "已修改"), ("repealed", "已废止"), ("expired", "已失效")]


def site_records():
    """The hosted sites a search can be scoped to, in the directory's order."""
    from orgs.models import SiteRecord

    return list(SiteRecord.objects.filter(site__isnull=False).select_related("site").order_by("kind", "sort_order", "id"))


def site_for(value, records=None):
    """The site record named by ``value``: its path slug, its host name or the id of
    its Wagtail site; None when there is no such site."""
    value = clean(value, 255).strip().lower()
    if not value:
        return None
    for record in records if records is not None else site_records():
        if value in (record.path_slug, record.hostname.lower(), str(record.site_id)):
            return record
    return None


@dataclass
class Problem:
    """A parameter that could not be used: which one, what was not understood, what
    the page did instead, and what would be understood."""

    field: str
    what: str
    done: str
    hint: str = ""

    @property
    def message(self):
        """For the page, which searches without the filter."""
        return f"{self.what},{self.done}。{self.hint}"

    @property
    def refusal(self):
        """For the API, which refuses the request."""
        return f"{self.what}。{self.hint}"


def _shown(value, length=30):
    value = clean(value, length + 1)
    return value[:length] + ("…" if len(value) > length else "")


def scope_from(value, records=None):
    """The site a search is scoped to, from the ``site`` parameter: (record, problem).
    Empty or ``all``: every site (record None). A name that is no site: every site,
    and a problem saying so."""
    raw = clean(value, 255).strip()
    if not raw or raw.lower() == "all":
        return None, None
    record = site_for(raw, records)
    if record is None:
        return None, Problem("site", f"网站条件(site)“{_shown(raw)}”无法识别:没有这个网站", "已改为在全部网站中搜索",
                             "请填写网站的路径名、域名或站点编号,或 all。")
    return record, None


DATE_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value, *, field="from", label="起始日期"):
    """(date, problem) from a YYYY-MM-DD value; an unreadable value is ignored, with a problem."""
    value = clean(value, 40).strip()
    if not value:
        return None, None
    day = None
    if DATE_FORMAT.fullmatch(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None:
        return None, Problem(field, f"{label}({field})“{_shown(value)}”无法识别", "已忽略这个日期",
                             "请按 2026-01-31 的格式填写。")
    if not dt.date(1900, 1, 1) <= day <= dt.date(2999, 12, 31):
        return None, Problem(field, f"{label}({field})“{value}”超出范围", "已忽略这个日期",
                             "日期须在 1900 年至 2999 年之间。")
    return day, None


def parse_page(value):
    try:
        return max(1, min(int(str(value)[:6]), 10_000))
    except (TypeError, ValueError):
        return 1


def clean(value, length=100):
    """A raw parameter as a short string with no control characters (PostgreSQL
    refuses NUL in a string)."""
    return "".join(c for c in str(value or "")[:length] if c.isprintable())


def filters_from(*, site_ids, kind="", column_kind="", content_type="", date_from="", date_to="", validity=""):
    """Filters from raw values, and a ``Problem`` for each value that was not
    understood (and so not applied): the page shows them, the API refuses with them."""
    problems = []
    kind, validity = clean(kind).strip(), clean(validity).strip()
    column_kind = clean(column_kind).strip()[:40]
    content_type = clean(content_type).strip()[:60]
    kinds = dict(Kind.choices)
    if kind and kind not in kinds:
        choices = "、".join(f"{code}({label})" for code, label in kinds.items())
        problems.append(Problem("type", f"类型条件(type)“{_shown(kind)}”无法识别", "已忽略,搜索全部类型",
                                f"可选:{choices}。"))
        kind = ""
    validities = dict(VALIDITY_CHOICES)
    if validity and validity not in validities:
        choices = "、".join(f"{code}({label})" for code, label in validities.items())
        problems.append(Problem("validity", f"效力状态条件(validity)“{_shown(validity)}”无法识别",
                                "已忽略,不按效力状态筛选", f"可选:{choices}。"))
        validity = ""
    start, problem = parse_date(date_from, field="from", label="起始日期")
    problems += [problem] if problem else []
    end, problem = parse_date(date_to, field="to", label="截止日期")
    problems += [problem] if problem else []
    if start and end and start > end:
        start, end = end, start
    return Filters(site_ids=site_ids, kind=kind, column_kind=column_kind, content_type=content_type,
                   date_from=start, date_to=end, validity=validity), problems
