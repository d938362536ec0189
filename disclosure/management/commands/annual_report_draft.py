"""Draft a unit's annual disclosure report: ``manage.py annual_report_draft <unit code> [--year 2025]``
(or ``--all`` for every site, as January's task does)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orgs.errors import DomainError
from orgs.models import SiteRecord

from ...catalogue import annual_report_draft, annual_report_drafts


class Command(BaseCommand):
    help = "生成政府信息公开年度报告草稿"

    def add_arguments(self, parser):
        parser.add_argument("unit", nargs="?", help="单位代码")
        parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
        parser.add_argument("--all", action="store_true", help="为所有网站生成")

    def handle(self, *args, unit=None, year, all=False, **options):
        if all:
            made = annual_report_drafts(year=year)
            self.stdout.write(f"生成草稿 {len(made)} 份")
            return
        record = SiteRecord.objects.filter(unit__code=unit, site__isnull=False).select_related("site").first()
        if record is None:
            raise CommandError(f"单位 {unit} 没有托管网站。")
        try:
            page, created = annual_report_draft(home=record.site.root_page.specific, year=year)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{'已生成' if created else '已存在'}:{page.title}(页面 {page.pk})")
