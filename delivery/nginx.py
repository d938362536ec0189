"""The nginx configuration for the platform's sites (``manage.py nginx_config``).

nginx serves the baked trees (delivery/layout.py) itself, with their content types,
caching headers, compression and each site's 404 page, and passes everything else
to the application: the dynamic surfaces (mailbox, forms, search, API, admin) and
any address not baked (a filtered listing, a restricted page, a page waiting for
its bake). Published pages stay served when the application is down.

Two layouts, as the platform addresses its sites (orgs/addressing.py):
- host names: one ``server`` per site, its tree as root;
- one machine (``PLATFORM_PATH_SITES``): one ``server``; ``/s/<slug>/…`` is that
  site's tree, anything else the default site's.

``standalone`` writes a whole nginx.conf (its own pid, logs and temporary files
under ``prefix``: what the tests and the benchmark run as an ordinary user);
otherwise an ``http``-level include for /etc/nginx/conf.d/.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from orgs.addressing import slug_for_hostname

from . import services
from .layout import SITES, publish_root

# Addresses that are the application's alone: nginx passes them on without looking
# for a file (a baked page can never shadow them anyway: their addresses are not
# Wagtail's, so nothing there is baked).
DYNAMIC_PREFIXES = ("/admin/", "/api/", "/mailbox/", "/search/", "/banshi/", "/documents/", "/media/",
                    "/sites/", "/healthz", "/_util/")

COMPRESSED_TYPES = ("text/css", "application/javascript", "application/rss+xml", "application/xml",
                    "application/json", "image/svg+xml", "text/plain")


@dataclass
class SiteBlock:
    hostname: str
    slug: str
    is_default: bool


def config(*, listen="80", upstream="127.0.0.1:8000", server_names=None, standalone=False, prefix=None,
           headers=None, user=None):
    """The configuration text."""
    all_sites = services.sites()
    blocks = [SiteBlock(s.hostname, slug_for_hostname(s.hostname), s.is_default)
              for s in sorted(all_sites.values(), key=lambda s: (not s.is_default, s.hostname))]
    chosen = services.default_site(all_sites)
    default = next((b for b in blocks if chosen and b.hostname == chosen.hostname), blocks[0] if blocks else None)
    if headers is None:
        headers = _shared_headers()
    context = {
        "standalone": standalone,
        "run_as": user or _default_user(),
        "prefix": str(prefix) if prefix else "/var/lib/cityplatform/nginx",
        "listen": listen,
        "upstream": upstream,
        "root": str(publish_root().resolve()),
        "sites_dir": str((publish_root() / SITES).resolve()),
        "path_sites": settings.PLATFORM_PATH_SITES,
        "domain": settings.PLATFORM_DOMAIN,
        "blocks": blocks,
        "default": default,
        "server_names": " ".join(server_names) if server_names else "_",
        "dynamic_prefixes": DYNAMIC_PREFIXES,
        "headers": sorted(headers.items()),
        "compressed_types": " ".join(COMPRESSED_TYPES),
        "max_body": settings.MAX_REQUEST_BYTES,
        "private_accel": settings.PRIVATE_MEDIA_ACCEL_REDIRECT,
        "private_root": str(settings.PRIVATE_MEDIA_ROOT),
        "media_accel": settings.MEDIA_ACCEL_REDIRECT_PREFIX,
        "media_root": str(settings.MEDIA_ROOT),
    }
    return render_to_string("delivery/nginx.conf", context)


def current_user():
    """The invoking user and group, as nginx's ``user`` directive writes them."""
    import grp
    import os
    import pwd

    return f"{pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name}"


def _default_user():
    """Workers never run as root: the invoking user, or www-data when that is root."""
    import os

    return "www-data www-data" if os.getuid() == 0 else current_user()


def _shared_headers():
    """The policy headers every public page carries, as the last bake saw them (or
    as the application gives them to a page rendered now)."""
    import json

    from .layout import SERVING

    try:
        saved = json.loads((publish_root() / SERVING).read_bytes()).get("headers")
    except (OSError, ValueError):
        saved = None
    if saved:
        return saved
    from .render import render

    default = services.default_site(services.sites())
    if default is None:
        return {}
    return render("/", default.hostname).headers
