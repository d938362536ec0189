"""The search index: one entry per searchable published item, its text in chunks, and
the government terms jieba is taught.

The full-text part of a chunk is not a Django field: on PostgreSQL it is a
``tsvector`` column ``fts`` of ``search_chunk`` with a GIN index, on SQLite a row of
the FTS5 table ``search_chunk_fts`` with the chunk's id as its rowid (migration 0002
creates whichever the database needs; ``search.engine`` reads and writes them).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ARTICLE = "article", _("文章")
    DOCUMENT = "document", _("政府文件")
    GUIDE = "guide", _("办事指南")
    LETTER = "letter", _("公开信件")
    ATTACHMENT = "attachment", _("附件")


class Entry(models.Model):
    """One searchable published item. ``key`` names it: ``page:<id>``, ``letter:<id>``,
    ``attachment:<page id>:<document id>``."""

    key = models.CharField(max_length=60, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, db_index=True)
    object_id = models.BigIntegerField()
    # The Wagtail site the item is shown on (a letter: its handling unit's site).
    site = models.ForeignKey("wagtailcore.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    column_kind = models.CharField(_("栏目类型"), max_length=40, blank=True, db_index=True)
    content_type = models.CharField(_("内容类型"), max_length=60, blank=True, db_index=True)
    title = models.CharField(_("标题"), max_length=500)
    title_norm = models.CharField(max_length=500, db_index=True)
    text = models.TextField(_("正文"), blank=True)
    # What a reader sees beside the title: 文号, 发文机关, 索引号, source …
    meta = models.JSONField(default=dict, blank=True)
    date = models.DateTimeField(_("日期"), null=True, blank=True, db_index=True)
    validity = models.CharField(_("效力状态"), max_length=20, blank=True, db_index=True)
    url = models.CharField(max_length=1000)
    initials = models.CharField(_("拼音首字母"), max_length=200, blank=True, db_index=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("搜索索引条目")
        verbose_name_plural = _("搜索索引条目")
        indexes = [models.Index(fields=["site", "kind", "-date"], name="search_entry_site_kind_date")]

    def __str__(self):
        return f"{self.key} {self.title}"


class Chunk(models.Model):
    """A piece of an entry's normalised text (title, metadata and body), indexed as
    bigram tokens (see the module's docstring for where they live)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "seq"], name="search_chunk_unique")]


class Term(models.Model):
    """A government term jieba should keep whole (一网通办, 渝快办, 最多跑一次 …).
    Edited in the admin; the next search or indexing reads the changed list."""

    word = models.CharField(_("词语"), max_length=40, unique=True)
    frequency = models.PositiveIntegerField(_("词频"), null=True, blank=True,
                                            help_text=_("可不填;填写较大的数可使该词更优先成词。"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("搜索词典词语")
        verbose_name_plural = _("搜索词典")

    def __str__(self):
        return self.word


class RebuildState(models.Model):
    """Where ``manage.py search_rebuild`` got to, so a stopped rebuild resumes."""

    name = models.CharField(max_length=40, unique=True)
    last_key = models.CharField(max_length=60, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
