"""Review (三审) and the register of everything published (N-3.2b)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task


class ScreeningTask(Task):
    """The first review level: the machine screens the revision against the lexicons.

    It decides at once; a clean revision moves on to the reviewer, a revision with
    hits goes back to the editor with every hit in the comment.
    """

    def start(self, workflow_state, user=None):
        from guard.screening import screen

        task_state = super().start(workflow_state, user=user)
        page = task_state.revision.as_object()
        fields = {}
        for name in getattr(page, "screened_fields", ("title",)):
            value = getattr(page, name, "") or ""
            if isinstance(value, str):
                fields[str(page._meta.get_field(name).verbose_name)] = value
        hits = screen(fields)
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

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["unit", "-published_at"])]
        verbose_name = _("发布登记")
        verbose_name_plural = _("发布登记")

    def __str__(self):
        return f"{self.page_title} ({self.published_at:%Y-%m-%d})"
