"""Online forms and pre-acceptance (网上填表预受理).

A guide whose unit enables it (``ServiceGuidePage.online_form_enabled``) offers an
online form built in the admin with Wagtail's form builder: typed fields
(``GuideFormField``, an ``AbstractFormField`` of the guide) plus the guide's
electronic materials as uploads. A submission is an ``FormSubmission`` (a case,
like a letter): a receipt number, a query code, the applicant's identity, the
values, the materials, a deadline for the unit's answer in working days and every
step as an ``SubmissionEvent``. Each (re)submission keeps a frozen
``SubmissionVersion``, so what the applicant sent before a correction is never lost.

The unit's answer limit is data (``AnswerLimit``: one row for the platform, one per
unit that sets its own); the monthly service statistics are stored ahead
(``ServiceStatsSnapshot``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.contrib.forms.models import AbstractFormField

from ..files import private_storage
from .guides import ServiceGuidePage


class FieldType(models.TextChoices):
    SINGLELINE = "singleline", _("单行文本")
    MULTILINE = "multiline", _("多行文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    EMAIL = "email", _("电子邮箱")
    PHONE = "phone", _("电话号码")
    ID_NUMBER = "id_number", _("居民身份证号码")
    DROPDOWN = "dropdown", _("下拉选择")
    RADIO = "radio", _("单选")
    CHECKBOXES = "checkboxes", _("多选")
    CHECKBOX = "checkbox", _("勾选确认")


class GuideFormField(AbstractFormField):
    """One field of a guide's online form, typed, in order (Wagtail's form builder)."""

    page = ParentalKey(ServiceGuidePage, on_delete=models.CASCADE, related_name="form_fields")
    field_type = models.CharField(_("字段类型"), max_length=16, choices=FieldType.choices)
    field_type.required_on_save = True

    panels = [
        FieldRowPanel([FieldPanel("label"), FieldPanel("field_type", classname="formbuilder-type",
                                                         required_on_save=True), FieldPanel("required")]),
        FieldPanel("help_text"),
        FieldPanel("choices", classname="formbuilder-choices"),
        FieldPanel("default_value", classname="formbuilder-default"),
    ]

    class Meta(AbstractFormField.Meta):
        verbose_name = _("表单字段")
        verbose_name_plural = _("表单字段")


class SubmitterType(models.TextChoices):
    PERSON = "person", _("个人")
    ENTERPRISE = "enterprise", _("法人或其他组织")


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("待预审")
    CORRECTION = "correction", _("待补正")
    PRE_ACCEPTED = "pre_accepted", _("已预受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    COMPLETED = "completed", _("已办结")


# The unit owes an answer while an application is in these states (its clock runs).
AWAITING_UNIT = (SubmissionStatus.PENDING,)
# Answered: the unit's pre-acceptance decision is made (statistics: 已答复).
ANSWERED = (SubmissionStatus.PRE_ACCEPTED, SubmissionStatus.NOT_ACCEPTED, SubmissionStatus.COMPLETED)


class FormSubmission(models.Model):
    """One online application for a matter, from submission to the unit's answer."""

    receipt_number = models.CharField(_("受理回执号"), max_length=20, unique=True)
    query_code_hash = models.CharField(max_length=64, unique=True)
    query_nonce = models.CharField(max_length=32)
    guide = models.ForeignKey(ServiceGuidePage, on_delete=models.PROTECT, related_name="submissions",
                              verbose_name=_("事项"))
    guide_title = models.CharField(_("事项名称"), max_length=255)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="online_applications",
                             verbose_name=_("受理单位"))
    applicant_type = models.CharField(_("申请人类型"), max_length=12, choices=SubmitterType.choices)
    applicant_name = models.CharField(_("申请人"), max_length=100)
    id_number = models.CharField(_("证件号码"), max_length=18)
    phone = models.CharField(_("联系电话"), max_length=20)
    email = models.EmailField(_("电子邮箱"))
    data = models.JSONField(_("填报内容"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.PENDING, db_index=True)
    round = models.PositiveSmallIntegerField(_("提交次数"), default=1)
    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    clock_started_at = models.DateTimeField(_("起算时间"))
    answer_limit_days = models.PositiveSmallIntegerField(_("答复时限(工作日)"))
    due_on = models.DateField(_("答复期限"), null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    late_answers = models.PositiveSmallIntegerField(default=0, help_text="answers given after the due date")
    warned_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    corrections = models.JSONField(_("补正事项"), default=list, blank=True)
    next_step = models.TextField(_("下一步"), blank=True)
    not_accepted_reason = models.TextField(_("不予受理理由"), blank=True)
    applicant_ip = models.GenericIPAddressField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["unit", "status", "due_on"], name="disclosure_app_unit_status_due")]
        verbose_name = _("网上预受理申请")
        verbose_name_plural = _("网上预受理申请")

    def __str__(self):
        return f"{self.receipt_number} {self.guide_title}"


class SubmissionVersion(models.Model):
    """What the applicant sent at one (re)submission, frozen: identity, every field's
    label and value as they read then, and the materials current then."""

    application = models.ForeignKey(FormSubmission, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()
    identity = models.JSONField(default=dict)
    fields = models.JSONField(default=list, help_text="[{name, label, value}] in the form's order")
    materials = models.JSONField(default=list, help_text="[{material, name, file_id}] current at this version")
    changed = models.JSONField(default=list, help_text="targets the applicant corrected in this version")

    class Meta:
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="disclosure_app_version_unique")]


class SubmissionMaterial(models.Model):
    """One uploaded file for one of the guide's materials. A correction adds new
    files and marks the replaced ones ``current=False``: they stay, for the history."""

    application = models.ForeignKey(FormSubmission, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey("disclosure.GuideMaterial", null=True, on_delete=models.SET_NULL, related_name="+")
    material_name = models.CharField(max_length=200)
    file = models.FileField(upload_to="applications/%Y/%m/", storage=private_storage)
    name = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    round = models.PositiveSmallIntegerField(default=1)
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]


class SubmissionEvent(models.Model):
    """Every step taken on an application: who, when, what. Never deleted."""

    application = models.ForeignKey(FormSubmission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(db_index=True)
    text = models.TextField(blank=True)
    public = models.BooleanField(default=True, help_text="shown to the applicant on the tracking page")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class ReceiptCounter(models.Model):
    """The last receipt number handed out on one day (one statement increments it)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class AnswerLimit(models.Model):
    """How many working days a unit has to answer an online application: the row
    without a unit is the platform's, a unit's own row overrides it."""

    unit = models.OneToOneField("orgs.Unit", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="answer_limit", verbose_name=_("单位"),
                                help_text=_("留空为全平台默认值。"))
    days = models.PositiveSmallIntegerField(_("预受理答复时限(工作日)"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit"], condition=models.Q(unit__isnull=True),
                                               name="disclosure_one_platform_answer_limit")]
        verbose_name = _("预受理答复时限")
        verbose_name_plural = _("预受理答复时限")

    def __str__(self):
        return f"{self.unit or '全平台'}:{self.days} 个工作日"


class ServiceStatsSnapshot(models.Model):
    """One month's service statistics, computed once the month is over (or on
    demand): a row per unit, ``[{unit, unit_name, received, pre_accepted,
    not_accepted, corrections, completed, answered, on_time}]``."""

    month = models.DateField(unique=True, help_text="the month's first day")
    rows = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"
