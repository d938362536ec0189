"""Live data of window-service units (N-2.6a, N-2.6b): trips with their status and
tickets, utility service notices, a directory of firms' services, the feeds they are
pulled from, and the freshness of each unit's stream.

Every change of a trip or a notice is kept (``Change``: when, from which source, by
which client or person, and the values before and after); nothing is deleted. A
record's ``state_at`` is the source's time of the state it shows, so a late message
(older than that) never overwrites a newer state (livedata.services).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orgs.models import MachineClient, Sector, Unit

from .kinds import Availability, DataKind, Mode, NoticeKind, NoticeStatus, Source, StationKind, TripStatus  # noqa: F401


class Station(models.Model):
    """A place trips start and end at: an airport (IATA code), a railway station
    (telegraph code), a port or pier. A station the unit operates (``unit``) is its
    home: its board's departures leave it and its arrivals reach it. A feed's stops
    become stations of the feed's unit, their code prefixed by the unit's code."""

    kind = models.CharField(_("类型"), max_length=16, choices=StationKind.choices)
    code = models.CharField(_("代码"), max_length=40, help_text=_("机场三字码、火车站电报码或港口码头代码,如 CKG、CUW。"))
    name = models.CharField(_("名称"), max_length=60)
    city = models.CharField(_("所在城市"), max_length=30, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="stations",
                             verbose_name=_("运营单位"), help_text=_("本市窗口单位运营的机场、车站和码头。"))
    active = models.BooleanField(_("使用中"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="livedata_station_kind_code")]
        verbose_name = _("站点")
        verbose_name_plural = _("站点")

    def __str__(self):
        return f"{self.name}({self.code})"


class Trip(models.Model):
    """One flight, train or ship on one day, as its unit publishes it. ``ref`` is the
    unit's own identifier (unique within the unit), so a unit's system upserts by it."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="trips", verbose_name=_("单位"))
    ref = models.CharField(_("单位编号"), max_length=64)
    mode = models.CharField(_("类别"), max_length=8, choices=Mode.choices)
    number = models.CharField(_("班次号"), max_length=16)
    operator = models.CharField(_("承运人"), max_length=60, blank=True)
    origin = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+", verbose_name=_("始发"))
    destination = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+", verbose_name=_("到达"))
    service_date = models.DateField(_("日期"), help_text=_("计划出发时间的北京时间日期。"))
    scheduled_departure = models.DateTimeField(_("计划出发"))
    scheduled_arrival = models.DateTimeField(_("计划到达"))
    estimated_departure = models.DateTimeField(_("预计出发"), null=True, blank=True)
    estimated_arrival = models.DateTimeField(_("预计到达"), null=True, blank=True)
    actual_departure = models.DateTimeField(_("实际出发"), null=True, blank=True)
    actual_arrival = models.DateTimeField(_("实际到达"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=TripStatus.choices, default=TripStatus.SCHEDULED)
    position = models.CharField(_("登机口/检票口/泊位"), max_length=20, blank=True)
    remark = models.CharField(_("说明"), max_length=200, blank=True)
    # [{"class": "经济舱", "status": "few", "seats": 6}, …] (livedata.validation.Ticket)
    tickets = models.JSONField(_("票务"), default=list, blank=True)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    feed = models.ForeignKey("Feed", null=True, blank=True, on_delete=models.PROTECT, related_name="trips")
    state_at = models.DateTimeField(_("数据时间"), help_text=_("数据源给出这一状态的时间。"))
    created_at = models.DateTimeField(_("首次收到"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最后更新"), auto_now=True)

    class Meta:
        ordering = ["scheduled_departure", "number"]
        constraints = [models.UniqueConstraint(fields=["unit", "ref"], name="livedata_trip_unit_ref")]
        indexes = [
            models.Index(fields=["unit", "service_date", "scheduled_departure"], name="livedata_trip_board"),
            models.Index(fields=["unit", "scheduled_arrival"], name="livedata_trip_arrivals"),
        ]
        verbose_name = _("班次")
        verbose_name_plural = _("班次")

    def __str__(self):
        return f"{self.number} {self.service_date:%Y-%m-%d}"


class ServiceNotice(models.Model):
    """A utility's service information: a planned or emergency outage with its area,
    times, reason, progress and restoration; a service point's change; a tariff."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="service_notices", verbose_name=_("单位"))
    ref = models.CharField(_("单位编号"), max_length=64)
    kind = models.CharField(_("类别"), max_length=20, choices=NoticeKind.choices)
    utility = models.CharField(_("行业"), max_length=16, choices=Sector.choices)
    title = models.CharField(_("标题"), max_length=120)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    details = models.TextField(_("详细内容"), blank=True, max_length=4000)
    districts = models.JSONField(_("影响区县"), default=list, blank=True)
    streets = models.JSONField(_("影响街道和小区"), default=list, blank=True)
    # GeoJSON geometry in WGS 84 (Point, MultiPoint, Polygon, MultiPolygon), for the map.
    area = models.JSONField(_("影响范围(地图)"), null=True, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("预计结束"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.PLANNED)
    restored_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    visible_from = models.DateTimeField(_("公布时间"))
    contact = models.CharField(_("咨询电话"), max_length=40, blank=True)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    feed = models.ForeignKey("Feed", null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    state_at = models.DateTimeField(_("数据时间"))
    created_at = models.DateTimeField(_("首次收到"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最后更新"), auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [models.UniqueConstraint(fields=["unit", "ref"], name="livedata_notice_unit_ref")]
        indexes = [models.Index(fields=["unit", "visible_from"], name="livedata_notice_visible")]
        verbose_name = _("服务信息")
        verbose_name_plural = _("服务信息")

    def __str__(self):
        return self.title


class NoticeUpdate(models.Model):
    """A progress report on a notice (抢修进展), shown under it in time order."""

    notice = models.ForeignKey(ServiceNotice, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(_("时间"))
    text = models.CharField(_("进展"), max_length=300)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["notice", "at", "text"], name="livedata_update_once")]
        verbose_name = _("进展")
        verbose_name_plural = _("进展")


class DirectoryEntry(models.Model):
    """A firm's or an intermediary's service information (N-2.6b), registered by the
    unit that answers for the directory's section (``unit``)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="directory_entries", verbose_name=_("登记单位"))
    ref = models.CharField(_("单位编号"), max_length=64)
    provider = models.CharField(_("企业或机构"), max_length=100)
    category = models.CharField(_("服务类别"), max_length=40)
    title = models.CharField(_("服务名称"), max_length=120)
    description = models.TextField(_("服务内容"), max_length=2000, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    hours = models.CharField(_("服务时间"), max_length=100, blank=True)
    url = models.URLField(_("网址"), blank=True)
    published = models.BooleanField(_("公开"), default=True)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    state_at = models.DateTimeField(_("数据时间"))
    updated_at = models.DateTimeField(_("最后更新"), auto_now=True)

    class Meta:
        ordering = ["category", "provider", "title"]
        constraints = [models.UniqueConstraint(fields=["unit", "ref"], name="livedata_entry_unit_ref")]
        verbose_name = _("企业服务信息")
        verbose_name_plural = _("企业服务信息")

    def __str__(self):
        return f"{self.provider} · {self.title}"


class Change(models.Model):
    """One change of a trip or a notice: the values before and after, from which
    source, by which client or person, at the source's time and when received."""

    trip = models.ForeignKey(Trip, null=True, blank=True, on_delete=models.CASCADE, related_name="changes")
    notice = models.ForeignKey(ServiceNotice, null=True, blank=True, on_delete=models.CASCADE, related_name="changes")
    created = models.BooleanField(_("新建"), default=False)
    fields = models.JSONField(_("变化"), default=dict)  # {field: [before, after]}
    state_at = models.DateTimeField(_("数据时间"))
    received_at = models.DateTimeField(_("收到时间"))
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    client = models.ForeignKey(MachineClient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    feed = models.ForeignKey("Feed", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["trip", "received_at"], name="livedata_change_trip"),
                   models.Index(fields=["notice", "received_at"], name="livedata_change_notice")]
        constraints = [models.CheckConstraint(condition=models.Q(trip__isnull=False) | models.Q(notice__isnull=False),
                                              name="livedata_change_has_record")]
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")


class FeedKind(models.TextChoices):
    GTFS_STATIC = "gtfs_static", _("GTFS 静态时刻表")
    GTFS_RT = "gtfs_rt", _("GTFS-Realtime(班次更新和提示)")


class Feed(models.Model):
    """A standard feed a unit publishes, pulled by the background worker on a
    schedule (livedata.feeds). Consecutive failures are counted; the board of a unit
    whose feed is down says since when (Channel)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="live_feeds", verbose_name=_("单位"))
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=FeedKind.choices)
    mode = models.CharField(_("班次类别"), max_length=8, choices=Mode.choices)
    url = models.URLField(_("地址"), max_length=500)
    every_seconds = models.PositiveIntegerField(_("拉取间隔(秒)"), default=60)
    enabled = models.BooleanField(_("启用"), default=True)
    last_attempt_at = models.DateTimeField(_("最近拉取"), null=True, blank=True)
    last_ok_at = models.DateTimeField(_("最近成功"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    etag = models.CharField(max_length=200, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    # The last message's own timestamp (GTFS-RT header), so an older message is skipped.
    source_time = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["unit", "name"]
        verbose_name = _("数据源")
        verbose_name_plural = _("数据源")

    def __str__(self):
        return self.name


class Channel(models.Model):
    """A unit's stream of one kind of data, watched for freshness: a stream with an
    expected interval that has brought nothing for longer is stale from
    ``last_data_at + expected_minutes`` (its boards say since when; supervision counts it)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="live_channels", verbose_name=_("单位"))
    kind = models.CharField(_("数据类别"), max_length=12, choices=DataKind.choices)
    expected_minutes = models.PositiveIntegerField(
        _("应更新间隔(分钟)"), default=60, help_text=_("超过这个时间没有收到数据即视为中断;0 为不监测。"))
    last_data_at = models.DateTimeField(_("最近收到数据"), null=True, blank=True)
    last_source = models.CharField(_("最近来源"), max_length=8, choices=Source.choices, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "kind"], name="livedata_channel_unit_kind")]
        verbose_name = _("数据更新监测")
        verbose_name_plural = _("数据更新监测")

    def __str__(self):
        return f"{self.unit} · {self.get_kind_display()}"
