"""Applications for government information (依申请公开).

An application is casework like a letter: a number and a query code, a clock in
working days on the platform's one calendar (``letters.calendar``), one event per
step (its history, shown to the applicant where ``public``), an optimistic version
check, and an answer of one of the statutory kinds delivered online with its
documents. The clock's rule is in ``disclosure/applications.py`` and
docs/decisions.md.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from letters.models import private_storage


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", _("公民")
    ORGANISATION = "organisation", _("法人或其他组织")


class IdType(models.TextChoices):
    ID_CARD = "id_card", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    RESIDENCE = "residence", _("外国人永久居留身份证")


class Delivery(models.TextChoices):
    ONLINE = "online", _("网上查看")
    EMAIL = "email", _("电子邮件")
    POST = "post", _("邮寄纸质")
    COLLECT = "collect", _("当面领取")


class AppStatus(models.TextChoices):
    RECEIVED = "received", _("已登记")
    HANDLING = "handling", _("办理中")
    CLARIFICATION = "clarification", _("待补正")
    ANSWERED = "answered", _("已答复")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_APP_STATUSES = (AppStatus.RECEIVED, AppStatus.HANDLING)
# The clock runs in these; it stands still in CLARIFICATION.
CLOCK_RUNNING = OPEN_APP_STATUSES


class AnswerKind(models.TextChoices):
    """The kinds of answer of the 2019 Regulations (art. 36), as the annual report counts them."""

    DISCLOSED = "disclosed", _("予以公开")
    PARTLY = "partly", _("部分公开")
    NOT_DISCLOSED = "not_disclosed", _("不予公开")
    NOT_EXIST = "not_exist", _("本机关不掌握相关政府信息")
    NOT_OURS = "not_ours", _("不属于本机关公开")
    OTHER = "other", _("其他处理")


class RefusalReason(models.TextChoices):
    """Why information is not (or only partly) disclosed: the grounds the
    Regulations give (arts. 14–16) as the annual report's table names them."""

    STATE_SECRET = "state_secret", _("属于国家秘密")
    LAW_FORBIDS = "law_forbids", _("其他法律行政法规禁止公开")
    SAFETY = "safety", _("危及“三安全一稳定”")
    THIRD_PARTY = "third_party", _("保护第三方合法权益")
    INTERNAL = "internal", _("属于三类内部事务信息")
    PROCESS = "process", _("属于四类过程性信息")
    ENFORCEMENT = "enforcement", _("属于行政执法案卷")
    INQUIRY = "inquiry", _("属于行政查询事项")


class Application(models.Model):
    serial = models.CharField(_("编号"), max_length=20, unique=True)
    query_code_hash = models.CharField(max_length=64, unique=True)
    query_nonce = models.CharField(max_length=32)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="disclosure_applications",
                             verbose_name=_("受理机关"))
    applicant_type = models.CharField(_("申请人类型"), max_length=14, choices=ApplicantType.choices)
    name = models.CharField(_("姓名或名称"), max_length=100)
    id_type = models.CharField(_("证件类型"), max_length=12, choices=IdType.choices, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=30, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    legal_representative = models.CharField(_("法定代表人或负责人"), max_length=40, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=40, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)
    description = models.TextField(_("所需信息的内容描述"))
    document_hint = models.CharField(_("文件名称、文号或其他特征"), max_length=200, blank=True)
    purpose = models.CharField(_("用途(选填)"), max_length=300, blank=True)
    delivery = models.CharField(_("获取信息的方式"), max_length=10, choices=Delivery.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=AppStatus.choices, default=AppStatus.RECEIVED,
                              db_index=True)
    received_at = models.DateTimeField(_("收到时间"), db_index=True)

    # The clock (disclosure/applications.py): the limit counts working days after
    # ``clock_from``; ``days_used`` are those counted before a clarification paused it.
    time_limit = models.PositiveSmallIntegerField(default=20)
    extension_days = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.CharField(_("延期理由"), max_length=300, blank=True)
    clock_from = models.DateField()
    days_used = models.PositiveSmallIntegerField(default=0)
    due_on = models.DateField(_("答复期限"), null=True, blank=True, db_index=True)
    paused_on = models.DateField(null=True, blank=True)
    clarification_request = models.TextField(_("补正要求"), blank=True)
    clarification_due = models.DateField(_("补正期限"), null=True, blank=True)
    clarification_answer = models.TextField(_("申请人的补正"), blank=True)
    clarified = models.BooleanField(default=False)

    answer_kind = models.CharField(_("答复类型"), max_length=16, choices=AnswerKind.choices, blank=True)
    refusal_reason = models.CharField(_("不予公开理由"), max_length=16, choices=RefusalReason.choices, blank=True)
    answer_text = models.TextField(_("答复内容"), blank=True)
    holder_unit = models.CharField(_("掌握该信息的机关"), max_length=100, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reminded_on = models.DateField(null=True, blank=True)
    overdue_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "due_on"], name="disclosure_app_unit_status"),
            models.Index(fields=["unit", "received_at"], name="disclosure_app_unit_received"),
        ]
        verbose_name = _("政府信息公开申请")
        verbose_name_plural = _("政府信息公开申请")

    def __str__(self):
        return f"{self.serial} {self.name}"

    @property
    def is_open(self):
        return self.status in (*OPEN_APP_STATUSES, AppStatus.CLARIFICATION)


class ApplicationEvent(models.Model):
    """Every step taken on an application: who, when, why. Never deleted."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(db_index=True)
    reason = models.TextField(blank=True)
    public = models.BooleanField(default=True, help_text="shown to the applicant in the history")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class AnswerDocument(models.Model):
    """A document given with the answer, downloadable by the applicant with the query
    code; stored outside the public media tree (like letters' attachments)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="disclosure/%Y/%m/", storage=private_storage)
    name = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)


class ApplicationCounter(models.Model):
    """The last application number of one day."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)
