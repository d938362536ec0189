"""The public mailbox: mailboxes, letter types, letters and everything done to them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import RevisionMixin

from .files import private_storage


class Mailbox(models.Model):
    """The mayor's mailbox or a unit's mailbox."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="mailboxes", verbose_name=_("单位"))
    name = models.CharField(_("信箱名称"), max_length=60, unique=True)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    email = models.EmailField(_("收信地址"), unique=True, help_text=_("发到此地址的邮件进入同一受理队列。"))
    is_mayor = models.BooleanField(_("市长信箱"), default=False, help_text=_("统筹协调、监督全市信箱。"))
    scope = models.TextField(_("受理范围说明"), blank=True)
    active = models.BooleanField(_("开放"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["-is_mayor", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_mayor"], condition=models.Q(is_mayor=True), name="letters_one_mayor_mailbox",
                violation_error_message=_("市长信箱只能有一个。"),
            ),
        ]
        verbose_name = _("信箱")
        verbose_name_plural = _("信箱")

    def __str__(self):
        return self.name


class LetterType(RevisionMixin, models.Model):
    """A kind of letter and its time limit in working days (editable data)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    time_limit = models.PositiveSmallIntegerField(_("办理时限(工作日)"))
    description = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("来信类型")
        verbose_name_plural = _("来信类型")

    def __str__(self):
        return self.name


class CalendarEntry(models.Model):
    """A supervisor's correction of the official working-day calendar."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("工作日"))
    reason = models.CharField(_("原因"), max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self):
        return f"{self.date} {'工作日' if self.is_working_day else '休息日'}"


class Status(models.TextChoices):
    SCREENING = "screening", _("待审查")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    DUPLICATE = "duplicate", _("重复来信")
    SPAM = "spam", _("垃圾信件")
    ROUTED = "routed", _("待处理")
    HANDLING = "handling", _("办理中")
    REPLY_PENDING = "reply_pending", _("答复待审签")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


OPEN_STATUSES = (Status.ROUTED, Status.HANDLING, Status.REPLY_PENDING)


class NotAcceptedReason(models.Model):
    """A coded reason for not accepting a letter (reference/public-mailbox.md): data the
    management centre edits. A letter keeps the code, so a code never changes and a
    reason no longer used is deactivated, never deleted: old letters keep its label."""

    code = models.SlugField(_("代码"), max_length=30, unique=True, help_text=_("创建后不能修改:来信按代码记录理由。"))
    label = models.CharField(_("理由"), max_length=100, unique=True)
    explanation = models.TextField(
        _("给来信人的说明"), blank=True, max_length=500,
        help_text=_("随不予受理告知和办理情况一并告诉来信人,例如应向哪里反映。"),
    )
    active = models.BooleanField(_("启用"), default=True, help_text=_("停用的理由不再供选择,已作此处理的来信仍显示原理由。"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("不予受理理由")
        verbose_name_plural = _("不予受理理由")

    def __str__(self):
        return self.label


class Letter(models.Model):
    """A letter from a citizen. Contact data is private (see services.contact_view)."""

    serial = models.CharField(_("编号"), max_length=20, unique=True)
    query_code_hash = models.CharField(max_length=64, unique=True)
    query_nonce = models.CharField(max_length=32)
    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="letters", verbose_name=_("信箱"))
    letter_type = models.ForeignKey(LetterType, on_delete=models.PROTECT, related_name="+", verbose_name=_("类型"))
    source = models.CharField(max_length=10, default="web")  # web, email, api
    writer_name = models.CharField(_("姓名"), max_length=40)
    writer_phone = models.CharField(_("电话"), max_length=20)
    writer_email = models.EmailField(_("电子邮箱"), blank=True)
    writer_ip = models.GenericIPAddressField(null=True, blank=True)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    consent_publish = models.BooleanField(_("同意公开"), default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCREENING, db_index=True)
    handling_unit = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="letters", verbose_name=_("办理单位")
    )
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The code of a NotAcceptedReason (kept as the code, so a reason deactivated later
    # still names this letter's; see queries.not_accepted_labels).
    not_accepted_reason = models.CharField(max_length=30, blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates")
    received_at = models.DateTimeField(db_index=True)
    routed_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    time_limit = models.PositiveSmallIntegerField(null=True, blank=True, help_text="working days, fixed when routed")
    extension_days = models.PositiveSmallIntegerField(default=0)
    due_on = models.DateField(null=True, blank=True, db_index=True, help_text="derived from the calendar")
    reminded_on = models.DateField(null=True, blank=True)
    escalated_on = models.DateField(null=True, blank=True)
    reopened = models.BooleanField(default=False)
    published = models.BooleanField(default=False, db_index=True)
    # The public version, masked once when the leader decides to publish (the only
    # text the public pages, their search and the API read; see publication.py).
    public_title = models.CharField(_("公开标题"), max_length=100, blank=True)
    public_body = models.TextField(_("公开内容"), blank=True)
    public_reply = models.TextField(_("公开答复"), blank=True)
    version = models.PositiveIntegerField(default=1)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["mailbox", "status"]),
            # A unit's open and overdue letters (every queue page of a unit's staff counts them).
            models.Index(fields=["handling_unit", "status", "due_on"], name="letters_letter_unit_status_due"),
            models.Index(fields=["status", "due_on"]),
        ]
        verbose_name = _("来信")
        verbose_name_plural = _("来信")

    def __str__(self):
        return f"{self.serial} {self.title}"


class Reply(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="replies")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("答复内容"))
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    drafted_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["drafted_at", "id"]


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Feedback(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="feedback")
    rating = models.CharField(max_length=20, choices=Rating.choices)
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Event(models.Model):
    """Every step taken on a letter: who, when, why. Never deleted."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(db_index=True)
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True)
    public = models.BooleanField(default=True, help_text="shown to the citizen in the status history")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class Extension(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=300)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True)

    class Meta:
        indexes = [
            # The few requests waiting for a supervisor, among every extension ever asked for.
            models.Index(fields=["requested_at", "id"], condition=models.Q(approved__isnull=True),
                         name="letters_extension_pending"),
        ]


class Notification(models.Model):
    """An e-mail to send, written in the same transaction as the step it reports
    (an outbox): the worker sends it, with retries, even after a crash."""

    letter = models.ForeignKey(Letter, null=True, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # A claim, not a lock: the worker that is sending marks the row in a short
    # transaction and talks SMTP outside any transaction. A claim older than
    # settings.NOTIFICATION_CLAIM_SECONDS belongs to a dead worker and is taken over.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The sweep's question: what is still waiting, among every mail ever sent.
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="letters_notification_waiting"),
        ]


class Attachment(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="attachments")
    # Outside MEDIA_ROOT: never reachable at /media/ (letters.files).
    file = models.FileField(upload_to="letters/%Y/%m/", storage=private_storage)
    name = models.CharField(max_length=100)
    size = models.PositiveIntegerField()


class SerialCounter(models.Model):
    """The last letter number handed out on one day. Increased in one statement of
    its own (``services._take_serial_number``), so letters arriving at once never
    take the same serial and never wait for each other's transactions."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class StatsSnapshot(models.Model):
    """The statistics of one period (all time, or since a date), computed ahead by
    the periodic task ``letters.refresh_stats`` so that no page aggregates a
    million letters: one row per (mailbox, handling unit) as
    ``queries.stats_rows`` gives them, and the list for public criticism."""

    period = models.CharField(max_length=20, unique=True, help_text='"all" or the first day, YYYY-MM-DD')
    since = models.DateField(null=True, blank=True)
    rows = models.JSONField(default=list)
    criticism = models.JSONField(default=list)
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0, help_text="how long the computation took")

    def __str__(self):
        return f"{self.period} @ {self.computed_at:%Y-%m-%d %H:%M}"
