"""Where a baked file lies in the publish root, and which file answers a request.

One tree per site under ``<PUBLISH_ROOT>/sites/<host name>/``, laid out as the
site's own addresses (``/xwzx/`` → ``xwzx/index.html``); a listing's page *n* is
``index.p<n>.html`` beside it, a column's feed ``rss/index.rss``, the sitemap
``sitemap.xml``, the site's 404 page ``404.html``. The platform's static files are
copied to ``<PUBLISH_ROOT>/static/``. nginx (delivery/nginx.py) and the embedded
server (delivery/wsgi.py) both read this layout, so it is written down once, here.
"""

import re
from pathlib import Path, PurePosixPath

from django.conf import settings

from orgs.addressing import PATH_PREFIX, hostname_for_slug, path_prefix

from .models import FileKind

SITES = "sites"
STATIC = "static"
MANIFEST = "manifest.json"
SERVING = "serving.json"
# A listing page number as the page cache keeps it: canonical, at most six digits.
PAGE_QUERY = re.compile(r"page=([1-9][0-9]{0,5})")
NOT_FOUND_PATH = "/404.html"
UNAVAILABLE_PATH = "/503.html"
SITEMAP_PATH = "/sitemap.xml"


def publish_root():
    return Path(settings.PUBLISH_ROOT)


def tree(hostname):
    """The relative path of a site's tree."""
    return f"{SITES}/{hostname}"


def file_in_site(kind, address, page_number=1):
    """The file of ``address`` (a path within the site, starting and, for pages,
    ending with '/') relative to the site's tree."""
    if kind == FileKind.PAGE:
        name = "index.html" if page_number == 1 else f"index.p{page_number}.html"
        return address.lstrip("/") + name
    if kind == FileKind.FEED:
        return address.lstrip("/") + "index.rss"
    if kind == FileKind.SITEMAP:
        return SITEMAP_PATH.lstrip("/")
    if kind == FileKind.NOT_FOUND:
        return NOT_FOUND_PATH.lstrip("/")
    if kind == FileKind.UNAVAILABLE:
        return UNAVAILABLE_PATH.lstrip("/")
    raise ValueError(kind)


def relative_path(hostname, kind, address, page_number=1):
    return f"{tree(hostname)}/{file_in_site(kind, address, page_number)}"


def public_url(hostname, is_default, address, page_number=1):
    """The address a reader asks for (the path form on one machine), with its query."""
    prefix = path_prefix(hostname, is_default=is_default) if settings.PLATFORM_PATH_SITES else ""
    query = f"?page={page_number}" if page_number != 1 else ""
    return prefix + address + query


def site_and_path(host, path, default_hostname, hosts=()):
    """(tree host name, path within the site) for a request, or None.

    On one machine every site is a path of the platform's address: /s/<slug>/… is
    that site's, anything else the default site's (unless the request names one of
    the sites' own host names, which the application answers as that site). With
    host names, the host is the site."""
    if settings.PLATFORM_PATH_SITES and not (host in hosts and host != default_hostname):
        if path.startswith(PATH_PREFIX):
            slug, sep, rest = path[len(PATH_PREFIX):].partition("/")
            if not sep or not slug:
                return None
            return hostname_for_slug(slug), "/" + rest
        return default_hostname, path
    return host, path


def candidate(path_in_site, query):
    """The file (relative to the site's tree) that answers a GET of
    ``path_in_site`` with ``query``, or None when only the application can."""
    if query:
        match = PAGE_QUERY.fullmatch(query)
        if not match:
            return None
        number = int(match.group(1))
    else:
        number = 1
    if not _safe(path_in_site):
        return None
    if path_in_site == SITEMAP_PATH and number == 1:
        return SITEMAP_PATH.lstrip("/")
    if not path_in_site.endswith("/"):
        return None  # Wagtail's addresses end with a slash; the app redirects the rest
    name = "index.html" if number == 1 else f"index.p{number}.html"
    return path_in_site.lstrip("/") + name


def feed_candidate(path_in_site):
    if path_in_site.endswith("/rss/") and _safe(path_in_site):
        return path_in_site.lstrip("/") + "index.rss"
    return None


def _safe(path):
    parts = PurePosixPath(path).parts
    return "\x00" not in path and ".." not in parts and "//" not in path and not any(
        p.startswith(".") for p in parts)
