"""The public side of service guides: a guide's page (the ten elements, materials with
their forms, the workflow as an accessible flowchart) and the directory of matters in
every 办事服务 column (a unit's, and the whole city's on the portal)."""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents.models import Document

from disclosure.models import GuideMaterial, GuideStep

from .guides_helpers import create, event, guide, services_column, theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(city):
    """Guides of the district (three themes, both audiences) and one of the education commission."""
    t = {"shebao": theme("shebao", "社会保障", 1), "huji": theme("huji", "户籍办理", 2),
         "qiye": theme("qiye", "企业开办", 3, audience="enterprise")}
    e = {"birth": event("birth", "出生"), "open": event("open-firm", "开办企业", audience="enterprise")}
    column = services_column(city.district_site)
    pages = {
        "yibao": create(column, guide("城乡居民医保参保登记", themes=[t["shebao"]], events=[e["birth"]])),
        "hukou": create(column, guide("新生儿入户登记", matter_code="EAST-HJ-01", themes=[t["huji"]], events=[e["birth"]])),
        "yanglao": create(column, guide("城乡居民养老保险待遇领取", matter_code="EAST-SB-02", themes=[t["shebao"]])),
        "kaiban": create(column, guide("个体工商户设立登记", matter_code="EAST-QY-01", audience="enterprise",
                                       themes=[t["qiye"]], events=[e["open"]])),
        "draft": create(column, guide("尚未发布的事项", matter_code="EAST-X"), publish=False),
        "edu": create(services_column(city.dept_site), guide("中小学教师资格认定", matter_code="EDU-01",
                                                            audience="both", themes=[t["shebao"]])),
    }
    return column, pages


def _titles(html):
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a>\s*<span class="guide-meta">', html)


def test_a_units_column_lists_its_own_live_guides_grouped_by_theme(client, directory):
    column, _pages = directory
    html = client.get(column.get_url()).content.decode()
    assert _titles(html) == ["城乡居民养老保险待遇领取", "城乡居民医保参保登记", "新生儿入户登记", "个体工商户设立登记"]
    groups = re.findall(r'<h4 id="group-\d+">([^<]+)</h4>', html)
    assert groups == ["社会保障", "户籍办理", "企业开办"]
    assert "共 4 项" in html and "尚未发布的事项" not in html and "中小学教师资格认定" not in html
    assert "csrfmiddlewaretoken" not in html


@pytest.mark.parametrize("query, expected", [
    ("?audience=enterprise", ["个体工商户设立登记"]),
    ("?audience=person", ["城乡居民养老保险待遇领取", "城乡居民医保参保登记", "新生儿入户登记"]),
    ("?theme=huji", ["新生儿入户登记"]),
    ("?event=birth", ["城乡居民医保参保登记", "新生儿入户登记"]),
    ("?event=birth&theme=shebao", ["城乡居民医保参保登记"]),
    ("?q=登记", ["城乡居民医保参保登记", "新生儿入户登记", "个体工商户设立登记"]),
    ("?q=EAST-QY", ["个体工商户设立登记"]),
    ("?q=east-qy", ["个体工商户设立登记"]),
    ("?q=驾驶证", []),
    ("?theme=<script>", ["城乡居民养老保险待遇领取", "城乡居民医保参保登记", "新生儿入户登记", "个体工商户设立登记"]),
])
def test_the_directory_filters_by_audience_theme_life_event_and_name(client, directory, query, expected):
    column, _pages = directory
    response = client.get(column.get_url() + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert _titles(html) == expected
    if not expected:
        assert "没有找到符合条件的事项" in html


def test_a_publication_or_a_withdrawal_shows_in_the_directory_at_once(client, directory, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the directory's kept index, not the page cache, is under test
    column, pages = directory
    url = column.get_url() + "?q=登记"
    assert "尚未发布的事项" not in _titles(client.get(url).content.decode())
    draft = pages["draft"]
    draft.title = "尚未发布的事项登记"
    draft.save_revision().publish()
    pages["kaiban"].unpublish()
    titles = _titles(client.get(url).content.decode())
    assert "尚未发布的事项登记" in titles and "个体工商户设立登记" not in titles


def test_a_matter_for_persons_and_enterprises_shows_under_either_audience(client, directory, city):
    column = services_column(city.dept_site)
    for audience in ("person", "enterprise"):
        assert _titles(client.get(column.get_url() + f"?audience={audience}").content.decode()) == ["中小学教师资格认定"]


def test_the_portals_column_lists_the_whole_city_and_filters_by_unit(client, directory, city):
    portal = services_column(city.portal_site)
    html = client.get(portal.get_url()).content.decode()
    assert set(_titles(html)) == {"城乡居民养老保险待遇领取", "城乡居民医保参保登记", "新生儿入户登记",
                                  "个体工商户设立登记", "中小学教师资格认定"}
    assert '<select id="guide-unit" name="unit">' in html and "东区 · " in html
    assert _titles(client.get(portal.get_url() + "?unit=edu").content.decode()) == ["中小学教师资格认定"]
    unit_site_html = client.get(directory[0].get_url()).content.decode()
    assert 'name="unit"' not in unit_site_html


def test_the_facets_count_live_guides_of_the_scope(client, directory):
    column, _pages = directory
    html = client.get(column.get_url()).content.decode()
    assert re.search(r'\?theme=shebao"[^>]*>社会保障<span class="count">\(2\)</span>', html)
    assert re.search(r'\?event=open-firm"[^>]*>开办企业<span class="count">\(1\)</span>', html)


def test_the_directory_pages_keep_the_filters(client, city):
    t = theme("shebao", "社会保障", 1)
    column = services_column(city.district_site)
    for i in range(23):
        create(column, guide(f"事项{i:02d}", matter_code=f"EAST-{i}", themes=[t]))
    html = client.get(column.get_url() + "?theme=shebao").content.decode()
    assert len(_titles(html)) == 20 and "第 1 / 2 页" in html
    assert 'href="?theme=shebao&amp;page=2"' in html
    assert len(_titles(client.get(column.get_url() + "?theme=shebao&page=2").content.decode())) == 3


def _queries(client, url):
    """The queries of a request, the fewer of two: with Redis shared by the parallel
    test processes, another process's new site can drop Wagtail's cached site list
    between two requests, adding one query that has nothing to do with the directory."""
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        counts.append(len(ctx.captured_queries))
    return min(counts)


def test_directory_queries_do_not_grow_with_the_number_of_matters(client, city, settings):
    settings.PAGE_CACHE_SECONDS = 0
    t = [theme("shebao", "社会保障", 1), theme("huji", "户籍办理", 2)]
    e = event("birth", "出生")
    column, portal = services_column(city.district_site), services_column(city.portal_site)
    create(column, guide("事项甲", themes=t, events=[e]))
    urls = [column.get_url(), column.get_url() + "?theme=huji&audience=person&q=事项", portal.get_url(),
            portal.get_url() + "?unit=east&event=birth"]

    def counts():
        for url in urls:
            client.get(url)  # warm Wagtail's site cache and the column's kept item count
        return [_queries(client, url) for url in urls]

    few = counts()
    for i in range(15):
        create(column, guide(f"事项{i}", matter_code=f"EAST-{i}", themes=t, events=[e]))
    many = counts()
    assert many == few
    # With the route, the frame (site, homes, menu, trail), the facets and the counts
    # kept until the next publication: the column page by id, one page of matters and
    # their themes.
    assert many == [3, 3, 3, 3], many


# --- A guide's page ------------------------------------------------------------------------

class _Flowchart(HTMLParser):
    """The flowchart as a screen reader meets it: the items of the <ol>, and any text
    that is not hidden from it."""

    def __init__(self):
        super().__init__()
        self.in_ol = self.hidden = 0
        self.items, self.lists = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ol" and "flowchart" in (attrs.get("class") or ""):
            self.in_ol, self.lists = 1, self.lists + 1
        elif self.in_ol and tag == "li":
            self.items.append("")
        elif self.in_ol and attrs.get("aria-hidden") == "true":
            self.hidden += 1
        if self.in_ol and tag == "svg" and attrs.get("aria-hidden") != "true":
            raise AssertionError("an arrow a screen reader would read")

    def handle_endtag(self, tag):
        if tag == "ol":
            self.in_ol = 0

    def handle_data(self, data):
        if self.in_ol and self.items and data.strip():
            self.items[-1] += data.strip()


def test_the_workflow_is_an_ordered_list_of_every_step_in_order(client, city):
    page = guide()
    page.steps = [GuideStep(name=name, actor="窗口", limit_days=1) for name in ("申请", "受理", "审查", "决定", "送达")]
    page = create(services_column(city.district_site), page)
    parser = _Flowchart()
    parser.feed(client.get(page.get_url()).content.decode())
    assert parser.lists == 1
    assert [item.split("窗口")[0] for item in parser.items] == ["申请", "受理", "审查", "决定", "送达"]
    assert parser.hidden == 4  # an arrow between steps, hidden from screen readers


def test_a_guides_page_shows_the_ten_elements_limits_in_working_days_and_downloads(client, city):
    blank = Document.objects.create(title="参保登记表(空白)", file=ContentFile(b"%PDF-1.4 blank", name="blank.pdf"))
    sample = Document.objects.create(title="参保登记表(样本)", file=ContentFile(b"%PDF-1.4 sample", name="sample.pdf"))
    page = guide()
    page.materials = [GuideMaterial(name="城乡居民医保参保登记表", form="paper", original="original", copies=2,
                                    blank_form=blank, sample=sample)]
    page = create(services_column(city.district_site), page)
    html = client.get(page.get_url()).content.decode()
    for label in ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理机构", "收费标准", "办理时间",
                  "联系电话", "办理流程"):
        assert label in html, label
    for value in ("东区政务服务中心一楼社保窗口", "东区医疗保障事务中心", "不收费", "023-60001234",
                  "10 个工作日", "3 个工作日", "自受理的次日起算,法定节假日和休息日不计"):
        assert value in html, value
    assert re.search(r"例如今天(.+)受理的,承诺最迟于 <strong>\d{4}年\d+月\d+日</strong> 办结", html)
    assert '<a href="https://www.example.gov.cn/shbxf.html" rel="noopener external">《中华人民共和国社会保险法》第二十五条</a>' in html
    assert '<th scope="col">份数</th>' in html and "2 份" in html
    assert f'href="{blank.url}" download>空白表格' in html and f'href="{sample.url}" download>填写样本' in html
    assert client.get(blank.url).status_code == 200
    assert "在线办理" not in html  # no online form unless the unit enabled one and the forms part serves it
    assert "csrfmiddlewaretoken" not in html


def test_a_legal_basis_links_to_the_document_in_the_library(client, city):
    from disclosure.models import GuideLegalBasis
    from disclosure.tests.test_documents import _document

    document = _document(city, title="测试市东区城乡居民医疗保险实施办法")
    page = guide(legal_basis="《测试市东区城乡居民医疗保险实施办法》第五条")
    page.legal_bases = [GuideLegalBasis(document=document, citation="第五条")]
    page = create(services_column(city.district_site), page)
    html = client.get(page.get_url()).content.decode()
    assert f'<a href="{document.get_url()}">第五条</a>' in html


def test_moving_a_theme_reorders_every_directory(client, directory):
    from disclosure.guides import theme_save
    from disclosure.models import Theme

    column, _pages = directory
    theme_save(actor=None, code="qiye", name="企业开办", audience="enterprise", sort_order=0,
               instance=Theme.objects.get(code="qiye"))
    groups = re.findall(r'<h4 id="group-\d+">([^<]+)</h4>', client.get(column.get_url()).content.decode())
    assert groups == ["企业开办", "社会保障", "户籍办理"]


def test_a_legal_basis_that_only_repeats_its_links_is_listed_once(client, city):
    from disclosure.guides import legal_basis_beyond_links
    from disclosure.models import GuideLegalBasis
    from disclosure.tests.test_documents import _document

    document = _document(city, title="测试市东区城乡居民医疗保险实施办法")
    page = guide(legal_basis="《中华人民共和国社会保险法》第二十五条;《测试市东区城乡居民医疗保险实施办法》第五条")
    page.legal_bases = [GuideLegalBasis(citation="《中华人民共和国社会保险法》第二十五条", url="https://www.example.gov.cn/s"),
                        GuideLegalBasis(document=document, citation="第五条")]
    page = create(services_column(city.district_site), page)
    html = client.get(page.get_url()).content.decode()
    assert html.count("中华人民共和国社会保险法") == 1
    basis_section = html.split('id="guide-basis"')[1].split("</section>")[0]
    assert '<div class="guide-text">' not in basis_section

    bases = list(page.legal_bases.select_related("document"))
    more = "《中华人民共和国社会保险法》第二十五条;参照市医保局2026年工作要点执行"
    assert legal_basis_beyond_links(more, bases) == more  # text that says more is kept whole
    assert legal_basis_beyond_links("", bases) == ""


def test_a_blank_form_downloads_under_its_own_name_without_a_content_coding(client, city):
    blank = Document.objects.create(title="参保登记表(空白)",
                                    file=ContentFile(b"PK\x03\x04 blank", name="城乡居民医保参保登记表-空白表格.xlsx"))
    page = guide()
    page.materials = [GuideMaterial(name="城乡居民医保参保登记表", form="paper", original="original", copies=1,
                                    blank_form=blank)]
    create(services_column(city.district_site), page)
    response = client.get(blank.url)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "filename*=utf-8''%e5%9f%8e" in response["Content-Disposition"].lower()
    assert b"".join(response.streaming_content) == b"PK\x03\x04 blank"


def test_the_directory_lists_only_the_matters_taking_applications_online_when_asked(client, directory):
    column, pages = directory
    yibao = pages["yibao"]
    yibao.online_form_enabled = True
    yibao.save_revision().publish()
    html = client.get(column.get_url(), {"online": "1"}).content.decode()
    assert "城乡居民医保参保登记" in html and "新生儿入户登记" not in html
    assert 'id="guide-online" name="online" value="1" checked' in html
    assert "共 1 项" in html
    assert "新生儿入户登记" in client.get(column.get_url()).content.decode()
