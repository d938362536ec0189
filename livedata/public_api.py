"""The open JSON of live data: the boards, the notices, the directory (read by the
boards' script, by baked home pages and by anyone).

Every answer is public and the same for everyone (no cookie, no token counts), so it
carries ``Cache-Control: public, max-age=1`` and a weak ETag made of the units' board
versions (services.board_version), the filters and the current minute; a client that
sends it back in ``If-None-Match`` gets a 304. Reads are counted per client
(guard.ratelimit); a filter that is not understood is a typed 422, never ignored.
"""

import datetime
from typing import Literal

from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from guard import ratelimit
from orgs.models import Sector

from . import boards, queries, services
from .kinds import TripStatus
from .models import DirectoryEntry

router = Router(tags=["实时数据"])

READ_WINDOW = 60
CACHE_CONTROL = "public, max-age=1"


class Error(Schema):
    code: str
    message: str
    field: str | None = None


class Place(Schema):
    code: str
    name: str


class UnitRef(Schema):
    code: str
    name: str


class Links(Schema):
    page: str
    api: str


class BoardOut(Schema):
    code: str
    name: str
    kind: str
    mode: str | None
    sector: str
    title: str
    links: Links
    silence: str


class RowDisplay(Schema):
    number: str
    operator: str
    place: str
    scheduled: str
    expected: str
    status: str
    position: str
    tickets: str
    remark: str


class RowOut(Schema):
    id: str
    number: str
    operator: str
    mode: str
    origin: Place
    destination: Place
    service_date: datetime.date
    scheduled_departure: str
    scheduled_arrival: str
    estimated_departure: str | None
    estimated_arrival: str | None
    actual_departure: str | None
    actual_arrival: str | None
    status: str
    status_label: str
    position: str
    tickets: list[dict]
    remark: str
    display: RowDisplay
    headline: str


class TripBoardOut(Schema):
    unit: UnitRef
    title: str
    mode: str
    direction: str
    date: datetime.date
    directions: list[str]
    labels: dict[str, str]
    rows: list[RowOut]
    generated_at: str
    silence: str


class UpdateOut(Schema):
    at: str
    text: str


class NoticeDisplay(Schema):
    starts: str
    ends: str
    restored: str


class NoticeOut(Schema):
    id: str
    unit: UnitRef
    kind: str
    kind_label: str
    utility: str
    title: str
    reason: str
    details: str
    districts: list[str]
    streets: list[str]
    area: dict | None
    starts_at: str
    ends_at: str | None
    restored_at: str | None
    status: str
    phase: str
    phase_label: str
    contact: str
    updates: list[UpdateOut]
    display: NoticeDisplay


class NoticesOut(Schema):
    notices: list[NoticeOut]
    total: int = Field(..., description="符合条件的服务信息总数(notices 只含 offset 起的 limit 条)")
    generated_at: str


class EntryOut(Schema):
    id: str
    unit: UnitRef
    provider: str
    category: str
    title: str
    description: str
    address: str
    phone: str
    hours: str
    url: str


class DirectoryOut(Schema):
    entries: list[EntryOut]


class FilterRefused(Exception):
    """A filter that is not understood: refused with its field, never ignored."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


def _refuse(field, message):
    return Status(422, {"code": "invalid_filter", "message": message, "field": field})


def reads_per_minute():
    """A board refreshing every second reads 60 times a minute; several tabs, or a few
    readers behind one office or carrier address, and a program fit."""
    return settings.LIVEDATA_READS_PER_MINUTE


def over_read_quota(request, response):
    """The 429 of a client that read too much this minute, or None."""
    if ratelimit.is_internal(request):
        return None
    quota = ratelimit.hit(f"live-read:{ratelimit.client_key(request)}", limit=reads_per_minute(), window=READ_WINDOW)
    if quota.allowed:
        return None
    wait = max(1, quota.retry_after)
    response["Retry-After"] = str(wait)
    return Status(429, {"code": "too_many", "message": f"读取过于频繁(每分钟最多 {reads_per_minute()} 次),请 {wait} 秒后再试。"})


def _conditional(request, response, tag):
    """A 304 if the client already has ``tag``; else the headers of a fresh answer."""
    if tag in [part.strip() for part in request.headers.get("If-None-Match", "").split(",")]:
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = tag
        not_modified["Cache-Control"] = CACHE_CONTROL
        return not_modified
    response["ETag"] = tag
    response["Cache-Control"] = CACHE_CONTROL
    return None


def _statuses(value):
    codes = [part.strip() for part in (value or "").split(",") if part.strip()]
    unknown = [code for code in codes if code not in TripStatus.values]
    if unknown:
        raise FilterRefused("status", f"没有这种班次状态:{'、'.join(unknown)};可用的有 {', '.join(TripStatus.values)}。")
    return codes


def _day(value):
    if not value:
        return None
    day = boards.to_date(value)
    if day is None:
        raise FilterRefused("date", f"日期「{value[:20]}」不是 YYYY-MM-DD 格式。")
    return day


@router.get("/boards", response={200: list[BoardOut], 429: Error}, summary="全部实时数据看板",
            description="本市每个发布实时数据的窗口单位:单位代码、名称、看板类别(trips 班次动态 / notices 服务信息)、"
                        "页面和 JSON 地址,以及数据中断时的提示(silence,如“数据自 … 起未更新”)。")
def live_boards(request, response: HttpResponse):
    refused = over_read_quota(request, response)
    if refused:
        return refused
    units = queries.live_units()
    versions = [(unit.pk, services.board_version(unit.pk)) for unit in units]
    not_modified = _conditional(request, response, boards.etag("boards", versions))
    return not_modified or [boards.unit_summary(unit) for unit in units]


@router.get("/notices", response={200: NoticesOut, 404: Error, 422: Error, 429: Error}, summary="停水停电等服务信息",
            description="正在公布的服务信息(计划停供、抢修停供、服务网点变更、价格调整等):影响区县和街道、起止时间、"
                        "phase(upcoming 即将开始、ongoing 进行中、restored 已恢复、ended 已结束、cancelled 已取消)和抢修进展。"
                        "结束或恢复 6 小时后不再列出。")
def live_notices(request, response: HttpResponse,
                 unit: str = Query("", description="单位代码,如 water;不填为全部单位"),
                 utility: str = Query("", description="行业:water 供水、power 供电、gas 供气、telecom 通信"),
                 district: str = Query("", max_length=30, description="区县名称,如 渝中区"),
                 limit: int = Query(boards.NOTICES_PER_PAGE, ge=1, le=200, description="最多返回几条"),
                 offset: int = Query(0, ge=0, le=100000, description="从第几条起(从0开始)")):
    refused = over_read_quota(request, response)
    if refused:
        return refused
    found = None
    if unit:
        found = queries.live_unit(unit)
        if found is None:
            return Status(404, {"code": "not_found", "message": f"没有代码为「{unit[:40]}」的实时数据单位。"})
    if utility and utility not in Sector.values:
        return _refuse("utility", f"没有这个行业:{utility[:20]}。")
    versions = [services.board_version(found.pk)] if found else [
        (u.pk, services.board_version(u.pk)) for u in queries.live_units()]
    not_modified = _conditional(request, response,
                                boards.etag("notices", versions, unit, utility, district, limit, offset))
    if not_modified:
        return not_modified
    items, total = boards.notices_page(unit=found, utility=utility or None, district=district or None, limit=limit,
                                       offset=offset)
    return {"notices": items, "total": total, "generated_at": boards.iso(timezone.now())}


@router.get("/directory", response={200: DirectoryOut, 404: Error, 422: Error, 429: Error}, summary="企业和中介服务信息",
            description="企业和中介机构登记的服务信息:提供者、类别、服务内容、地址、电话和服务时间。")
def live_directory(request, response: HttpResponse,
                   category: str = Query("", max_length=40, description="服务类别;不填为全部")):
    refused = over_read_quota(request, response)
    if refused:
        return refused
    state = DirectoryEntry.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    not_modified = _conditional(request, response, boards.etag("directory", state["n"], state["last"], category))
    return not_modified or {"entries": boards.directory(category or None)}


@router.get("/{unit_code}/board", response={200: TripBoardOut, 404: Error, 422: Error, 429: Error},
            summary="一个单位的航班、列车或客船动态",
            description="单位当天(或 date 那天)的出发或到达班次,按时间排列:班次号、承运人、始发和到达站、计划/预计/实际时间、"
                        "状态代码和中文说明、登机口(检票口、泊位)、票务和说明。display 是页面上显示的文字,"
                        "headline 是班次变化时读屏软件播报的一句话。没有运营车站的单位(如客运公司)只有一个列表,"
                        "direction 为 all。silence 不为空时,数据已中断,说明自何时起未更新。"
                        "筛选条件无法识别时返回 422,code 为 invalid_filter。")
def unit_board(request, response: HttpResponse, unit_code: str,
               direction: Literal["departures", "arrivals", "all"] = Query(
                   "departures", description="departures 出发,arrivals 到达,all 全部(没有运营车站的单位总是 all)"),
               date: str = Query("", description="日期 YYYY-MM-DD;不填为今天(北京时间)"),
               route: str = Query("", max_length=40, description="班次号、站点代码或站名、城市"),
               status: str = Query("", max_length=200, description="状态代码,多个用逗号分开,如 delayed,cancelled"),
               limit: int | None = Query(None, ge=1, le=500, description="最多列出几个班次"),
               upcoming: bool = Query(False, description="只列出还未结束(到达或出发后 2 小时内)的班次")):
    refused = over_read_quota(request, response)
    if refused:
        return refused
    unit = queries.live_unit(unit_code)
    if unit is None or not queries.unit_mode(unit):
        return Status(404, {"code": "not_found", "message": f"没有代码为「{unit_code[:40]}」的班次看板。"})
    try:
        day, statuses = _day(date), _statuses(status)
    except FilterRefused as exc:
        return _refuse(exc.field, exc.message)
    version = services.board_version(unit.pk)
    tag = boards.etag("board", unit.pk, version, direction, day, route, statuses, limit, upcoming)
    not_modified = _conditional(request, response, tag)
    return not_modified or boards.board(unit, direction=direction, day=day, route=route, status=statuses,
                                        limit=limit, upcoming=upcoming)
