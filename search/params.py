"""The search's parameters as a reader or a program sends them, read leniently: a
value that cannot be used is dropped with a message, never an error."""

import datetime as dt

from django.conf import settings

from .models import Kind
from .queries import Filters

SEARCHES_PER_MINUTE = getattr(settings, "SEARCHES_PER_MINUTE", 60)
SEARCH_WINDOW = 60

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


def parse_date(value):
    value = (value or "").strip()
    if not value:
        return None, None
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return None, f"日期“{value[:20]}”无法识别,已忽略;请按 2026-01-31 的格式填写。"
    if not dt.date(1900, 1, 1) <= day <= dt.date(2999, 12, 31):
        return None, "日期超出范围,已忽略。"
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
    """Filters from raw values, and the messages for the values dropped."""
    messages = []
    kind, column_kind, content_type = clean(kind), clean(column_kind), clean(content_type)
    date_from, date_to, validity = clean(date_from, 30), clean(date_to, 30), clean(validity)
    kinds = {k for k, _ in Kind.choices}
    kind = kind if kind in kinds else ""
    validity = validity if validity in dict(VALIDITY_CHOICES) else ""
    column_kind = (column_kind or "").strip()[:40]
    content_type = (content_type or "").strip()[:60]
    start, message = parse_date(date_from)
    messages += [message] if message else []
    end, message = parse_date(date_to)
    messages += [message] if message else []
    if start and end and start > end:
        start, end = end, start
    return Filters(site_ids=site_ids, kind=kind, column_kind=column_kind, content_type=content_type,
                   date_from=start, date_to=end, validity=validity), messages
