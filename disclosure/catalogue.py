"""The government-information catalogue's services (part 4 of disclosure).

- :func:`catalogue_ensure`: a site's 政府信息公开 column with its guide, rules,
  annual reports, the entry to applications, and its tree of statutory content
  copied from the template (a builder of ``services.SECTION_BUILDERS``);
- :func:`template_node_save` / :func:`catalogue_node_save`: the management centre's
  template and a unit's own tree;
- :func:`annual_report_draft`: January's draft of a unit's annual report, from the
  platform's own figures (``queries.year_figures``).

Documents are filed under the tree by rule (models/catalogue.py), so nothing here
touches a document.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guard import audit
from orgs.authority import require_manager
from orgs.errors import DomainError, validate_or_refuse
from portal.models import ColumnCategory, ColumnKind, ColumnPage
from portal.services import column_kind_save, page_create

from . import queries
from .models import AnnualReportPage, CatalogueNode, CatalogueTemplateNode, DisclosureTextPage

# code, title, parent code, column categories, document types: the statutory content
# of the 2019 Regulations (art. 20, and the columns the national indicators check),
# as the management centre finds it on first use and then edits.
DEFAULT_TEMPLATE = [
    ("jgzn", "机构职能", "", "overview", ""),
    ("zcwj", "政策文件", "", "policy", ""),
    ("gfxwj", "规范性文件", "zcwj", "", "normative"),
    ("qtwj", "其他文件", "zcwj", "policy", "announcement,notice,public_notice,convenience_notice"),
    ("zcjd", "政策解读", "", "interpretation", ""),
    ("tzgg", "通知公告", "", "notices", ""),
    ("ghjh", "规划计划", "", "plans", ""),
    ("czxx", "财政信息", "", "", ""),
    ("czyjs", "财政预决算", "czxx", "", ""),
    ("rsxx", "人事信息", "", "personnel", ""),
    ("zfcg", "政府采购", "", "", ""),
    ("zdjsxm", "重大建设项目", "", "", ""),
    ("ggzypz", "公共资源配置", "", "", ""),
    ("shgysy", "社会公益事业", "", "", ""),
    ("xzzf", "行政执法", "", "", ""),
    ("tjxx", "统计信息", "", "", ""),
]

KINDS = {
    queries.CATALOGUE_KIND: ("政府信息公开", 0),
    queries.REPORTS_KIND: ("政府信息公开年度报告", 365),
    queries.APPLY_KIND: ("依申请公开", 0),
}


# --- The template ------------------------------------------------------------------------

def template_ensure():
    """The template's rows, written from :data:`DEFAULT_TEMPLATE` the first time
    (once edited, the management centre's version is the template)."""
    if not CatalogueTemplateNode.objects.exists():
        CatalogueTemplateNode.objects.bulk_create([
            CatalogueTemplateNode(code=code, title=title, parent_code=parent, categories=categories,
                                  doc_types=doc_types, sort_order=order * 10)
            for order, (code, title, parent, categories, doc_types) in enumerate(DEFAULT_TEMPLATE)
        ], ignore_conflicts=True)
    return list(CatalogueTemplateNode.objects.order_by("sort_order", "code"))


@transaction.atomic
def template_node_save(*, actor, instance=None, code, title, parent_code="", categories="", doc_types="",
                       sort_order=0, active=True):
    """Create or change an entry of the template (the management centre only)."""
    require_manager(actor, None)
    node = instance or CatalogueTemplateNode()
    created = node.pk is None
    values = {"code": code, "title": title, "parent_code": parent_code or "", "categories": categories or "",
              "doc_types": doc_types or "", "sort_order": sort_order or 0, "active": active}
    if parent_code and parent_code == code:
        raise DomainError(_("目录不能是它自己的上级。"), field="parent_code")
    if parent_code and not CatalogueTemplateNode.objects.filter(code=parent_code).exists():
        raise DomainError(_("没有代码为“%(code)s”的上级目录。") % {"code": parent_code}, field="parent_code")
    before, after = (None, values) if created else audit.changes(
        CatalogueTemplateNode.objects.get(pk=node.pk), values)
    for name, value in values.items():
        setattr(node, name, value)
    validate_or_refuse(node)
    node.save()
    audit.record(node, "disclosure.catalogue_template.create" if created else "disclosure.catalogue_template.update",
                 actor=actor, before=before, after=after)
    return node


# --- A site's catalogue -------------------------------------------------------------------------

def _kind(code, actor):
    kind = ColumnKind.objects.filter(code=code).first()
    if kind is None:
        name, period = KINDS[code]
        kind = column_kind_save(code=code, name=name, category=ColumnCategory.OTHER, update_period=period, actor=actor)
    return kind


def _child_column(parent, kind, title, slug, intro="", show_in_menus=False):
    existing = ColumnPage.objects.child_of(parent).filter(kind=kind).first()
    if existing is not None:
        return existing
    page = ColumnPage(title=title, slug=slug, kind=kind, intro=intro, show_in_menus=show_in_menus)
    return page_create(parent=parent, page=page, publish=True)


def _child_text(parent, slug, title, body):
    existing = DisclosureTextPage.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing
    page = DisclosureTextPage(title=title, slug=slug, body=body)
    return page_create(parent=parent, page=page, publish=True)


def texts(column):
    """The guide and the rules of a 政府信息公开 column."""
    return DisclosureTextPage.objects.child_of(column).live().only(
        "id", "title", "slug", "url_path", "path", "depth").order_by("path")


def catalogue_column(home):
    return ColumnPage.objects.child_of(home).filter(kind__code=queries.CATALOGUE_KIND).first()


@transaction.atomic
def catalogue_ensure(*, home, actor=None):
    """The 政府信息公开 column of ``home``'s site, made if missing and completed if
    part of it is missing; what exists (titles, texts, a unit's own nodes) is kept.
    Returns the column."""
    unit = home.unit
    root = catalogue_column(home)
    if root is None:
        root = page_create(parent=home, page=ColumnPage(
            title="政府信息公开", slug="xxgk", kind=_kind(queries.CATALOGUE_KIND, actor), show_in_menus=True,
            intro=f"{unit.name}依法主动公开的政府信息、公开指南、公开制度、年度报告和依申请公开。",
        ), publish=True)
    _child_text(root, "gkzn", f"{unit.name}政府信息公开指南", _guide_text(unit))
    _child_text(root, "gkzd", f"{unit.name}政府信息公开制度", _rules_text(unit))
    _child_column(root, _kind(queries.REPORTS_KIND, actor), "政府信息公开年度报告", "ndbg",
                  intro=f"{unit.name}每年1月31日前公布上一年度的政府信息公开工作年度报告。")
    _child_column(root, _kind(queries.APPLY_KIND, actor), "依申请公开", "ysqgk",
                  intro=f"公民、法人或者其他组织可以向{unit.name}申请获取政府信息。")
    nodes_ensure(home=home, unit=unit)
    return root


def nodes_ensure(*, home, unit):
    """Copy the template's entries that ``home``'s tree lacks (by code)."""
    have = {n.code: n for n in CatalogueNode.objects.filter(home=home)}
    template = [t for t in template_ensure() if t.active]
    for entry in sorted(template, key=lambda t: (bool(t.parent_code), t.sort_order)):
        if entry.code in have:
            continue
        have[entry.code] = CatalogueNode.objects.create(
            home=home, unit=unit, code=entry.code, title=entry.title, parent=have.get(entry.parent_code),
            categories=entry.categories, doc_types=entry.doc_types, sort_order=entry.sort_order,
        )
    return have


@transaction.atomic
def catalogue_node_save(*, actor, instance, title, categories="", doc_types="", sort_order=0, active=True,
                        columns=()):
    """A unit's site administrator adapts a node of their site's tree: its name, its
    filing rule, the unit's own columns filed under it, whether it is shown."""
    require_manager(actor, instance.unit)
    columns = list(columns or ())
    foreign = [c for c in columns if not c.path.startswith(instance.home.path)]
    if foreign:
        raise DomainError(_("只能选择本网站的栏目。"), field="columns")
    values = {"title": title, "categories": categories or "", "doc_types": doc_types or "",
              "sort_order": sort_order or 0, "active": active}
    before, after = audit.changes(CatalogueNode.objects.get(pk=instance.pk), values)
    for name, value in values.items():
        setattr(instance, name, value)
    validate_or_refuse(instance)
    instance.save()
    old_columns = sorted(instance.columns.values_list("pk", flat=True))
    instance.columns.set(columns)
    if old_columns != sorted(c.pk for c in columns):
        before = {**(before or {}), "columns": old_columns}
        after = {**(after or {}), "columns": sorted(c.pk for c in columns)}
    audit.record(instance, "disclosure.catalogue_node.update", actor=actor, before=before, after=after)
    return instance


def _guide_text(unit):
    name = unit.name
    return "".join(f"<p>{p}</p>" for p in (
        f"为便于公民、法人和其他组织获取{name}的政府信息,依据《中华人民共和国政府信息公开条例》,编制本指南。"
        "本指南每年更新一次。",
        f"一、公开主体。{name}负责本机关的政府信息公开工作,日常工作由本机关政务公开工作机构承担。",
        "二、主动公开。主动公开的政府信息按本网站“政府信息公开”栏目的目录分类发布,"
        "可按主题、文件类型、发文机关、年份和效力状态查找。信息自形成或变更之日起20个工作日内公开。",
        "三、依申请公开。申请人可以通过本栏目“依申请公开”在线提交申请,也可以书面提交。"
        "本机关收到申请后能够当场答复的当场答复;不能当场答复的,自收到申请之日起20个工作日内答复;"
        "需要延长答复期限的,经政府信息公开工作机构负责人同意并告知申请人,延长期限最长不超过20个工作日。"
        "申请内容不明确的,本机关在收到申请之日起7个工作日内一次性告知申请人补正,答复期限自收到补正的申请之日起计算。",
        "四、收费。提供政府信息不收取费用;申请数量、频次明显超过合理范围的,依照国家规定收取信息处理费。",
        "五、监督和救济。申请人认为本机关在政府信息公开工作中侵犯其合法权益的,可以向上一级行政机关或者政府信息公开"
        "工作主管部门投诉、举报,也可以依法申请行政复议或者提起行政诉讼。",
    ))


def _rules_text(unit):
    return "".join(f"<p>{p}</p>" for p in (
        f"{unit.name}政府信息公开工作实行公开审查、发布登记和保密审查制度:拟公开的政府信息在公开前经起草部门、"
        "政务公开工作机构和分管负责人三级审核,发布情况记入发布登记。",
        "依申请公开实行登记、承办、审核、答复、归档的办理流程,答复期限按工作日计算,节假日不计。",
        "政策文件印发后同步组织解读,解读材料与文件同步发布并相互链接。",
        "文件修改、废止或失效的,及时标注效力状态并链接到新文件。",
    ))


# --- Annual reports -----------------------------------------------------------------------------

def reports_column(home):
    root = catalogue_column(home)
    if root is None:
        return None
    return ColumnPage.objects.child_of(root).filter(kind__code=queries.REPORTS_KIND).first()


def year_figures(*, home, year):
    """The platform's figures of ``home``'s unit for ``year``, as the report's tables
    (``{"tables": [{"title", "columns", "rows"}], ...}``): plain JSON, stored on the
    report so the published report keeps the figures it was written from."""
    from letters.queries import unit_year_figures

    unit = home.unit
    documents = queries.documents_published(home, year)
    apps = queries.application_figures(unit, year)
    letters = unit_year_figures(unit=unit, year=year)
    tables = [
        {"title": "一、主动公开政府信息情况", "columns": ["信息类型", "本年新公开数量(件)"],
         "rows": [[label, n] for label, n in documents] + [["合计", sum(n for _l, n in documents)]]},
        {"title": "二、收到和处理政府信息公开申请情况", "columns": ["项目", "数量(件)"],
         "rows": [["本年新收政府信息公开申请", apps["received"]["total"]],
                  ["其中:自然人", apps["received"]["citizen"]],
                  ["其中:法人或其他组织", apps["received"]["organisation"]],
                  ["上年结转政府信息公开申请", apps["carried_in"]]]
                 + [[f"本年度办理结果:{label}", n] for label, n in apps["answered"]]
                 + [["本年度办结合计", apps["answered_total"]], ["结转下年度继续办理", apps["carried_over"]]]},
        {"title": "三、不予公开的理由", "columns": ["理由", "数量(件)"],
         "rows": [[label, n] for label, n in apps["refusals"]]},
        {"title": "四、公开信箱来信办理情况", "columns": ["项目", "数量(件)"],
         "rows": [["本年收到并承办的来信", letters["received"] or 0], ["已答复", letters["replied"] or 0],
                  ["按期答复", letters["on_time"] or 0], ["尚在办理", letters["open"] or 0]]},
    ]
    return {"year": year, "unit": unit.name, "tables": tables}


@transaction.atomic
def annual_report_draft(*, home, year, actor=None):
    """Draft ``home``'s unit's annual report for ``year`` under its 年度报告 column, as
    a page for the unit to edit and send through review; a report of that year
    already there (draft or published) is returned as it is."""
    column = reports_column(home)
    if column is None:
        raise DomainError(_("本网站还没有“政府信息公开年度报告”栏目。"))
    existing = AnnualReportPage.objects.child_of(column).filter(year=year).first()
    if existing is not None:
        return existing, False
    figures = year_figures(home=home, year=year)
    unit = home.unit
    page = AnnualReportPage(
        title=f"{unit.name}{year}年政府信息公开工作年度报告", year=year, figures=figures,
        figures_computed_at=timezone.now(), source=unit.name, slug=f"{year}-ndbg",
        summary=f"{unit.name}{year}年政府信息公开工作情况、收到和处理申请情况及存在的问题。",
        body="".join(f"<p>{p}</p>" for p in (
            f"本报告由{unit.name}根据《中华人民共和国政府信息公开条例》编制,统计期限为{year}年1月1日至12月31日。"
            "(平台已根据本年度发布和办理数据生成下列统计表,请补充总体情况、存在的主要问题及改进情况。)",
            "一、总体情况。(请填写)",
            "二、存在的主要问题及改进情况。(请填写)",
        )),
    )
    page = page_create(parent=column, page=page, actor=actor, publish=False)
    audit.record(page, "disclosure.annual_report.draft", actor=actor, year=year, unit=unit.pk)
    return page, True


def annual_report_drafts(*, year=None, actor=None):
    """Draft last year's report for every site that has a catalogue and lacks one
    (the January task; safe to run every day)."""
    from wagtail.models import Site

    year = year or timezone.localdate().year - 1
    made = []
    for site in Site.objects.select_related("root_page"):
        home = site.root_page.specific
        if getattr(home, "unit_id", None) is None or reports_column(home) is None:
            continue
        page, created = annual_report_draft(home=home, year=year, actor=actor)
        if created:
            made.append(page)
    return made
