"""The supervision work's records: what was measured on every site (probes, crawls,
links, observations), the indicator rules as data, scorecards, the content-assurance
division (A2) and rectification notices.

Everything measured is kept, so a verdict can be explained months later: a scorecard
carries a snapshot of the measurements it was computed from.

Sections (each owned by one part of the app):
- watching: SiteWatch, Probe, CrawlRun, CrawlPage, LinkCheck, Observation (collect/);
- rules and scores: Ruleset, RuleCategory, Rule, Scorecard (rules.py, engine.py);
- outputs: ColumnAssignment, ColumnFlag, RectificationNotice, NoticeEvent.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel


# --- Watching ------------------------------------------------------------------------

class SiteWatch(models.Model):
    """How one registered site (hosted or independent) is watched. Every site of the
    registry has one (created on demand by services.watch_for)."""

    record = models.OneToOneField("orgs.SiteRecord", on_delete=models.CASCADE, related_name="watch",
                                  verbose_name=_("网站"))
    active = models.BooleanField(_("监测"), default=True)
    external_services = models.BooleanField(
        _("有对外服务"), default=True,
        help_text=_("没有对外服务事项的部门网站不评“办事服务”,其余得分按满分折算(×4/3)。"))
    start_url = models.URLField(_("监测起始地址"), max_length=500, blank=True,
                                help_text=_("留空:托管网站用平台地址,独立网站用登记的网站地址。"))
    search_url = models.CharField(_("站内搜索地址"), max_length=500, blank=True,
                                  help_text=_("含 {q} 的搜索地址,如 /search/?q={q};留空则从首页的搜索表单找。"))
    max_pages = models.PositiveIntegerField(_("每次抓取页面上限"), default=500)
    max_depth = models.PositiveSmallIntegerField(_("抓取深度"), default=4)
    concurrency = models.PositiveSmallIntegerField(_("同时连接数"), default=2)

    class Meta:
        verbose_name = _("网站监测设置")
        verbose_name_plural = _("网站监测设置")

    def __str__(self):
        return str(self.record)


class Probe(models.Model):
    """One availability visit. ``slot`` names the scheduled moment, so a task run
    twice for the same moment (a restarted worker) keeps one row."""

    record = models.ForeignKey("orgs.SiteRecord", on_delete=models.CASCADE, related_name="probes")
    slot = models.CharField(max_length=20)
    at = models.DateTimeField(db_index=True)
    url = models.CharField(max_length=2000)
    ok = models.BooleanField(null=True, help_text="None: not checked (the machine's network cannot tell)")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["record", "slot"], name="supervision_probe_one_per_slot")]
        indexes = [models.Index(fields=["record", "at"])]


class RunStatus(models.TextChoices):
    RUNNING = "running", _("进行中")
    DONE = "done", _("完成")
    FAILED = "failed", _("失败")
    UNREACHABLE = "unreachable", _("无法访问")


class CrawlRun(models.Model):
    """One crawl of a site within limits. Its pages are its frontier: a restarted
    worker resumes the pending ones (heartbeat), and (run, url) is unique, so nothing
    is counted twice."""

    record = models.ForeignKey("orgs.SiteRecord", on_delete=models.CASCADE, related_name="crawls")
    start_url = models.CharField(max_length=2000)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING, db_index=True)
    max_pages = models.PositiveIntegerField()
    max_depth = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    runner = models.CharField(max_length=40, blank=True)
    pages_done = models.PositiveIntegerField(default=0)
    links_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["record", "status", "started_at"])]


class ItemState(models.TextChoices):
    PENDING = "pending", _("待处理")
    DONE = "done", _("完成")
    FAILED = "failed", _("失败")
    SKIPPED = "skipped", _("超出范围")


class CrawlPage(models.Model):
    """A page of a crawl: what was fetched and what the checks read from it."""

    run = models.ForeignKey(CrawlRun, on_delete=models.CASCADE, related_name="pages")
    url = models.CharField(max_length=2000)
    url_hash = models.CharField(max_length=64)
    depth = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=10, choices=ItemState.choices, default=ItemState.PENDING)
    fetched_at = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.CharField(max_length=2000, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    encoding = models.CharField(max_length=30, blank=True)
    size = models.PositiveIntegerField(default=0)
    elapsed_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    title = models.CharField(max_length=500, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    pub_date = models.DateField(null=True, blank=True)
    date_source = models.CharField(max_length=10, blank=True)  # meta, text, "" (none)
    column = models.CharField(max_length=200, blank=True)
    is_listing = models.BooleanField(default=False)
    listing_newest = models.DateField(null=True, blank=True)
    listing_items = models.PositiveIntegerField(null=True, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    footer = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["run", "url_hash"], name="supervision_page_once_per_run")]
        indexes = [models.Index(fields=["run", "state"])]


class LinkKind(models.TextChoices):
    PAGE = "page", _("网页")
    IMAGE = "image", _("图片")
    ATTACHMENT = "attachment", _("附件")
    OTHER = "other", _("其他")


class LinkCheck(models.Model):
    """One distinct link target of a crawl and its check."""

    run = models.ForeignKey(CrawlRun, on_delete=models.CASCADE, related_name="links")
    url = models.CharField(max_length=2000)
    url_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=12, choices=LinkKind.choices, default=LinkKind.PAGE)
    internal = models.BooleanField(default=True)
    on_home = models.BooleanField(default=False)
    found_on = models.CharField(max_length=2000, blank=True)
    text = models.CharField(max_length=200, blank=True)
    sources = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=10, choices=ItemState.choices, default=ItemState.PENDING)
    ok = models.BooleanField(null=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["run", "url_hash"], name="supervision_link_once_per_run")]
        indexes = [models.Index(fields=["run", "state"]), models.Index(fields=["run", "ok"])]


class Observation(models.Model):
    """One measured fact of a check that is neither a probe nor a crawled page or link
    (screening hits, the site-search test, IPv6, HTTPS, ...): the check's code (measures.CHECKS), its
    state and the value and evidence it produced (measures.Measure's shape)."""

    record = models.ForeignKey("orgs.SiteRecord", on_delete=models.CASCADE, related_name="observations")
    run = models.ForeignKey(CrawlRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="observations")
    code = models.CharField(max_length=40)
    at = models.DateTimeField(db_index=True)
    state = models.CharField(max_length=12)  # measures.OK / PROBLEM / NOT_CHECKED
    value = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["record", "code", "at"])]


# --- Rules and scores --------------------------------------------------------------

class RulesetStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("现行")
    RETIRED = "retired", _("已停用")


class Ruleset(ClusterableModel):
    """A version of the indicators (国办秘函〔2019〕19号 as the first): categories with
    their points, veto items, deductions and bonuses, all data. One is active; a
    scorecard names the version it was computed with."""

    name = models.CharField(_("名称"), max_length=100)
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=10, choices=RulesetStatus.choices, default=RulesetStatus.DRAFT)
    effective_from = models.DateField(_("施行日期"), null=True, blank=True)
    pass_mark = models.DecimalField(_("合格分"), max_digits=5, decimal_places=2, default=60)
    risk_mark = models.DecimalField(_("预警分"), max_digits=5, decimal_places=2, default=70,
                                    help_text=_("合格但低于此分的网站标为“有风险”。"))
    bonus_threshold = models.DecimalField(_("加分起点"), max_digits=5, decimal_places=2, default=80)
    bonus_cap = models.DecimalField(_("加分上限"), max_digits=5, decimal_places=2, default=30)
    bonus_site_kinds = models.CharField(_("可加分的网站类别"), max_length=100, default="portal",
                                        help_text=_("以逗号分隔的网站类别代码,如 portal。"))
    notes = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["version"], name="supervision_ruleset_version_unique"),
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="active"),
                                    name="supervision_one_active_ruleset"),
        ]
        verbose_name = _("检查指标")
        verbose_name_plural = _("检查指标")

    def __str__(self):
        return f"{self.name}(第{self.version}版)"


class RuleCategory(models.Model):
    """A scored category (发布解读 31, 办事服务 25, ...). ``is_services``: the category a
    unit without external services skips (its total rescaled to 100)."""

    ruleset = ParentalKey(Ruleset, on_delete=models.CASCADE, related_name="categories")
    code = models.SlugField(_("代码"), max_length=30)
    name = models.CharField(_("名称"), max_length=40)
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    is_services = models.BooleanField(_("办事服务类"), default=False)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("指标类别")

    def __str__(self):
        return self.name


class RuleKind(models.TextChoices):
    VETO = "veto", _("单项否决")
    DEDUCTION = "deduction", _("扣分")
    BONUS = "bonus", _("加分")


class Rule(models.Model):
    """One indicator: which check it reads (a name from engine.EVALUATORS), its
    thresholds (params), and for a deduction or bonus its points: ``amount`` per item
    found, at most ``cap`` in all (and never more than its category's points)."""

    ruleset = ParentalKey(Ruleset, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=RuleKind.choices)
    category = models.SlugField(_("类别代码"), max_length=30, blank=True, help_text=_("扣分、加分项所属类别的代码。"))
    evaluator = models.CharField(_("检查方法"), max_length=40)
    amount = models.DecimalField(_("每项分值"), max_digits=5, decimal_places=2, default=0)
    cap = models.DecimalField(_("最多"), max_digits=5, decimal_places=2, null=True, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("指标")

    def __str__(self):
        return self.name


class Verdict(models.TextChoices):
    PASS = "pass", _("合格")
    AT_RISK = "at_risk", _("有风险")
    FAIL = "fail", _("不合格")
    # Nothing that decides a verdict could be measured (a site the machine cannot
    # reach, no collector ran): no score, and no verdict guessed.
    UNSCORED = "unscored", _("未评定")


class Scorecard(models.Model):
    """A site's verdict for a period (a calendar month), recomputed until the period
    ends; ``measurements`` is the snapshot of every measure the engine read
    (measures.Measurements.to_dict), so the verdict can be explained later.

    The JSON lists (the engine writes them, the dashboard and reports read them):
    - ``vetoes``, ``deductions``, ``bonuses``: items ``{"rule": code, "name": str,
      "category": category code or "", "check": check code, "points": float (what
      this item took off or added, after caps; 0 for a veto), "detail": str (one
      sentence in Chinese: what was found), "evidence": [Evidence.to_dict(), ...]}``;
    - ``not_checked``: ``{"rule", "name", "check", "reason"}`` (a rule whose measure
      could not be taken: not scored, never guessed);
    - ``categories``: ``{"code", "name", "points", "deducted", "skipped": bool}``.
    ``score`` is None when a veto item is hit (the verdict is then 不合格), and when
    no veto or deduction rule could be checked at all (the verdict is then 未评定)."""

    record = models.ForeignKey("orgs.SiteRecord", on_delete=models.CASCADE, related_name="scorecards",
                               verbose_name=_("网站"))
    ruleset = models.ForeignKey(Ruleset, on_delete=models.PROTECT, related_name="scorecards")
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"))
    computed_at = models.DateTimeField(_("计算时间"))
    verdict = models.CharField(_("结论"), max_length=10, choices=Verdict.choices)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    bonus = models.DecimalField(_("加分"), max_digits=5, decimal_places=2, default=0)
    vetoes = models.JSONField(default=list, blank=True)
    deductions = models.JSONField(default=list, blank=True)
    bonuses = models.JSONField(default=list, blank=True)
    not_checked = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)
    measurements = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-period_start", "record__sort_order", "record_id"]
        constraints = [models.UniqueConstraint(fields=["record", "period_start"], name="supervision_one_card_per_period")]
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")

    def __str__(self):
        return f"{self.record} {self.period_start:%Y-%m}"

    @property
    def total(self):
        """Score plus bonus (what sites are ranked by), or None without a score."""
        return None if self.score is None else self.score + self.bonus

    @property
    def score_label(self):
        """The score as shown: the number, 否决 (failed by a veto item) or 未评定."""
        if self.score is not None:
            return str(self.score)
        return "否决" if self.verdict == Verdict.FAIL else "未评定"

    @property
    def unscored_reason(self):
        """Why a card has no verdict: the reason its home page or columns were not read."""
        if self.verdict != Verdict.UNSCORED:
            return ""
        measures = (self.measurements or {}).get("measures", {})
        for code in ("home_update", "columns"):
            reason = (measures.get(code) or {}).get("reason")
            if reason:
                return reason
        return "网站首页和栏目未能读取"


# --- Outputs: the content-assurance division (A2) and rectification notices ---------

class ColumnAssignment(models.Model):
    """A portal column, the unit responsible for its content, and how often it is
    expected to be updated (附件2 内容保障分工)."""

    column = models.OneToOneField("wagtailcore.Page", on_delete=models.CASCADE, related_name="assignment",
                                  verbose_name=_("栏目"))
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="assigned_columns",
                             verbose_name=_("责任单位"))
    update_days = models.PositiveSmallIntegerField(_("更新周期(天)"))
    person = models.CharField(_("责任人"), max_length=40, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__sort_order", "column__path"]
        verbose_name = _("内容保障分工")
        verbose_name_plural = _("内容保障分工")

    def __str__(self):
        return f"{self.column} → {self.unit}"


class ColumnFlag(models.Model):
    """An assigned column found behind its frequency; cleared when it is updated."""

    assignment = models.ForeignKey(ColumnAssignment, on_delete=models.CASCADE, related_name="flags")
    raised_at = models.DateTimeField()
    last_update = models.DateField(null=True, blank=True)
    days_behind = models.PositiveIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [models.UniqueConstraint(fields=["assignment"], condition=models.Q(cleared_at__isnull=True),
                                               name="supervision_one_open_flag_per_column")]


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("待整改")
    REPORTED = "reported", _("已报整改")
    CONFIRMED = "confirmed", _("复查通过")
    REOPENED = "reopened", _("复查未通过")


class RectificationNotice(models.Model):
    """整改通知: problems of a site sent to its unit with a deadline, tracked until the
    unit reports the fix and the next check confirms it."""

    number = models.CharField(_("编号"), max_length=30, unique=True)
    record = models.ForeignKey("orgs.SiteRecord", on_delete=models.PROTECT, related_name="notices",
                               verbose_name=_("网站"))
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="rectification_notices",
                             verbose_name=_("整改单位"))
    scorecard = models.ForeignKey(Scorecard, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices")
    items = models.JSONField(_("问题"), default=list)
    message = models.TextField(_("要求"), blank=True)
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED,
                              db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(_("下发时间"))
    report = models.TextField(_("整改情况"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")

    def __str__(self):
        return f"{self.number} {self.record}"


class NoticeEvent(models.Model):
    """Every step of a notice: who, when, what (never deleted)."""

    notice = models.ForeignKey(RectificationNotice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
