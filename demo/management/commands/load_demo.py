from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from demo import city
from demo.loader import already_loaded, load


class Command(BaseCommand):
    help = "载入演示城市(重庆):单位、网站、栏目、内容和演示账号。已载入则跳过。"

    def add_arguments(self, parser):
        parser.add_argument("--items-per-column", type=int, default=4)
        parser.add_argument("--logins-only", action="store_true", help="只列出演示账号")

    def handle(self, *args, **options):
        if options["logins_only"]:
            pass
        elif already_loaded():
            self.stdout.write("演示城市已存在,跳过载入。")
        else:
            # One bake and one search index of the whole city at the end, not one per
            # page as it is published.
            with override_settings(PLATFORM_BAKE=False, SEARCH_FOLLOW=False):
                load(items_per_column=options["items_per_column"], stdout=self.stdout)
            from search.services import rebuild as search_rebuild

            indexed = search_rebuild(resume=False)
            self.stdout.write(f"已建立站内搜索索引:{indexed['indexed']} 条。")
            if settings.PLATFORM_BAKE:
                from delivery.rebuild import rebuild

                rebuild(out=lambda line: None)
                self.stdout.write("已生成全部网站的静态页面(发布目录 %s)。" % settings.PUBLISH_ROOT)
            self.supervise()
        self.print_logins()

    def supervise(self):
        """Crawl every site of the demo city (the hosted ones in the process, no
        network needed) and score it against the indicators, so the supervisors'
        dashboard has every site's scorecard from the first start. The worker's
        probes and crawls take over from there (supervision/tasks.py)."""
        from supervision.collect.crawler import crawl_site
        from supervision.scoring import score_all
        from supervision.services import watch_for, watched_records

        pages = 0
        for record in watched_records():
            run = crawl_site(record, watch=watch_for(record))
            pages += run.pages_done if run is not None else 0
        self.stdout.write(f"已抓取检查全部网站:{pages} 个页面。")
        self.stdout.write(f"已按检查指标评分:{score_all()} 个网站。")

    def print_logins(self):
        units = {code: short or name for code, name, short, *_rest in city.UNITS}
        self.stdout.write("\n演示账号(密码均为 %s):" % city.PASSWORD)
        self.stdout.write(f"  {'admin':<20} 门户网站管理中心 · 超级管理员")
        for username, code, roles, name, _email in city.people():
            self.stdout.write(f"  {username:<20} {units[code]} · {city.role_words(code, roles)} · {name}")
        self.stdout.write("  调度员受理市长信箱的来信并分办给各单位;分管领导签发本单位的答复;监督人员督办全市来信。")
