"""The push API of live data (N-2.6a, N-2.6b): a unit's business systems send trips,
service notices and directory entries in batches, with their machine-client token.

``POST /api/v1/live/{unit}/trips`` (scope ``livedata.trips``), ``…/notices``
(``livedata.notices``), ``…/directory`` (``livedata.directory``). Each record is
upserted by the unit's own ``id``; the answer reports every record that was not
stored and why (docs/livedata.md, "Push API"). A thin face over
``livedata.services``: the same upserts serve the feeds, the admin and the demo.

The request body is read as a list of plain objects so that one bad record is
reported on its own instead of refusing the batch; the OpenAPI document still
shows each record's schema (``_batch_body``).
"""

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from guard import ratelimit
from orgs.api_auth import MachineClientAuth
from orgs.errors import NotFound
from orgs.models import Unit

from . import services
from . import validation as v
from .kinds import SCOPE_DIRECTORY, SCOPE_NOTICES, SCOPE_TRIPS, Source

router = Router(tags=["实时数据推送"])

BATCH_WINDOW = 60  # seconds


class Error(Schema):
    code: str
    message: str


class BatchIn(Schema):
    model_config = {"extra": "forbid"}
    records: list[Any] = Field(..., description=f"记录列表,每批最多 {v.MAX_RECORDS} 条")


class RecordErrorOut(Schema):
    code: str = Field(..., description="invalid、unknown_station、not_our_station、impossible_time、out_of_range、"
                                       "wrong_mode、missing_field、no_area")
    field: str = Field(..., description="出错的字段(嵌套时以点连接,如 tickets.0.status);整条记录为 record")
    message: str


class RejectedOut(Schema):
    index: int = Field(..., description="记录在本批中的序号(从0开始)")
    id: str = Field(..., description="记录的编号(给出时)")
    errors: list[RecordErrorOut]


class BatchOut(Schema):
    created: int = Field(..., description="新增的记录数")
    updated: int = Field(..., description="有变化并已更新的记录数")
    unchanged: int = Field(..., description="与已存数据相同的记录数(重复发送无害)")
    stale: list[str] = Field(..., description="数据时间早于已存状态而未采用的记录编号(晚到的旧消息不覆盖新状态)")
    rejected: list[RejectedOut] = Field(..., description="未通过检查、没有保存的记录及原因;其余记录已保存")


def _inline(schema):
    """A pydantic JSON schema with its ``$defs`` written in place (the OpenAPI document
    of a body given by hand has no home for them)."""
    definitions = schema.pop("$defs", {})

    def resolve(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(dict(definitions[node["$ref"].rsplit("/", 1)[-1]]))
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)


def _batch_body(record_schema, example):
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"type": "object", "additionalProperties": False, "required": ["records"], "properties": {
            "records": {"type": "array", "maxItems": v.MAX_RECORDS,
                        "items": _inline(record_schema.model_json_schema(by_alias=True))}}},
        "example": {"records": [example]}}}}}


def _unit(code):
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise NotFound("没有这个单位代码。")
    return unit


def _push(upsert, request, response, unit_code, payload):
    """Check the unit and the client's quota of batches, then upsert."""
    unit = _unit(unit_code)
    limit = settings.LIVEDATA_BATCHES_PER_MINUTE
    quota = ratelimit.hit(f"livedata-push:{request.auth.pk}", limit=limit, window=BATCH_WINDOW)
    if not quota.allowed:
        response["Retry-After"] = str(max(1, quota.retry_after))
        return Status(429, {"code": "too_many", "message": f"推送过于频繁:每个接口客户端每分钟最多 {limit} 批,"
                                                          f"请 {max(1, quota.retry_after)} 秒后再试,或把记录合并为较大的批次。"})
    result = upsert(unit=unit, records=payload.records, source=Source.API, client=request.auth)
    return result.as_dict()


TRIP_EXAMPLE = {"id": "CA1405-20261202", "number": "CA1405", "operator": "中国国际航空", "origin": "CKG",
                "destination": "PEK", "scheduled_departure": "2026-12-02T08:30:00+08:00",
                "scheduled_arrival": "2026-12-02T11:00:00+08:00", "status": "delayed",
                "estimated_departure": "2026-12-02T09:10:00+08:00", "position": "B12", "remark": "航路天气",
                "tickets": [{"class": "经济舱", "status": "few", "seats": 6}],
                "observed_at": "2026-12-02T07:55:00+08:00"}
NOTICE_EXAMPLE = {"id": "TS-2026-1208", "kind": "planned_outage", "title": "民族路片区计划停水",
                  "reason": "管网改造", "districts": ["渝中区"], "streets": ["民族路", "五一路"],
                  "area": {"type": "Point", "coordinates": [106.58, 29.56]},
                  "starts_at": "2026-12-08T09:00:00+08:00", "ends_at": "2026-12-08T18:00:00+08:00",
                  "status": "planned", "contact": "023-96900"}
ENTRY_EXAMPLE = {"id": "E-001", "provider": "某某水电安装有限公司", "category": "水电报装代办", "title": "居民用水报装代办",
                 "phone": "023-60000000", "hours": "工作日 9:00-17:00"}

RESPONSES = {200: BatchOut, 400: Error, 401: Error, 403: Error, 404: Error, 413: Error, 422: Error, 429: Error}


@router.post("/{unit_code}/trips", response=RESPONSES, auth=MachineClientAuth(SCOPE_TRIPS),
             openapi_extra=_batch_body(v.TripIn, TRIP_EXAMPLE),
             summary="推送班次动态和票务状态(航班、列车、客船)")
def push_trips(request, response: HttpResponse, unit_code: str, payload: BatchIn):
    """以本单位系统的编号(id)新增或更新班次:新班次须给出班次号、始发站、终到站和计划出发、到达时间;
    已有班次只需给出变化的字段(未给出的字段保持不变,null 清空)。始发站、终到站用已登记的机场三字码、
    火车站电报码或港口代码;运营车站的单位只能发布从本站出发或到达本站的班次。每条记录单独检查:
    不合格的记录列在 rejected 中并说明原因,其余照常保存。observed_at 早于已存状态的记录不采用(列在 stale 中)。"""
    return _push(services.trips_upsert, request, response, unit_code, payload)


@router.post("/{unit_code}/notices", response=RESPONSES, auth=MachineClientAuth(SCOPE_NOTICES),
             openapi_extra=_batch_body(v.NoticeIn, NOTICE_EXAMPLE),
             summary="推送停水、停电、停气等服务信息")
def push_notices(request, response: HttpResponse, unit_code: str, payload: BatchIn):
    """以本单位系统的编号(id)新增或更新服务信息:计划停供、抢修停供须给出影响区县、街道或地图范围;
    进展(updates)与已有进展合并;状态改为已恢复(restored)时给出恢复时间(不给出按数据时间)。"""
    return _push(services.notices_upsert, request, response, unit_code, payload)


@router.post("/{unit_code}/directory", response=RESPONSES, auth=MachineClientAuth(SCOPE_DIRECTORY),
             openapi_extra=_batch_body(v.EntryIn, ENTRY_EXAMPLE),
             summary="登记企业和中介机构的服务信息")
def push_directory(request, response: HttpResponse, unit_code: str, payload: BatchIn):
    """以本单位系统的编号(id)新增或更新服务目录中的条目;published 为 false 时不公开。"""
    return _push(services.entries_upsert, request, response, unit_code, payload)
