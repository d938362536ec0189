"""The ``error_report`` measure: the reports of the platform's own 我为政府网站找错
channel about a site in a period, and the ones answered later than 3 working days,
each late one with its evidence (the letter, the page reported)."""

import datetime as dt

import pytest
from django.utils import timezone

from letters import services as letter_services
from letters.models import Letter, LetterType, Mailbox, Status
from supervision.collect.error_reports import measures
from supervision.measures import NOT_CHECKED, OK, PROBLEM, Period, collect

PROBLEM_TEXT = "通知公告栏目的联系电话写错了一位数字,请核实。"
MONDAY = timezone.make_aware(dt.datetime(2025, 3, 3, 9, 30))
MARCH = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31), dt.date(2025, 3, 31))


@pytest.fixture(autouse=True)
def mayors_mailbox(city):
    return Mailbox.objects.create(unit=city.office, name="市长信箱", code="mayor", email="mayor@mail.cq.gov.cn",
                                  is_mayor=True)


def _report(address, *, replied_after_days=None):
    letter, _ = letter_services.error_report_submit(address=address, problem=PROBLEM_TEXT)
    changes = {"received_at": MONDAY, "routed_at": MONDAY}
    if replied_after_days is not None:
        changes.update(status=Status.REPLIED, replied_at=MONDAY + dt.timedelta(days=replied_after_days))
    Letter.objects.filter(pk=letter.pk).update(**changes)
    return letter


def test_a_site_without_reports_is_ok_with_none(city):
    (measure,) = measures(city.district_site, MARCH)
    assert (measure.code, measure.state) == ("error_report", OK)
    assert measure.value["reports"] == 0 and measure.value["late"] == [] and measure.value["limit_days"] == 3


def test_a_report_answered_late_is_a_problem_with_its_evidence(city):
    on_time = _report("https://east.cq.gov.cn/notices/", replied_after_days=2)   # Wednesday: 2 working days
    late = _report("https://east.cq.gov.cn/news/1/", replied_after_days=7)       # next Monday: 5 working days
    _report("https://edu.cq.gov.cn/", replied_after_days=9)                     # another site's
    (measure,) = measures(city.district_site, MARCH)
    assert measure.state == PROBLEM
    assert measure.value["reports"] == 2
    assert [(row["serial"], row["working_days"]) for row in measure.value["late"]] == [(late.serial, 5)]
    (evidence,) = measure.evidence
    assert evidence.url == "https://east.cq.gov.cn/news/1/" and late.serial in evidence.what
    assert "5 个工作日后答复" in evidence.detail
    assert on_time.serial not in str(measure.to_dict())


def test_a_report_still_open_past_the_limit_is_late(city):
    open_report = _report("https://east.cq.gov.cn/")
    (measure,) = measures(city.district_site, MARCH)
    assert measure.state == PROBLEM and measure.value["late"][0]["serial"] == open_report.serial
    assert measure.value["late"][0]["open"] is True


def test_reports_of_another_period_do_not_count(city):
    _report("https://east.cq.gov.cn/", replied_after_days=7)
    april = Period(dt.date(2025, 4, 1), dt.date(2025, 4, 30), dt.date(2025, 4, 30))
    (measure,) = measures(city.district_site, april)
    assert measure.state == OK and measure.value["reports"] == 0


def test_without_the_letter_type_the_measure_says_not_checked(city):
    LetterType.objects.filter(code="error_report").delete()
    (measure,) = measures(city.district_site, MARCH)
    assert measure.state == NOT_CHECKED and "未设置" in measure.reason


def test_the_builder_is_one_of_the_contracts_builders(city, monkeypatch):
    from supervision import measures as contract

    monkeypatch.setattr(contract, "BUILDERS", ("supervision.collect.error_reports.measures",))
    snapshot = collect(city.district_site, MARCH)
    assert snapshot.get("error_report").state == OK
