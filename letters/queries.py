"""Reads of the mailbox used by the public pages, the staff pages, the API and supervision."""

import datetime as dt
import time

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from .models import (
    OPEN_STATUSES, Event, Feedback, Letter, Mailbox, NotAcceptedReason, Rating, StatsSnapshot, Status,
)

REPLIED = (Status.REPLIED, Status.CLOSED)
COUNTS = ("received", "accepted", "not_accepted", "duplicates", "spam", "replied", "on_time", "open", "overdue",
          "escalated", "timed_replies")


# --- The figures -------------------------------------------------------------------------------------

def _figures(today):
    timed = Q(status__in=REPLIED, routed_at__isnull=False)
    return dict(
        received=Count("id"),
        accepted=Count("id", filter=Q(routed_at__isnull=False)),
        not_accepted=Count("id", filter=Q(status=Status.NOT_ACCEPTED)),
        duplicates=Count("id", filter=Q(status=Status.DUPLICATE)),
        spam=Count("id", filter=Q(status=Status.SPAM)),
        replied=Count("id", filter=Q(status__in=REPLIED)),
        on_time=Count("id", filter=Q(status__in=REPLIED, replied_at__date__lte=F("due_on"))),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_on__lt=today)),
        escalated=Count("id", filter=Q(escalated_on__isnull=False)),
        timed_replies=Count("id", filter=timed),
        reply_time=Sum(ExpressionWrapper(F("replied_at") - F("routed_at"), output_field=DurationField()), filter=timed),
    )


def stats_rows(*, mailbox=None, unit=None, since=None):
    """The statistics of the letters (of a mailbox, of a handling unit, or all)
    received since ``since``, one row per (mailbox, handling unit): every count, the
    total reply time, the not-accepted reasons and the ratings. Three grouped
    queries whatever the number of mailboxes and units; the rows are plain data
    (JSON), summed by :func:`summarise`."""
    conditions = {}
    if mailbox is not None:
        conditions["mailbox"] = mailbox
    if unit is not None:
        conditions["handling_unit"] = unit
    if since is not None:
        conditions["received_at__gte"] = since
    letters = Letter.objects.filter(**conditions).order_by()
    feedback = Feedback.objects.filter(**{f"letter__{name}": value for name, value in conditions.items()}).order_by()
    rows = {}

    def row(mailbox_id, unit_id):
        key = (mailbox_id, unit_id)
        if key not in rows:
            rows[key] = {"mailbox": mailbox_id, "unit": unit_id, **{name: 0 for name in COUNTS}, "reply_seconds": 0.0,
                         "reasons": {}, "ratings": {}}
        return rows[key]

    for figures in letters.values("mailbox_id", "handling_unit_id").annotate(**_figures(timezone.localdate())):
        target = row(figures.pop("mailbox_id"), figures.pop("handling_unit_id"))
        reply_time = figures.pop("reply_time")
        target.update(figures)
        target["reply_seconds"] = reply_time.total_seconds() if reply_time else 0.0
    reasons = (letters.filter(status=Status.NOT_ACCEPTED)
               .values_list("mailbox_id", "handling_unit_id", "not_accepted_reason").annotate(n=Count("id")))
    for mailbox_id, unit_id, reason, n in reasons:
        row(mailbox_id, unit_id)["reasons"][reason] = n
    ratings = feedback.values_list("letter__mailbox_id", "letter__handling_unit_id", "rating").annotate(n=Count("id"))
    for mailbox_id, unit_id, rating, n in ratings:
        row(mailbox_id, unit_id)["ratings"][rating] = n
    return list(rows.values())


def summarise(rows, *, mailbox_id=None, unit_id=None, reason_labels=None):
    """The figures of the rows of one mailbox, one handling unit or all, in the form
    :func:`letter_stats` returns. A caller summarising many mailboxes passes
    ``reason_labels`` (:func:`not_accepted_labels`) read once."""
    totals = {name: 0 for name in COUNTS}
    seconds, reasons, ratings = 0.0, {}, {}
    for row in rows:
        if (mailbox_id is not None and row["mailbox"] != mailbox_id) or (unit_id is not None and row["unit"] != unit_id):
            continue
        for name in COUNTS:
            totals[name] += row[name]
        seconds += row["reply_seconds"]
        for key, n in row["reasons"].items():
            reasons[key] = reasons.get(key, 0) + n
        for key, n in row["ratings"].items():
            ratings[key] = ratings.get(key, 0) + n
    timed = totals.pop("timed_replies")
    if any(reasons) and reason_labels is None:
        reason_labels = not_accepted_labels()
    totals["not_accepted_by_reason"] = {(reason_labels or {}).get(k, k): v for k, v in reasons.items() if k}
    totals["ratings"] = {Rating(k).label: ratings.get(k, 0) for k in Rating.values}
    rated = sum(ratings.values())
    good = ratings.get(Rating.SATISFIED, 0) + ratings.get(Rating.BASICALLY, 0)
    totals["satisfaction"] = round(100 * good / rated, 1) if rated else None
    # Calendar days between routing and reply, scaled to working days (5 of 7): an
    # estimate that needs no per-letter calendar walk over a million letters.
    totals["avg_working_days_to_reply"] = round(seconds / timed / 86400 * 5 / 7, 1) if timed else None
    totals["on_time_rate"] = round(100 * totals["on_time"] / totals["replied"], 1) if totals["replied"] else None
    return totals


def letter_stats(*, mailbox=None, unit=None, since=None):
    """Received, accepted, not accepted by reason, replied, on time, overdue, average
    working days to reply and satisfaction, for a mailbox, a handling unit or all,
    computed now (about a second with a million letters; the pages read the
    figures computed ahead, see :func:`stats_snapshot`)."""
    return summarise(stats_rows(mailbox=mailbox, unit=unit, since=since))


# --- Figures computed ahead ---------------------------------------------------------------------------

REFRESH_EVERY = 600  # seconds; the beat schedule's letters-refresh-stats entry


def precomputed_periods(today=None):
    """The periods the pages show by default: all time and the current year."""
    today = today or timezone.localdate()
    return [None, dt.date(today.year, 1, 1)]


def period_key(since_date):
    return "all" if since_date is None else since_date.isoformat()


def _start(since_date):
    return None if since_date is None else timezone.make_aware(dt.datetime.combine(since_date, dt.time.min))


def compute_snapshot(since_date=None):
    """The statistics of letters received since ``since_date`` (None: all), computed
    now, as an unsaved :class:`StatsSnapshot`."""
    started = time.monotonic()
    rows = stats_rows(since=_start(since_date))
    criticism = list(criticism_list())
    return StatsSnapshot(period=period_key(since_date), since=since_date, rows=rows, criticism=criticism,
                         computed_at=timezone.now(), seconds=round(time.monotonic() - started, 3))


def stats_snapshot(since_date=None):
    """The figures for letters received since ``since_date`` (None: all time): the
    stored snapshot of a precomputed period (``services.stats_refresh``, run by the
    periodic task); computed now, not stored, for any other period or before the
    task has first run. ``snapshot.computed_at`` says when the figures were taken."""
    if since_date not in precomputed_periods():
        return compute_snapshot(since_date)
    stored = StatsSnapshot.objects.filter(period=period_key(since_date)).first()
    return stored or compute_snapshot(since_date)


def published_letters(*, unit=None, letter_type=None, date_from=None, date_to=None, q=None):
    letters = Letter.objects.filter(published=True).select_related("mailbox", "letter_type", "handling_unit")
    if unit is not None:
        letters = letters.filter(handling_unit=unit)
    if letter_type is not None:
        letters = letters.filter(letter_type=letter_type)
    if date_from:
        letters = letters.filter(received_at__date__gte=date_from)
    if date_to:
        letters = letters.filter(received_at__date__lte=date_to)
    if q:
        # Only the stored public (masked) text: a search for anything masking removed finds nothing.
        letters = letters.filter(Q(public_title__icontains=q) | Q(public_body__icontains=q) | Q(public_reply__icontains=q))
    return letters.order_by("-replied_at", "-id")


def latest_rating(letter):
    """The label of the writer's latest rating of ``letter``, or None."""
    feedback = Feedback.objects.filter(letter=letter).order_by("-created_at", "-id").first()
    return feedback.get_rating_display() if feedback else None


def criticism_list():
    """Units with letters escalated (督办) and still unanswered: the list for public criticism."""
    return (
        Letter.objects.filter(escalated_on__isnull=False)
        .values("handling_unit_id", "handling_unit__name")
        .annotate(letters=Count("id"), still_open=Count("id", filter=Q(status__in=OPEN_STATUSES)))
        .order_by("-still_open", "-letters")
    )


HOME_REPLIES = 5


def home_interaction(*, unit_id, replies_of=None):
    """What a home page's 互动交流 shows: the mailboxes to write to (the unit's own
    and the mayor's), the latest published replies (of ``replies_of``'s letters, or
    all) and the all-time figures (of that unit, or all) from the figures computed
    ahead. Three queries when the figures are stored."""
    letters = Letter.objects.filter(published=True)
    if replies_of is not None:
        letters = letters.filter(handling_unit_id=replies_of)
    replies = list(letters.select_related("handling_unit").only(
        "id", "serial", "public_title", "replied_at", "handling_unit__name").order_by("-replied_at", "-id")[:HOME_REPLIES])
    snapshot = stats_snapshot()
    figures = summarise(snapshot.rows, unit_id=replies_of, reason_labels={})
    return {"mailboxes": mailboxes_for_unit(unit_id), "replies": replies, "figures": figures,
            "figures_at": snapshot.computed_at}


def active_mailboxes():
    return Mailbox.objects.filter(active=True).select_related("unit")


def mailboxes_for_unit(unit_id):
    """The mailboxes a site's interaction column offers: its unit's own, then the mayor's."""
    return list(Mailbox.objects.filter(active=True).filter(Q(unit_id=unit_id) | Q(is_mayor=True)).order_by("is_mayor", "sort_order"))


# --- Not-accepted reasons ------------------------------------------------------------------------

def active_not_accepted_reasons():
    """The reasons a dispatcher may choose and the write form lists, in order."""
    return list(NotAcceptedReason.objects.filter(active=True).order_by("sort_order", "id"))


def not_accepted_labels():
    """Every reason's label by code, deactivated ones too: a letter keeps the code it
    was refused with, and shows that reason's label however long ago it was."""
    return dict(NotAcceptedReason.objects.values_list("code", "label"))


def not_accepted_reason(letter):
    """The reason ``letter`` was not accepted (label and explanation), or None."""
    if not letter.not_accepted_reason:
        return None
    return NotAcceptedReason.objects.filter(code=letter.not_accepted_reason).first() or NotAcceptedReason(
        code=letter.not_accepted_reason, label=letter.not_accepted_reason)


def calendar_history(limit=50):
    """The latest changes of the working-day calendar from the audit log, newest first."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    from .models import CalendarEntry

    kind = ContentType.objects.get_for_model(CalendarEntry)
    entries = ModelLogEntry.objects.filter(content_type=kind).select_related("user").order_by("-timestamp", "-id")
    return list(entries[:limit])


def unit_year_figures(*, unit, year):
    """The letters ``unit`` handled that arrived in ``year``: received, replied, replied
    on time and still open (a unit's annual disclosure report quotes them)."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime(year, 1, 1), tz)
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1), tz)
    figures = _figures(timezone.localdate())
    letters = Letter.objects.filter(handling_unit=unit, received_at__gte=start, received_at__lt=end).order_by()
    return letters.aggregate(**{name: figures[name] for name in ("received", "replied", "on_time", "open")})


# --- What the supervision work reads (a unit's consultation column) ------------------------------
#
# A unit's consultation column is every letter it answers and every letter of the
# mailboxes it runs: the General Office's portal answers for the whole mayor's
# mailbox, whoever handled each letter. Error reports (我为政府网站找错) are not
# consultation: the indicator counts them on their own (error_reports below).

def _column_of(unit):
    return (Letter.objects.filter(Q(handling_unit=unit) | Q(mailbox__unit=unit))
            .exclude(letter_type__code=ERROR_REPORT_TYPE))


def open_letters_of(unit, *, received_from, received_to):
    """Accepted letters of ``unit``'s column, received in the window and still unanswered
    (the indicators' "valid message left unanswered"), oldest first."""
    return (_column_of(unit).filter(routed_at__isnull=False, status__in=OPEN_STATUSES,
                                    received_at__gte=received_from, received_at__lt=received_to)
            .only("id", "serial", "received_at", "routed_at", "status").order_by("received_at", "id"))


def replied_letters_of(unit, *, replied_from, replied_to, limit=500):
    """Letters of ``unit``'s column answered in the window (newest first, at most ``limit``), with
    what the working days to their answer are counted from."""
    return list(_column_of(unit).filter(status__in=REPLIED, routed_at__isnull=False,
                                        replied_at__gte=replied_from, replied_at__lt=replied_to)
                .only("id", "serial", "received_at", "routed_at", "replied_at").order_by("-replied_at", "-id")[:limit])


def published_letters_of(unit, *, until):
    """Letters of ``unit``'s column published by ``until`` (newest answer first), with the four
    fields a published letter must show."""
    return (_column_of(unit).filter(published=True, replied_at__lt=until)
            .select_related("handling_unit")
            .only("id", "serial", "received_at", "replied_at", "public_reply", "handling_unit__name")
            .order_by("-replied_at", "-id"))


def accepted_count_of(unit, *, received_from, received_to):
    """How many accepted letters of ``unit``'s column arrived in the window."""
    return _column_of(unit).filter(routed_at__isnull=False, received_at__gte=received_from,
                                   received_at__lt=received_to).count()


# --- The error-report channel (我为政府网站找错) ------------------------------------------

ERROR_REPORT_TYPE = "error_report"


def error_report_type():
    """The letter type of error reports (a data migration writes it), or None."""
    from .models import LetterType

    return LetterType.objects.filter(code=ERROR_REPORT_TYPE).first()


def site_for_address(address):
    """The registered site (``orgs.SiteRecord``) a page address belongs to, or None.

    A hosted site's page is reached by its own host name, or, on one machine, under
    the platform's address (``/s/<slug>/…``, the default site at the root); an
    independent site by the address registered for it."""
    from urllib.parse import urlsplit

    from django.conf import settings

    from orgs.addressing import PATH_PREFIX, hostname_for_slug
    from orgs.models import Hosting, SiteRecord

    try:
        parts = urlsplit((address or "").strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    records = SiteRecord.objects.select_related("unit", "site")
    for record in records.filter(hosting=Hosting.INDEPENDENT).exclude(url=""):
        if (urlsplit(record.url).hostname or "").lower() == host:
            return record
    own = records.filter(hosting=Hosting.HOSTED, hostname=host).first()
    if own is not None:
        return own
    base = urlsplit(settings.PLATFORM_BASE_URL)
    platform = (host == (base.hostname or "").lower() and port == base.port) or \
        host in {h.lower() for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")}
    if settings.PLATFORM_PATH_SITES and platform:
        path = parts.path or "/"
        if path.startswith(PATH_PREFIX):
            slug = path[len(PATH_PREFIX):].partition("/")[0]
            return records.filter(hosting=Hosting.HOSTED, hostname=hostname_for_slug(slug)).first() if slug else None
        return records.filter(hosting=Hosting.HOSTED, site__is_default_site=True).first()
    return None


def error_reports(*, unit_ids, since, until, today=None):
    """The error reports handled by ``unit_ids`` received from ``since`` to ``until``
    (dates, both included), oldest first, as the indicator needs them: each a dict
    ``serial, page (the address reported), site (SiteRecord id or None), received_at,
    replied_at (or None), limit (working days), working_days (taken to the reply, or
    so far for an open one, by letters.calendar), late (bool), open (bool)``."""
    from . import calendar

    today = today or timezone.localdate()
    letters = (
        Letter.objects.filter(letter_type__code=ERROR_REPORT_TYPE, handling_unit_id__in=list(unit_ids),
                              received_at__date__gte=since, received_at__date__lte=until)
        .exclude(status__in=(Status.SPAM, Status.DUPLICATE, Status.NOT_ACCEPTED))
        .order_by("received_at", "id")
    )
    pages = {}
    for letter_id, data in Event.objects.filter(letter__in=letters, kind="submitted").values_list("letter_id", "data"):
        pages[letter_id] = (data or {}).get("error_report") or {}
    result = []
    for letter in letters:
        start = timezone.localtime(letter.routed_at or letter.received_at).date()
        replied = letter.replied_at is not None and letter.status in REPLIED
        end = timezone.localtime(letter.replied_at).date() if replied else min(until, today)
        taken = calendar.working_days_between(start, end)
        limit = (letter.time_limit or 0) + letter.extension_days
        info = pages.get(letter.pk, {})
        result.append({
            "serial": letter.serial, "page": info.get("page", ""), "site": info.get("site"),
            "received_at": letter.received_at, "replied_at": letter.replied_at if replied else None,
            "limit": limit, "working_days": taken, "late": taken > limit, "open": not replied,
        })
    return result
