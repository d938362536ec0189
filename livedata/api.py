"""The push API of live data (N-2.6a/b): a unit's systems upsert trips, service
notices and directory entries in batches. Filled in below."""

from ninja import Router

router = Router(tags=["实时数据推送"])
