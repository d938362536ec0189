"""How a hosted site is addressed: by its own host name, or under /s/<slug>/.

On one machine with no DNS every site is reachable under a path of the platform's
own address. A site at ``<x>.<PLATFORM_DOMAIN>`` gets the slug ``x``; a site on any
other domain keeps its whole host name as slug. The default site (the portal) is
served at the root.
"""

from django.conf import settings

PATH_PREFIX = "/s/"


def slug_for_hostname(hostname):
    suffix = "." + settings.PLATFORM_DOMAIN
    if hostname.endswith(suffix) and "." not in hostname[: -len(suffix)]:
        return hostname[: -len(suffix)]
    return hostname


def hostname_for_slug(slug):
    if "." in slug:
        return slug
    return f"{slug}.{settings.PLATFORM_DOMAIN}"


def path_prefix(hostname, *, is_default):
    """The path under which a site's pages live on the platform's own address."""
    if is_default:
        return ""
    return f"{PATH_PREFIX}{slug_for_hostname(hostname)}"


def site_root_url(hostname, *, is_default):
    if settings.PLATFORM_PATH_SITES:
        return path_prefix(hostname, is_default=is_default) + "/"
    return f"https://{hostname}/"
