"""The "live" section of home pages (portal.hooks.HOME_CONTEXT).

A home page is baked into static files and kept for every reader, so the section
holds nothing of the request's user: a window unit's home shows its board as it was
at the bake, marked with ``data-live-src`` so static/js/live-boards.js refreshes it
from the open JSON; the portal's home links to 便民服务, whose pages are dynamic.
"""

from django.urls import reverse

from . import boards, queries

HOME_TEMPLATE = "livedata/includes/home_live.html"
PORTAL_TEMPLATE = "livedata/includes/home_portal_live.html"


def live_section(*, home_page, columns, request):
    if home_page.site_kind == "portal":
        section = portal_section()
        return {"live": section} if section["units"] else None
    if home_page.site_kind == "window" and home_page.unit_id:
        unit = home_page.unit
        if queries.unit_mode(unit):
            return {"live": trips_section(unit)}
        if queries.is_utility(unit):
            return {"live": notices_section(unit)}
    return None


def portal_section():
    units = [boards.unit_summary(unit) for unit in queries.live_units()]
    return {"template": PORTAL_TEMPLATE, "title": "便民服务", "units": units, "url": reverse("livedata:index")}


def trips_section(unit):
    board = boards.board(unit, direction="departures", limit=boards.HOME_ROWS, upcoming=True)
    src = f"/api/v1/live/{unit.code}/board?direction=departures&upcoming=true&limit={boards.HOME_ROWS}"
    return {"template": HOME_TEMPLATE, "title": board["title"], "board": board, "live_src": src,
            "table": boards.table(board, boards.HOME_COLUMNS), "url": reverse("livedata:unit_board", args=[unit.code])}


def notices_section(unit):
    return {"template": HOME_TEMPLATE, "title": boards.NOTICES_TITLE, "unit_code": unit.code,
            "notices": boards.notices(unit=unit, limit=boards.HOME_NOTICES),
            "url": reverse("livedata:unit_board", args=[unit.code])}
