"""Limits on guessing passwords and on password-reset mail, for every login form.

A failed login counts against the client's address (an office behind one address
has room for its people's typing errors) and against the account named (so a
password is not guessed from many addresses). Each attempt is counted before the
login view runs, so a burst in parallel gets no more tries than the limit; a login
that succeeds gives its attempt back. Password-reset requests count per address,
so the form cannot be used to send mail in bulk.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from . import ratelimit

WINDOW = 15 * 60  # seconds
RESET_WINDOW = 60 * 60


def _refused(retry_after, what):
    minutes = retry_after // 60 + 1
    html = render_to_string("guard/429.html", {"what": what, "minutes": minutes})
    response = HttpResponse(html, status=429, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class LoginLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        if request.path in settings.LOGIN_PATHS:
            return self._login(request)
        if request.path in settings.PASSWORD_RESET_PATHS:
            return self._reset(request)
        return self.get_response(request)

    def _login(self, request):
        account = (request.POST.get("username") or "").strip().lower()[:150]
        keys = [(f"login-address:{ratelimit.client_key(request)}", settings.LOGIN_FAILURES_PER_ADDRESS),
                (f"login-account:{account}", settings.LOGIN_FAILURES_PER_ACCOUNT)]
        hits = [(key, ratelimit.hit(key, limit=limit, window=WINDOW)) for key, limit in keys]
        refused = [hit for _key, hit in hits if not hit.allowed]
        if refused:
            return _refused(max(hit.retry_after for hit in refused), "登录尝试")
        response = self.get_response(request)
        if response.status_code in (301, 302, 303) and getattr(request, "user", None) is not None \
                and request.user.is_authenticated:
            for key, _hit in hits:  # a successful login was not a guess
                ratelimit.undo(key)
        return response

    def _reset(self, request):
        hit = ratelimit.hit(f"password-reset:{ratelimit.client_key(request)}",
                            limit=settings.PASSWORD_RESETS_PER_ADDRESS, window=RESET_WINDOW)
        if not hit.allowed:
            return _refused(hit.retry_after, "找回密码的请求")
        return self.get_response(request)
