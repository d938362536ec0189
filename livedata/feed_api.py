"""Live data republished as GTFS-Realtime where it came from a feed. Filled in by the feeds work."""

from ninja import Router

router = Router(tags=["实时数据"])
