"""The government-information catalogue (政府信息公开目录) of each unit's site.

Every hosted site has a 政府信息公开 column (a ``portal.ColumnPage`` of the column
kind ``xxgk``) with its disclosure guide (公开指南) and rules (公开制度) as articles,
its annual reports (年度报告, :class:`AnnualReportPage`), the entry to applications
for disclosure (依申请公开), and the statutory proactive-disclosure content
(法定主动公开内容) as a tree of :class:`CatalogueNode` rows, copied from the
platform's one template (:class:`CatalogueTemplateNode`) when the site is made.

A node does not hold documents: it holds a *filing rule* (the column categories and
the document types whose items belong under it, and any columns the unit names).
A document is filed by what it already is — the column it was published in and its
type — so the document's own page is the one place of truth, and every way of
creating it (the editor, the publish API, the demo, a migration) files it with no
further step (docs/decisions.md, "The catalogue files documents by rule").
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from portal.models import ColumnCategory, ContentPage, PlatformPage

from .documents import DocumentType


def _codes(value):
    return [part.strip() for part in (value or "").replace(",", ",").split(",") if part.strip()]


class FilingRule(models.Model):
    """What a catalogue node (or its template) files under itself."""

    categories = models.CharField(
        _("栏目类别"), max_length=200, blank=True,
        help_text=_("本网站这些类别栏目(及其子栏目)中的内容归入此目录,多个用逗号分隔:") + "、".join(
            f"{value}={label}" for value, label in ColumnCategory.choices),
    )
    doc_types = models.CharField(
        _("文件类型"), max_length=200, blank=True,
        help_text=_("只收这些类型的政府文件,多个用逗号分隔(不填:栏目中的全部内容):") + "、".join(
            f"{value}={label}" for value, label in DocumentType.choices),
    )

    class Meta:
        abstract = True

    @property
    def category_list(self):
        return _codes(self.categories)

    @property
    def doc_type_list(self):
        return _codes(self.doc_types)

    def clean(self):
        errors = {}
        unknown = [c for c in self.category_list if c not in ColumnCategory.values]
        if unknown:
            errors["categories"] = _("没有这些栏目类别:%(codes)s。") % {"codes": "、".join(unknown)}
        unknown = [t for t in self.doc_type_list if t not in DocumentType.values]
        if unknown:
            errors["doc_types"] = _("没有这些文件类型:%(codes)s。") % {"codes": "、".join(unknown)}
        if errors:
            raise ValidationError(errors)


class CatalogueTemplateNode(FilingRule):
    """One entry of the platform's default tree of statutory proactive-disclosure
    content, which the portal management centre edits; a new site's catalogue is a
    copy of it (``disclosure.catalogue.catalogue_ensure``), and running the builder
    again adds the entries a site lacks."""

    code = models.SlugField(_("代码"), max_length=40, unique=True,
                            help_text=_("创建后不要修改:各网站的目录按代码对应模板。"))
    title = models.CharField(_("名称"), max_length=40)
    parent_code = models.SlugField(_("上级目录代码"), max_length=40, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True, help_text=_("停用的目录不再加到网站上;已有的保留。"))

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("公开目录模板")
        verbose_name_plural = _("公开目录模板")

    def __str__(self):
        return self.title


class CatalogueNode(FilingRule):
    """A node of one site's tree of statutory proactive-disclosure content."""

    home = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("网站首页"))
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("单位"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
                               verbose_name=_("上级目录"))
    code = models.SlugField(_("代码"), max_length=40)
    title = models.CharField(_("名称"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    columns = models.ManyToManyField(
        "portal.ColumnPage", blank=True, related_name="+", verbose_name=_("本单位的栏目"),
        help_text=_("本单位自设栏目中归入此目录的,在此选择(例如“财政预决算”栏目)。"),
    )
    active = models.BooleanField(_("显示"), default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["home", "code"], name="catalogue_node_unique_code")]
        verbose_name = _("公开目录")
        verbose_name_plural = _("公开目录")

    def __str__(self):
        return self.title

    @property
    def has_rule(self):
        return bool(self.category_list or self.doc_type_list)


class DisclosureTextPage(PlatformPage):
    """A standing text of a site's 政府信息公开 column: its disclosure guide (公开指南)
    or rules (公开制度). Not a listed item (no ``ContentPage``): the column links to it
    by name, and the unit updates it through the normal review."""

    body = RichTextField(_("正文"))

    content_panels = Page.content_panels + [FieldPanel("body")]
    screened_fields = ("title", "body", "search_description")
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["portal.ColumnPage"]
    subpage_types = []
    template = "disclosure/text_page.html"

    class Meta:
        verbose_name = _("公开指南或制度")
        verbose_name_plural = _("公开指南和制度")

    @property
    def column(self):
        trail = self.column_trail()
        return trail[-1] if trail else None


class InterpretationPage(ContentPage):
    """A policy interpretation (政策解读), published in a 政策解读 column and linked
    to the document(s) it interprets; each document page lists its interpretations
    (``GovDocumentPage.interpretations``)."""

    class Form(models.TextChoices):
        TEXT = "text", _("文字解读")
        GRAPHIC = "graphic", _("图解")
        QA = "qa", _("问答")
        VIDEO = "video", _("音视频")

    # Required in the editor (the form field of a non-blank relation); not checked in
    # clean(), which the editor's form runs before it assigns the relation.
    interprets = ParentalManyToManyField(
        "disclosure.GovDocumentPage", related_name="interpretations", verbose_name=_("解读的文件"),
        help_text=_("选择本解读对应的政策文件;文件页面会显示本解读的链接。"),
    )
    form = models.CharField(_("解读形式"), max_length=12, choices=Form.choices, default=Form.TEXT)
    interpreter = models.CharField(_("解读人或解读机关"), max_length=100, blank=True)
    body = RichTextField(_("正文"))

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("interprets"), FieldRowPanel([FieldPanel("form"), FieldPanel("interpreter")]),
                         FieldRowPanel([FieldPanel("pub_date"), FieldPanel("source")])], heading=_("解读")),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("also_in"),
    ]
    screened_fields = ("title", "summary", "body", "source", "interpreter", "search_description")
    search_fields = ContentPage.search_fields + [index.SearchField("body")]
    template = "disclosure/interpretation_page.html"

    class Meta:
        verbose_name = _("政策解读")
        verbose_name_plural = _("政策解读")

    @property
    def live_documents(self):
        """The live documents interpreted (read from the page itself, so a preview
        shows the links of the revision previewed)."""
        return sorted((d for d in self.interprets.all() if d.live), key=lambda d: d.pub_date, reverse=True)



class AnnualReportPage(ContentPage):
    """A unit's annual report on government-information disclosure (年度报告),
    drafted each January from the platform's own figures (``figures``, kept as
    structured data) and written, checked and published by the unit through the
    normal review."""

    year = models.PositiveSmallIntegerField(_("报告年度"))
    figures = models.JSONField(_("统计数据"), default=dict, blank=True, editable=False)
    figures_computed_at = models.DateTimeField(_("数据生成时间"), null=True, blank=True, editable=False)
    body = RichTextField(_("正文"), help_text=_("总体情况、存在的问题和改进措施等;统计表由平台数据生成,列在正文之后。"))

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("year"), FieldPanel("pub_date")]),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    screened_fields = ("title", "summary", "body", "search_description")
    search_fields = ContentPage.search_fields + [index.SearchField("body")]
    template = "disclosure/annual_report_page.html"

    class Meta:
        verbose_name = _("政府信息公开年度报告")
        verbose_name_plural = _("政府信息公开年度报告")

    @property
    def tables(self):
        return self.figures.get("tables", []) if isinstance(self.figures, dict) else []
