"""What the database knows of a hosted site, measured without a crawl: its columns and
home page (the pages themselves), policy documents and interpretations, the
mailbox's answers, the service guides and the integrity events.

For a hosted site these measures replace what a crawl read of it (measures.BUILDERS
puts this builder after the crawler): the database knows a column's newest item and
when it was published exactly. An independent site gets only ``interaction``, and
only when its unit has a mailbox on the platform.

Everything is read as of the period's ``until`` day (a past month is measured as it
was then), and each measure carries the evidence an editor acts on: the column's title
and address, the page, the letter's serial, the dates.
"""

import datetime as dt

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from wagtail.models import Page

from delivery.models import IntegrityEvent
from disclosure.queries import document_relations, policy_documents, unit_guide_report
from letters.calendar import working_days_between
from letters.models import Mailbox
from letters.queries import (
    accepted_count_of,
    mailboxes_for_unit,
    open_letters_of,
    published_letters_of,
    replied_letters_of,
)
from livedata import queries as live
from orgs.models import UnitKind
from portal.models import ColumnCategory, ColumnPage, ContentPage

from ..measures import NOT_CHECKED, OK, PROBLEM, Evidence, Measure

# The column kinds of the measures (measures.py) by the portal's column categories.
KIND_OF_CATEGORY = {
    ColumnCategory.NEWS: "news", ColumnCategory.SOCIAL_NEWS: "news", ColumnCategory.NOTICES: "notices",
    ColumnCategory.POLICY: "policy", ColumnCategory.INTERPRETATION: "interpretation",
    ColumnCategory.PERSONNEL: "personnel", ColumnCategory.PLANS: "plans", ColumnCategory.OVERVIEW: "overview",
}
# Columns whose content is published as items; services and interaction columns show
# the platform's directory and mailbox instead (never "blank").
CONTENT_CATEGORIES = {
    ColumnCategory.NEWS, ColumnCategory.SOCIAL_NEWS, ColumnCategory.NOTICES, ColumnCategory.POLICY,
    ColumnCategory.INTERPRETATION, ColumnCategory.PERSONNEL, ColumnCategory.PLANS, ColumnCategory.OVERVIEW,
    ColumnCategory.TOPIC,
}
# The unit profile's sections that stand for the indicators' 机构职能 and 领导信息.
PROFILE_KINDS = {"functions": "organisation", "leaders": "leaders"}

DOCUMENT_SAMPLE = 3
GUIDE_SAMPLE = 5
LETTER_SAMPLE = 5
LETTER_WINDOW_DAYS = 365
OPEN_LETTER_FLOOR_DAYS = 30  # unanswered letters listed from this age; the rule's params decide the limit


def measures(record, period):
    """The measures of ``record`` for ``period`` (see the module's docstring)."""
    until = _end_of(period.until)
    stamp = timezone.now().isoformat(timespec="seconds")
    found = []
    if record.site_id is not None:
        home = record.site.root_page.specific
        found += [_columns(home, period.until, until), _home_update(home, period.until, until),
                  _documents(record, until), _guides(record), _integrity(record, period, until)]
        if record.unit.kind == UnitKind.WINDOW_UNIT:
            found.append(_live_data(record.unit, until))
    interaction = _interaction(record, period.until, until)
    if interaction is not None:
        found.append(interaction)
    for measure in found:
        measure.measured_at = stamp
    return found


def _end_of(day):
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _url(page):
    try:
        return page.get_full_url() or page.url_path
    except (NoReverseMatch, AttributeError):
        return page.url_path


def _day(value):
    return timezone.localtime(value).date() if value is not None else None


# --- Columns and the home page ------------------------------------------------------------

def _newest_item(column, until):
    """The newest item of ``column`` published by ``until``: its own (also in its
    sub-columns) or placed in it; else the newest other page under it (a profile
    section), by its first publication."""
    placed = ContentPage.also_in.through.objects.filter(columnpage_id=column.pk).values("contentpage_id")
    item = (ContentPage.objects.live().filter(Q(path__startswith=column.path, depth__gt=column.depth) | Q(pk__in=placed))
            .filter(pub_date__lt=until).only("id", "title", "pub_date", "url_path", "path", "depth")
            .order_by("-pub_date", "-pk").first())
    if item is not None:
        return item, item.pub_date
    other = (Page.objects.live().descendant_of(column).not_type(ColumnPage).not_type(ContentPage)
             .filter(first_published_at__lt=until).order_by("-last_published_at", "-pk").specific().first())
    if other is not None:
        last = other.last_published_at
        return other, last if last is not None and last < until else other.first_published_at
    return None, None


def _columns(home, day, until):
    columns = list(ColumnPage.objects.live().descendant_of(home).filter(first_published_at__lt=until)
                   .select_related("kind").order_by("path"))
    rows, evidence = [], []
    present = set()
    for column in columns:
        category = column.kind.category
        period_days = column.kind.update_period or 0
        if category not in CONTENT_CATEGORIES and not period_days:
            continue  # a directory, the mailbox, a catalogue's frame: not a column of items
        kind = KIND_OF_CATEGORY.get(category, "other")
        item, at = _newest_item(column, until)
        last = _day(at)
        days = (day - last).days if last else None
        blank = item is None
        stale = bool(period_days) and (blank or days > period_days)
        url = _url(column)
        row = {"title": column.title, "url": url, "kind": kind, "top_level": column.depth == home.depth + 1,
               "period_days": period_days, "last_update": last.isoformat() if last else None, "days_since": days,
               "blank": blank, "stale": stale, "page_id": column.pk, "category": category}
        if item is not None:
            row.update(newest_title=item.title, newest_url=_url(item))
        rows.append(row)
        present.add(kind)
        if blank:
            evidence.append(Evidence(f"栏目“{column.title}”", url, "开设以来没有内容"))
        elif stale:
            evidence.append(Evidence(f"栏目“{column.title}”", url,
                                     f"最新信息《{item.title}》,{days}天未更新(更新周期{period_days}天)", last.isoformat()))
    for section, kind in PROFILE_KINDS.items():
        if _profile_section_live(home, section):
            present.add(kind)
    state = PROBLEM if evidence else OK
    summary = f"{len(rows)}个栏目,空白{sum(r['blank'] for r in rows)}个,未按期更新{sum(r['stale'] and not r['blank'] for r in rows)}个"
    return Measure("columns", state, {"columns": rows, "present_kinds": sorted(present)}, evidence, summary)


def _profile_section_live(home, section):
    from disclosure.models import ProfilePage

    return ProfilePage.objects.live().descendant_of(home).filter(section=section).exists()


def _home_update(home, day, until):
    """The newest item the home page lists: of its menu columns (and what is placed in them)."""
    menu = ColumnPage.objects.child_of(home).live().in_menu()
    paths = Q()
    for path in menu.values_list("path", flat=True):
        paths |= Q(path__startswith=path)
    placed = ContentPage.also_in.through.objects.filter(columnpage__in=ColumnPage.objects.descendant_of(home)).values(
        "contentpage_id")
    item = (ContentPage.objects.live().filter(paths | Q(pk__in=placed)).filter(pub_date__lt=until)
            .order_by("-pub_date", "-pk").first()) if menu.exists() else None
    if item is None:
        return Measure("home_update", PROBLEM, {"last_update": None, "days_since": None, "navigation_only": False},
                       [Evidence("首页", _url(home), "没有标明发布日期的信息")], "首页没有更新内容")
    last = _day(item.pub_date)
    days = (day - last).days
    evidence = [Evidence(f"首页最新信息《{item.title}》", _url(item), f"{days}天前发布", last.isoformat())]
    return Measure("home_update", OK if days <= 14 else PROBLEM,
                   {"last_update": last.isoformat(), "days_since": days, "navigation_only": False}, evidence,
                   f"首页最新信息发布于{last.isoformat()}")


# --- Policy documents and interpretations -------------------------------------------------

def _documents(record, until):
    docs = policy_documents([record.unit]).filter(pub_date__lt=until).order_by("-pub_date", "-pk")
    total = docs.count()
    interpreted = document_relations()["interpreted"]
    sampled = []
    evidence = []
    for doc in docs[:DOCUMENT_SAMPLE]:
        has = doc.pk in interpreted
        url = _url(doc)
        sampled.append({"title": doc.title, "url": url, "has_interpretation": has, "page_id": doc.pk})
        if not has:
            evidence.append(Evidence(f"文件《{doc.title}》", url, "没有政策解读", _day(doc.pub_date).isoformat()))
    # A document and its interpretation are linked by the interpretation's own record
    # (InterpretationPage.interprets), and both pages show the link from it: no
    # direction can be missing on a hosted site.
    value = {"policy_total": total, "sampled": sampled, "missing_links": []}
    if not total:
        return Measure("documents", OK, value, [], "没有政策文件")
    return Measure("documents", PROBLEM if evidence else OK, value, evidence,
                   f"政策文件{total}件,抽查{len(sampled)}件")


# --- Service guides ---------------------------------------------------------------------------

def _has_forms(page):
    return any(m.blank_form_id or m.sample_id for m in page.materials.all())


def _guides(record):
    # The portal's 办事服务 column is the whole city's directory of matters: its
    # services are every unit's guides; any other site's are its unit's own.
    report = unit_guide_report(live_only=True) if record.kind == "portal" else unit_guide_report(
        record.unit, live_only=True)
    sample, evidence, without = [], [], []
    for row in report.rows:
        page, result = row.page, row.result
        url = _url(page)
        if not _has_forms(page):
            without.append(page.title)
        if len(sample) < GUIDE_SAMPLE:
            missing = [str(p.message).removeprefix("缺少").strip("“”") for p in result.missing]
            sample.append({"title": page.title, "url": url, "missing": missing,
                           "vague": [str(p.message) for p in result.vague],
                           "problems": [{"kind": p.kind, "message": str(p.message)} for p in result.vague],
                           "page_id": page.pk})
            if result.problems:
                evidence.append(Evidence(f"办事指南“{page.title}”", url,
                                         ";".join(str(p.message) for p in result.problems)))
    value = {"total": report.total, "lacking_four_or_more": report.lacking_four_or_more, "sample": sample,
             "services_unusable": report.services_unusable or report.total == 0, "without_forms": len(without),
             "without_forms_titles": without}
    bad = report.total == 0 or report.services_unusable or evidence or without
    return Measure("guides", PROBLEM if bad else OK, value, evidence,
                   f"办事指南{report.total}项,缺4个以上要素{report.lacking_four_or_more}项")


# --- The mailbox ------------------------------------------------------------------------------

def _interaction(record, day, until):
    unit = record.unit
    own = Mailbox.objects.filter(unit=unit, active=True).exists()
    if record.site_id is None and not own:
        return None
    channels = mailboxes_for_unit(unit.pk) if record.site_id is not None else list(
        Mailbox.objects.filter(unit=unit, active=True))
    since = until - dt.timedelta(days=LETTER_WINDOW_DAYS)
    evidence = []
    if not channels:
        evidence.append(Evidence("互动交流", detail="没有开放的信箱"))

    unanswered = []
    for letter in open_letters_of(unit, received_from=since, received_to=until):
        days_open = (day - _day(letter.received_at)).days
        if days_open >= OPEN_LETTER_FLOOR_DAYS:
            unanswered.append({"serial": letter.serial, "received_at": _day(letter.received_at).isoformat(),
                               "days_open": days_open})
            evidence.append(Evidence(f"来信 {letter.serial}", detail=f"受理后{days_open}天未答复",
                                     at=_day(letter.received_at).isoformat()))

    late, fast = [], 0
    replied = replied_letters_of(unit, replied_from=since, replied_to=until)
    for letter in replied:
        days = working_days_between(_day(letter.routed_at), _day(letter.replied_at))
        fast += days <= 1
        if days > 5:
            late.append({"serial": letter.serial, "received_at": _day(letter.received_at).isoformat(),
                         "working_days": days})

    published = published_letters_of(unit, until=until)
    count = published.count()
    sample = []
    for letter in published[:LETTER_SAMPLE]:
        missing = [name for name, present in (("received_at", letter.received_at), ("replied_at", letter.replied_at),
                                              ("unit", letter.handling_unit_id),
                                              ("reply", (letter.public_reply or "").strip())) if not present]
        sample.append({"serial": letter.serial, "missing": missing})
    newest = published.first()
    days_since = (day - _day(newest.replied_at)).days if newest is not None else None
    if newest is not None:
        evidence.append(Evidence(f"最近公开的来信 {newest.serial}", detail=f"{days_since}天前答复",
                                 at=_day(newest.replied_at).isoformat()))
    received = accepted_count_of(unit, received_from=since, received_to=until)
    value = {"has_channel": bool(channels), "received": received, "unanswered_over_limit": unanswered,
             "published": count,
             "sample": sample, "days_since_published": days_since,
             # the platform publishes every mailbox's figures on its statistics page
             "has_statistics": bool(channels), "statistics_url": _stats_url(),
             "late_answers": late, "answered": len(replied), "answered_within_one_day": fast}
    bad = not channels or unanswered or late or (received and not count)
    return Measure("interaction", PROBLEM if bad else OK, value, evidence,
                   f"公开来信{count}件,逾期未答复{len(unanswered)}件")


def _stats_url():
    try:
        return reverse("letters:stats")
    except NoReverseMatch:
        return ""


# --- Integrity --------------------------------------------------------------------------------

def _integrity(record, period, until):
    """Tampering of the site's baked files detected in the period or still not put
    right: each with how long it stayed (the rule's params decide what is late)."""
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    now = min(timezone.now(), until)
    events = IntegrityEvent.objects.filter(site=record.site).filter(
        Q(detected_at__gte=start, detected_at__lt=until) | Q(restored_at__isnull=True, detected_at__lt=until))
    rows, evidence = [], []
    for event in events.order_by("detected_at"):
        end = event.restored_at if event.restored_at and event.restored_at < until else now
        minutes = int((end - event.detected_at).total_seconds() // 60)
        rows.append({"path": event.path, "kind": event.kind, "at": event.detected_at.isoformat(),
                     "minutes_open": minutes, "restored": bool(event.restored_at and event.restored_at < until)})
        evidence.append(Evidence(event.get_kind_display(), event.path,
                                 f"{minutes}分钟后恢复" if rows[-1]["restored"] else f"{minutes}分钟未恢复",
                                 event.detected_at.isoformat()))
    if not rows:
        return Measure("integrity", OK, {"unhandled": []}, [], "没有篡改事件")
    return Measure("integrity", PROBLEM, {"unhandled": rows}, evidence, f"篡改事件{len(rows)}起")



# --- Live data --------------------------------------------------------------------------------

def _live_data(unit, until):
    """A window unit's watched live-data streams (flights, trains, outages …): a stream
    that stopped bringing data is a problem, with since when. Streams keep only their
    latest arrival, so a past period is read as of now (or its end, if earlier)."""
    channels = [c for c in live.channels_of(unit) if c.expected_minutes]
    if not channels:
        return Measure("live_data", NOT_CHECKED, {"channels": [], "silent": 0}, [], "本单位没有需监测的实时数据")
    now = min(timezone.now(), until)
    rows, evidence = [], []
    for channel in channels:
        silence = live.silence_of(channel, now)
        label = str(channel.get_kind_display())
        last = channel.last_data_at
        rows.append({"kind": channel.kind, "label": label, "expected_minutes": channel.expected_minutes,
                     "last_data_at": last.isoformat() if last else None, "silent": silence is not None,
                     "since": silence.since.isoformat() if silence and silence.since else None})
        if silence is not None:
            detail = (f"{label}自 {timezone.localtime(last):%m-%d %H:%M} 起未更新(应每{channel.expected_minutes}分钟更新)"
                      if last else f"{label}从未收到数据")
            evidence.append(Evidence(f"实时数据“{label}”", detail=detail,
                                     at=timezone.localtime(last).isoformat() if last else ""))
    silent = sum(row["silent"] for row in rows)
    summary = f"监测{len(rows)}类实时数据,{silent}类中断" if silent else f"监测{len(rows)}类实时数据,均按时更新"
    return Measure("live_data", PROBLEM if silent else OK, {"channels": rows, "silent": silent}, evidence, summary)
