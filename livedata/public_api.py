"""The open JSON of live data: the boards, the notices, the directory (read by the
boards' script and by anyone). Filled in by the faces work."""

from ninja import Router

router = Router(tags=["实时数据"])
