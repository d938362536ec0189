"""Matters (事项) and their service guides (办事指南).

A matter is what a unit handles or accepts for the public; its guide tells a citizen
everything needed to get it done. One page holds both (``ServiceGuidePage``, filed
under a unit's 办事服务 column), so a guide goes through the same three-level review
and publication as every other item, and the unit's list of matters is its live
guides.

The ten key elements the national indicators check are the page's fields:
name (the title), legal basis (``legal_basis`` with ``legal_bases`` linking to
documents), conditions, materials (``materials``), place, handling body, fees,
hours, phone, procedure (``steps``). Time limits are counted in working days on
the platform's one calendar (``letters.calendar``).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from portal.models import ContentPage

from ..panels import CompletenessPanel


class Audience(models.TextChoices):
    PERSON = "person", _("个人")
    ENTERPRISE = "enterprise", _("法人")
    BOTH = "both", _("个人和法人")


class MatterType(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    PAYMENT = "payment", _("行政给付")
    REWARD = "reward", _("行政奖励")
    ADJUDICATION = "adjudication", _("行政裁决")
    PUBLIC_SERVICE = "public_service", _("公共服务")
    OTHER = "other", _("其他行政权力")


class MaterialForm(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    BOTH = "both", _("纸质和电子")


class MaterialOriginal(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    BOTH = "both", _("原件和复印件")


class Theme(models.Model):
    """A theme matters are grouped by (社会保障, 户籍办理 …); the city's one list."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    audience = models.CharField(_("面向"), max_length=12, choices=Audience.choices, default=Audience.BOTH)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("办事主题")
        verbose_name_plural = _("办事主题")

    def __str__(self):
        return self.name


class LifeEvent(models.Model):
    """A moment of a life or a firm's life (出生、就业、退休 / 开办企业、注销) that
    matters are grouped by; the city's one list."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    audience = models.CharField(_("面向"), max_length=12, choices=[c for c in Audience.choices if c[0] != "both"],
                                default=Audience.PERSON)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["audience", "sort_order", "code"]
        verbose_name = _("人生事件")
        verbose_name_plural = _("人生事件")
        constraints = [models.UniqueConstraint(fields=["audience", "name"], name="life_event_unique_name")]

    def __str__(self):
        return self.name


class CatchAllPhrase(models.Model):
    """Catch-all wording (兜底性表述) that makes a guide vague: "其他材料", "相关材料" …
    The completeness check flags a material or condition that uses one; the portal
    management centre keeps the list (the indicators name only examples)."""

    phrase = models.CharField(_("表述"), max_length=40, unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["phrase"]
        verbose_name = _("兜底性表述")
        verbose_name_plural = _("兜底性表述")

    def __str__(self):
        return self.phrase


class ServiceGuidePage(ContentPage):
    """A matter the unit handles or accepts, with its service guide."""

    matter_code = models.CharField(_("事项编码"), max_length=60, blank=True, db_index=True)
    matter_type = models.CharField(_("事项类型"), max_length=20, choices=MatterType.choices,
                                   default=MatterType.PUBLIC_SERVICE)
    audience = models.CharField(_("服务对象"), max_length=12, choices=Audience.choices, default=Audience.PERSON)
    themes = ParentalManyToManyField(Theme, blank=True, related_name="guides", verbose_name=_("办事主题"))
    life_events = ParentalManyToManyField(LifeEvent, blank=True, related_name="guides", verbose_name=_("人生事件"))

    legal_basis = models.TextField(_("设定依据"), blank=True,
                                   help_text=_("法律、法规、规章的名称和条款;文件库中已有的,请在下方“依据文件”中链接。"))
    conditions = models.TextField(_("申请条件"), blank=True)
    place = models.CharField(_("办理地点"), max_length=300, blank=True)
    handling_body = models.CharField(_("办理机构"), max_length=120, blank=True)
    fees = models.CharField(_("收费标准"), max_length=300, blank=True, help_text=_("不收费的,写“不收费”。"))
    hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=120, blank=True)
    statutory_limit_days = models.PositiveSmallIntegerField(_("法定办结时限(工作日)"), null=True, blank=True)
    promised_limit_days = models.PositiveSmallIntegerField(_("承诺办结时限(工作日)"), null=True, blank=True)
    notes = RichTextField(_("其他说明"), blank=True, features=["bold", "link", "ol", "ul"])
    online_form_enabled = models.BooleanField(_("开通网上填表预受理"), default=False)
    # The online form's own parts (its fields: ``form_fields``) are in models/forms.py.
    online_form_intro = models.TextField(_("在线填表说明"), blank=True,
                                         help_text=_("显示在在线填表页顶部,例如填表须知、需上传的材料要求。"))
    # "Most-used" matters on home pages: curated until the online forms' submission
    # counts can rank them (docs/decisions.md).
    featured = models.BooleanField(_("常用事项"), default=False, help_text=_("勾选后在首页“办事服务”的常用事项中展示。"))
    # The sort order of the guide's first theme, kept on the page so that a directory
    # of thousands of matters is ordered theme by theme without grouping the rows
    # (set by save() from the themes; ``theme_save`` refreshes it when a theme moves).
    theme_order = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    content_panels = Page.content_panels + [
        CompletenessPanel(heading=_("要素检查")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("matter_code"), FieldPanel("matter_type"), FieldPanel("audience")]),
                FieldPanel("themes"),
                FieldPanel("life_events"),
                FieldPanel("summary"),
            ],
            heading=_("事项"),
        ),
        MultiFieldPanel([FieldPanel("legal_basis"), InlinePanel("legal_bases", label=_("依据文件"))],
                        heading=_("设定依据")),
        FieldPanel("conditions"),
        InlinePanel("materials", label=_("办理材料")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("handling_body"), FieldPanel("place")]),
                FieldRowPanel([FieldPanel("hours"), FieldPanel("phone")]),
                FieldPanel("fees"),
                FieldRowPanel([FieldPanel("statutory_limit_days"), FieldPanel("promised_limit_days")]),
            ],
            heading=_("办理信息"),
        ),
        InlinePanel("steps", label=_("办理流程")),
        FieldPanel("notes"),
        MultiFieldPanel([FieldPanel("online_form_enabled"), FieldPanel("online_form_intro"),
                         InlinePanel("form_fields", label=_("表单字段"))], heading=_("网上填表预受理")),
        FieldPanel("featured"),
        FieldPanel("pub_date"),
        FieldPanel("also_in"),
    ]
    screened_fields = ("title", "summary", "legal_basis", "conditions", "place", "handling_body", "fees", "hours",
                       "notes", "search_description")
    search_fields = ContentPage.search_fields + [
        index.SearchField("matter_code"),
        index.SearchField("conditions"),
        index.FilterField("audience"),
    ]
    template = "disclosure/service_guide_page.html"

    class Meta:
        verbose_name = _("办事指南")
        verbose_name_plural = _("办事指南")
        indexes = [models.Index(fields=["theme_order", "audience"], name="guide_directory_order")]

    def clean(self):
        super().clean()
        if (self.statutory_limit_days is not None and self.promised_limit_days is not None
                and self.promised_limit_days > self.statutory_limit_days):
            raise ValidationError({"promised_limit_days": _("承诺时限不能长于法定时限。")})

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "theme_order" in update_fields:
            self.theme_order = min((t.sort_order for t in self.themes.all()), default=None)
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..applyforms import online_form_url
        from ..guides import guide_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(guide_page_context(self))
        context["online_form_url"] = online_form_url(self)
        return context

    def publish(self, revision, *args, **kwargs):
        """Every publication of a revision (the review's approved end, ``page_create``,
        scheduled publishing, reverting) passes here: a guide missing any of the ten
        elements is refused (``disclosure.guides.refuse_incomplete``). The editor's own
        publish button runs Wagtail's action directly; the ``before_publish_page``
        hook (disclosure/wagtail_hooks.py) applies the same rule there."""
        from ..guides import refuse_incomplete

        refuse_incomplete(revision.as_object())
        return super().publish(revision, *args, **kwargs)


class GuideLegalBasis(Orderable):
    """A law, regulation or document the matter rests on; linked to the document
    library where the document is there."""

    page = ParentalKey(ServiceGuidePage, on_delete=models.CASCADE, related_name="legal_bases")
    document = models.ForeignKey("disclosure.GovDocumentPage", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="guides_resting_on", verbose_name=_("文件库中的文件"))
    citation = models.CharField(_("名称和条款"), max_length=300, blank=True)
    url = models.URLField(_("原文网址"), max_length=500, blank=True)

    panels = [FieldPanel("document"), FieldPanel("citation"), FieldPanel("url")]

    def clean(self):
        if not (self.document_id or self.citation):
            raise ValidationError(_("请选择文件,或写明法规名称和条款。"))


class GuideMaterial(Orderable):
    """One material an applicant brings or uploads."""

    page = ParentalKey(ServiceGuidePage, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=200)
    # Form, original or copy and number of copies start unstated, so that a material
    # nobody described is flagged by the completeness check (the indicators deduct
    # for an unclear material format) instead of silently reading "纸质原件1份".
    form = models.CharField(_("材料形式"), max_length=12, choices=MaterialForm.choices, blank=True, default="")
    original = models.CharField(_("原件或复印件"), max_length=12, choices=MaterialOriginal.choices, blank=True,
                                default="")
    copies = models.PositiveSmallIntegerField(_("份数"), null=True, blank=True,
                                              help_text=_("纸质材料须写明份数;仅电子材料可不填。"))
    required = models.BooleanField(_("必须提交"), default=True)
    blank_form = models.ForeignKey("wagtaildocs.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("空白表格"))
    sample = models.ForeignKey("wagtaildocs.Document", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("填写样本"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("form"), FieldPanel("original"), FieldPanel("copies"), FieldPanel("required")]),
        FieldRowPanel([FieldPanel("blank_form"), FieldPanel("sample")]),
        FieldPanel("note"),
    ]

    def clean(self):
        if self.copies is not None and self.copies < 1:
            raise ValidationError({"copies": _("份数至少为1。")})


class GuideStep(Orderable):
    """One step of the handling workflow (工作流程), in order."""

    page = ParentalKey(ServiceGuidePage, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("环节"), max_length=60)
    actor = models.CharField(_("办理人员或机构"), max_length=100, blank=True)
    description = models.CharField(_("说明"), max_length=500, blank=True)
    limit_days = models.PositiveSmallIntegerField(_("时限(工作日)"), null=True, blank=True)

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("actor"), FieldPanel("limit_days")]),
              FieldPanel("description")]
