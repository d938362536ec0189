"""The kinds of live data, their labels and the scopes a unit's system needs to push
them: one place that the models, the API, the admin and the pages read.

A window unit's *mode* follows from its sector (orgs.Sector): an airport's trips are
flights, a railway station's trains, a port's or ferry operator's ships. A utility
(water, power, gas, telecom) publishes service notices.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from orgs.models import Sector


class Mode(models.TextChoices):
    FLIGHT = "flight", _("航班")
    TRAIN = "train", _("列车")
    SHIP = "ship", _("客船")
    BUS = "bus", _("客运班车")


class StationKind(models.TextChoices):
    AIRPORT = "airport", _("机场")
    RAIL = "rail", _("火车站")
    PORT = "port", _("港口码头")
    BUS = "bus", _("汽车站")


STATION_KIND_OF_MODE = {Mode.FLIGHT: StationKind.AIRPORT, Mode.TRAIN: StationKind.RAIL,
                        Mode.SHIP: StationKind.PORT, Mode.BUS: StationKind.BUS}
MODE_OF_SECTOR = {Sector.AVIATION: Mode.FLIGHT, Sector.RAIL: Mode.TRAIN, Sector.WATER_TRANSPORT: Mode.SHIP}
UTILITY_SECTORS = (Sector.WATER, Sector.POWER, Sector.GAS, Sector.TELECOM)

# What a trip's number, its place of boarding and its seats are called, per mode.
NUMBER_LABEL = {Mode.FLIGHT: _("航班号"), Mode.TRAIN: _("车次"), Mode.SHIP: _("班次"), Mode.BUS: _("班次")}
POSITION_LABEL = {Mode.FLIGHT: _("登机口"), Mode.TRAIN: _("检票口/站台"), Mode.SHIP: _("泊位"), Mode.BUS: _("检票口")}
# On an arrivals board the place is where passengers come out.
ARRIVAL_POSITION_LABEL = {Mode.FLIGHT: _("行李转盘"), Mode.TRAIN: _("出站口"), Mode.SHIP: _("泊位"),
                          Mode.BUS: _("出站口")}
# An example of what a reader may look for on a board, per mode.
ROUTE_EXAMPLE = {Mode.FLIGHT: _("如 CA1405、北京"), Mode.TRAIN: _("如 G310、成都东"), Mode.SHIP: _("如 长江1号、万州"),
                 Mode.BUS: _("如 班次号、站名")}
BOARD_TITLE = {Mode.FLIGHT: _("航班动态"), Mode.TRAIN: _("列车时刻"), Mode.SHIP: _("客船班次"), Mode.BUS: _("班车时刻")}


class TripStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("计划")
    ON_TIME = "on_time", _("正点")
    DELAYED = "delayed", _("延误")
    BOARDING = "boarding", _("正在登机")
    DEPARTED = "departed", _("已出发")
    ARRIVED = "arrived", _("已到达")
    CANCELLED = "cancelled", _("取消")


# "Boarding" is said differently for a train and a ship.
BOARDING_LABEL = {Mode.FLIGHT: _("正在登机"), Mode.TRAIN: _("正在检票"), Mode.SHIP: _("正在登船"), Mode.BUS: _("正在检票")}
# An arriving trip boarding at its origin, as an arrivals board says it.
ARRIVING_BOARDING_LABEL = {Mode.FLIGHT: _("始发站登机中"), Mode.TRAIN: _("始发站检票中"), Mode.SHIP: _("始发港登船中"),
                           Mode.BUS: _("始发站检票中")}


class Availability(models.TextChoices):
    AVAILABLE = "available", _("有票")
    FEW = "few", _("余票紧张")
    SOLD_OUT = "sold_out", _("售完")


class NoticeKind(models.TextChoices):
    PLANNED_OUTAGE = "planned_outage", _("计划停供")
    EMERGENCY_OUTAGE = "emergency_outage", _("抢修停供")
    SERVICE_POINT = "service_point", _("服务网点变更")
    TARIFF = "tariff", _("价格调整")
    OTHER = "other", _("其他服务信息")


OUTAGE_KINDS = (NoticeKind.PLANNED_OUTAGE, NoticeKind.EMERGENCY_OUTAGE)
# "停水", "停电" …: what an outage of each utility is called on a board.
OUTAGE_WORD = {Sector.WATER: _("停水"), Sector.POWER: _("停电"), Sector.GAS: _("停气"), Sector.TELECOM: _("通信中断")}


class NoticeStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    IN_PROGRESS = "in_progress", _("进行中")
    RESTORED = "restored", _("已恢复")
    CANCELLED = "cancelled", _("已取消")


class Source(models.TextChoices):
    API = "api", _("推送接口")
    FEED = "feed", _("数据源")
    ADMIN = "admin", _("后台录入")
    DEMO = "demo", _("演示时钟")


class DataKind(models.TextChoices):
    """A unit's streams of data, each watched for freshness (models.Channel)."""

    TRIPS = "trips", _("班次动态")
    NOTICES = "notices", _("服务信息")
    DIRECTORY = "directory", _("企业和中介服务信息")


@dataclass(frozen=True)
class ScopeSpec:
    code: str
    label: str
    description: str


SCOPE_TRIPS = "livedata.trips"
SCOPE_NOTICES = "livedata.notices"
SCOPE_DIRECTORY = "livedata.directory"
SCOPE_OF_KIND = {DataKind.TRIPS: SCOPE_TRIPS, DataKind.NOTICES: SCOPE_NOTICES, DataKind.DIRECTORY: SCOPE_DIRECTORY}
SCOPES = (
    ScopeSpec(SCOPE_TRIPS, _("班次动态推送"),
              _("经 /api/v1/live/{单位代码}/trips 推送本单位的航班、列车、客船班次和票务状态。")),
    ScopeSpec(SCOPE_NOTICES, _("服务信息推送"),
              _("经 /api/v1/live/{单位代码}/notices 推送本单位的停水、停电、停气等服务信息。")),
    ScopeSpec(SCOPE_DIRECTORY, _("企业服务信息推送"),
              _("经 /api/v1/live/{单位代码}/directory 登记企业和中介机构的服务信息。")),
)
