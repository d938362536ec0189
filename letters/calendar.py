"""Working days: one calendar service for every deadline of the platform.

A day is a working day when the official calendar (the ``chinesecalendar``
package: public holidays and make-up working days) says so, unless a supervisor
recorded an entry for that date, which wins. For a year the package does not know,
the rule is plain weekdays plus the supervisors' entries, and every answer says so.

Counting rule (documented in docs/decisions.md): the day a letter arrives is day 0;
day 1 is the first working day after it, whatever day it arrived on. A limit of N
working days therefore ends at the close of the N-th working day after arrival.
"""

import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar

from .models import CalendarEntry


@dataclass
class Deadline:
    start: dt.date
    limit: int
    due: dt.date
    skipped: list = field(default_factory=list)  # (date, why) of non-working days passed over
    estimated_years: list = field(default_factory=list)

    def explain(self):
        lines = [f"{self.start:%Y-%m-%d} 收到,次日起算 {self.limit} 个工作日,截止 {self.due:%Y-%m-%d}。"]
        if self.skipped:
            reasons = {}
            for day, why in self.skipped:
                reasons.setdefault(why, []).append(f"{day:%m-%d}")
            for why, days in reasons.items():
                lines.append(f"其间{why}不计:{'、'.join(days)}。")
        if self.estimated_years:
            years = "、".join(str(y) for y in self.estimated_years)
            lines.append(f"注意:{years}年的法定节假日尚未载入官方日历,暂按周末休息和监督人员登记的调整计算。")
        return "".join(lines)


def _entries(start, end):
    return {e.date: e for e in CalendarEntry.objects.filter(date__gte=start, date__lte=end)}


def library_knows(year):
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


# From this day of the year on, next year's arrangements are due (the State Council
# publishes them in the autumn) and the admin asks for them until they are in.
NEXT_YEAR_DUE = (11, 1)


def years_to_register(today=None):
    """The years whose public holidays the official calendar does not know and for
    which no one has registered a single day yet: this year, and next year from
    November on. Deadlines in those years count weekends only until someone does."""
    if today is None:
        from django.utils import timezone

        today = timezone.localdate()
    years = [today.year] + ([today.year + 1] if (today.month, today.day) >= NEXT_YEAR_DUE else [])
    wanted = [y for y in years if not library_knows(y)]
    if not wanted:
        return []
    registered = {d.year for d in CalendarEntry.objects.filter(date__year__in=wanted).dates("date", "year")}
    return [y for y in wanted if y not in registered]


def day_kind(day, entries=None):
    """(is_working_day, why) for one date; ``why`` names what decided it."""
    entries = entries if entries is not None else _entries(day, day)
    entry = entries.get(day)
    if entry is not None:
        return entry.is_working_day, entry.reason or ("调休工作日" if entry.is_working_day else "休息日")
    try:
        working = chinese_calendar.is_workday(day)
        if working:
            return True, "工作日" if day.weekday() < 5 else "调休上班"
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        return False, _holiday_name(name) if name else "周末"
    except NotImplementedError:
        return day.weekday() < 5, "工作日" if day.weekday() < 5 else "周末"


HOLIDAY_NAMES = {
    "New Year's Day": "元旦假期", "Spring Festival": "春节假期", "Tomb-sweeping Day": "清明节假期",
    "Labour Day": "劳动节假期", "Dragon Boat Festival": "端午节假期", "National Day": "国庆节假期",
    "Mid-autumn Festival": "中秋节假期", "Anti-Fascist 70th Day": "纪念日假期",
}


def _holiday_name(name):
    return HOLIDAY_NAMES.get(name, name)


def add_working_days(start, limit):
    """The date that closes the ``limit``-th working day after ``start``."""
    if limit < 0:
        raise ValueError("limit must not be negative")
    horizon = start + dt.timedelta(days=limit * 3 + 30)
    entries = _entries(start, horizon)
    day, counted, skipped, estimated = start, 0, [], set()
    while counted < limit:
        day += dt.timedelta(days=1)
        if day > horizon:
            horizon = day + dt.timedelta(days=limit * 3 + 30)
            entries.update(_entries(day, horizon))
        if not library_knows(day.year):
            estimated.add(day.year)
        working, why = day_kind(day, entries)
        if working:
            counted += 1
        else:
            skipped.append((day, why))
    return Deadline(start=start, limit=limit, due=day, skipped=skipped, estimated_years=sorted(estimated))


def working_days_between(start, end):
    """How many working days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    entries = _entries(start, end)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if day_kind(day, entries)[0]:
            count += 1
    return count
