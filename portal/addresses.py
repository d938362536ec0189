"""Where the platform's sites are: host names by Wagtail site, read by every page's
links (``PlatformPage.get_url_parts``) and by the page cache (which hosts to keep
pages for). A module of its own, below both, so that neither imports the other."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from wagtail.models import Site

SITE_ADDRESSES_CACHE_KEY = "portal:site-addresses"


def site_addresses(request=None):
    """{site id: (hostname, is_default)} of every Wagtail site.

    Kept in the cache like Wagtail's own site root paths, and dropped with them
    when a site changes (portal/receivers.py); memoised on the request as well.
    """
    memo = getattr(request, "_platform_site_addresses", None) if request is not None else None
    if memo is None:
        memo = cache.get(SITE_ADDRESSES_CACHE_KEY)
        if memo is None:
            memo = {pk: (host, default) for pk, host, default in Site.objects.values_list("pk", "hostname", "is_default_site")}
            cache.set(SITE_ADDRESSES_CACHE_KEY, memo, 3600)
        if request is not None:
            request._platform_site_addresses = memo
    return memo


def site_address(site_id, request=None):
    """(hostname, is_default) of a Wagtail site."""
    return site_addresses(request).get(site_id, ("", False))


def known_hostnames():
    """The host names the platform answers for: its sites', its own address's, and
    those named literally in ALLOWED_HOSTS."""
    names = {host for host, _default in site_addresses().values()}
    names.add(urlsplit(settings.PLATFORM_BASE_URL).hostname)
    names.update(h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith("."))
    return names


def sites_kept(request=None):
    """Every Wagtail site with its root page, by id, kept in the process until the next
    publication (portal.framecache): the route cache and the /s/<slug>/ addresses
    find their site here instead of asking the database on every request."""
    from . import framecache

    return framecache.kept(("sites",), lambda: {s.pk: s for s in Site.objects.select_related("root_page")},
                           request=request)


def url_below(base_url, base, page, request=None):
    """The link to ``page`` derived from ``base_url``, the link to ``base`` (its site's
    home, say) when ``page`` lies below it: a listing of one site's pages asks
    Wagtail for one link and derives the others from the pages' paths, instead of
    Wagtail's routing lookups for each. Any other page asks Wagtail."""
    if base_url and page.url_path.startswith(base.url_path):
        return base_url + page.url_path[len(base.url_path):]
    return page.get_url(request)
