"""What a pushed record must look like, checked one record at a time so that one bad
record never costs the good ones of its batch.

Two steps, both here:

1. *shape*: each record is checked against its schema (``TripIn``, ``NoticeIn``,
   ``EntryIn``; the same classes document the API). A field absent from a record
   about an existing ``id`` keeps its stored value, so a status update carries only
   what changed; ``null`` clears an optional field.
2. *plausibility*: the record merged with what is stored must make sense (times in
   order, no arrival before departure, known stations, an outage with an area).

A refusal is a :class:`RecordError`: a typed ``code``, the ``field`` and a message in
Chinese. The codes:

- ``invalid``: the field is missing, of the wrong type or out of its limits;
- ``unknown_station``: no active station of the mode's kind has that code;
- ``not_our_station``: a unit that runs stations publishes only trips that start or
  end at one of them;
- ``impossible_time``: times out of order (arrival before departure, an actual time
  still in the future, a restoration before the start …);
- ``out_of_range``: a time too far from today to be a real schedule;
- ``wrong_mode``: a record of another mode than the unit's (a train at an airport);
- ``missing_field``: a new record lacks a field every record must have;
- ``no_area``: an outage that says nowhere where it is.
"""

import datetime
import math
import re
from dataclasses import dataclass
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from .kinds import Availability, Mode, NoticeKind, NoticeStatus, TripStatus

# How far from now a trip's scheduled departure may be.
PAST_LIMIT = datetime.timedelta(days=3)
FUTURE_LIMIT = datetime.timedelta(days=400)
# The longest trip, and the largest delay or advance, a board believes.
LONGEST_TRIP = datetime.timedelta(days=7)
LARGEST_SHIFT = datetime.timedelta(hours=48)
# How far a source's clock may be ahead of ours.
CLOCK_SKEW = datetime.timedelta(minutes=5)
# GeoJSON: the longitudes and latitudes of China, and how many points an area may have.
LON_RANGE, LAT_RANGE = (73.0, 136.0), (3.0, 54.0)
MAX_POINTS = 5000

MAX_RECORDS = 1000  # in one batch

Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[^\s/]+$")]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]


def local_zone():
    return ZoneInfo(settings.TIME_ZONE)


def aware(value):
    """A time without a zone is Beijing time."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=local_zone())
    return value


# Times a record may carry at all (a year outside is a typing error, and would
# overflow the date arithmetic of the checks below).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _checked(value):
    """A time in Beijing time within the years a record may carry; text without
    control characters (NUL is refused by PostgreSQL and garbles a page)."""
    if isinstance(value, datetime.datetime):
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValueError("year")
        return aware(value)
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValueError("control")
    if isinstance(value, list):
        return [_checked(item) for item in value]
    return value


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _zone(cls, value):
        return _checked(value)


class Ticket(Record):
    # "class" is a Python keyword: the field is ``seat_class``, spelt "class" in JSON.
    seat_class: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)] = Field(
        ..., alias="class", description="席别或舱位,如 二等座、经济舱")
    status: Literal["available", "few", "sold_out"] = Field(..., description="available 有票,few 余票紧张,sold_out 售完")
    seats: int | None = Field(None, ge=0, le=5000, description="余票数(知道时)")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class TripIn(Record):
    id: Ref = Field(..., description="本单位系统里这个班次的编号(同一单位内唯一),以它新增或更新")
    mode: Literal["flight", "train", "ship", "bus"] | None = Field(None, description="不填按单位的行业")
    number: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=16,
                                             pattern=r"^[A-Za-z0-9\u4e00-\u9fff-]+$")] | None = Field(
        None, description="航班号、车次或客船班次号,如 CA1405、G310、长江1号")
    operator: Short | None = Field(None, description="航空公司、铁路局或船公司")
    origin: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None = Field(
        None, description="始发站代码(机场三字码、火车站电报码、港口代码)")
    destination: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None = Field(
        None, description="终到站代码")
    scheduled_departure: datetime.datetime | None = Field(None, description="计划出发时间;不带时区按北京时间")
    scheduled_arrival: datetime.datetime | None = None
    estimated_departure: datetime.datetime | None = None
    estimated_arrival: datetime.datetime | None = None
    actual_departure: datetime.datetime | None = None
    actual_arrival: datetime.datetime | None = None
    status: Literal["scheduled", "on_time", "delayed", "boarding", "departed", "arrived", "cancelled"] | None = None
    position: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = Field(
        None, description="登机口、检票口/站台或泊位")
    remark: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = Field(
        None, description="说明,如延误原因")
    tickets: list[Ticket] | None = Field(None, max_length=12, description="各席别的票务状态;给出即整体替换")
    observed_at: datetime.datetime | None = Field(
        None, description="这一状态在数据源中的时间;晚到的旧消息不会覆盖新状态。不填为收到时间")


class UpdateIn(Record):
    at: datetime.datetime
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class NoticeIn(Record):
    id: Ref = Field(..., description="本单位系统里这条服务信息的编号")
    kind: Literal["planned_outage", "emergency_outage", "service_point", "tariff", "other"] | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)] | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    details: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] | None = None
    districts: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]] | None = Field(
        None, max_length=60, description="影响的区县")
    streets: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]] | None = Field(
        None, max_length=200, description="影响的街道、路段和小区")
    area: dict | None = Field(None, description="影响范围:GeoJSON 几何(Point、MultiPoint、Polygon、MultiPolygon,WGS84 经纬度)")
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    status: Literal["planned", "in_progress", "restored", "cancelled"] | None = None
    restored_at: datetime.datetime | None = None
    visible_from: datetime.datetime | None = Field(None, description="何时起公布;不填为收到时")
    contact: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    updates: list[UpdateIn] | None = Field(None, max_length=100, description="进展;与已有进展合并,不会重复")
    observed_at: datetime.datetime | None = None


class EntryIn(Record):
    id: Ref
    provider: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    category: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)] | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    hours: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200,
                                          pattern=r"^https?://[^\s]+$")] | None = None
    published: bool | None = None
    observed_at: datetime.datetime | None = None


# --- Errors ------------------------------------------------------------------------

@dataclass(frozen=True)
class RecordError:
    code: str
    field: str
    message: str


class Refused(Exception):
    def __init__(self, *errors):
        super().__init__(errors[0].message if errors else "")
        self.errors = list(errors)


FIELD_NAMES = {
    "id": "编号", "mode": "类别", "number": "班次号", "operator": "承运人", "origin": "始发站", "destination": "终到站",
    "scheduled_departure": "计划出发", "scheduled_arrival": "计划到达", "estimated_departure": "预计出发",
    "estimated_arrival": "预计到达", "actual_departure": "实际出发", "actual_arrival": "实际到达", "status": "状态",
    "position": "登机口/检票口/泊位", "remark": "说明", "tickets": "票务", "observed_at": "数据时间",
    "kind": "类别", "title": "标题", "reason": "原因", "details": "详细内容", "districts": "影响区县",
    "streets": "影响街道", "area": "影响范围", "starts_at": "开始时间", "ends_at": "预计结束",
    "restored_at": "恢复时间", "visible_from": "公布时间", "contact": "咨询电话", "updates": "进展",
    "provider": "企业或机构", "category": "服务类别", "description": "服务内容", "address": "地址", "phone": "电话",
    "hours": "服务时间", "url": "网址", "published": "公开", "class": "席别", "seats": "余票数", "at": "时间", "text": "进展",
}

PYDANTIC_MESSAGES = {
    "missing": "缺少这一项",
    "extra_forbidden": "没有这一项(请检查拼写)",
    "string_too_long": "太长",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不对",
    "datetime_from_date_parsing": "不是有效的时间(应如 2026-12-02T08:30:00+08:00)",
    "datetime_parsing": "不是有效的时间(应如 2026-12-02T08:30:00+08:00)",
    "datetime_type": "不是有效的时间(应如 2026-12-02T08:30:00+08:00)",
    "literal_error": "不是可用的取值",
    "too_long": "项数太多",
    "int_parsing": "应为整数",
    "less_than_equal": "太大",
    "greater_than_equal": "不能为负数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "datetime_object_invalid": "不是有效的时间",
    "datetime_from_date_parsing_error": "不是有效的时间(应如 2026-12-02T08:30:00+08:00)",
    "timezone_aware": "应带时区",
    "url_parsing": "不是有效的网址",
}


def _field_path(loc):
    return ".".join(str(part) for part in loc)


def _label(loc):
    names = [FIELD_NAMES.get(str(part), str(part)) if not isinstance(part, int) else f"第{part + 1}项" for part in loc]
    return " ".join(names) or "记录"


def shape_errors(exc):
    errors = []
    for error in exc.errors():
        loc = error.get("loc", ())
        detail = PYDANTIC_MESSAGES.get(error.get("type"), "格式不正确")
        if error.get("type") == "value_error":
            detail = {"year": f"时间超出范围(应在 {EARLIEST_YEAR} 年到 {LATEST_YEAR} 年之间)",
                      "control": "含有控制字符"}.get(str((error.get("ctx") or {}).get("error", "")), "格式不正确")
        if error.get("type") == "literal_error":
            expected = (error.get("ctx") or {}).get("expected", "")
            detail = f"不是可用的取值(可用:{expected})"
        errors.append(RecordError("invalid", _field_path(loc) or "record", f"{_label(loc)}:{detail}。"))
    return errors


def parse(schema, raw):
    """``raw`` (a dict) as ``schema``, or :class:`Refused` with every shape error."""
    if not isinstance(raw, dict):
        raise Refused(RecordError("invalid", "record", "每条记录应为一个 JSON 对象。"))
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        raise Refused(*shape_errors(exc)) from None


def given(record):
    """The fields a record actually carries (absent ones keep the stored values)."""
    return {name: getattr(record, name) for name in record.model_fields_set}


# --- Plausibility ---------------------------------------------------------------------

def _when(value, *, year=False):
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M" if year else "%m-%d %H:%M")


def check_trip(state, *, now, received):
    """Errors of a trip's merged ``state`` (a dict of model field values, stations as
    Station objects): times in order, inside a believable window."""
    errors = []

    def refuse(code, field, message):
        errors.append(RecordError(code, field, message))

    dep, arr = state.get("scheduled_departure"), state.get("scheduled_arrival")
    if state["origin"] is not None and state["origin"] == state["destination"]:
        refuse("impossible_time", "destination", "始发站和终到站相同。")
    if dep and arr:
        if arr <= dep:
            refuse("impossible_time", "scheduled_arrival",
                   f"计划到达({_when(arr)})不能早于或等于计划出发({_when(dep)})。")
        elif arr - dep > LONGEST_TRIP:
            refuse("impossible_time", "scheduled_arrival", "计划到达与出发相隔超过7天,请检查日期。")
    if dep and not (now - PAST_LIMIT <= dep <= now + FUTURE_LIMIT):
        refuse("out_of_range", "scheduled_departure",
               f"计划出发({_when(dep, year=True)})离今天太远:只接受3天前到400天后的班次。")
    for first, second, label in (("estimated_departure", "estimated_arrival", "预计"),
                                 ("actual_departure", "actual_arrival", "实际")):
        a, b = state.get(first), state.get(second)
        if a and b and b < a:
            refuse("impossible_time", second, f"{label}到达({_when(b)})早于{label}出发({_when(a)})。")
    for name, scheduled in (("estimated_departure", dep), ("estimated_arrival", arr),
                            ("actual_departure", dep), ("actual_arrival", arr)):
        value = state.get(name)
        if value and scheduled and abs(value - scheduled) > LARGEST_SHIFT:
            refuse("impossible_time", name, f"{FIELD_NAMES[name]}与计划时间相差超过48小时,请检查日期。")
    for name in ("actual_departure", "actual_arrival"):
        value = state.get(name)
        if value and value > received + CLOCK_SKEW:
            refuse("impossible_time", name, f"{FIELD_NAMES[name]}({_when(value)})还没有到。")
    if state.get("actual_arrival") and dep and state["actual_arrival"] <= dep - LARGEST_SHIFT:
        refuse("impossible_time", "actual_arrival", "实际到达早于计划出发。")
    status = state.get("status")
    if status == TripStatus.CANCELLED and state.get("actual_departure"):
        refuse("impossible_time", "status", "已经出发的班次不能是“取消”。")
    if status == TripStatus.ARRIVED and state.get("actual_departure") is None and state.get("actual_arrival") is None \
            and dep and dep > received + CLOCK_SKEW:
        refuse("impossible_time", "status", "计划出发时间还没到,不能是“已到达”。")
    return errors


def check_observed(observed, *, received):
    if observed is not None and observed > received + CLOCK_SKEW:
        return [RecordError("impossible_time", "observed_at", f"数据时间({_when(observed)})在将来。")]
    return []


# A notice starts at most this far from today, and lasts at most this long.
NOTICE_PAST_LIMIT = datetime.timedelta(days=366)
NOTICE_FUTURE_LIMIT = datetime.timedelta(days=400)
LONGEST_NOTICE = datetime.timedelta(days=5 * 366)


def check_notice(state, *, now=None, received=None):
    errors = []
    starts, ends, restored = state.get("starts_at"), state.get("ends_at"), state.get("restored_at")
    if now is not None and starts and not (now - NOTICE_PAST_LIMIT <= starts <= now + NOTICE_FUTURE_LIMIT):
        errors.append(RecordError("out_of_range", "starts_at",
                                  f"开始时间({_when(starts, year=True)})离今天太远:只接受一年前到400天后。"))
    if starts and ends and ends - starts > LONGEST_NOTICE:
        errors.append(RecordError("out_of_range", "ends_at", "预计结束与开始相隔超过5年,请检查日期。"))
    if received is not None and restored and restored > received + CLOCK_SKEW:
        errors.append(RecordError("impossible_time", "restored_at", f"恢复时间({_when(restored)})还没有到。"))
    if starts and ends and ends < starts:
        errors.append(RecordError("impossible_time", "ends_at", f"预计结束({_when(ends)})早于开始({_when(starts)})。"))
    if starts and restored and restored < starts:
        errors.append(RecordError("impossible_time", "restored_at", f"恢复时间({_when(restored)})早于开始({_when(starts)})。"))
    if state.get("status") == NoticeStatus.RESTORED and not restored:
        errors.append(RecordError("missing_field", "restored_at", "状态为“已恢复”时须给出恢复时间。"))
    if state.get("kind") in (NoticeKind.PLANNED_OUTAGE, NoticeKind.EMERGENCY_OUTAGE) and not (
            state.get("districts") or state.get("streets") or state.get("area")):
        errors.append(RecordError("no_area", "districts", "停供信息须给出影响区县、街道或地图范围中的至少一项。"))
    return errors


def check_area(area):
    """A GeoJSON geometry of points or polygons in China, or an error."""
    if area is None:
        return []

    def bad(message):
        return [RecordError("invalid", "area", f"影响范围:{message}")]

    kind = area.get("type")
    coordinates = area.get("coordinates")
    if kind not in ("Point", "MultiPoint", "Polygon", "MultiPolygon") or not isinstance(coordinates, list):
        return bad("应为 GeoJSON 的 Point、MultiPoint、Polygon 或 MultiPolygon,带 coordinates。")
    if set(area) - {"type", "coordinates"}:
        return bad("只能有 type 和 coordinates 两项。")
    depth = {"Point": 0, "MultiPoint": 1, "Polygon": 2, "MultiPolygon": 3}[kind]
    count = 0

    def points(node, level):
        nonlocal count
        if level == 0:
            if not (isinstance(node, list) and len(node) in (2, 3)
                    and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in node)):
                raise ValueError("坐标应为 [经度, 纬度]。")
            lon, lat = node[0], node[1]
            if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
                raise ValueError(f"坐标 [{lon}, {lat}] 不在中国境内(应为 [经度, 纬度],WGS84)。")
            count += 1
            if count > MAX_POINTS:
                raise ValueError(f"坐标点超过 {MAX_POINTS} 个。")
            return
        if not isinstance(node, list) or not node:
            raise ValueError("坐标结构不对。")
        for child in node:
            points(child, level - 1)

    try:
        points(coordinates, depth)
        rings = [] if depth < 2 else (coordinates if kind == "Polygon" else [r for p in coordinates for r in p])
        for ring in rings:
            if len(ring) < 4 or ring[0][:2] != ring[-1][:2]:
                raise ValueError("多边形的每个环至少4个点,且首尾相同。")
    except ValueError as exc:
        return bad(str(exc))
    return []


TRAIN_NUMBER = re.compile(r"^[GDCZTKYSL]?\d{1,5}$")
FLIGHT_NUMBER = re.compile(r"^([A-Z]\d|\d[A-Z]|[A-Z]{2})\d{1,5}[A-Z]?$")


def check_number(mode, number):
    if number is None:
        return []
    if mode == Mode.FLIGHT and not FLIGHT_NUMBER.match(number):
        return [RecordError("invalid", "number", f"航班号“{number}”格式不对(应如 CA1405、3U8633)。")]
    if mode == Mode.TRAIN and not TRAIN_NUMBER.match(number):
        return [RecordError("invalid", "number", f"车次“{number}”格式不对(应如 G310、D5101、K1064)。")]
    return []


AVAILABILITY_VALUES = set(Availability.values)
