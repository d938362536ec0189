"""Units (单位), the people who work for them, and the registry of sites."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
SITE_ID_CODE_RE = re.compile(r"^[0-9A-Za-z]{10}$")
UNIT_CODE_RE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
HEX_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


class UnitKind(models.TextChoices):
    MUNICIPAL_GOVERNMENT = "municipal_government", _("市人民政府")
    GENERAL_OFFICE = "general_office", _("市政府办公厅")
    SUPERVISION_OFFICE = "supervision_office", _("市政府督查室")
    DISTRICT_GOVERNMENT = "district_government", _("区县人民政府")
    MUNICIPAL_DEPARTMENT = "municipal_department", _("市政府部门")
    WINDOW_UNIT = "window_unit", _("窗口服务单位")


class Sector(models.TextChoices):
    NONE = "", _("—")
    AVIATION = "aviation", _("航空")
    RAIL = "rail", _("铁路")
    WATER_TRANSPORT = "water_transport", _("水运")
    WATER = "water", _("供水")
    POWER = "power", _("供电")
    GAS = "gas", _("供气")
    TELECOM = "telecom", _("电信")
    OTHER = "other", _("其他")


class Role(models.TextChoices):
    EDITOR = "editor", _("编辑")
    REVIEWER = "reviewer", _("审核人")
    LEADER = "leader", _("分管领导")
    MAILBOX_HANDLER = "mailbox_handler", _("信箱办理人")
    SUPERVISOR = "supervisor", _("监督人员")
    SITE_ADMIN = "site_admin", _("网站管理员")


class Unit(models.Model):
    """A government body or window-service unit that owns a site and its content."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    code = models.CharField(
        _("单位代码"),
        max_length=40,
        unique=True,
        help_text=_("小写字母、数字和连字符,用于索引号和权限组名,例如 cqzfbgt。"),
    )
    kind = models.CharField(_("类型"), max_length=32, choices=UnitKind.choices)
    sector = models.CharField(_("行业"), max_length=32, choices=Sector.choices, blank=True, default="")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    leader_name = models.CharField(_("分管领导"), max_length=40, blank=True)
    leader_title = models.CharField(_("分管领导职务"), max_length=60, blank=True)
    staff_name = models.CharField(_("责任人"), max_length=40, blank=True)
    staff_phone = models.CharField(_("责任人电话"), max_length=40, blank=True)
    sees_all_units = models.BooleanField(
        _("可查看全部单位"),
        default=False,
        help_text=_("门户网站管理中心和督查室等跨单位监督的单位。"),
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection", null=True, blank=True, on_delete=models.SET_NULL, related_name="unit",
        verbose_name=_("文件集合"),
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if not UNIT_CODE_RE.match(self.code or ""):
            errors["code"] = _("单位代码须以小写字母开头,只含小写字母、数字和连字符(2–40位)。")
        if self.credit_code and not CREDIT_CODE_RE.match(self.credit_code):
            errors["credit_code"] = _("统一社会信用代码应为18位,由数字和大写字母组成(不含 I、O、Z、S、V)。")
        if self.kind == UnitKind.WINDOW_UNIT and not self.sector:
            errors["sector"] = _("窗口服务单位须注明行业。")
        if self.kind != UnitKind.WINDOW_UNIT and self.sector:
            errors["sector"] = _("只有窗口服务单位才有行业。")
        if self.parent_id and self.pk and self._is_ancestor_of(self.parent):
            errors["parent"] = _("上级单位不能是本单位或其下级单位。")
        if errors:
            raise ValidationError(errors)

    def _is_ancestor_of(self, other):
        seen = set()
        while other is not None and other.pk not in seen:
            if other.pk == self.pk:
                return True
            seen.add(other.pk)
            other = other.parent
        return False

    def group_name(self, role):
        return f"{self.code}:{role}"


class Membership(models.Model):
    """A person's role at a unit. Permissions follow from these rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")

    def __str__(self):
        return f"{self.user} @ {self.unit} ({self.get_role_display()})"


class SiteKind(models.TextChoices):
    PORTAL = "portal", _("政府门户网站")
    DISTRICT = "district", _("区县政府网站")
    DEPARTMENT = "department", _("市政府部门网站")
    WINDOW = "window", _("窗口服务单位网站")


class Hosting(models.TextChoices):
    HOSTED = "hosted", _("集约化平台托管")
    INDEPENDENT = "independent", _("独立建设")


class SiteRecord(models.Model):
    """One site of the cluster, hosted on the platform or run independently.

    The identity items shown in every footer live here, so the national
    inspection's footer rules are met by data, not by template edits.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="sites", verbose_name=_("主办单位"))
    name = models.CharField(_("网站名称"), max_length=100)
    kind = models.CharField(_("网站类别"), max_length=20, choices=SiteKind.choices)
    hosting = models.CharField(_("建设方式"), max_length=20, choices=Hosting.choices, default=Hosting.HOSTED)
    hostname = models.CharField(_("域名"), max_length=255, unique=True)
    url = models.URLField(_("独立网站地址"), blank=True)
    site = models.OneToOneField(
        "wagtailcore.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="record"
    )
    site_id_code = models.CharField(_("网站标识码"), max_length=10, unique=True)
    icp_number = models.CharField(_("ICP备案号"), max_length=60)
    psb_number = models.CharField(_("公安机关备案号"), max_length=60)
    sponsor = models.CharField(_("主办单位"), max_length=100)
    contact_phone = models.CharField(_("联系电话"), max_length=40)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    colour = models.CharField(_("主题色"), max_length=7, default="#b31b1b")
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["kind", "sort_order", "id"]
        verbose_name = _("网站")
        verbose_name_plural = _("网站登记")

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if not SITE_ID_CODE_RE.match(self.site_id_code or ""):
            errors["site_id_code"] = _("网站标识码应为10位数字或字母。")
        if not HEX_COLOUR_RE.match(self.colour or ""):
            errors["colour"] = _("主题色应为 #RRGGBB 形式。")
        if self.hosting == Hosting.INDEPENDENT and not self.url:
            errors["url"] = _("独立建设的网站须填写网站地址。")
        if self.hosting == Hosting.HOSTED and self.url:
            errors["url"] = _("托管网站的地址由平台生成,不必填写。")
        if errors:
            raise ValidationError(errors)

    @property
    def path_slug(self):
        from .addressing import slug_for_hostname

        return slug_for_hostname(self.hostname)

    @property
    def public_url(self):
        """Where a reader reaches the site from this platform."""
        if self.hosting == Hosting.INDEPENDENT:
            return self.url
        from .addressing import site_root_url

        return site_root_url(self.hostname, is_default=bool(self.site and self.site.is_default_site))


class MachineClient(models.Model):
    """A business system of one unit (its OA, a 12345 hotline system …) that calls the
    open API with a bearer token, within the scopes it was granted.

    The client acts through its own account (``user``): a user of its unit that cannot
    log in (no usable password), so page histories, workflows and the audit log name
    the system like any other actor. Its bearer tokens are Wagtail ``APIToken`` rows of
    that account: only an HMAC of each token is stored. ``scopes`` is a list of codes
    from ``orgs.scopes`` (a JSON list, the same on SQLite and PostgreSQL; the services
    accept only registered codes).

    A client works until ``expires_at`` (none: no expiry) unless it is revoked
    (``revoked_at``, by whom, why); revocation is final. Clients are never deleted: the
    register and past submissions point at them.
    """

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="machine_clients", verbose_name=_("单位")
    )
    name = models.CharField(_("系统名称"), max_length=100, help_text=_("例如:东区公文交换系统、12345热线转办系统。"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="machine_client", editable=False,
        verbose_name=_("接口账号"),
    )
    scopes = models.JSONField(_("权限范围"), default=list, blank=True)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True, help_text=_("留空为长期有效。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        verbose_name=_("吊销人"),
    )
    revoke_reason = models.CharField(_("吊销原因"), max_length=500, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["unit__sort_order", "unit_id", "id"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="machine_client_unit_name_unique")]
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")

    def __str__(self):
        return f"{self.unit.short_name or self.unit.name} · {self.name}"

    def has_scope(self, code):
        return code in (self.scopes or [])

    def state(self, now=None):
        """``revoked``, ``expired`` or ``active``."""
        from django.utils import timezone

        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"

    STATE_LABELS = {"active": _("有效"), "expired": _("已过期"), "revoked": _("已吊销")}

    def get_state_display(self):
        return self.STATE_LABELS[self.state()]


class MachineClientUse(models.Model):
    """A day on which a machine client called the API: when first and last, and in how
    many minutes. Written together with the client's ``last_used_at``, at most once a
    minute per client, so recording use costs no write per request."""

    client = models.ForeignKey(MachineClient, on_delete=models.CASCADE, related_name="uses")
    day = models.DateField(_("日期"))
    first_at = models.DateTimeField(_("首次调用"))
    last_at = models.DateTimeField(_("最后调用"))
    active_minutes = models.PositiveIntegerField(
        _("有调用的分钟数"), default=1, help_text=_("每分钟最多记一次,是调用活跃程度的下限估计。"),
    )

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["client", "day"], name="machine_client_use_day_unique")]
        verbose_name = _("接口调用记录")
        verbose_name_plural = _("接口调用记录")

    def __str__(self):
        return f"{self.client} {self.day}"
