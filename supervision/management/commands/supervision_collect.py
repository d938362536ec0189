"""manage.py supervision_collect: probe and crawl one site or all, showing progress
(the same collectors the beat's tasks run; collect/)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orgs.models import SiteRecord
from supervision.collect import crawled
from supervision.collect.crawler import crawl_site
from supervision.collect.probes import probe_site
from supervision.measures import CHECK_LABELS, Period
from supervision.services import watch_for, watched_records

STATES = {"ok": "正常", "problem": "有问题", "not_checked": "未检测"}


class Command(BaseCommand):
    help = "对网站做可用性探测和抓取检查(默认全部受监测的网站;--site 指定域名;显示进度)。"

    def add_arguments(self, parser):
        parser.add_argument("--site", action="append", dest="sites", help="只检查这个域名的网站(可重复)")
        parser.add_argument("--probe-only", action="store_true", help="只做一次可用性探测")
        parser.add_argument("--crawl-only", action="store_true", help="只抓取,不做可用性探测")
        parser.add_argument("--budget", type=int, default=None, help="本次每个网站最多读取的页面数(其余下次续抓)")
        parser.add_argument("--quiet", action="store_true", help="不显示每批进度")

    def handle(self, *args, sites, probe_only, crawl_only, budget, quiet, **options):
        if sites:
            records = list(SiteRecord.objects.filter(hostname__in=sites))
            unknown = set(sites) - {r.hostname for r in records}
            if unknown:
                raise CommandError("没有登记这些域名的网站:" + "、".join(sorted(unknown)))
        else:
            records = list(watched_records())
        for number, record in enumerate(records, 1):
            self.stdout.write(f"[{number}/{len(records)}] {record.name}({record.hostname})")
            if not crawl_only:
                probe = probe_site(record, watch=watch_for(record))
                state = {True: "可访问", False: "不可访问", None: "无法判断"}[probe.ok]
                self.stdout.write(f"  探测:{state} {probe.status_code or ''} {probe.latency_ms or ''}ms {probe.error}")
            if probe_only:
                continue

            def progress(run):
                if not quiet:
                    self.stdout.write(f"  已读取 {run.pages_done} 个页面")

            run = crawl_site(record, watch=watch_for(record), budget=budget, progress=progress)
            if run is None:
                self.stdout.write("  另一个进程正在抓取此网站,跳过")
                continue
            self.stdout.write(f"  抓取:{run.get_status_display()},页面 {run.pages_done} 个,链接 {run.links_done} 个"
                              + (f",{run.error}" if run.error else ""))
            if run.status == "running":
                continue
            for measure in crawled.measures(record, Period.month_of(timezone.localdate(run.started_at))):
                self.stdout.write(f"  {CHECK_LABELS[measure.code]}:{STATES[measure.state]} {measure.reason}")
