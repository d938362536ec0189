"""The management centre's pages for site migration, in the Wagtail admin.

A thin face: upload a package (checked by ``services.migration_create``), start or
continue the run (``services.migration_start`` hands it to the worker), and watch
progress and each item's result. Only the portal management centre reaches them.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from orgs.errors import DomainError
from orgs.forms import ErrorsBesideFields
from orgs.models import Hosting, SiteRecord

from . import services
from .models import ItemStatus, MigrationStatus, SiteMigration
from .package import PackageInvalid

ITEMS_PER_PAGE = 100


def centre_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.may_migrate(request.user):
            raise PermissionDenied("只有门户网站管理中心可以迁移网站。")
        return view(request, *args, **kwargs)

    return wrapper


def migratable_records():
    """Independent sites, and hosted sites that came by migration (more content may follow)."""
    migrated = SiteMigration.objects.filter(record=OuterRef("pk"), status=MigrationStatus.COMPLETED)
    return SiteRecord.objects.select_related("unit").annotate(migrated=Exists(migrated))


class UploadForm(ErrorsBesideFields, forms.Form):
    record = forms.ModelChoiceField(label="要迁移的网站", queryset=SiteRecord.objects.none(), empty_label="请选择")
    package = forms.FileField(label="导出包(ZIP)", help_text="格式见平台文档 docs/site-migration.md。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].queryset = migratable_records().filter(Q(hosting=Hosting.INDEPENDENT) | Q(migrated=True))
        self.fields["record"].label_from_instance = (
            lambda r: f"{r.name}({r.hostname},{'独立建设' if r.hosting == Hosting.INDEPENDENT else '已迁入,补充内容'})"
        )


@centre_only
def index(request):
    records = migratable_records().filter(hosting=Hosting.INDEPENDENT).order_by("kind", "sort_order", "id")
    migrations = SiteMigration.objects.select_related("record", "created_by")[:50]
    return render(request, "hosting/admin/index.html", {"records": records, "migrations": migrations})


@centre_only
def new(request):
    problems = []
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["package"]
            try:
                migration = services.migration_create(
                    record=form.cleaned_data["record"], source=upload, package_name=upload.name, actor=request.user
                )
                services.migration_start(migration=migration, actor=request.user)
            except PackageInvalid as exc:
                problems = exc.problems
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"导出包已通过检查,共 {migration.total} 条,迁移已开始。")
                return redirect("hosting_admin:detail", migration.pk)
    else:
        form = UploadForm(initial={"record": request.GET.get("record")})
    return render(request, "hosting/admin/new.html", {"form": form, "problems": problems})


@centre_only
def detail(request, pk):
    migration = get_object_or_404(SiteMigration.objects.select_related("record", "created_by", "home_page"), pk=pk)
    shown = request.GET.get("status", "")
    items = migration.items.select_related("page").order_by("position")
    if shown in ItemStatus.values:
        items = items.filter(status=shown)
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    live = services.lease_is_live(migration)
    stalled = migration.status == MigrationStatus.RUNNING and not live
    finished = migration.status == MigrationStatus.COMPLETED and not migration.failed
    return render(request, "hosting/admin/detail.html", {
        "migration": migration, "items": page, "shown": shown, "statuses": ItemStatus.choices,
        "refresh": migration.status in (MigrationStatus.PENDING, MigrationStatus.RUNNING) and not stalled,
        "stalled": stalled, "may_continue": not live and not finished,
    })


@centre_only
@require_POST
def start(request, pk):
    migration = get_object_or_404(SiteMigration, pk=pk)
    try:
        services.migration_start(migration=migration, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "迁移已交给后台继续执行。")
    return redirect("hosting_admin:detail", migration.pk)


urlpatterns = [
    path("", index, name="index"),
    path("new/", new, name="new"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/start/", start, name="start"),
]
