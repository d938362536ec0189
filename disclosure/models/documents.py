"""Government documents with their disclosure metadata (索引号, 发文字号 …)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from portal.models import ContentPage


class DocumentType(models.TextChoices):
    ANNOUNCEMENT = "announcement", _("公告")
    NOTICE = "notice", _("通告")
    PUBLIC_NOTICE = "public_notice", _("公示")
    CONVENIENCE_NOTICE = "convenience_notice", _("便民告示")
    NORMATIVE = "normative", _("规范性文件")


class Validity(models.TextChoices):
    IN_FORCE = "in_force", _("有效")
    AMENDED = "amended", _("已修改")
    REPEALED = "repealed", _("已废止")
    EXPIRED = "expired", _("已失效")


class TopicCategory(models.TextChoices):
    GENERAL = "general", _("综合政务")
    ECONOMY = "economy", _("国民经济管理、国有资产监管")
    FINANCE = "finance", _("财政、金融、审计")
    LAND = "land", _("国土资源、能源")
    AGRICULTURE = "agriculture", _("农业、林业、水利")
    INDUSTRY = "industry", _("工业、交通")
    COMMERCE = "commerce", _("商贸、海关、旅游")
    MARKET = "market", _("市场监管、安全生产监管")
    CONSTRUCTION = "construction", _("城乡建设、环境保护")
    SCIENCE = "science", _("科技、教育")
    CULTURE = "culture", _("文化、广电、新闻出版")
    HEALTH = "health", _("卫生、体育")
    POPULATION = "population", _("人口与计划生育、妇女儿童工作")
    LABOUR = "labour", _("劳动、人事、监察")
    PUBLIC_SECURITY = "public_security", _("公安、安全、司法")
    CIVIL = "civil", _("民政、扶贫、救灾")
    OTHER = "other", _("其他")


class IndexCounter(models.Model):
    """The last sequence number of 索引号 handed out for one unit and year."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="index_counter_unique")]


class GovDocumentPage(ContentPage):
    """A published government document: 公告, 通告, 公示, 便民告示 or 规范性文件."""

    doc_type = models.CharField(_("文件类型"), max_length=30, choices=DocumentType.choices)
    # Given once, when the document is created (disclosure.services.index_number_assign,
    # run by portal's before-page-create hook: disclosure/wagtail_hooks.py).
    index_number = models.CharField(_("索引号"), max_length=80, blank=True, db_index=True, editable=False)
    issuing_organ = models.CharField(_("发文机关"), max_length=100)
    document_number = models.CharField(_("发文字号"), max_length=60, blank=True)
    date_written = models.DateField(_("成文日期"))
    topic = models.CharField(_("主题分类"), max_length=30, choices=TopicCategory.choices, default=TopicCategory.GENERAL)
    keywords = models.CharField(_("主题词"), max_length=200, blank=True)
    validity = models.CharField(_("效力状态"), max_length=20, choices=Validity.choices, default=Validity.IN_FORCE)
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
        verbose_name=_("修改或替代的文件"),
    )
    body = RichTextField(_("正文"))
    original_url = models.URLField(
        _("原文链接"), max_length=500, blank=True,
        help_text=_("发文机关公布原文的网址。本页登载摘要或转载时填写,读者可据此查阅权威文本。"),
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("doc_type"), FieldPanel("topic")]),
                FieldRowPanel([FieldPanel("issuing_organ"), FieldPanel("document_number")]),
                FieldRowPanel([FieldPanel("date_written"), FieldPanel("pub_date")]),
                FieldPanel("keywords"),
                FieldRowPanel([FieldPanel("validity"), FieldPanel("supersedes")]),
                FieldPanel("source"),
                FieldPanel("original_url"),
            ],
            heading=_("公开属性"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("附件")),
        FieldPanel("also_in"),
    ]
    screened_fields = ("title", "summary", "body", "source", "issuing_organ", "keywords", "search_description")
    search_fields = ContentPage.search_fields + [
        index.SearchField("body"),
        index.SearchField("document_number"),
        index.SearchField("keywords"),
        index.FilterField("doc_type"),
    ]
    template = "disclosure/gov_document_page.html"

    class Meta:
        verbose_name = _("政府文件")
        indexes = [
            # The catalogue's filters by topic and year (bench/catalogue.py).
            models.Index(fields=["topic", "date_written"], name="disclosure_doc_topic_written"),
            models.Index(fields=["doc_type", "date_written"], name="disclosure_doc_type_written"),
        ]

    def clean(self):
        super().clean()
        errors = {}
        if self.doc_type == DocumentType.NORMATIVE and not self.document_number:
            errors["document_number"] = _("规范性文件须有发文字号。")
        if self.supersedes_id and self.supersedes_id == self.pk:
            errors["supersedes"] = _("文件不能修改或替代它自己。")
        if self.date_written and self.pub_date and self.date_written > self.pub_date.date():
            errors["date_written"] = _("成文日期不能晚于发布日期。")
        if errors:
            raise ValidationError(errors)

    @property
    def live_interpretations(self):
        """Live policy interpretations of this document (``InterpretationPage.interprets``)."""
        return self.interpretations.live().only("id", "title", "slug", "url_path", "path", "depth", "pub_date").order_by(
            "-pub_date")

    @property
    def later_versions(self):
        return self.superseded_by.live().order_by("-pub_date")

    @property
    def earlier_version(self):
        """The document this one amends or replaces, while it is published (a link to
        a withdrawn one would lead nowhere)."""
        if not self.supersedes_id:
            return None
        return GovDocumentPage.objects.live().filter(pk=self.supersedes_id).first()
