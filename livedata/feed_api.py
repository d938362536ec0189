"""Live data republished as GTFS-Realtime where it came from a feed:
GET /api/v1/live/{unit_code}/gtfs-rt, public, a FeedMessage of the unit's feed-borne
trips of today (livedata.feeds.publish)."""

from django.http import HttpResponse
from ninja import Router, Schema

from orgs.errors import DomainError
from orgs.models import Unit

from .feeds.publish import feed_message
from .models import Feed
from .public_api import over_read_quota

router = Router(tags=["实时数据"])

PROTOBUF = "application/x-protobuf"


class Error(Schema):
    code: str
    message: str


@router.get("/{unit_code}/gtfs-rt", auth=None, summary="GTFS-Realtime 班次更新",
            response={404: Error, 422: Error, 429: Error},
            openapi_extra={"responses": {"200": {"description": "GTFS-Realtime FeedMessage(protobuf)", "content": {
                PROTOBUF: {"schema": {"type": "string", "format": "binary"}}}}}},
            description="以 GTFS-Realtime(protobuf)重新发布单位经数据源接入的今日班次:延误、预计和实际时间、取消。")
def gtfs_realtime(request, response: HttpResponse, unit_code: str):
    refused = over_read_quota(request, response)
    if refused is not None:
        return refused
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        raise DomainError(f"没有代码为“{unit_code}”的单位。", code="not_found")
    if not Feed.objects.filter(unit=unit).exists():
        raise DomainError(f"“{unit.name}”没有接入 GTFS 数据源,没有可重新发布的班次。", code="not_found")
    answer = HttpResponse(feed_message(unit).SerializeToString(), content_type=PROTOBUF)
    answer["Cache-Control"] = "public, max-age=15"
    return answer
