from django.core.management.base import BaseCommand

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
            load(items_per_column=options["items_per_column"], stdout=self.stdout)
        self.print_logins()

    def print_logins(self):
        self.stdout.write("\n演示账号(密码均为 %s):" % city.PASSWORD)
        self.stdout.write("  admin                门户网站管理中心(超级管理员)")
        for code, people in city.PEOPLE.items():
            for suffix, roles in people:
                self.stdout.write(f"  {code.replace('-', '_') + '_' + suffix:<20} {code} {'/'.join(roles)}")
