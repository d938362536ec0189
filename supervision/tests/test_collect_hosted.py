"""Hosted sites are crawled in-process through the application when no origin is
configured: no network needed (the demo city is crawled this way)."""

import datetime

import pytest
from django.utils import timezone

from supervision.collect import crawled
from supervision.collect.crawler import crawl_site
from supervision.collect.fetch import start_url_of
from supervision.collect.probes import probe_site
from supervision.measures import Period
from supervision.models import RunStatus

TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def in_process(settings):
    settings.SUPERVISION_HOSTED_ORIGIN = ""
    settings.SUPERVISION_EXTERNAL_LINKS = False


@pytest.mark.django_db
def test_a_hosted_site_is_crawled_in_process(city):
    from portal.models import ArticlePage
    from portal.services import page_create

    record = city.district_site
    record.refresh_from_db()
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    document = Document.objects.create(title="申请表", file=ContentFile(b"PK\x03\x04", name="营商环境申请表.xlsx"),
                                       collection=city.district.collection)
    article = ArticlePage(title="东区召开营商环境推进会", slug="yshj", pub_date=timezone.now() - datetime.timedelta(days=3),
                          body=f'<p>会议部署了下一阶段工作。<a linktype="document" id="{document.pk}">申请表</a></p>')
    page_create(parent=city.district_news, page=article, publish=True)
    start = start_url_of(record)
    assert start.endswith("/s/east/") or start.endswith("east.cq.gov.cn/")
    probe = probe_site(record)
    assert probe.ok is True and probe.status_code == 200
    run = crawl_site(record)
    assert run.status == RunStatus.DONE, run.error
    urls = set(run.pages.values_list("url", flat=True))
    assert any(u.endswith("/yshj/") for u in urls)
    assert not any("/s/" in u.split("/s/east/", 1)[-1] for u in urls)  # never into another hosted site
    found = {m.code: m for m in crawled.measures(record, Period.month_of(TODAY))}
    # The platform's own templates carry every footer item and the site meta tags.
    assert found["footer"].value["missing"] == [], found["footer"].evidence
    assert all("SiteName" not in item["missing"] for item in found["meta"].value["lacking"])
    page = run.pages.get(url__endswith="/yshj/")
    assert page.pub_date == (timezone.localdate() - datetime.timedelta(days=3)) and page.date_source == "meta"
    assert page.column == "区县动态"
    assert found["ipv6"].reason and found["ipv6"].state == "not_checked"  # no network was used: cannot tell
    assert found["availability"].value["probes"] == 1
    # A download with a Chinese file name, its address percent-encoded in the page: served.
    download = run.links.get(kind="attachment")
    assert "%E8%90%A5" in download.url and download.ok is True and download.status_code == 200
    assert found["links"].value["broken_home"] == [] and found["links"].value["broken_other"] == []

