"""manage.py supervision_score: score one site or every watched site now (scoring.py)
and print each verdict, for an operator who does not want to wait for the beat."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from orgs.errors import DomainError
from orgs.models import SiteRecord
from supervision.measures import Period
from supervision.models import Verdict
from supervision.scoring import score_site
from supervision.services import watched_records


def describe(card):
    """One line: the site, the month, the verdict, the score (and bonus), the worst problems."""
    verdict = Verdict(card.verdict).label
    score = "无得分" if card.score is None else f"{card.score}分"
    bonus = f"(加{card.bonus}分)" if card.bonus else ""
    worst = [v["name"] for v in card.vetoes] or [d["name"] for d in sorted(
        card.deductions, key=lambda d: -d["points"]) if d["points"]][:3]
    problems = f" 问题:{'、'.join(worst)}" if worst else ""
    return f"{card.record.name} {card.period_start:%Y-%m} {verdict} {score}{bonus} 未检测{len(card.not_checked)}项{problems}"


class Command(BaseCommand):
    help = "按现行检查指标为网站评分并打印结论(--site 指定域名,默认全部监测中的网站)。"

    def add_arguments(self, parser):
        parser.add_argument("--site", action="append", dest="sites", help="只评这个域名的网站(可重复)")
        parser.add_argument("--month", help="评分月份,如 2026-11(默认本月)")

    def handle(self, *args, sites=None, month=None, **options):
        period = None
        if month:
            try:
                period = Period.month_of(datetime.datetime.strptime(month, "%Y-%m").date())
            except ValueError as exc:
                raise CommandError(f"月份应写作 YYYY-MM,而不是“{month}”。") from exc
            period.until = min(period.end, datetime.date.today())
        if sites:
            records = list(SiteRecord.objects.filter(hostname__in=sites).select_related("unit", "site"))
            unknown = set(sites) - {r.hostname for r in records}
            if unknown:
                raise CommandError(f"没有登记这些域名的网站:{'、'.join(sorted(unknown))}")
        else:
            records = list(watched_records())
        failed = 0
        for record in records:
            try:
                card = score_site(record, period)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            except Exception as exc:  # one site's failure is reported, the others are scored
                failed += 1
                self.stderr.write(f"{record.name}:评分失败({type(exc).__name__}: {exc})")
                continue
            self.stdout.write(describe(card))
        self.stdout.write(f"共评分{len(records) - failed}个网站。")
