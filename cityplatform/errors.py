"""Error pages a person can read, and typed JSON errors on the API.

Django calls ``handler400/403/404/500`` (set in ``cityplatform/urls.py``) when a
view raises; a view that answers 405 itself (``require_POST``, ninja's path views)
returns a bare ``HttpResponseNotAllowed``, which ``MethodNotAllowedMiddleware``
fills with the same kind of page. Every page wears the identity of the site the
address belongs to (its host name, or ``/s/<slug>/`` on the platform's own address),
or the portal's when none can be told; under ``/api/`` the answer is the API's
``{code, message}`` JSON instead.
"""

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

# status → (API code, Chinese message for the API)
API_ERRORS = {
    400: ("bad_request", "请求无法处理:请检查请求的地址、参数和内容。"),
    403: ("forbidden", "没有权限访问这个地址。"),
    404: ("not_found", "没有找到请求的对象。"),
    405: ("method_not_allowed", "这个地址不支持该请求方法。"),
    500: ("server_error", "服务器内部错误,已记录,请稍后再试。"),
    503: ("unavailable", "服务暂时不可用,请稍后再试。"),
}


def is_api(request):
    return request.path.startswith(API_PREFIX)


def api_error(status, message=None, code=None):
    default_code, default_message = API_ERRORS.get(status, ("error", "请求失败。"))
    return JsonResponse({"code": code or default_code, "message": message or default_message}, status=status,
                        json_dumps_params={"ensure_ascii": False})


class _Identity:
    """The portal's identity when no site record can be read (an empty database, or
    one that does not answer during a 500)."""

    def __init__(self):
        self.name = settings.WAGTAIL_SITE_NAME
        self.public_url = "/"
        self.sponsor = settings.WAGTAIL_SITE_NAME
        self.contact_phone = self.address = self.site_id_code = self.icp_number = self.psb_number = ""
        self.contact_email = ""
        self.colour = "#9b1c1c"
        self.hostname = ""


def _site_for_request(request):
    """The Wagtail site the address belongs to: /s/<slug>/ first, then the host name,
    then the portal. Never raises DisallowedHost (a 400 may be answering exactly that)."""
    from wagtail.models import Site

    from orgs.addressing import PATH_PREFIX, hostname_for_slug

    if request.path.startswith(PATH_PREFIX):
        slug = request.path[len(PATH_PREFIX):].split("/", 1)[0]
        if slug:
            site = Site.objects.filter(hostname=hostname_for_slug(slug)).select_related("root_page").first()
            if site is not None:
                return site
    hostname = request.META.get("HTTP_HOST", "").rsplit(":", 1)[0].lower()
    site = Site.objects.filter(hostname=hostname).select_related("root_page").first() if hostname else None
    if site is None or not hasattr(site, "record"):
        # The portal: the default site that is registered as a site of the cluster.
        site = (Site.objects.filter(is_default_site=True, record__isnull=False).select_related("root_page").first()
                or site or Site.objects.filter(is_default_site=True).select_related("root_page").first())
    return site


def site_context(request):
    """site_record, home and nav of the site the request belongs to; the portal's
    fallback identity when the database cannot tell."""
    try:
        from portal.queries import site_nav, site_record_for

        site = _site_for_request(request)
        record = site_record_for(site)
        home = site.root_page.specific if site else None
        nav = list(site_nav(home))
        if record is not None:
            request._wagtail_site = site  # page links of the nav resolve against this site
            return {"site_record": record, "home": home, "nav": nav}
    except Exception:  # the database may be the reason for this error page
        logger.warning("error page without the site's identity", exc_info=True)
    return {"site_record": _Identity(), "home": None, "nav": []}


TITLES = {
    400: _("请求有误"),
    403: _("没有访问权限"),
    404: _("没有找到这个页面"),
    405: _("不能这样打开这个页面"),
    500: _("服务器出了点问题"),
    503: _("服务暂时不可用"),
}


def render_error(request, status, *, with_site=True):
    """The Chinese error page for ``status``; with_site=False skips the database
    (the last resort when rendering with the site's identity itself failed)."""
    context = site_context(request) if with_site else {"site_record": _Identity(), "home": None, "nav": []}
    context.update({"page_title": TITLES.get(status, _("出错了")), "status": status, "request": request,
                    "back_url": _same_site_referer(request)})
    try:
        body = loader.render_to_string(f"{status}.html", context, request=request)
    except Exception:
        if not with_site:
            raise
        logger.warning("error page %s rendered without the site's identity", status, exc_info=True)
        return render_error(request, status, with_site=False)
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def _same_site_referer(request):
    """The page the reader came from, when it is on this platform: a back link that
    never leads somewhere else."""
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except Exception:
        return ""
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={host}):
        return referer
    return ""


def api_not_found(request):
    return api_error(404)


def bad_request(request, exception=None):
    return api_error(400) if is_api(request) else render_error(request, 400)


def permission_denied(request, exception=None):
    return api_error(403) if is_api(request) else render_error(request, 403)


def page_not_found(request, exception=None):
    return api_error(404) if is_api(request) else render_error(request, 404)


def csrf_failure(request, reason=""):
    """A form without its valid token (CSRF_FAILURE_VIEW): the 403 page, which says to
    reload the form, instead of Django's English page."""
    return api_error(403) if is_api(request) else render_error(request, 403)


def server_error(request):
    return api_error(500) if is_api(request) else render_error(request, 500)


class MethodNotAllowedMiddleware:
    """A 405 with an empty body (``HttpResponseNotAllowed`` from ``require_POST``,
    ``require_http_methods`` or ninja's path views) gets the readable page, or the
    API's JSON under /api/; the Allow header is kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or getattr(response, "streaming", False):
            return response
        if "json" in response.get("Content-Type", "") or len(response.content) > 64:
            return response  # already typed, or a view's own 405 page
        filled = api_error(405) if is_api(request) else render_error(request, 405)
        if response.has_header("Allow"):
            filled["Allow"] = response["Allow"]
        return filled


class AdminDomainErrorMiddleware:
    """A rule of the domain that refuses an action taken through one of Wagtail's own
    admin views (which know nothing of ``DomainError``) becomes the admin's error
    message on the page the person came from, instead of a server error. Today: a
    reviewer approving the last review step of a service guide that lacks elements
    (``ServiceGuidePage.publish`` refuses; Wagtail's task action is one transaction,
    so the approval is undone with it). Views of our own translate their errors
    themselves; this only catches what reaches Django."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.contrib import messages
        from django.shortcuts import redirect

        from orgs.errors import DomainError

        if not isinstance(exception, DomainError) or not request.path.startswith("/admin/"):
            return None
        messages.error(request, exception.message)
        back = _same_site_referer(request) or "/admin/"
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            # Wagtail's modal workflow steps expect JSON; "success" with a redirect
            # takes the person to the page where the message shows.
            return JsonResponse({"step": "success", "redirect": back})
        return redirect(back)
