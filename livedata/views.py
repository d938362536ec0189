"""The public pages of live data: 便民服务 (every live unit's boards and the directory)
and one unit's boards. They are rendered per request, never baked, and carry nothing
of the reader: the same page for everyone, whose rows the boards' script then
refreshes from the open JSON (livedata.public_api)."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from portal.queries import portal_context

from . import boards, queries
from .kinds import ROUTE_EXAMPLE, TripStatus

REFRESH_SECONDS = 1
INDEX_NOTICES = 10  # per utility on 便民服务


def _render(request, template, context):
    response = render(request, template, {**portal_context(), **context})
    # Public and the same for everyone; a second's worth of staleness is what the
    # script refreshes away anyway.
    response["Cache-Control"] = "public, max-age=1"
    return response


def index(request):
    """便民服务: every live unit, trips first, then notices, then the directory."""
    now = timezone.now()
    live = queries.live_units()
    units = [boards.unit_summary(unit, now) for unit in live]
    # Each utility's own first notices: one with many cannot push another's off the page
    # (every unit links to its own page with all of them).
    for unit, summary in zip(live, units):
        summary["notices"] = boards.notices(unit=unit, limit=INDEX_NOTICES, now=now) if summary["kind"] == "notices" else []
    return _render(request, "livedata/index.html", {
        "page_title": "便民服务",
        "trip_units": [u for u in units if u["kind"] == "trips"],
        "notice_units": [u for u in units if u["kind"] == "notices"],
        "directory": boards.directory(),
    })


def _filters(request):
    """The board's filters from the query string; what is not understood is said, not guessed."""
    problems = []
    direction = request.GET.get("direction", "departures")
    if direction not in boards.DIRECTIONS:
        problems.append("没有这个方向,已显示出发班次。")
        direction = "departures"
    raw_date = request.GET.get("date", "").strip()
    day = boards.to_date(raw_date) if raw_date else None
    if raw_date and day is None:
        problems.append(f"日期「{raw_date[:20]}」不是 年-月-日 格式,已显示今天的班次。")
    status = request.GET.get("status", "").strip()
    if status and status not in TripStatus.values:
        problems.append("没有这种状态,已显示全部状态。")
        status = ""
    route = request.GET.get("route", "").strip()[:40]
    return {"direction": direction, "day": day or boards.today(), "status": status, "route": route}, problems


def unit_board(request, unit_code):
    unit = queries.live_unit(unit_code)
    if unit is None:
        raise Http404("没有这个单位的实时数据。")
    now = timezone.now()
    context = {"unit": unit, "page_title": f"{unit.name} · {boards.unit_title(unit)}",
               "notices": boards.notices(unit=unit, now=now), "silence": boards.silence_text(unit, now),
               "refresh_seconds": REFRESH_SECONDS}
    mode = queries.unit_mode(unit)
    if mode:
        filters, problems = _filters(request)
        board = boards.board(unit, direction=filters["direction"], day=filters["day"], route=filters["route"],
                             status=[filters["status"]] if filters["status"] else [], now=now)
        context.update(board=board, filters=filters, problems=problems,
                       status_choices=boards.status_choices(mode), table=boards.table(board),
                       route_example=str(ROUTE_EXAMPLE[mode]),
                       live_src=_live_src(unit, filters))
    return _render(request, "livedata/unit_board.html", context)


def _live_src(unit, filters):
    query = {"direction": filters["direction"], "date": filters["day"].isoformat()}
    if filters["route"]:
        query["route"] = filters["route"]
    if filters["status"]:
        query["status"] = filters["status"]
    return f"/api/v1/live/{unit.code}/board?{urlencode(query)}"
