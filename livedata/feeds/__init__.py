"""The standard feeds a unit publishes, pulled on a schedule: GTFS static timetables
and GTFS-Realtime trip updates and alerts (docs/livedata.md, "GTFS feeds").

fetch (bounded HTTP) → gtfs_static / realtime (bytes to records, nothing stored) →
pull (the records through livedata.services, one transaction, the feed's state kept
on the Feed). publish turns a unit's feed-borne trips back into GTFS-Realtime.
"""


class FeedError(Exception):
    """A feed that could not be read: ``code`` is typed, ``message`` says it in Chinese."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message
