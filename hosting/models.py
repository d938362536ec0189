"""Migrations of independent sites onto the platform (N-2.3) and what they created."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MigrationStatus(models.TextChoices):
    PENDING = "pending", _("等待开始")
    RUNNING = "running", _("正在迁移")
    INTERRUPTED = "interrupted", _("已中断")
    FAILED = "failed", _("出错停止")
    COMPLETED = "completed", _("已完成")
    SUPERSEDED = "superseded", _("已由新导出包接替")


# A migration in one of these states is never run again.
CLOSED_STATUSES = (MigrationStatus.COMPLETED, MigrationStatus.SUPERSEDED)


class SiteMigration(models.Model):
    """One run of an export package into the platform, for one site of the registry.

    The run is resumable: items already migrated are known by their original
    address (:class:`MigratedPage`), so running again continues where it stopped.
    ``runner`` and ``heartbeat_at`` are a lease: one process works on a migration at
    a time, and a lease not renewed for a while may be taken over.
    """

    record = models.ForeignKey("orgs.SiteRecord", on_delete=models.PROTECT, related_name="migrations",
                               verbose_name=_("网站"))
    old_url = models.URLField(_("原网站地址"), max_length=500, help_text=_("迁移前独立网站的地址,迁移后仍保留在此。"))
    package_name = models.CharField(_("导出包"), max_length=255)
    package_file = models.CharField(max_length=255, editable=False)
    package_sha256 = models.CharField(max_length=64, editable=False)
    status = models.CharField(_("状态"), max_length=20, choices=MigrationStatus.choices, default=MigrationStatus.PENDING)
    error = models.TextField(_("停止原因"), blank=True)
    home_page = models.ForeignKey("wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    total = models.PositiveIntegerField(_("条目总数"), default=0)
    published = models.PositiveIntegerField(_("已发布"), default=0)
    held = models.PositiveIntegerField(_("待审核"), default=0)
    failed = models.PositiveIntegerField(_("失败"), default=0)
    skipped = models.PositiveIntegerField(_("此前已迁移"), default=0)
    redirects = models.PositiveIntegerField(_("跳转"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    runner = models.CharField(max_length=32, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("网站迁移")
        verbose_name_plural = _("网站迁移")

    def __str__(self):
        return f"{self.record} · {self.package_name}"

    @property
    def done(self):
        return self.published + self.held + self.failed + self.skipped

    @property
    def percent(self):
        return 100 if not self.total else round(100 * self.done / self.total)


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("待迁移")
    PUBLISHED = "published", _("已发布")
    HELD = "held", _("草稿待审核")
    FAILED = "failed", _("失败")
    SKIPPED = "skipped", _("此前已迁移")


class MigrationItem(models.Model):
    """One item of the package's manifest and what became of it."""

    migration = models.ForeignKey(SiteMigration, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=255, blank=True)
    column_key = models.CharField(_("栏目"), max_length=50, blank=True)
    original_url = models.CharField(_("原网址"), max_length=2000, blank=True)
    status = models.CharField(_("结果"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    message = models.TextField(_("问题"), blank=True)
    notes = models.TextField(_("处理说明"), blank=True)
    page = models.ForeignKey("wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["migration", "position"]
        constraints = [models.UniqueConstraint(fields=["migration", "position"], name="hosting_item_position_unique")]
        verbose_name = _("迁移条目")
        verbose_name_plural = _("迁移条目")

    def __str__(self):
        return f"{self.position}. {self.title}"


class MigratedPage(models.Model):
    """An old address of a site and the page it became: the migration's memory.

    Unique per site, so no run ever creates a second page for one old address.
    The row stays when an editor later deletes the page, so the page is not
    brought back by a re-run.
    """

    record = models.ForeignKey("orgs.SiteRecord", on_delete=models.PROTECT, related_name="migrated_pages")
    url_key = models.CharField(max_length=520)
    original_url = models.CharField(max_length=2000)
    old_path = models.CharField(max_length=255)
    page = models.ForeignKey("wagtailcore.Page", null=True, on_delete=models.SET_NULL, related_name="+")
    migration = models.ForeignKey(SiteMigration, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "url_key"], name="hosting_migrated_url_unique")]
        verbose_name = _("迁移页面对照")
        verbose_name_plural = _("迁移页面对照")

    def __str__(self):
        return self.original_url
