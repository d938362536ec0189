"""Public faces that are not pages: the site directory and path addressing."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.views import serve as wagtail_serve

from orgs.addressing import hostname_for_slug

from .addresses import sites_kept
from .queries import portal_context, site_directory


@cache_control(public=True, max_age=300)
def sites_directory(request):
    context = {"directory": site_directory(), "page_title": "网站群导航", **portal_context()}
    return render(request, "portal/sites_directory.html", context)


def _site_for_slug(request, slug):
    hostname = hostname_for_slug(slug)
    site = next((s for s in sites_kept(request).values() if s.hostname == hostname), None)
    if site is None:
        raise Http404("没有这个网站")
    request._wagtail_site = site
    return site


def serve_by_path(request, slug, path=""):
    """Serve a hosted site under /s/<slug>/ on the platform's own address."""
    _site_for_slug(request, slug)
    return wagtail_serve(request, path)


def sitemap(request, slug=None):
    """sitemap.xml of one site: the one named by the path, or the one of the host."""
    if slug is not None:
        _site_for_slug(request, slug)
    return wagtail_sitemap(request)
