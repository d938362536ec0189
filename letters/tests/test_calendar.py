import datetime as dt

import pytest

from letters.calendar import add_working_days, day_kind, working_days_between
from letters.models import CalendarEntry

D = dt.date


@pytest.mark.django_db
def test_national_day_holiday_and_its_make_up_working_day():
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are working days.
    assert day_kind(D(2025, 9, 28))[0] is True
    deadline = add_working_days(D(2025, 9, 26), 5)  # a Friday
    # counted: Sun 28 (make-up), Mon 29, Tue 30, Thu 9, Fri 10 October
    assert deadline.due == D(2025, 10, 10)
    assert any(why == "国庆节假期" for _, why in deadline.skipped)
    assert "国庆节假期不计" in deadline.explain()


@pytest.mark.django_db
def test_spring_festival_holiday():
    # 2026: Spring Festival 15–23 February off; Saturday 14 and 28 February are working days.
    deadline = add_working_days(D(2026, 2, 12), 3)
    assert deadline.due == D(2026, 2, 24)
    assert "春节假期" in deadline.explain()


@pytest.mark.django_db
def test_a_letter_arriving_on_a_non_working_day_starts_on_the_next_working_day():
    assert add_working_days(D(2026, 11, 28), 1).due == D(2026, 11, 30)  # Saturday → Monday is day 1
    assert add_working_days(D(2026, 11, 26), 1).due == D(2026, 11, 27)  # Thursday → Friday is day 1


@pytest.mark.django_db
def test_a_year_the_library_does_not_know_uses_weekends_and_entries_and_says_so():
    deadline = add_working_days(D(2031, 3, 6), 2)  # Thursday
    assert deadline.due == D(2031, 3, 10)
    assert deadline.estimated_years == [2031]
    assert "尚未载入官方日历" in deadline.explain()
    CalendarEntry.objects.create(date=D(2031, 3, 7), is_working_day=False, reason="市政府决定临时休息")
    assert add_working_days(D(2031, 3, 6), 2).due == D(2031, 3, 11)


@pytest.mark.django_db
def test_supervisor_entries_override_the_official_calendar():
    CalendarEntry.objects.create(date=D(2026, 11, 27), is_working_day=False, reason="抗洪抢险临时调休")
    assert day_kind(D(2026, 11, 27)) == (False, "抗洪抢险临时调休")
    assert add_working_days(D(2026, 11, 26), 1).due == D(2026, 11, 30)


@pytest.mark.django_db
def test_working_days_between():
    assert working_days_between(D(2026, 11, 27), D(2026, 11, 30)) == 1
    assert working_days_between(D(2026, 11, 30), D(2026, 11, 30)) == 0
