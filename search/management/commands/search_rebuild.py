"""Index every searchable item again (after an upgrade, a restore, or a lost task).

Resumes where a stopped rebuild got to; ``--restart`` starts over. Safe to re-run."""

import sys
import time

from django.core.management.base import BaseCommand

from search import services


class Command(BaseCommand):
    help = "重建站内搜索索引(可中断后继续)"

    def add_arguments(self, parser):
        parser.add_argument("--restart", action="store_true", help="从头开始,不接着上次中断处")
        parser.add_argument("--batch", type=int, default=200)

    def handle(self, *args, restart=False, batch=200, **options):
        started = time.monotonic()

        def progress(done, total):
            rate = done / max(time.monotonic() - started, 0.001)
            self.stdout.write(f"\r已索引 {done}/{total}({rate:.0f} 条/秒)", ending="")
            self.stdout.flush()

        result = services.rebuild(resume=not restart, progress=progress, batch=max(1, batch))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            f"完成:索引 {result['indexed']}/{result['total']} 项,移除失效条目 {result['removed']} 条,"
            f"用时 {time.monotonic() - started:.1f} 秒。"))
        sys.stdout.flush()
