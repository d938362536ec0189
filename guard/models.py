"""Screening lexicons: data in the database, edited in the admin with history."""

from django.core.validators import MaxValueValidator, MinValueValidator
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
    lawful_contexts = models.TextField(
        _("合法语境"), blank=True,
        help_text=_(
            "每行一个短语。词条附近出现其中任一短语时不算命中,例如公安机关打击这类违法犯罪的通告。"
            "用 * 代表词条本身以限定位置:「打击*」须在词条之前,「*违法犯罪」须在词条之后,"
            "「打击*犯罪」前后都须出现;不带 * 的短语在前在后均可。比对时不计繁简、全半角、大小写、空格和标点。"
        ),
    )
    lawful_window = models.PositiveSmallIntegerField(
        _("语境范围(字)"), default=15, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("合法语境须出现在词条前后多少个字以内(不计空格和标点);遇到同一词条的另一处出现即止。"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "term"]
        verbose_name = _("筛查词条")
        verbose_name_plural = _("筛查词库")

    def __str__(self):
        return self.term

    def clean(self):
        from django.core.exceptions import ValidationError

        from .folding import normalise, parse_contexts

        self.term = (self.term or "").strip()
        if not self.term:
            raise ValidationError({"term": _("词条不能为空。")})
        key = normalise(self.term)
        if not key:
            raise ValidationError({"term": _("词条须含有文字(标点、空格和符号在比对时不计)。")})
        if self.kind == TermKind.WRONG_NAME and not self.correct_form.strip():
            raise ValidationError({"correct_form": _("错误名称类词条须填写正确表述。")})
        # Terms are matched folded: two terms that fold alike would be one term twice.
        for other in LexiconTerm.objects.exclude(pk=self.pk).values_list("term", flat=True):
            if normalise(other) == key:
                raise ValidationError({"term": _("与已有词条「%(other)s」相同(比对时不计繁简、全半角、大小写、空格和标点)。")
                                       % {"other": other}})
        try:
            contexts = parse_contexts(self.lawful_contexts)
        except ValueError as exc:
            raise ValidationError({"lawful_contexts": str(exc)}) from exc
        for line, context in contexts:
            if not context.anchored and context.before == key:
                raise ValidationError({"lawful_contexts": _("「%(line)s」就是词条本身,会让词条永远不算命中。") % {"line": line}})
        self.lawful_contexts = "\n".join(line for line, _context in contexts)


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
