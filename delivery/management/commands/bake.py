"""manage.py bake: the full rebuild of the publish root (delivery/rebuild.py)."""

from django.core.management.base import BaseCommand

from delivery.rebuild import rebuild


class Command(BaseCommand):
    help = "把全部网站的已发布页面重新生成静态文件(显示进度;--resume 续上次中断的任务;--processes 多进程)。"

    def add_arguments(self, parser):
        parser.add_argument("--processes", type=int, default=1, help="并行进程数(默认 1)")
        parser.add_argument("--resume", action="store_true", help="继续上次未完成的任务,已生成的页面不再生成")
        parser.add_argument("--site", action="append", dest="sites", help="只生成这个域名的网站(可重复)")

    def handle(self, *args, processes, resume, sites, **options):
        rebuild(processes=max(1, processes), resume=resume, hostnames=sites,
                out=lambda line: self.stdout.write(line))
