from django.conf import settings
from django.urls import include, path, re_path
from django.views.decorators.cache import never_cache
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from guard.audit_report import AuditTrailReportView
from portal import views as portal_views
from portal.admin_scope import OwnPagesTypesUsageReportView
from portal.private_media import document_serve as portal_document_serve
from publishing import views as publishing_views

from .api import api
from .errors import api_not_found
from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    # Any other address under /api/ is the typed JSON 404 at once (no slash redirect
    # to a page of the portal).
    re_path(r"^api/", api_not_found),
    path("admin/register/<str:unit_code>.xlsx", publishing_views.register_xlsx, name="publication_register_xlsx"),
    # Wagtail's own workflow action (approve / request changes from the dashboard),
    # answering with a message that says what the step did.
    path("admin/pages/workflow/action/<int:page_id>/<slug:action_name>/<int:task_state_id>/",
         never_cache(require_admin_access(publishing_views.WorkflowActionWithOutcomeView.as_view())),
         name="publishing_workflow_action"),
    # Wagtail's page-types report, naming only pages of the person's own sites.
    path("admin/reports/page-types-usage/",
         never_cache(require_admin_access(OwnPagesTypesUsageReportView.as_view())), name="own_page_types_usage"),
    path("admin/reports/page-types-usage/results/",
         never_cache(require_admin_access(OwnPagesTypesUsageReportView.as_view(results_only=True))),
         name="own_page_types_usage_results"),
    # Wagtail's site history report, reading the platform's audit trail by its own rule (guard/audit_report.py).
    path("admin/reports/site-history/",
         never_cache(require_admin_access(AuditTrailReportView.as_view())), name="audit_site_history"),
    path("admin/reports/site-history/results/",
         never_cache(require_admin_access(AuditTrailReportView.as_view(results_only=True))),
         name="audit_site_history_results"),
    path("admin/", include(wagtailadmin_urls)),
    # Downloads first through the platform's wrapper (portal/private_media.py), the rest
    # of Wagtail's document URLs (password form) as they are.
    re_path(r"^documents/(\d+)/(.*)$", portal_document_serve),
    path("documents/", include(wagtaildocs_urls)),
    path("sites/", portal_views.sites_directory, name="sites_directory"),
    path("search/", include("search.urls")),
    path("mailbox/", include("letters.urls")),
    path("live/", include("livedata.urls")),
    path("demo-feeds/", include("demo.urls")),  # the demo ferry's GTFS feeds, pulled on loopback
    path("", include("disclosure.urls")),  # /banshi/… online forms, /xxgk/… applications
    path("sitemap.xml", portal_views.sitemap, name="sitemap"),
    re_path(r"^s/(?P<slug>[a-z0-9.-]+)/sitemap\.xml$", portal_views.sitemap, name="site_sitemap"),
    re_path(r"^s/(?P<slug>[a-z0-9.-]+)/(?P<path>.*)$", portal_views.serve_by_path, name="serve_by_path"),
]

if settings.SERVE_MEDIA:
    # The embedded default serves uploaded media itself; production puts a web server in front.
    # Documents and images go out only after a check (portal/private_media.py).
    from portal.private_media import serve_media

    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve_media)]

urlpatterns += [path("", include(wagtail_urls))]

# Readable Chinese error pages with the site's identity; JSON under /api/ (cityplatform/errors.py).
handler400 = "cityplatform.errors.bad_request"
handler403 = "cityplatform.errors.permission_denied"
handler404 = "cityplatform.errors.page_not_found"
handler500 = "cityplatform.errors.server_error"
