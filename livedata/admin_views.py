"""Hand editing of live data in the admin (实时数据): a unit's editors and site
administrators (services.editable_units) list, create and edit their unit's trips,
service notices (with progress updates), directory entries, the stations they run and
their feeds, and set how often each stream is expected.

Thin faces: every save goes through the same upserts as the push API
(``source="admin"``, the person as ``actor``), so the same checks apply and their
typed errors are shown on the form's fields. A unit is looked up among the person's
editable units and a record among its unit's, so another unit's records are never
listed and answer 404 by URL. Each record's page shows its history (Change rows).
"""

import datetime
import json
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from orgs.errors import DomainError

from . import queries, services
from .kinds import (
    BOARD_TITLE,
    NUMBER_LABEL,
    POSITION_LABEL,
    STATION_KIND_OF_MODE,
    Availability,
    DataKind,
    Mode,
    NoticeKind,
    NoticeStatus,
    TripStatus,
)
from .models import DirectoryEntry, Feed, ServiceNotice, Station, Trip
from .validation import FIELD_NAMES

TRIPS_SHOWN = 300  # the newest days first; older trips stay in the history
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def may_use(user):
    return user.is_authenticated and services.editable_units(user).exists()


def live_view(view):
    """The person edits some unit's live data; ``unit_code`` must be one of theirs (else 404)."""
    @wraps(view)
    def wrapper(request, *args, unit_code=None, **kwargs):
        if not may_use(request.user):
            raise PermissionDenied("您没有编辑实时数据的岗位。")
        if unit_code is None:
            return view(request, *args, **kwargs)
        unit = get_object_or_404(services.editable_units(request.user), code=unit_code)
        return view(request, unit, *args, **kwargs)

    return wrapper


# --- Form fields --------------------------------------------------------------------------

class LocalDateTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)
    input_formats = (DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


def _iso(value):
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def _lines(text):
    return [part.strip() for part in (text or "").replace(",", ",").replace("\n", ",").split(",") if part.strip()]


AVAILABILITY_WORDS = {str(label): value for value, label in Availability.choices} | {v: v for v in Availability.values}


class ServiceForm(forms.Form):
    """A form whose ``record()`` is a service record; the service's typed errors land on
    the field they name (``tickets.0.class`` on ``tickets``), the others above the form."""

    def record(self):
        raise NotImplementedError

    def show_errors(self, rejected):
        for error in rejected["errors"]:
            name = error["field"].split(".")[0]
            self.add_error(name if name in self.fields else None, error["message"])


class TripForm(ServiceForm):
    ref = forms.CharField(label="单位编号", max_length=64, help_text="本单位系统里这个班次的编号,如 CA1405-20261203。")
    number = forms.CharField(label="班次号", max_length=16)
    operator = forms.CharField(label="承运人", max_length=60, required=False)
    origin = forms.CharField(label="始发站代码", max_length=40, help_text="机场三字码、火车站电报码或码头代码。")
    destination = forms.CharField(label="终到站代码", max_length=40)
    scheduled_departure = LocalDateTimeField(label="计划出发")
    scheduled_arrival = LocalDateTimeField(label="计划到达")
    estimated_departure = LocalDateTimeField(label="预计出发", required=False)
    estimated_arrival = LocalDateTimeField(label="预计到达", required=False)
    actual_departure = LocalDateTimeField(label="实际出发", required=False)
    actual_arrival = LocalDateTimeField(label="实际到达", required=False)
    status = forms.ChoiceField(label="状态", choices=TripStatus.choices)
    position = forms.CharField(label="登机口/检票口/泊位", max_length=20, required=False)
    remark = forms.CharField(label="说明", max_length=200, required=False)
    tickets = forms.CharField(label="票务", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="每行一个席别:席别,状态(有票、余票紧张、售完),余票数(可不填)。如:二等座,余票紧张,12")

    def __init__(self, *args, unit, trip=None, **kwargs):
        super().__init__(*args, **kwargs)
        mode = services.unit_mode(unit)
        if mode is not None:
            self.fields["number"].label = NUMBER_LABEL[mode]
            self.fields["position"].label = POSITION_LABEL[mode]
        if trip is not None:
            self.fields["ref"].widget.attrs["readonly"] = True  # the unit's id of a stored record stays

    def clean_tickets(self):
        rows = []
        for number, line in enumerate((self.cleaned_data["tickets"] or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace(",", ",").split(",")]
            if len(parts) not in (2, 3) or parts[1] not in AVAILABILITY_WORDS:
                raise forms.ValidationError(f"第{number}行应为“席别,有票/余票紧张/售完,余票数”。")
            row = {"class": parts[0], "status": AVAILABILITY_WORDS[parts[1]]}
            if len(parts) == 3 and parts[2]:
                if not parts[2].isdigit():
                    raise forms.ValidationError(f"第{number}行的余票数应为整数。")
                row["seats"] = int(parts[2])
            rows.append(row)
        return rows

    @staticmethod
    def initial_of(trip):
        data = {name: getattr(trip, name) for name in ("ref", "number", "operator", "status", "position", "remark")}
        data.update(origin=trip.origin.code, destination=trip.destination.code)
        for name in ("scheduled_departure", "scheduled_arrival", "estimated_departure", "estimated_arrival",
                     "actual_departure", "actual_arrival"):
            value = getattr(trip, name)
            data[name] = timezone.localtime(value).strftime(DATETIME_FORMAT) if value else None
        words = {value: str(label) for value, label in Availability.choices}
        data["tickets"] = "\n".join(",".join([t["class"], words.get(t["status"], t["status"])]
                                              + ([str(t["seats"])] if t.get("seats") is not None else []))
                                     for t in trip.tickets or [])
        return data

    def record(self):
        data = self.cleaned_data
        record = {name: _iso(data[name]) if data[name] not in ("",) else None for name in data if name != "ref"}
        record["id"] = data["ref"]
        return record


class NoticeForm(ServiceForm):
    ref = forms.CharField(label="单位编号", max_length=64, help_text="本单位系统里这条信息的编号。")
    kind = forms.ChoiceField(label="类别", choices=NoticeKind.choices)
    title = forms.CharField(label="标题", max_length=120)
    reason = forms.CharField(label="原因", max_length=300, required=False)
    details = forms.CharField(label="详细内容", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    districts = forms.CharField(label="影响区县", required=False, help_text="以逗号或换行分隔,如:渝中区,江北区")
    streets = forms.CharField(label="影响街道和小区", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="以逗号或换行分隔。")
    area = forms.CharField(label="影响范围(地图)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="GeoJSON 几何(Point、MultiPoint、Polygon、MultiPolygon),WGS84 经纬度;可不填。")
    starts_at = LocalDateTimeField(label="开始时间")
    ends_at = LocalDateTimeField(label="预计结束", required=False)
    status = forms.ChoiceField(label="状态", choices=NoticeStatus.choices)
    restored_at = LocalDateTimeField(label="恢复时间", required=False)
    visible_from = LocalDateTimeField(label="公布时间", required=False, help_text="不填为保存时。")
    contact = forms.CharField(label="咨询电话", max_length=40, required=False)
    update = forms.CharField(label="新增进展", max_length=300, required=False,
                             help_text="如“抢修人员已到场”;保存时记入进展,时间为现在。")

    def __init__(self, *args, unit, notice=None, **kwargs):
        super().__init__(*args, **kwargs)
        if notice is not None:
            self.fields["ref"].widget.attrs["readonly"] = True  # the unit's id of a stored record stays

    def clean_area(self):
        text = (self.cleaned_data["area"] or "").strip()
        if not text:
            return None
        try:
            area = json.loads(text)
        except json.JSONDecodeError:
            raise forms.ValidationError("不是有效的 GeoJSON(JSON 格式不对)。") from None
        if not isinstance(area, dict):
            raise forms.ValidationError("应为一个 GeoJSON 几何对象。")
        return area

    @staticmethod
    def initial_of(notice):
        data = {name: getattr(notice, name) for name in ("ref", "kind", "title", "reason", "details", "status",
                                                         "contact")}
        data.update(districts=",".join(notice.districts), streets="\n".join(notice.streets),
                    area=json.dumps(notice.area, ensure_ascii=False) if notice.area else "")
        for name in ("starts_at", "ends_at", "restored_at", "visible_from"):
            value = getattr(notice, name)
            data[name] = timezone.localtime(value).strftime(DATETIME_FORMAT) if value else None
        return data

    def record(self):
        data = dict(self.cleaned_data)
        update = data.pop("update")
        record = {name: _iso(value) if value != "" else None for name, value in data.items() if name != "ref"}
        record.update(id=data["ref"], districts=_lines(data["districts"]), streets=_lines(data["streets"]))
        if record["visible_from"] is None:
            record.pop("visible_from")
        if update:
            record["updates"] = [{"at": timezone.now().replace(microsecond=0).isoformat(), "text": update}]
        return record


class EntryForm(ServiceForm):
    ref = forms.CharField(label="单位编号", max_length=64)
    provider = forms.CharField(label="企业或机构", max_length=100)
    category = forms.CharField(label="服务类别", max_length=40)
    title = forms.CharField(label="服务名称", max_length=120)
    description = forms.CharField(label="服务内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label="地址", max_length=200, required=False)
    phone = forms.CharField(label="电话", max_length=40, required=False)
    hours = forms.CharField(label="服务时间", max_length=100, required=False)
    url = forms.CharField(label="网址", max_length=200, required=False)
    published = forms.BooleanField(label="公开", required=False, initial=True)

    def __init__(self, *args, unit, entry=None, **kwargs):
        super().__init__(*args, **kwargs)
        if entry is not None:
            self.fields["ref"].widget.attrs["readonly"] = True  # the unit's id of a stored record stays

    @staticmethod
    def initial_of(entry):
        return {name: getattr(entry, name) for name in ("ref", "provider", "category", "title", "description",
                                                         "address", "phone", "hours", "url", "published")}

    def record(self):
        data = self.cleaned_data
        record = {name: value if value != "" else None for name, value in data.items() if name != "ref"}
        record["id"] = data["ref"]
        return record


class StationForm(forms.ModelForm):
    """A station the unit runs (an airport, a railway station, a pier): its board's
    departures leave it. The code of a stored station stays (trips refer to it)."""

    class Meta:
        model = Station
        fields = ["kind", "code", "name", "city", "active"]

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        mode = services.unit_mode(unit)
        if mode is not None:
            kind = STATION_KIND_OF_MODE[Mode(mode)]
            self.fields["kind"].choices = [(kind.value, kind.label)]
        if self.instance.pk:
            self.fields["code"].disabled = self.fields["kind"].disabled = True


class FeedForm(forms.ModelForm):
    """A standard feed the worker pulls for the unit (GTFS static or GTFS-Realtime)."""

    url = forms.URLField(label="地址", max_length=500, assume_scheme="https",
                         help_text="数据源的完整地址,如 https://example.cn/gtfs-rt.pb。")

    class Meta:
        model = Feed
        fields = ["name", "kind", "mode", "url", "every_seconds", "enabled"]

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        mode = services.unit_mode(unit)
        if mode is not None:
            self.fields["mode"].choices = [(mode, Mode(mode).label)]

    def clean_every_seconds(self):
        value = self.cleaned_data["every_seconds"]
        if value < MIN_PULL_SECONDS:
            raise forms.ValidationError(f"拉取间隔不能少于 {MIN_PULL_SECONDS} 秒。")
        return value


MIN_PULL_SECONDS = 30


class ChannelsForm(forms.Form):
    """How often each of the unit's streams is expected (0: not watched)."""

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        stored = {c.kind: c for c in queries.channels_of(unit)}
        for kind, label in DataKind.choices:
            channel = stored.get(kind)
            minutes = channel.expected_minutes if channel else 0
            self.fields[kind] = forms.IntegerField(label=f"{label}(分钟)", min_value=0, max_value=7 * 24 * 60,
                                                   initial=minutes, help_text="超过这个时间没有收到数据即视为中断;0 为不监测。")


# --- Views --------------------------------------------------------------------------------

UPSERTS = {"trip": services.trips_upsert, "notice": services.notices_upsert, "entry": services.entries_upsert}


def _save(request, unit, form, what):
    """Send the form's record through the service; True when it was kept."""
    upsert = UPSERTS[what]
    result = upsert(unit=unit, records=[form.record()], source="admin", actor=request.user)
    if result.rejected:
        form.show_errors(result.rejected[0])
        return False
    if result.stale:
        form.add_error(None, "这条记录已有更新的数据,请刷新后再改。")
        return False
    return True


@live_view
def index(request):
    units = list(services.editable_units(request.user).order_by("sort_order", "code"))
    live = [u for u in units if queries.unit_mode(u) or queries.is_utility(u)]
    if len(units) == 1:
        return redirect("livedata_admin:unit", unit_code=units[0].code)
    return render(request, "livedata/admin/index.html", {"units": live, "others": [u for u in units if u not in live]})


@live_view
def unit_home(request, unit):
    mode = queries.unit_mode(unit)
    today = timezone.localdate()
    trips = (Trip.objects.filter(unit=unit, service_date__gte=today - datetime.timedelta(days=1))
             .select_related("origin", "destination").order_by("scheduled_departure", "number")[:TRIPS_SHOWN])
    silences = {s.kind: s for s in queries.silences(unit=unit)}
    return render(request, "livedata/admin/unit.html", {
        "unit": unit, "mode": mode, "board_title": BOARD_TITLE.get(mode, ""), "trips": trips,
        "notices": ServiceNotice.objects.filter(unit=unit).order_by("-starts_at")[:100],
        "entries": DirectoryEntry.objects.filter(unit=unit), "stations": Station.objects.filter(unit=unit),
        "feeds": Feed.objects.filter(unit=unit),
        "channels": [{"kind": c.kind, "label": c.get_kind_display(), "channel": c, "silence": silences.get(c.kind)}
                     for c in queries.channels_of(unit)],
        "may_set_watch": services.may_set_watch(request.user),
    })


def _edit(request, unit, *, what, model, form_class, pk=None):
    instance = get_object_or_404(model, unit=unit, pk=pk) if pk is not None else None
    keyword = {"trip": "trip", "notice": "notice", "entry": "entry"}[what]
    if request.method == "POST":
        data = request.POST.copy()
        if instance is not None:
            data["ref"] = instance.ref
        form = form_class(data, unit=unit, **{keyword: instance})
        if form.is_valid() and instance is None and model.objects.filter(unit=unit, ref=form.cleaned_data["ref"]).exists():
            # "New" never overwrites: the same id would update the stored record.
            form.add_error("ref", "本单位已有这个编号的记录,请在列表中打开它修改。")
        elif form.is_valid() and _save(request, unit, form, what):
            messages.success(request, "已保存。")
            saved = model.objects.get(unit=unit, ref=form.cleaned_data["ref"])
            return redirect(f"livedata_admin:{what}", unit_code=unit.code, pk=saved.pk)
    else:
        form = form_class(initial=form_class.initial_of(instance) if instance else _initial(what),
                          unit=unit, **{keyword: instance})
    history = _history(instance) if instance is not None and hasattr(instance, "changes") else []
    return render(request, "livedata/admin/edit.html", {
        "unit": unit, "form": form, "instance": instance, "what": what, "history": history,
        "title": TITLES[what][instance is None],
        "updates": instance.updates.all() if what == "notice" and instance else [],
    })


def _history(instance):
    """The record's changes, newest first, each field named in Chinese."""
    changes = instance.changes.select_related("actor", "client", "feed").order_by("-received_at", "-id")
    def value(name, raw):
        return VALUE_LABELS.get(name, {}).get(raw, raw) if isinstance(raw, str) else raw

    return [{"change": change, "fields": [(FIELD_NAMES.get(name, name), value(name, pair[0]), value(name, pair[1]))
                                          for name, pair in change.fields.items()]}
            for change in changes]


VALUE_LABELS = {"status": {**dict(TripStatus.choices), **dict(NoticeStatus.choices)}, "kind": dict(NoticeKind.choices)}


TITLES = {"trip": ("编辑班次", "新增班次"), "notice": ("编辑服务信息", "新增服务信息"),
          "entry": ("编辑企业服务信息", "新增企业服务信息")}


def _initial(what):
    if what == "trip":
        return {"status": TripStatus.SCHEDULED}
    if what == "notice":
        return {"status": NoticeStatus.PLANNED, "kind": NoticeKind.PLANNED_OUTAGE}
    return {"published": True}


@live_view
def trip_edit(request, unit, pk=None):
    return _edit(request, unit, what="trip", model=Trip, form_class=TripForm, pk=pk)


@live_view
def notice_edit(request, unit, pk=None):
    return _edit(request, unit, what="notice", model=ServiceNotice, form_class=NoticeForm, pk=pk)


@live_view
def entry_edit(request, unit, pk=None):
    return _edit(request, unit, what="entry", model=DirectoryEntry, form_class=EntryForm, pk=pk)


def _model_edit(request, unit, *, model, form_class, pk, title):
    """A station or a feed of ``unit`` (another unit's answers 404)."""
    instance = get_object_or_404(model, unit=unit, pk=pk) if pk is not None else model(unit=unit)
    form = form_class(request.POST or None, instance=instance, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.config_save(instance=form.instance, unit=unit, actor=request.user)
        except forms.ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("livedata_admin:unit", unit_code=unit.code)
    return render(request, "livedata/admin/edit.html", {"unit": unit, "form": form, "what": model.__name__.lower(),
                                                        "title": title[pk is None], "instance": instance})


@live_view
def station_edit(request, unit, pk=None):
    return _model_edit(request, unit, model=Station, form_class=StationForm, pk=pk, title=("编辑站点", "新增站点"))


@live_view
def feed_edit(request, unit, pk=None):
    return _model_edit(request, unit, model=Feed, form_class=FeedForm, pk=pk, title=("编辑数据源", "新增数据源"))


@live_view
def channels_edit(request, unit):
    if not services.may_set_watch(request.user):
        raise PermissionDenied("数据更新监测的间隔由门户网站管理中心或督查人员设置。")
    form = ChannelsForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            for kind in DataKind.values:
                services.channel_configure(unit=unit, kind=kind, expected_minutes=form.cleaned_data[kind],
                                           actor=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "已保存数据更新监测设置。")
            return redirect("livedata_admin:unit", unit_code=unit.code)
    return render(request, "livedata/admin/edit.html", {"unit": unit, "form": form, "what": "channels",
                                                        "title": "数据更新监测"})


urlpatterns = [
    path("", index, name="index"),
    path("<str:unit_code>/", unit_home, name="unit"),
    path("<str:unit_code>/trips/new/", trip_edit, name="trip_new"),
    path("<str:unit_code>/trips/<int:pk>/", trip_edit, name="trip"),
    path("<str:unit_code>/notices/new/", notice_edit, name="notice_new"),
    path("<str:unit_code>/notices/<int:pk>/", notice_edit, name="notice"),
    path("<str:unit_code>/directory/new/", entry_edit, name="entry_new"),
    path("<str:unit_code>/directory/<int:pk>/", entry_edit, name="entry"),
    path("<str:unit_code>/channels/", channels_edit, name="channels"),
    path("<str:unit_code>/stations/new/", station_edit, name="station_new"),
    path("<str:unit_code>/stations/<int:pk>/", station_edit, name="station"),
    path("<str:unit_code>/feeds/new/", feed_edit, name="feed_new"),
    path("<str:unit_code>/feeds/<int:pk>/", feed_edit, name="feed"),
]
