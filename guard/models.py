"""Screening lexicons: data in the database, edited in the admin with history."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import RevisionMixin


class TermKind(models.TextChoices):
    BANNED = "banned", _("违禁有害内容")
    COMMERCIAL = "commercial", _("商业广告内容")
    ENTERTAINMENT = "entertainment", _("娱乐性内容")
    WRONG_NAME = "wrong_name", _("错误的官方名称或职务(严重表述错误)")


class LexiconTerm(RevisionMixin, models.Model):
    term = models.CharField(_("词条"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=TermKind.choices)
    correct_form = models.CharField(
        _("正确表述"), max_length=100, blank=True, help_text=_("错误名称类词条须填写正确表述。")
    )
    reason = models.CharField(_("理由"), max_length=200)
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "term"]
        verbose_name = _("筛查词条")
        verbose_name_plural = _("筛查词库")

    def __str__(self):
        return self.term

    def clean(self):
        from django.core.exceptions import ValidationError

        self.term = (self.term or "").strip()
        if not self.term:
            raise ValidationError({"term": _("词条不能为空。")})
        if self.kind == TermKind.WRONG_NAME and not self.correct_form.strip():
            raise ValidationError({"correct_form": _("错误名称类词条须填写正确表述。")})


class RateCounter(models.Model):
    """One rate-limit counter of ``guard.ratelimit`` when the cache is not Redis.

    Changed only by single SQL statements there, so that counting is atomic across
    processes; ``expires`` is a Unix time, when the counter's window closes.
    """

    name = models.CharField(max_length=200, primary_key=True)
    count = models.IntegerField(default=0)
    expires = models.FloatField(db_index=True)

    class Meta:
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")

    def __str__(self):
        return f"{self.name}: {self.count}"
