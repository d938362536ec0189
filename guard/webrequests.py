"""Checks that keep an anonymous write API from being driven through a visitor's browser.

Another web site can make a visitor's browser send a "simple" cross-site request (a
form post or a fetch with ``text/plain``) without asking the server first. Such a
request is refused when it is not ``application/json`` (a browser must ask first,
CORS preflight, before it sends JSON cross-site, and the platform answers no
preflight), and when the browser says it comes from another site (``Sec-Fetch-Site``,
``Origin``). Business systems calling the API from a server send neither header.
"""

from urllib.parse import urlsplit

from django.conf import settings


class RequestRefused(Exception):
    """A request refused before its body is read; the API answers it typed."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def require_json(request):
    content_type = request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    if content_type != "application/json":
        raise RequestRefused(415, "unsupported_media_type",
                             "只接受 JSON:请以 Content-Type: application/json 发送 UTF-8 编码的 JSON 对象。")


def _trusted_hosts(request):
    hosts = {urlsplit(origin).netloc.lower() for origin in getattr(settings, "CSRF_TRUSTED_ORIGINS", [])}
    try:
        hosts.add(request.get_host().lower())
    except Exception:  # noqa: BLE001  (a host Django refuses is simply not trusted)
        pass
    return hosts


def refuse_cross_site(request):
    """Refuse a request a browser marks as sent from another site: by its ``Origin``
    (the platform's own host or a CSRF_TRUSTED_ORIGINS entry passes), or, without
    one, by ``Sec-Fetch-Site``."""
    origin = request.META.get("HTTP_ORIGIN", "").strip()
    if origin:
        trusted = urlsplit(origin.lower()).netloc in _trusted_hosts(request)
    else:
        trusted = request.META.get("HTTP_SEC_FETCH_SITE", "").strip().lower() in ("", "same-origin", "none")
    if not trusted:
        raise RequestRefused(403, "cross_site", "不接受从其他网站发起的请求。")
