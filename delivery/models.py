"""What is baked, what is waiting to be baked, and what the integrity watcher found.

The publish root (``settings.PUBLISH_ROOT``) holds one tree per site; every file in
it has a row here with the keyed hash of its content (the manifest's source of
truth) and the address it was rendered from, so a changed or deleted file can be
rendered again and an added one recognised as foreign.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FileKind(models.TextChoices):
    PAGE = "page", _("页面")
    FEED = "feed", _("订阅源")
    SITEMAP = "sitemap", _("网站地图")
    NOT_FOUND = "404", _("404页面")
    UNAVAILABLE = "503", _("暂停服务页面")
    STATIC = "static", _("静态文件")


class BakedFile(models.Model):
    """One file of the publish root, as the last bake wrote it."""

    # The file's path below the publish root, e.g. "sites/www.cq.gov.cn/xwzx/index.html".
    path = models.CharField(max_length=1000, unique=True)
    kind = models.CharField(max_length=10, choices=FileKind.choices)
    site = models.ForeignKey("wagtailcore.Site", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The page it was rendered from (its own page, a column's listing page, its feed).
    page = models.ForeignKey("wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # Where in the site it was rendered from: the path within the site and the listing page number.
    address = models.CharField(max_length=1000)
    page_number = models.PositiveIntegerField(default=1)
    digest = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    baked_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["page"], name="delivery_file_page"),
                   models.Index(fields=["site", "kind"], name="delivery_file_site")]

    def __str__(self):
        return self.path


class PendingBake(models.Model):
    """Work for the bake, kept until it is done (a lost message or a worker killed
    half-way loses nothing: the sweep picks the rows up again).

    ``page`` names a page whose files are re-baked with everything that shows it;
    ``site`` alone names a whole site (its identity, menu or a column kind changed).
    The move's old path travels along so the bake can drop what lay there."""

    # Plain ids, not foreign keys: a row may be noted in the very transaction that
    # deletes its page (Wagtail unpublishes a page as it deletes it); the bake skips
    # what no longer exists.
    page_id = models.PositiveBigIntegerField(null=True, blank=True)
    site_id = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.reason} page={self.page_id} site={self.site_id}"


class BakeRun(models.Model):
    """A full rebuild: its progress, so that one killed half-way resumes where it stopped."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    processes = models.PositiveSmallIntegerField(default=1)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at"]


class BakeProblem(models.Model):
    """An address whose rendering failed: the previous file stays served."""

    address = models.CharField(max_length=1000)
    site = models.ForeignKey("wagtailcore.Site", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey("wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField()
    occurred_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("静态化失败")
        verbose_name_plural = _("静态化失败")


class IntegrityKind(models.TextChoices):
    CHANGED = "changed", _("文件被篡改")
    ADDED = "added", _("出现未发布的文件")
    DELETED = "deleted", _("文件被删除")
    MANIFEST = "manifest", _("清单被篡改")


class IntegrityEvent(models.Model):
    """A security event: the publish root differed from what was baked.

    Kept with the evidence (the digests before and after, and the start of the
    foreign content) for the supervision work and the units concerned."""

    kind = models.CharField(_("类型"), max_length=10, choices=IntegrityKind.choices)
    path = models.CharField(_("文件"), max_length=1000)
    site = models.ForeignKey("wagtailcore.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("网站"))
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("单位"))
    detected_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    expected_digest = models.CharField(_("应有摘要"), max_length=64, blank=True)
    found_digest = models.CharField(_("实际摘要"), max_length=64, blank=True)
    found_size = models.BigIntegerField(_("实际大小"), null=True, blank=True)
    # The first bytes of what was found in place of the baked file (or the added file), as text.
    found_excerpt = models.TextField(_("实际内容摘录"), blank=True)
    restored_digest = models.CharField(_("恢复后摘要"), max_length=64, blank=True)
    restored_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    notified = models.BooleanField(_("已通知"), default=False)

    class Meta:
        ordering = ["-detected_at"]
        verbose_name = _("防篡改事件")
        verbose_name_plural = _("防篡改事件")

    def __str__(self):
        return f"{self.get_kind_display()}:{self.path}"
