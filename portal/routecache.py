"""Where a public address leads, kept in the process between publications.

Wagtail finds the page of an address by walking the tree from the site's home, one
query and one more for the specific page at each level, and the site of the host
before that: most of a dynamic page's fixed cost (a filtered catalogue, the matter
directory, any listing past what the page cache keeps). The route of an address
only changes when something public changes (a page published, unpublished, moved or
deleted, a site changed), which starts a new page-cache generation
(:mod:`portal.pagecache`). So the first request of an address lets Wagtail route it
and keeps the answer (site, page id and type, the routable page's view and
arguments) under the generation; the next ones fetch the page by id in one query
and hand Wagtail the route through the attributes it caches on the request.

Only GET and HEAD requests, only the page-serving views, and only routes Wagtail
found (an unknown address is answered by Wagtail every time).
"""

from django.http.request import split_domain_port
from wagtail.models import Page
from wagtail.url_routing import RouteResult

from . import framecache
from .addresses import known_hostnames, sites_kept


def _key(request):
    return ("route", request._get_raw_host(), request.get_port(), request.path)


class RouteCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        key = _key(request)
        known = framecache.recall(key, request=request)
        if known is not None:
            _prime(request, *known)
        response = self.get_response(request)
        if known is None:
            _learn(request, key)
        return response


def _prime(request, site_id, page_id, model, args, kwargs):
    page = model.objects.filter(pk=page_id, live=True).first()
    if page is None:
        return  # gone since (the generation has not moved yet): Wagtail routes it
    site = sites_kept(request).get(site_id)
    if site is None:
        return
    request._wagtail_site = site
    request._wagtail_route_for_request = RouteResult(page, args, kwargs)


SERVING_VIEWS = {"wagtail_serve", "serve_by_path"}


def _learn(request, key):
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name not in SERVING_VIEWS:
        return  # only what Wagtail routed for this very address
    route = getattr(request, "_wagtail_route_for_request", None)
    site = getattr(request, "_wagtail_site", None)
    if route is None or site is None or not isinstance(route[0], Page):
        return
    if split_domain_port(request._get_raw_host())[0] not in known_hostnames():
        return  # only the platform's own hosts (a made-up Host header would crowd out the rest)
    page, args, kwargs = route
    framecache.keep(key, (site.pk, page.pk, type(page), args, kwargs), request=request)
    sites_kept(request)  # what the next request of the address takes its site from
