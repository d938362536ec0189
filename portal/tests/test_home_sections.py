"""Home pages organised the way citizens look for things (N-1): each kind of site
shows its sections in its own order, each section in a fixed number of queries."""

import io
import re

import pytest

from disclosure.tests import guides_helpers
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disclosure import profiles
from disclosure.models import GovDocumentPage, LifeEvent, Theme
from letters.models import Mailbox
from portal.models import ArticlePage, ColumnPage
from portal.services import page_create

SECTION_RE = re.compile(r'class="home-section (home-[a-z]+|directory)"')


@pytest.fixture
def homes(city):
    """The small city with a window unit, a 办事服务 column and a featured matter on
    every site, the mayor's mailbox, themes and life events."""
    from hosting.sites import site_create
    from orgs.services import unit_create

    window = unit_create(name="测试市东站", code="station", kind="window_unit", sector="rail", parent=city.gov,
                         short_name="东站")
    city.window_site = site_create(unit=window, kind="window", name="东站", hostname="www.station.cn",
                                   site_id_code="5000000004", sponsor=window.name, icp_number="渝ICP备00000001号",
                                   psb_number="渝公网安备 50000000000001号", contact_phone="023-60000000")
    Mailbox.objects.create(unit=city.office, name="市长信箱", code="mayor", email="mayor@example.com", is_mayor=True)
    Theme.objects.create(code="social-security", name="社会保障")
    LifeEvent.objects.create(code="birth", name="生育收养")
    city.guides = {}
    for record in (city.portal_site, city.district_site, city.dept_site, city.window_site):
        home = record.site.root_page.specific
        column = page_create(parent=home, page=ColumnPage(title="办事服务", slug="services", kind=city.kinds["services"],
                                                          show_in_menus=True), publish=True)
        city.guides[record.kind] = page_create(parent=column, page=guides_helpers.guide(
            title=f"{record.name}常用事项", summary="常用的办事事项。", featured=True), publish=True)
    return city


def _sections(html):
    return [name for name in SECTION_RE.findall(html)]


@pytest.mark.django_db
def test_each_kind_of_home_shows_its_sections_in_its_own_order(homes, article_factory, client):
    article_factory(column=homes.portal_news, title="门户头条")
    article_factory(title="东区头条")
    article_factory(column=homes.dept_news, title="教委头条")
    portal = client.get("/").content.decode()
    assert _sections(portal) == ["home-news", "home-disclosure", "home-services", "home-live", "home-interaction",
                                 "home-columns", "home-profile", "directory"]
    district = client.get("/s/east/").content.decode()
    assert _sections(district) == ["home-news", "home-disclosure", "home-services", "home-interaction", "home-profile",
                                   "home-columns"]
    department = client.get("/s/edu/").content.decode()
    # Every site has its 政府信息公开 column (made with the site), so every home has 政务公开.
    assert _sections(department) == ["home-news", "home-disclosure", "home-services", "home-profile",
                                     "home-interaction"]
    window = client.get(homes.window_site.public_url).content.decode()
    # A window unit leads with its live boards (a railway station: its trains), then its services.
    assert _sections(window)[:2] == ["home-live", "home-services"]
    for html, site in ((portal, "portal"), (district, "district"), (department, "department"), (window, "window")):
        assert homes.guides[site].title in html  # the most-used matters
        assert "写信给市长信箱" in html and "信箱统计" in html  # 互动交流
        assert "机构职能" in html and "领导信息" in html  # 机构概况 and its sections
    assert "社会保障" in portal and "生育收养" in district and "社会保障" not in department  # themes where citizens browse


@pytest.mark.django_db
def test_the_portals_disclosure_section_lists_the_latest_documents_and_the_catalogue(homes, client):
    import datetime as dt

    from django.utils import timezone

    doc = page_create(parent=homes.portal_policy, page=GovDocumentPage(
        title="测试市政府关于优化营商环境的通知", doc_type="normative", issuing_organ="测试市人民政府",
        document_number="测府发〔2026〕1号", date_written=dt.date(2026, 1, 2), pub_date=timezone.now(),
        body="<p>正文。</p>"), publish=True)
    html = client.get("/").content.decode()
    section = html[html.index('class="home-section home-disclosure"'):]
    section = section[:section.index("</section>")]
    assert doc.title in section and doc.get_url() in section
    # The entries: the site's 政府信息公开 column (made with the site) and its own columns.
    from disclosure.catalogue import catalogue_column

    catalogue = catalogue_column(homes.portal_site.site.root_page.specific)
    entries = ColumnPage.objects.child_of(catalogue).live()
    assert catalogue.get_url() in section
    assert entries.exists() and all(entry.get_url() in section for entry in entries)


@pytest.mark.django_db
def test_the_top_story_shows_its_lead_picture(homes, client):
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    buffer = io.BytesIO()
    PILImage.new("RGB", (800, 450), (40, 90, 160)).save(buffer, "PNG")
    image = get_image_model().objects.create(title="长江索道", description="长江索道在江面上空运行",
                                             file=ImageFile(buffer, name="cableway.png"))
    article = page_create(parent=homes.portal_news, page=ArticlePage(title="长江索道迎来客流高峰", body="<p>正文。</p>",
                                                                     lead_image=image), publish=True)
    html = client.get("/").content.decode()
    news = html[html.index('class="home-section home-news"'):]
    news = news[:news.index("</section>")]
    assert article.title in news and 'alt="长江索道在江面上空运行"' in news and 'class="lead-image"' in news


def _queries(client, url):
    """A home's queries once its route and frame are kept (the first request after a
    publication learns them: portal/routecache.py, portal/framecache.py)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_home_pages_cost_a_bounded_number_of_queries_whatever_they_hold(homes, article_factory, client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    from letters.services import stats_refresh

    stats_refresh()  # the figures the periodic task computes ahead
    urls = ["/", "/s/east/", "/s/edu/", homes.window_site.public_url]
    article_factory(column=homes.portal_news, title="门户要闻")
    article_factory(title="东区动态")
    article_factory(column=homes.dept_news, title="教委动态")
    for url in urls:
        client.get(url)
    few = {url: _queries(client, url) for url in urls}
    for i in range(8):
        article_factory(column=homes.portal_news, title=f"门户要闻{i}")
        article_factory(title=f"东区动态{i}", also_in=[homes.portal_news])
        profiles.person_save(actor=None, unit=homes.district, name=f"领导{i}号", title="副区长")
        for kind, guide in homes.guides.items():
            page_create(parent=guide.get_parent(), page=guides_helpers.guide(title=f"{kind}事项{i}", featured=i % 2 == 0),
                        publish=True)
    Theme.objects.create(code="housing", name="住房保障")
    many = {url: _queries(client, url) for url in urls}
    assert many == few
    assert max(many.values()) <= 22, many
