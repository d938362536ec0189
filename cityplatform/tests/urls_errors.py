"""The platform's URLs plus views that fail on purpose, to reach the 405 and 500 pages."""

from django.http import HttpResponse
from django.urls import path, re_path
from django.views.decorators.http import require_POST

from cityplatform import urls as platform_urls
from cityplatform.urls import handler400, handler403, handler404, handler500  # noqa: F401 (Django reads them here)


@require_POST
def only_post(request, **kwargs):
    return HttpResponse("ok")


def broken(request, **kwargs):
    raise RuntimeError("a defect in a view")


urlpatterns = [
    path("test-only-post/", only_post),
    re_path(r"^s/(?P<slug>[a-z0-9.-]+)/test-broken/$", broken),
    path("test-broken/", broken),
    path("api/v1/test-only-post", only_post),
    path("api/v1/test-broken", broken),
    *platform_urls.urlpatterns,
]
