"""Review (三审), the register of everything published (N-3.2b) and the
business systems that publish through the API (N-2.4b)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task


class ScreeningTask(Task):
    """The first review level: the machine screens the revision against the lexicons.

    It decides at once; a clean revision moves on to the reviewer, a revision with
    hits goes back to the editor with every hit in the comment.
    """

    def start(self, workflow_state, user=None):
        from guard.screening import screen_page

        task_state = super().start(workflow_state, user=user)
        hits = screen_page(task_state.revision.as_object())
        if hits:
            comment = "机器筛查未通过:" + ";".join(h.describe() for h in hits)
            task_state.reject(user=None, update=False, comment=comment[:2000])
        else:
            task_state.approve(user=None, update=False, comment="机器筛查通过")
        return task_state

    def get_actions(self, obj, user):
        return []

    @classmethod
    def get_description(cls):
        return "按筛查词库自动检查违禁、商业娱乐内容和错误的官方名称"

    class Meta:
        verbose_name = _("机器筛查")
        verbose_name_plural = _("机器筛查")


class PublicationRecord(models.Model):
    """One line of a unit's publication register: what went live, approved by whom."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="publications")
    page = models.ForeignKey("wagtailcore.Page", null=True, on_delete=models.SET_NULL, related_name="+")
    page_title = models.CharField(max_length=255)
    page_type = models.CharField(max_length=100)
    revision = models.ForeignKey("wagtailcore.Revision", null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_by = models.CharField(max_length=150, blank=True)
    submitted_at = models.DateTimeField(null=True)
    approvals = models.JSONField(default=list, help_text="[{level, by, at, comment}] in order")
    published_by = models.CharField(max_length=150, blank=True)
    published_at = models.DateTimeField()
    column_title = models.CharField(max_length=255, blank=True)
    api_client = models.ForeignKey(
        "orgs.MachineClient", null=True, blank=True, on_delete=models.PROTECT, related_name="publications",
        verbose_name=_("来源接口"), help_text=_("经发布接口由业务系统提交的内容,登记提交它的接口。"),
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["unit", "-published_at"])]
        verbose_name = _("发布登记")
        verbose_name_plural = _("发布登记")

    def __str__(self):
        return f"{self.page_title} ({self.published_at:%Y-%m-%d})"


class PublishGrant(models.Model):
    """A column a machine client may submit to through the publish API.

    A client with the ``publish`` scope and no grants may submit to every column of
    its unit's sites; grants narrow it to the columns named. The client itself (its
    unit, scopes, tokens) lives in ``orgs``; which columns it may fill is publishing's.
    """

    client = models.ForeignKey(
        "orgs.MachineClient", on_delete=models.CASCADE, related_name="publish_grants", verbose_name=_("接口客户端"),
    )
    column = models.ForeignKey(
        "portal.ColumnPage", on_delete=models.CASCADE, related_name="+", verbose_name=_("栏目"),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "column"], name="publish_grant_unique")]
        verbose_name = _("发布接口栏目授权")
        verbose_name_plural = _("发布接口栏目授权")

    def __str__(self):
        return f"{self.client} → {self.column}"


class WithdrawalState(models.TextChoices):
    NONE = "", _("—")
    REQUESTED = "requested", _("已申请撤下")
    WITHDRAWN = "withdrawn", _("已撤回")
    DECLINED = "declined", _("不予撤下")


class ApiSubmission(models.Model):
    """One item a business system submitted, keyed by its ``Idempotency-Key``."""

    KIND_ARTICLE = "article"
    KIND_DOCUMENT = "document"
    KIND_CHOICES = [(KIND_ARTICLE, _("文章")), (KIND_DOCUMENT, _("政府文件"))]

    client = models.ForeignKey(
        "orgs.MachineClient", on_delete=models.PROTECT, related_name="submissions", verbose_name=_("接口")
    )
    idempotency_key = models.CharField(max_length=80)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request, to tell a retry from a reuse")
    kind = models.CharField(_("类型"), max_length=20, choices=KIND_CHOICES)
    page = models.ForeignKey("wagtailcore.Page", null=True, on_delete=models.SET_NULL, related_name="+")
    column = models.ForeignKey("portal.ColumnPage", null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("标题"), max_length=255)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    withdrawal = models.CharField(
        _("撤稿"), max_length=20, choices=WithdrawalState.choices, default=WithdrawalState.NONE, blank=True
    )
    withdrawal_reason = models.CharField(_("撤稿理由"), max_length=500, blank=True)
    withdrawal_requested_at = models.DateTimeField(_("申请撤稿时间"), null=True, blank=True)
    withdrawal_decided_at = models.DateTimeField(_("撤稿处理时间"), null=True, blank=True)
    withdrawal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_comment = models.CharField(_("处理意见"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "idempotency_key"], name="api_submission_key_unique"),
        ]
        indexes = [models.Index(fields=["withdrawal"], name="api_submission_withdrawal")]
        verbose_name = _("接口提交")
        verbose_name_plural = _("接口提交")

    def __str__(self):
        return self.title
