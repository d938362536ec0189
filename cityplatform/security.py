"""The Content-Security-Policy of the platform (django-csp), scoped by audience.

Public pages (every site, the mailbox, the API's own documentation) run no inline
script: ``script-src 'self'``. The Wagtail admin is written with inline scripts and
``eval``-based widgets that are not ours to rewrite, so under ``/admin/`` a looser
policy applies (still no other origin). The policy is sent when ``PLATFORM_CSP``
is on, which production mode turns on (settings.py); it is read per request so a
test can switch it.
"""

from csp.constants import NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

# The site colour is one inline <style> per page (templates/base.html); pages are
# kept whole in the page cache, so a per-response nonce cannot be used for it.
PUBLIC_POLICY = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "font-src": [SELF, "data:"],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [SELF],
}

ADMIN_POLICY = {
    **PUBLIC_POLICY,
    "script-src": [SELF, UNSAFE_INLINE, UNSAFE_EVAL],
    "img-src": [SELF, "data:", "blob:"],
    "media-src": [SELF, "blob:"],
    "worker-src": [SELF, "blob:"],
    "frame-src": [SELF],
}

ADMIN_PREFIXES = ("/admin/",)


class PlatformCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if not getattr(settings, "PLATFORM_CSP", False):
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        if parts.config is None:
            admin = request.path_info.startswith(ADMIN_PREFIXES)
            parts = PolicyParts(ADMIN_POLICY if admin else PUBLIC_POLICY, parts.update, parts.replace, parts.nonce)
        return parts
