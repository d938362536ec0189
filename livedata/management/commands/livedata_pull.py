"""Pull live data feeds now, for operators: one feed (by id), a unit's feeds, or every
enabled feed, whether due or not."""

from django.core.management.base import BaseCommand, CommandError

from livedata.feeds.pull import feed_pull
from livedata.models import Feed


class Command(BaseCommand):
    help = "立即拉取实时数据源(GTFS 静态时刻表和 GTFS-Realtime)。"

    def add_arguments(self, parser):
        parser.add_argument("--feed", type=int, help="只拉取这个数据源(编号)")
        parser.add_argument("--unit", help="只拉取这个单位(单位代码)的数据源")

    def handle(self, *args, feed=None, unit=None, **options):
        feeds = Feed.objects.select_related("unit").order_by("unit__code", "pk")
        if feed is not None:
            feeds = feeds.filter(pk=feed)
        else:
            feeds = feeds.filter(enabled=True)
        if unit:
            feeds = feeds.filter(unit__code=unit)
        feeds = list(feeds)
        if not feeds:
            raise CommandError("没有符合条件的数据源。")
        failed = 0
        for index, item in enumerate(feeds, 1):
            self.stdout.write(f"[{index}/{len(feeds)}] {item.unit.name} · {item.name}:拉取中……", ending="")
            self.stdout.flush()
            result = feed_pull(item)
            self.stdout.write(self._said(result))
            failed += not result.ok
        self.stdout.write(f"完成:{len(feeds)} 个数据源,{failed} 个失败。")
        if failed:
            raise CommandError(f"{failed} 个数据源拉取失败。")

    @staticmethod
    def _said(result):
        if not result.ok:
            return f"失败:{result.error}"
        if result.outcome == "not_modified":
            return "数据源未更新(HTTP 304)。"
        if result.outcome == "unchanged":
            return "内容与上次相同。"
        if result.outcome == "older":
            return "消息不比上次新,已跳过。"
        parts = []
        for label, counts in (("班次", result.trips), ("服务信息", result.notices)):
            if counts:
                parts.append(f"{label}新增 {counts['created']}、更新 {counts['updated']}、"
                             f"未变 {counts['unchanged']}、未接受 {len(counts['rejected'])}")
        if result.unknown:
            parts.append(f"{len(result.unknown)} 个班次不在时刻表中")
        return "成功:" + (";".join(parts) or "没有数据") + "。"
