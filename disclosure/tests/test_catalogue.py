"""The government-information catalogue: the column every site gets, documents filed
by rule, filters, versions, interpretations and annual reports."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page

from disclosure import catalogue, queries
from disclosure.models import (
    AnnualReportPage, CatalogueNode, CatalogueTemplateNode, DisclosureTextPage, GovDocumentPage, InterpretationPage,
)
from disclosure.services import site_sections_ensure
from portal.models import ArticlePage, ColumnPage, ContentPage
from portal.services import page_create


def _aware(*args):
    return timezone.make_aware(dt.datetime(*args))


def _doc(column, title, *, doc_type="notice", topic="general", written=dt.date(2025, 3, 2), validity="in_force",
         organ="测试市东区人民政府", number="", supersedes=None, pub=None):
    if doc_type == "normative" and not number:
        number = f"东府发〔{written.year}〕{abs(hash(title)) % 90 + 1}号"
    page = GovDocumentPage(
        title=title, doc_type=doc_type, topic=topic, date_written=written, validity=validity, issuing_organ=organ,
        document_number=number, supersedes=supersedes, body="<p>正文。</p>",
        pub_date=pub or timezone.make_aware(dt.datetime.combine(written + dt.timedelta(days=2), dt.time(9))),
    )
    return page_create(parent=column, page=page, publish=True)


def _xxgk(record):
    return catalogue.catalogue_column(record.site.root_page.specific)


@pytest.fixture
def east(city):
    """东区's columns for documents: its 通知公告 and a 政策文件 and 政策解读 column."""
    home = city.district_site.site.root_page.specific
    policy = page_create(parent=home, page=ColumnPage(title="政策文件", slug="policy", kind=city.kinds["policy"]),
                         publish=True)
    interpretation = page_create(parent=home, page=ColumnPage(title="政策解读", slug="interpretation",
                                                              kind=city.kinds["interpretation"]), publish=True)
    city.district_policy, city.district_interpretation, city.district_home = policy, interpretation, home
    return city


# --- The column every site gets ------------------------------------------------------------------

@pytest.mark.django_db
def test_every_site_gets_a_published_disclosure_column_with_its_parts(city, client):
    for record in (city.portal_site, city.district_site, city.dept_site):
        root = _xxgk(record)
        assert root is not None and root.live and root.show_in_menus
        articles = {p.slug: p for p in DisclosureTextPage.objects.child_of(root).live()}
        assert set(articles) == {"gkzn", "gkzd"}
        assert record.unit.name in articles["gkzn"].title and "公开指南" in articles["gkzn"].title
        kinds = set(ColumnPage.objects.child_of(root).live().values_list("kind__code", flat=True))
        assert kinds == {queries.REPORTS_KIND, queries.APPLY_KIND}
        codes = set(CatalogueNode.objects.filter(home=record.site.root_page).values_list("code", flat=True))
        assert codes == {code for code, *_rest in catalogue.DEFAULT_TEMPLATE}
    # Nothing the builder makes is a listed item: columns and home pages list only the units' own content.
    assert not ContentPage.objects.exists() and not ArticlePage.objects.exists()
    guide = DisclosureTextPage.objects.get(slug="gkzn", path__startswith=city.district_site.site.root_page.path)
    assert "20个工作日" in client.get(guide.get_url()).content.decode()
    html = client.get(_xxgk(city.district_site).get_url()).content.decode()
    for title in ("公开指南", "公开制度", "年度报告", "依申请公开", "法定主动公开内容", "机构职能", "规范性文件", "财政信息"):
        assert title in html, title


@pytest.mark.django_db
def test_the_builder_is_idempotent_and_keeps_what_a_unit_changed(city):
    home = city.district_site.site.root_page.specific
    pages_before = home.get_descendants().count()
    node = CatalogueNode.objects.get(home=home, code="czxx")
    node.title = "财政资金信息"
    node.save()
    CatalogueTemplateNode.objects.create(code="hjbh", title="环境保护", sort_order=999)
    site_sections_ensure(home=home)
    site_sections_ensure(home=home)
    assert home.get_descendants().count() == pages_before
    assert CatalogueNode.objects.get(home=home, code="czxx").title == "财政资金信息"
    assert CatalogueNode.objects.filter(home=home, code="hjbh").count() == 1
    assert ColumnPage.objects.child_of(home).filter(kind__code=queries.CATALOGUE_KIND).count() == 1


@pytest.mark.django_db
def test_only_the_management_centre_edits_the_template(city, managers):
    from orgs.errors import PermissionRefused

    catalogue.template_ensure()
    with pytest.raises(PermissionRefused):
        catalogue.template_node_save(actor=managers.east_admin, code="xx", title="新目录")
    node = catalogue.template_node_save(actor=managers.centre, code="xmgl", title="项目管理", categories="plans")
    assert node.pk and node.category_list == ["plans"]
    from orgs.errors import DomainError

    with pytest.raises(DomainError, match="栏目类别"):
        catalogue.template_node_save(actor=managers.centre, code="bad", title="错", categories="nonsense")


# --- Documents filed by rule, filters --------------------------------------------------------------

def _titles(html):
    import re

    return set(re.findall(r'<p class="xxgk-title"><a href="[^"]+">([^<]+)</a>', html))


@pytest.mark.django_db
def test_documents_are_filed_under_the_tree_by_their_column_and_type(east, client):
    normative = _doc(east.district_policy, "东区行政规范性文件管理办法", doc_type="normative")
    other_policy = _doc(east.district_policy, "东区关于开展春季植树的通知", doc_type="notice")
    notice = _doc(east.district_notices, "东区停水通告", doc_type="notice")
    normative_in_notices = _doc(east.district_notices, "东区城市道路管理规定", doc_type="normative")
    url = _xxgk(east.district_site).get_url()
    assert _titles(client.get(url + "?ml=gfxwj").content.decode()) == {normative.title, normative_in_notices.title}
    assert _titles(client.get(url + "?ml=qtwj").content.decode()) == {other_policy.title}
    assert _titles(client.get(url + "?ml=zcwj").content.decode()) == {
        normative.title, normative_in_notices.title, other_policy.title}
    assert _titles(client.get(url + "?ml=tzgg").content.decode()) == {notice.title, normative_in_notices.title}
    assert _titles(client.get(url + "?ml=czxx").content.decode()) == set()
    assert client.get(url + "?ml=nosuchnode").status_code == 404
    # Another site's documents are never in this site's catalogue.
    _doc(east.portal_policy, "测试市人民政府令", doc_type="normative", organ="测试市人民政府")
    assert "测试市人民政府令" not in client.get(url + "?ml=gfxwj").content.decode()


@pytest.mark.django_db
def test_a_unit_files_its_own_column_under_a_node(east, client):
    home = east.district_home
    budget = page_create(parent=home, page=ColumnPage(title="预决算公开", slug="yjs", kind=east.kinds["topic"]),
                         publish=True)
    report = _doc(budget, "东区2025年部门预算", doc_type="announcement")
    node = CatalogueNode.objects.get(home=home, code="czyjs")
    catalogue.catalogue_node_save(actor=None, instance=node, title=node.title, columns=[budget])
    url = _xxgk(east.district_site).get_url()
    assert _titles(client.get(url + "?ml=czyjs").content.decode()) == {report.title}
    assert _titles(client.get(url + "?ml=czxx").content.decode()) == {report.title}  # the parent shows its children's


@pytest.mark.django_db
def test_filters_by_topic_type_organ_year_and_validity(east, client):
    a = _doc(east.district_policy, "东区教育收费规定", doc_type="normative", topic="science", written=dt.date(2024, 5, 1))
    b = _doc(east.district_policy, "东区学校安全通知", doc_type="notice", topic="science", written=dt.date(2025, 5, 1))
    c = _doc(east.district_policy, "东区医疗机构管理规定", doc_type="normative", topic="health",
             written=dt.date(2025, 6, 1), validity="repealed")
    d = _doc(east.district_policy, "东区教育局关于招生的公告", doc_type="announcement", topic="science",
             written=dt.date(2025, 7, 1), organ="测试市东区教育委员会")
    url = _xxgk(east.district_site).get_url()

    def titles(query):
        return _titles(client.get(f"{url}?{query}").content.decode())

    assert titles("topic=science") == {a.title, b.title, d.title}
    assert titles("topic=science&year=2025") == {b.title, d.title}
    assert titles("type=normative") == {a.title, c.title}
    assert titles("validity=repealed") == {c.title}
    assert titles("organ=教育委员会") == {d.title}
    assert titles("ml=gfxwj&year=2025") == {c.title}
    html = client.get(f"{url}?year=20x5").content.decode()
    assert "年份应为四位数字" in html
    assert titles("topic=bogus") == {a.title, b.title, c.title, d.title}  # an unknown choice is no filter


@pytest.mark.django_db
def test_the_year_filter_offers_every_year_back_to_the_oldest_document(east, client):
    old = _doc(east.district_policy, "东区关于加快政府网站建设的通知", written=dt.date(2005, 10, 9))
    url = _xxgk(east.district_site).get_url()
    html = client.get(url).content.decode()
    years = [int(y) for y in re.findall(r'<option value="(\d{4})"', html.split('id="f-year"')[1].split("</select>")[0])]
    assert years == list(range(timezone.localdate().year, 2004, -1))
    assert _titles(client.get(f"{url}?year=2005").content.decode()) == {old.title}


@pytest.mark.django_db
def test_the_catalogue_reads_a_bounded_number_of_queries(east, client):
    url = _xxgk(east.district_site).get_url() + "?topic=general"
    old = _doc(east.district_policy, "东区旧办法", doc_type="normative", validity="repealed")
    _doc(east.district_policy, "东区新办法", doc_type="normative", supersedes=old)

    def count():
        client.get(url)  # the column's item count is kept until the next publication
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(12):
        new = _doc(east.district_policy, f"东区第{i}号规定", doc_type="normative", validity="amended")
        _doc(east.district_notices, f"东区第{i}号规定的修改", doc_type="normative", supersedes=new)
    many = count()
    assert many == few, (few, many)
    # Once the address's route and the catalogue's frame (tree, columns, document
    # relations, interpretations) are kept until the next publication: the column
    # page and one page of documents.
    assert few == 2


@pytest.mark.django_db
def test_a_filtered_listing_counts_only_as_far_as_the_pages_it_offers(east, client, monkeypatch):
    from portal.queries import _BoundedCountPaginator

    monkeypatch.setattr(queries, "CATALOGUE_PAGE_SIZE", 2)
    monkeypatch.setattr(_BoundedCountPaginator, "BOUND_PAGES", 2)  # 4 rows counted at most
    for i in range(6):
        _doc(east.district_policy, f"东区计数文件{i}", topic="economy", pub=_aware(2025, 3, 10 + i))
    url = _xxgk(east.district_site).get_url()
    html = client.get(url + "?topic=economy").content.decode()
    assert "超过 4 条" in html and "第 1 页" in html and "第 1 / " not in html
    assert 'rel="next"' in html
    # Page 3 counts as far as page 4: the last documents, and no page after them.
    html = client.get(url + "?topic=economy&page=3").content.decode()
    assert _titles(html) == {"东区计数文件1", "东区计数文件0"}
    assert "共 6 条" in html and 'rel="next"' not in html and 'rel="prev"' in html
    # Unfiltered, the count is exact.
    assert "共 " in client.get(url).content.decode()


@pytest.mark.django_db
def test_pages_of_the_listing_keep_the_filters(east, client):
    for i in range(queries.CATALOGUE_PAGE_SIZE + 3):
        _doc(east.district_policy, f"东区第{i:02d}号通知", topic="labour")
    url = _xxgk(east.district_site).get_url()
    html = client.get(url + "?topic=labour").content.decode()
    assert "共 23 条" in html and "topic=labour&amp;page=2" in html
    second = client.get(url + "?topic=labour&page=2").content.decode()
    assert len(_titles(second)) == 3


# --- Versions -------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_repealed_and_amended_documents_are_marked_and_linked_both_ways_in_listings(east, client):
    repealed = _doc(east.district_policy, "东区燃放烟花爆竹管理办法", doc_type="normative", validity="repealed",
                    written=dt.date(2020, 1, 5))
    replacement = _doc(east.district_policy, "东区烟花爆竹安全管理规定", doc_type="normative", supersedes=repealed)
    amended = _doc(east.district_policy, "东区物业服务收费办法", doc_type="normative", validity="amended",
                   written=dt.date(2021, 1, 5))
    amendment = _doc(east.district_policy, "东区关于修改物业服务收费办法的决定", doc_type="normative",
                     supersedes=amended)
    html = client.get(_xxgk(east.district_site).get_url() + "?ml=gfxwj").content.decode()
    assert "[已废止]" in html and "[已修改]" in html
    assert f'已被修改或替代:<a href="{replacement.get_url()}">' in html
    assert f'修改或替代:<a href="{repealed.get_url()}">' in html
    assert f'已被修改或替代:<a href="{amendment.get_url()}">' in html
    page = client.get(repealed.get_url()).content.decode()
    assert "已废止" in page and replacement.get_url() in page


# --- Interpretations ---------------------------------------------------------------------------------------

def _interpretation(east, title, *documents):
    page = InterpretationPage(title=title, body="<p>解读正文。</p>", interpreter="东区司法局")
    page.interprets = list(documents)
    return page_create(parent=east.district_interpretation, page=page, publish=True)


@pytest.mark.django_db
def test_a_document_links_what_it_replaced_only_while_that_is_published(east, client):
    old = _doc(east.district_policy, "东区旧管理办法", doc_type="normative", validity="repealed")
    new = _doc(east.district_policy, "东区新管理办法", doc_type="normative", supersedes=old)
    assert old.get_url() in client.get(new.get_url()).content.decode()
    old.unpublish()
    html = client.get(new.get_url()).content.decode()
    assert "东区新管理办法" in html and old.get_url() not in html and "修改或替代" not in html


@pytest.mark.django_db
def test_interpretations_link_to_their_document_both_ways(east, client):
    doc = _doc(east.district_policy, "东区养犬管理规定", doc_type="normative")
    reading = _interpretation(east, "一图读懂《东区养犬管理规定》", doc)
    doc_html = client.get(doc.get_url()).content.decode()
    assert reading.get_url() in doc_html and reading.title in doc_html
    reading_html = client.get(reading.get_url()).content.decode()
    assert "解读的文件" in reading_html and doc.get_url() in reading_html
    listing = client.get(_xxgk(east.district_site).get_url() + "?ml=gfxwj").content.decode()
    assert "有解读" in listing and "暂无解读" not in listing
    assert reading.title in client.get(_xxgk(east.district_site).get_url() + "?ml=zcjd").content.decode()


@pytest.mark.django_db
def test_the_editor_asks_which_document_an_interpretation_interprets(east):
    form_class = InterpretationPage.get_edit_handler().get_form_class()
    form = form_class(data={"title": "无所指的解读", "slug": "jd", "form": "text",
                            "pub_date": "2026-01-05 09:00"}, instance=InterpretationPage(),
                      parent_page=east.district_interpretation, for_user=east.editor)
    assert form.fields["interprets"].required
    assert not form.is_valid() and "interprets" in form.errors


@pytest.mark.django_db
def test_policy_documents_lacking_an_interpretation_are_reported(east, client, make_user):
    interpreted = _doc(east.district_policy, "东区停车收费管理办法", doc_type="normative")
    lacking = _doc(east.district_policy, "东区城市绿化管理办法", doc_type="normative")
    lacking_notice = _doc(east.district_policy, "东区关于政策文件清理的通知", doc_type="notice")
    _doc(east.district_notices, "东区停电通告", doc_type="notice")  # not a policy document
    draft_only = _doc(east.district_policy, "东区夜市管理办法", doc_type="normative")
    _interpretation(east, "《东区停车收费管理办法》解读", interpreted)
    unpublished = _interpretation(east, "《东区夜市管理办法》解读", draft_only)
    unpublished.unpublish()
    missing = set(queries.policy_documents_without_interpretation([east.district]).values_list("title", flat=True))
    assert missing == {lacking.title, lacking_notice.title, draft_only.title}
    assert queries.interpretation_ratio([east.district]) == (4, 1)
    assert not queries.policy_documents_without_interpretation([east.dept]).exists()
    # The admin report, for the unit's people.
    reviewer = east.reviewer
    client.force_login(reviewer)
    html = client.get("/admin/xxgk/interpretations/missing/").content.decode()
    assert lacking.title in html and interpreted.title not in html
    listing = client.get(_xxgk(east.district_site).get_url() + "?ml=gfxwj").content.decode()
    assert "暂无解读" in listing


# --- Annual reports -------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_annual_report_is_drafted_from_the_platforms_figures(east, client):
    from disclosure import applications

    for i, kind in enumerate(["normative", "normative", "notice", "announcement"]):
        doc = _doc(east.district_policy, f"东区2025年第{i}号文件", doc_type=kind)
        Page.objects.filter(pk=doc.pk).update(first_published_at=_aware(2026, 1, 2, 10))  # moved onto the platform later
        doc.__class__.objects.filter(pk=doc.pk).update(pub_date=_aware(2025, 3 + i, 5, 10))
    older = _doc(east.district_notices, "东区2024年通告", doc_type="notice")
    older.__class__.objects.filter(pk=older.pk).update(pub_date=_aware(2024, 6, 5, 10))
    fields = dict(applicant_type="citizen", name="王晓", id_type="id_card", id_number="11010519491231002X",
                  phone="13800138000", description="请提供东区2025年老旧小区改造项目清单。", delivery="online")
    first, _ = applications.application_submit(unit=east.district, now=_aware(2025, 4, 1, 10), **fields)
    second, _ = applications.application_submit(unit=east.district, now=_aware(2025, 12, 29, 10), **fields)
    first.__class__.objects.filter(pk=first.pk).update(status="answered", answer_kind="not_disclosed",
                                                   refusal_reason="process", answered_at=_aware(2025, 4, 20, 10))
    home = east.district_home
    page, created = catalogue.annual_report_draft(home=home, year=2025)
    assert created and not page.live and page.year == 2025
    assert page.get_parent().specific.kind.code == queries.REPORTS_KIND
    tables = {t["title"]: dict((row[0], row[1]) for row in t["rows"]) for t in page.figures["tables"]}
    published = tables["一、主动公开政府信息情况"]
    assert published["规范性文件"] == 2 and published["通告"] == 1 and published["公告"] == 1
    assert published["合计"] == 4
    apps = tables["二、收到和处理政府信息公开申请情况"]
    assert apps["本年新收政府信息公开申请"] == 2 and apps["其中:自然人"] == 2
    assert apps["本年度办理结果:不予公开"] == 1 and apps["结转下年度继续办理"] == 1
    assert tables["三、不予公开的理由"]["属于四类过程性信息"] == 1
    assert "本年收到并承办的来信" in tables["四、公开信箱来信办理情况"]
    again, created_again = catalogue.annual_report_draft(home=home, year=2025)
    assert again.pk == page.pk and not created_again
    # Published through the review like any page, its tables are read as tables.
    page.save_revision().publish()
    html = client.get(page.get_url()).content.decode()
    assert "<caption>一、主动公开政府信息情况</caption>" in html
    assert '<th scope="col">信息类型</th>' in html and '<th scope="row">规范性文件</th>' in html


@pytest.mark.django_db
def test_the_january_task_drafts_last_years_report_for_every_site(city):
    made = catalogue.annual_report_drafts(year=2025)
    assert len(made) == 3
    assert catalogue.annual_report_drafts(year=2025) == []
    assert AnnualReportPage.objects.filter(year=2025, live=False).count() == 3


@pytest.mark.django_db
def test_the_management_command_drafts_a_units_report(city):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("annual_report_draft", "east", "--year", "2025", stdout=out)
    assert "已生成" in out.getvalue()
    assert AnnualReportPage.objects.get(year=2025).title == "测试市东区人民政府2025年政府信息公开工作年度报告"
