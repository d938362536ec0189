"""Bring every hosted site's disclosure and service columns up to date.

``hosting.sites.site_create`` gives a new site its sections; a site created before a
section existed (an installation upgraded to a newer release) gets it here. Running it
again changes nothing.
"""

from django.core.management.base import BaseCommand

from disclosure.services import site_sections_ensure
from orgs.models import Hosting, SiteRecord


class Command(BaseCommand):
    help = "为每个托管网站补建政务公开、办事服务等法定栏目(已有的保留不动)。"

    def handle(self, *args, **options):
        records = SiteRecord.objects.filter(hosting=Hosting.HOSTED, site__isnull=False).select_related("site")
        for record in records:
            site_sections_ensure(home=record.site.root_page.specific)
            self.stdout.write(f"{record.name}:已检查")
        self.stdout.write(self.style.SUCCESS(f"共 {len(records)} 个托管网站"))
