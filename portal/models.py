"""Page types of every site: home pages, columns (栏目) and articles."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, PagePermissionTester, PageViewRestriction, RevisionMixin
from wagtail.search import index

from orgs.addressing import path_prefix

from . import addresses, pagecache
from .forms import ScreenedPageForm
from .hooks import column_context, home_context


class ReviewedPagePermissionTester(PagePermissionTester):
    """Nobody publishes around the review: a page under a workflow is published
    only when its last review task approves. Unpublishing stays with leaders."""

    def can_publish(self):
        return super().can_publish() and self.page.get_workflow() is None

    def can_publish_subpage(self):
        return super().can_publish_subpage() and self.page.get_workflow() is None


class PlatformPage(Page):
    """What every page of every site shares: addressing, review and screening."""

    base_form_class = ScreenedPageForm
    screened_fields = ("title", "search_description")

    class Meta:
        abstract = True

    def permissions_for_user(self, user):
        return ReviewedPagePermissionTester(user, self)

    def get_view_restrictions(self):
        """Wagtail's two queries only for a page under a restriction or an alias: the
        paths of both are kept until the next publication (most pages are public)."""
        from . import framecache

        if self.alias_of_id or self.path.startswith(framecache.kept(("guarded-paths",), _guarded_paths)):
            return super().get_view_restrictions()
        return PageViewRestriction.objects.none()

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request)
        if not parts or parts[2] is None or not settings.PLATFORM_PATH_SITES:
            return parts
        site_id, root_url, page_path = parts
        hostname, is_default = addresses.site_address(site_id, request)
        return site_id, settings.PLATFORM_BASE_URL, path_prefix(hostname, is_default=is_default) + page_path

    def get_url(self, request=None, current_site=None):
        if not settings.PLATFORM_PATH_SITES:
            return super().get_url(request, current_site)
        parts = self.get_url_parts(request)
        if not parts or parts[2] is None:
            return None
        return parts[2]

    def get_context(self, request, *args, **kwargs):
        from wagtail.models import Site

        from .queries import site_nav, site_record_for

        context = super().get_context(request, *args, **kwargs)
        site = Site.find_for_request(request)
        context["site_record"] = site_record_for(site, request)
        self._take_home_from_site(site)
        context["home"] = self.home
        # Specific column pages, so their links carry the site's /s/<slug>/ prefix;
        # the nearest one is the page's column, so one query gives both.
        crumbs = self.column_trail(request)
        context["breadcrumbs"] = crumbs
        context["nav"] = site_nav(self.home, request)
        column = self.column
        context["column"] = column
        context["column_kind"] = column.kind if column is not None else None
        return context

    def _take_home_from_site(self, site):
        """Routing has already fetched the site's home page in its specific form."""
        root = site.root_page if site is not None else None
        if root is not None and root.depth == 2 and self.path.startswith(root.path) and "home" not in self.__dict__:
            self.__dict__["home"] = self if self.pk == root.pk else root.specific

    def column_trail(self, request=None):
        """The column pages between the site home and this page, outermost first
        (kept until the next publication, as the menu is)."""
        from . import framecache

        if "_column_trail" not in self.__dict__:
            def ancestors():
                return list(ColumnPage.objects.ancestor_of(self).filter(depth__gt=2).select_related("kind").order_by("path"))

            trail = []
            if self.depth > 2:
                # (a new page's preview has no place of its own to key it by)
                trail = framecache.kept(("trail", self.path), ancestors, request=request) if self.pk else ancestors()
            self.__dict__["_column_trail"] = trail
        return self.__dict__["_column_trail"]

    @cached_property
    def home(self):
        """The home page of the site this page belongs to."""
        if isinstance(self, SiteHomePage):
            return self
        ancestor = Page.objects.ancestor_of(self).filter(depth=2).first()
        return ancestor.specific if ancestor else None

    @property
    def column(self):
        return None


def _guarded_paths():
    """The paths of the pages under a view restriction and of the aliases (whose
    source's restrictions apply to them and their subtrees)."""
    return tuple(PageViewRestriction.objects.values_list("page__path", flat=True)) + tuple(
        Page.objects.filter(alias_of__isnull=False).values_list("path", flat=True))


def _owning_home(page):
    """The site home above ``page``, also for a page not yet in the tree."""
    parent = page.get_parent() if page.path else getattr(page, "_parent_for_clean", None)
    if parent is None:
        return None
    parent = parent.specific
    if isinstance(parent, SiteHomePage):
        return parent
    return parent.home


class ColumnCategory(models.TextChoices):
    NEWS = "news", _("新闻动态")
    NOTICES = "notices", _("通知公告")
    POLICY = "policy", _("政策文件")
    INTERPRETATION = "interpretation", _("政策解读")
    PERSONNEL = "personnel", _("人事信息")
    PLANS = "plans", _("规划计划")
    SERVICES = "services", _("办事服务")
    INTERACTION = "interaction", _("互动交流")
    TOPIC = "topic", _("专题专栏")
    OVERVIEW = "overview", _("概况信息")
    SOCIAL_NEWS = "social_news", _("社会新闻")
    OTHER = "other", _("其他")


class UpdatePeriod(models.IntegerChoices):
    TWO_WEEKS = 14, _("2周")
    SIX_MONTHS = 182, _("6个月")
    ONE_YEAR = 365, _("1年")
    NONE = 0, _("不要求")


class NewsColumnApproval(models.Model):
    """The news authority's approval that lets a unit open a social-news column."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="news_approvals", verbose_name=_("单位"))
    authority = models.CharField(_("批准机关"), max_length=100)
    document_number = models.CharField(_("批准文号"), max_length=60)
    approved_on = models.DateField(_("批准日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("新闻栏目批准记录")
        verbose_name_plural = _("新闻栏目批准记录")

    def __str__(self):
        return f"{self.unit}:{self.authority} {self.document_number}"


class ColumnKind(RevisionMixin, models.Model):
    """A kind of column and the update period the supervision work expects of it."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    category = models.CharField(_("类别"), max_length=20, choices=ColumnCategory.choices)
    update_period = models.PositiveIntegerField(_("更新周期"), choices=UpdatePeriod.choices, default=UpdatePeriod.NONE)
    approval = models.ForeignKey(
        NewsColumnApproval,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("批准记录"),
        help_text=_("社会新闻类栏目须有新闻主管部门的批准记录。"),
    )

    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("category"), FieldPanel("update_period"), FieldPanel("approval")]

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("栏目类型")
        verbose_name_plural = _("栏目类型")

    def __str__(self):
        return self.name

    def clean(self):
        if self.category == ColumnCategory.SOCIAL_NEWS and not self.approval_id:
            raise ValidationError({"approval": _("社会新闻类栏目须经新闻主管部门批准,请先登记批准记录。")})


class SiteHomePage(PlatformPage):
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("主办单位"))
    tagline = models.CharField(_("标语"), max_length=120, blank=True)
    intro = RichTextField(_("简介"), blank=True, features=["bold", "link"])

    content_panels = Page.content_panels + [FieldPanel("unit"), FieldPanel("tagline"), FieldPanel("intro")]
    subpage_types = ["portal.ColumnPage"]
    parent_page_types = ["wagtailcore.Page"]
    site_kind = None
    # The home's sections in the order a reader of this kind of site looks for
    # things (see portal.hooks.HOME_CONTEXT for the keys); a key nobody provides is
    # left out, so "live" waits for the live boards.
    section_order = ("news", "disclosure", "services", "interaction", "profile", "columns", "directory")

    class Meta:
        abstract = True

    def get_template(self, request, *args, **kwargs):
        return "portal/home_page.html"

    def get_context(self, request, *args, **kwargs):
        from .queries import home_listing, home_news

        context = super().get_context(request, *args, **kwargs)
        listing = home_listing(self)
        context.update(listing)
        # The listing's columns are the menu: the lazy menu query never runs.
        columns = context["nav"] = [column for column, _items in listing["columns"]]
        sections = {}
        news = home_news(listing["columns"])
        if news is not None:
            sections["news"] = news
        sections.update(home_context(home_page=self, columns=columns, request=request))
        claimed = {pk for section in sections.values() for pk in section.get("claims", ())}
        others = [(column, items) for column, items in listing["columns"] if column.pk not in claimed]
        if others:
            sections["columns"] = {"template": "portal/includes/home_columns.html", "title": _("更多栏目"),
                                   "columns": others}
        sections.update(self.own_sections(request))
        context["home_sections"] = [dict(sections[key], key=key) for key in self.section_order if key in sections]
        return context

    def own_sections(self, request):
        """Sections only this kind of home has."""
        return {}


class PortalHomePage(SiteHomePage):
    site_kind = "portal"
    section_order = ("news", "disclosure", "services", "live", "interaction", "columns", "profile", "directory")

    class Meta:
        verbose_name = _("政府门户网站首页")

    def own_sections(self, request):
        from .queries import site_directory

        return {"directory": {"template": "portal/includes/home_directory.html", "title": _("网站群"),
                              "directory": site_directory()}}


class DistrictHomePage(SiteHomePage):
    site_kind = "district"

    class Meta:
        verbose_name = _("区县政府网站首页")


class DepartmentHomePage(SiteHomePage):
    site_kind = "department"
    section_order = ("news", "disclosure", "services", "profile", "interaction", "columns")

    class Meta:
        verbose_name = _("部门网站首页")


class WindowUnitHomePage(SiteHomePage):
    site_kind = "window"
    # A window unit leads with its live boards (flights, trains, outages: the "live"
    # section of livedata), then its services.
    section_order = ("live", "services", "news", "interaction", "profile", "columns")

    class Meta:
        verbose_name = _("窗口单位网站首页")


class ColumnPage(RoutablePageMixin, PlatformPage):
    """A column (栏目): lists its own items and items placed in it from elsewhere."""

    kind = models.ForeignKey(ColumnKind, on_delete=models.PROTECT, related_name="columns", verbose_name=_("栏目类型"))
    intro = models.CharField(_("栏目说明"), max_length=300, blank=True)
    accepts_placements = models.BooleanField(
        _("接受其他单位推送"), default=False, help_text=_("允许其他单位把文章、文件同时发布到本栏目。")
    )

    content_panels = Page.content_panels + [FieldPanel("kind"), FieldPanel("intro"), FieldPanel("accepts_placements")]
    parent_page_types = [
        "portal.PortalHomePage",
        "portal.DistrictHomePage",
        "portal.DepartmentHomePage",
        "portal.WindowUnitHomePage",
        "portal.ColumnPage",
    ]
    subpage_types = [
        "portal.ColumnPage", "portal.ArticlePage", "disclosure.GovDocumentPage", "disclosure.ServiceGuidePage",
        "disclosure.ProfilePage",
        "disclosure.InterpretationPage", "disclosure.AnnualReportPage", "disclosure.DisclosureTextPage",
    ]
    template = "portal/column_page.html"
    PAGE_SIZE = 20

    class Meta:
        verbose_name = _("栏目")

    @cached_property
    def column(self):
        return self

    def clean(self):
        super().clean()
        kind = ColumnKind.objects.filter(pk=self.kind_id).select_related("approval").first()
        if kind and kind.category == ColumnCategory.SOCIAL_NEWS:
            home = _owning_home(self)
            if kind.approval is None or home is None or kind.approval.unit_id != home.unit_id:
                raise ValidationError({"kind": _("本单位没有新闻主管部门批准开设社会新闻栏目的记录。")})

    def get_context(self, request, *args, **kwargs):
        from . import framecache
        from .queries import column_items, paginate

        context = super().get_context(request, *args, **kwargs)
        context["subcolumns"] = framecache.kept(
            ("subcolumns", self.pk), lambda: list(ColumnPage.objects.child_of(self).live().order_by("path")),
            request=request)
        if self.kind.category == ColumnCategory.INTERACTION:
            context["interaction"] = True
        # An app's listing (the catalogue, the matter directory) or links (the mailbox's).
        context.update(column_context(column=self, request=request))
        if "column_body_template" not in context:  # the column's own items otherwise
            requested = request.GET.get("page")
            context["items"] = items = paginate(column_items(self), requested, self.PAGE_SIZE,
                                                count_key=f"column:{self.pk}")
            if requested is not None and requested != str(items.number):
                pagecache.refuse(request)  # page 1 answered for a page that does not exist
            request._listing_pages = items.paginator.num_pages  # how many the bake renders (delivery)
        return context

    @path("rss/")
    def rss(self, request):
        from .feeds import ColumnFeed

        return ColumnFeed()(request, column=self)


class ContentPage(PlatformPage):
    """Anything a column lists: articles and government documents."""

    pub_date = models.DateTimeField(_("发布日期"), default=timezone.now, db_index=True)
    source = models.CharField(_("信息来源"), max_length=100, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    also_in = ParentalManyToManyField(
        "portal.ColumnPage",
        blank=True,
        limit_choices_to={"accepts_placements": True},
        related_name="placed_items",
        verbose_name=_("同时发布到"),
        help_text=_("一处编辑,多处展示:选择接受推送的其他栏目(如门户网站栏目)。"),
    )
    # The column the item sits under, kept equal to the tree parent by save() and by
    # the page-move receiver (portal/apps.py). Listings and home pages read a column's
    # newest items through the index below instead of ranking the whole subtree.
    parent_column = models.ForeignKey(
        "portal.ColumnPage",
        null=True,
        blank=True,
        editable=False,
        db_index=False,  # the listing index below leads with it
        on_delete=models.SET_NULL,
        related_name="own_items",
    )

    screened_fields = ("title", "summary", "source", "search_description")
    parent_page_types = ["portal.ColumnPage"]
    subpage_types = []
    search_fields = Page.search_fields + [index.SearchField("summary")]

    class Meta:
        verbose_name = _("内容页")
        indexes = [models.Index(fields=["parent_column", "-pub_date", "-page_ptr"], name="portal_content_listing")]

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.path and (update_fields is None or "parent_column" in update_fields):
            parent_path = self.path[: -self.steplen]
            self.parent_column_id = ColumnPage.objects.filter(path=parent_path).values_list("pk", flat=True).first()
        return super().save(*args, **kwargs)

    @cached_property
    def column(self):
        trail = self.__dict__.get("_column_trail")
        if trail:
            return trail[-1]
        column_id = self.parent_column_id or self.get_parent().pk
        return ColumnPage.objects.select_related("kind").get(pk=column_id)

    def clean(self):
        super().clean()
        invalid = [c for c in self._pending_also_in() if not c.accepts_placements]
        if invalid:
            names = "、".join(c.title for c in invalid)
            raise ValidationError({"also_in": _("以下栏目不接受推送:%(names)s。") % {"names": names}})

    def _pending_also_in(self):
        try:
            return list(self.also_in.all())
        except ValueError:
            return []


class ContentAttachment(Orderable):
    page = ParentalKey(ContentPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("附件"))
    label = models.CharField(_("显示名称"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("label")]

    @property
    def display_name(self):
        return self.label or self.document.title


class ArticlePage(ContentPage):
    author = models.CharField(_("作者"), max_length=60, blank=True)
    body = RichTextField(_("正文"))
    # Shown with the top story of a home page's 要闻; its alt text is the image's
    # description (Wagtail's image field), which the image form asks for.
    lead_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("题图"), help_text=_("可选。头条新闻在首页显示题图;请在图片的“描述”中写明图片内容。"),
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("pub_date"), FieldPanel("source"), FieldPanel("author")], heading=_("发布信息")),
        FieldPanel("summary"),
        FieldPanel("lead_image"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("附件")),
        FieldPanel("also_in"),
    ]
    screened_fields = ("title", "summary", "body", "source", "author", "search_description")
    search_fields = ContentPage.search_fields + [index.SearchField("body")]
    template = "portal/article_page.html"

    class Meta:
        verbose_name = _("文章")
