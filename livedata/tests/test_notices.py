"""Utility service notices: when they show, their progress and restoration, their
history, and what a bad notice gets (issue 12)."""

import pytest

from livedata import queries, services
from livedata.models import Change, NoticeUpdate, ServiceNotice

pytestmark = pytest.mark.django_db


def outage(ref="TS-1", **more):
    record = {"id": ref, "kind": "planned_outage", "title": "东区民族路片区计划停电", "reason": "线路检修",
              "districts": ["东区"], "streets": ["民族路", "五一路"]}
    record.update({k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in more.items()})
    return record


def push(unit, records, **kw):
    return services.notices_upsert(unit=unit, records=records, source="api", **kw)


def shown(at_time, **kw):
    return [n.ref for n in queries.notices_shown(now=at_time, **kw)]


def test_an_outage_appears_when_published_and_leaves_after_it_ends(live, at):
    result = push(live.power, [outage(visible_from=at(1), starts_at=at(5), ends_at=at(9))], now=at(0))
    assert result.created == 1
    assert shown(at(0.5)) == []                     # not yet published
    assert shown(at(2)) == ["TS-1"]                  # announced before it starts
    notice = ServiceNotice.objects.get()
    assert queries.notice_phase(notice, at(2)) == "upcoming"
    assert queries.notice_phase(notice, at(6)) == "ongoing"
    assert queries.notice_phase(notice, at(10)) == "ended"
    assert shown(at(9 + 5.9)) == ["TS-1"]            # ended, still shown for a while
    assert shown(at(9 + 6.1)) == []                  # then gone
    assert shown(at(6), utility="water") == [] and shown(at(6), unit=live.power) == ["TS-1"]


def test_progress_is_merged_once_and_restoration_ends_the_notice(live, at):
    push(live.water, [outage(kind="emergency_outage", title="东区爆管抢修停水", starts_at=at(-2), status="in_progress",
                             observed_at=at(-2))])
    first = {"at": at(-1).isoformat(), "text": "抢修人员已到场,正在开挖。"}
    push(live.water, [{"id": "TS-1", "updates": [first], "observed_at": at(-1).isoformat()}])
    again = push(live.water, [{"id": "TS-1", "updates": [first], "observed_at": at(-1).isoformat()}])
    assert again.unchanged == 1 and NoticeUpdate.objects.count() == 1
    done = push(live.water, [{"id": "TS-1", "status": "restored", "observed_at": at(-0.5).isoformat(),
                              "updates": [first, {"at": at(-0.5).isoformat(), "text": "管道已修复,恢复供水。"}]}])
    assert done.updated == 1
    notice = ServiceNotice.objects.get()
    assert notice.status == "restored" and notice.restored_at == at(-0.5)
    assert [u.text for u in notice.updates.all()] == ["抢修人员已到场,正在开挖。", "管道已修复,恢复供水。"]
    assert queries.notice_phase(notice, at(0)) == "restored"
    assert shown(at(5)) == ["TS-1"] and shown(at(6)) == []
    history = list(Change.objects.filter(notice=notice).order_by("id"))
    assert history[0].created and history[-1].fields["status"] == ["in_progress", "restored"]


def test_a_late_notice_message_is_not_applied(live, at):
    push(live.water, [outage(starts_at=at(5), status="in_progress", observed_at=at(-0.1))])
    late = push(live.water, [{"id": "TS-1", "status": "planned", "observed_at": at(-1).isoformat()}])
    assert late.stale == ["TS-1"] and ServiceNotice.objects.get().status == "in_progress"


@pytest.mark.parametrize("record, code, field", [
    ({"id": "X", "kind": "planned_outage", "title": "停水"}, "missing_field", "starts_at"),
    ({"id": "X", "kind": "planned_outage", "title": "停水", "starts_at": "2026-12-10T09:00"}, "no_area", "districts"),
    (outage("X", starts_at="2026-12-10T09:00", ends_at="2026-12-10T08:00"), "impossible_time", "ends_at"),
    (outage("X", starts_at="2026-12-10T09:00", status="restored", restored_at="2026-12-10T08:00"),
     "impossible_time", "restored_at"),
    (outage("X", starts_at="2026-12-10T09:00", area={"type": "Polygon", "coordinates": [[[106, 29], [107, 29]]]}),
     "invalid", "area"),
    (outage("X", starts_at="2026-12-10T09:00", area={"type": "Point", "coordinates": [29.5, 106.5]}),
     "invalid", "area"),
    (outage("X", starts_at="not a time"), "invalid", "starts_at"),
    (outage("X", starts_at="2026-12-10T09:00", kind="flood"), "invalid", "kind"),
])
def test_a_bad_notice_is_refused_with_its_reason_and_stores_nothing(live, record, code, field):
    result = push(live.water, [record])
    assert result.created == 0
    errors = result.rejected[0]["errors"]
    assert (errors[0]["code"], errors[0]["field"]) == (code, field), errors
    assert not ServiceNotice.objects.exists() and not Change.objects.exists()


def test_a_notice_without_an_end_stays_until_cancelled(live, at):
    push(live.water, [{"id": "SP-1", "kind": "service_point", "title": "民族路营业厅迁址",
                       "details": "自12月起迁至五一路。", "starts_at": at(-1).isoformat(), "observed_at": at(-1).isoformat()}])
    assert shown(at(24 * 30)) == ["SP-1"]
    push(live.water, [{"id": "SP-1", "status": "cancelled", "observed_at": at(0).isoformat()}], now=at(0))
    assert shown(at(5)) == ["SP-1"] and shown(at(7)) == []


@pytest.mark.parametrize("change, code, field", [
    ({"starts_at": "0001-01-01T00:00:00+14:00"}, "invalid", "starts_at"),
    ({"ends_at": "9999-12-31T23:59:59-12:00"}, "invalid", "ends_at"),
    ({"visible_from": "0001-01-01T00:00:00"}, "invalid", "visible_from"),
    ({"updates": [{"at": "0001-01-01T00:00:00+14:00", "text": "x"}]}, "invalid", "updates.0.at"),
    ({"starts_at": "9000-01-01T09:00"}, "invalid", "starts_at"),
    ({"starts_at": "2090-01-01T09:00"}, "out_of_range", "starts_at"),
    ({"reason": "线路\x00检修"}, "invalid", "reason"),
    ({"streets": ["民族路\x07"]}, "invalid", "streets"),
])
def test_times_out_of_any_range_and_control_characters_are_refused_not_a_crash(live, at, change, code, field):
    record = outage(starts_at=at(5), ends_at=at(9))
    record.update(change)
    result = push(live.water, [record])
    errors = result.rejected[0]["errors"]
    assert (errors[0]["code"], errors[0]["field"]) == (code, field), errors
    assert all("Input" not in e["message"] for e in errors)
    assert not ServiceNotice.objects.exists()


def test_a_restoration_in_the_future_is_refused(live, at):
    result = push(live.water, [outage(starts_at=at(-3), status="restored", restored_at=at(2))])
    assert result.rejected[0]["errors"][0]["code"] == "impossible_time"


def test_an_old_notice_without_end_is_still_cancelled(live, at):
    push(live.water, [{"id": "TF-1", "kind": "tariff", "title": "居民水价调整", "starts_at": at(-24 * 300).isoformat(),
                       "observed_at": at(-24 * 300).isoformat()}], now=at(-24 * 300))
    result = push(live.water, [{"id": "TF-1", "status": "cancelled"}])
    assert result.updated == 1
