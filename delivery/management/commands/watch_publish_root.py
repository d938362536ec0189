"""manage.py watch_publish_root: the integrity watcher (delivery/watcher.py)."""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from delivery.integrity import scan_and_repair
from delivery.watcher import Watcher


class Command(BaseCommand):
    help = "监测发布目录:文件被修改、增加或删除时立即恢复并记录防篡改事件(--once 只做一次全量检查)。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只做一次全量检查和恢复,然后退出")
        parser.add_argument("--scan-seconds", type=float, default=None, help="全量扫描的间隔秒数")
        parser.add_argument("--no-events", action="store_true", help="不使用文件系统事件,只定时扫描")

    def handle(self, *args, once, scan_seconds, no_events, **options):
        if once:
            events = scan_and_repair()
            for event in events:
                self.stdout.write(f"{event.get_kind_display()}:{event.path}")
            self.stdout.write(f"检查完成:发现并处理 {len(events)} 处问题。")
            return
        watcher = Watcher(scan_seconds=scan_seconds or min(settings.INTEGRITY_SCAN_SECONDS, 60.0),
                          use_events=not no_events, out=lambda line: self.stdout.write(line))
        signal.signal(signal.SIGTERM, lambda *_: watcher.stop())
        signal.signal(signal.SIGINT, lambda *_: watcher.stop())
        watcher.run()
