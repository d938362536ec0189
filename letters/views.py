"""Citizens' pages of the public mailbox: write, track, rate, read published letters."""

import hashlib
import re
import secrets
import time

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.encoding import uri_to_iri
from django.views.decorators.cache import cache_control, cache_page, never_cache
from django.views.decorators.http import require_POST

from guard import challenge, codes, ratelimit
from orgs.errors import DomainError, NotFound
from orgs.models import Unit
from portal.queries import portal_context

from . import files, queries, services
from .models import Attachment, Letter, LetterType, Mailbox, Rating, Status

LETTER_QUOTA_WINDOW = 3600  # seconds; the quota is settings.LETTERS_PER_ADDRESS_PER_HOUR


def letter_quota_key(client):
    """The quota of letters an anonymous client (an address bucket) may send; the
    form and the API count under the same key."""
    return f"letters:{client}"


def _render(request, template, context, status=200):
    return render(request, template, {**portal_context(), **context}, status=status)


@cache_control(public=True, max_age=300)
def index(request):
    return _render(request, "letters/index.html", {"mailboxes": queries.active_mailboxes(), "page_title": "公开信箱"})


@never_cache
def write(request, code):
    mailbox = get_object_or_404(Mailbox, code=code, active=True)
    # Error reports come through their own form (error_report), never this one.
    types = LetterType.objects.filter(active=True).exclude(code=queries.ERROR_REPORT_TYPE)
    # The limits the routing will apply (services.routing_time_limit), not the type's alone.
    limits = [(t, *services.promised_time_limits(mailbox, t)) for t in types]
    context = {"mailbox": mailbox, "types": types, "limits": limits, "reasons": queries.active_not_accepted_reasons(),
               "page_title": f"写信给{mailbox.name}", "max_request_mb": settings.MAX_REQUEST_BYTES // (1024 * 1024)}
    if request.method != "POST":
        question, token = challenge.new_challenge()
        return _render(request, "letters/write.html", {**context, "question": question, "token": token, "values": {}})
    values = request.POST
    resent = _submitted_before(request, _form_fingerprint(request))
    if resent is not None:  # the same form sent again (refresh, back): its result, not a second letter
        return _render(request, "letters/submitted.html", {**resent, "page_title": "来信已提交"})
    error = _spam_check(values)
    attachments = [(f.name, f.read()) for f in request.FILES.getlist("attachments")]
    fields = dict(name=values.get("name", ""), phone=values.get("phone", ""), email=values.get("email", ""),
                  title=values.get("title", ""), body=values.get("body", ""))
    # Every field's rule is checked even when the challenge failed, so the writer
    # sees all there is to correct in one answer.
    field_errors = services.letter_field_errors(**fields, attachments=attachments)
    try:
        letter_type = types.get(pk=values.get("letter_type"))
    except (LetterType.DoesNotExist, ValueError):
        field_errors = {"letter_type": "请选择来信类型。", **field_errors}
    quota_key = letter_quota_key(ratelimit.client_key(request))
    refused = None
    if error is None and not field_errors:
        # Counted before it is checked, so a burst of posts at once gets no more than the quota.
        quota = ratelimit.hit(quota_key, limit=settings.LETTERS_PER_ADDRESS_PER_HOUR, window=LETTER_QUOTA_WINDOW)
        if not quota.allowed:
            error, refused = "您提交得太频繁了,请一小时后再试。", quota
    if error is None and not field_errors:
        try:
            letter, code_shown = services.letter_submit(
                mailbox=mailbox, letter_type=letter_type, **fields,
                consent_publish=values.get("consent_publish") == "on", attachments=attachments,
                ip=ratelimit.client_ip(request),
            )
        except DomainError as exc:
            ratelimit.undo(quota_key)  # a letter refused for a mistake stores nothing and does not count
            field_errors = exc.field_errors
            error = None if field_errors else exc.message
        else:
            _remember_submission(request, _form_fingerprint(request), letter, code_shown)
            return _render(request, "letters/submitted.html", {"letter": letter, "code": code_shown, "page_title": "来信已提交"})
    question, token = challenge.new_challenge()
    response = _render(request, "letters/write.html", {**context, "question": question, "token": token,
                                                       "values": values, "error": error,
                                                       "field_errors": field_errors}, status=400)
    return ratelimit.too_many(response, refused)


# A refresh or "back" re-sends the form; the session remembers the last letter sent
# from this browser and a fingerprint of its form for this long, to answer the same
# form with the same result.
RESEND_SECONDS = 30 * 60
SUBMITTED_KEY = "letters_submitted"


def _form_fingerprint(request):
    """The form as sent (fields with its challenge token, attachments by name and size)."""
    parts = sorted((k, v) for k, values in request.POST.lists() if k != "csrfmiddlewaretoken" for v in values)
    parts += sorted((f.name, str(f.size)) for f in request.FILES.getlist("attachments"))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _remember_submission(request, fingerprint, letter, code):
    request.session[SUBMITTED_KEY] = {"form": fingerprint, "letter": letter.pk, "code": code, "at": time.time()}


def _submitted_before(request, fingerprint):
    entry = request.session.get(SUBMITTED_KEY)
    if not entry or entry.get("form") != fingerprint or time.time() - entry.get("at", 0) > RESEND_SECONDS:
        return None
    letter = Letter.objects.filter(pk=entry["letter"]).first()
    return {"letter": letter, "code": entry["code"], "resent": True} if letter else None


def _spam_check(values):
    if values.get("website"):  # a field people never see; robots fill it in
        return "提交未通过校验,请重试。"
    if not challenge.passes(values.get("challenge_token"), values.get("challenge_answer")):
        return "验证题答案不正确、已过期或已使用过,请回答新的验证题。"
    return None


TRACKED_KEY = "letters_tracked"
TRACKED_SECONDS = 30 * 60


def _track_field_errors(code, check):
    """The tracking form's fields, all checked at once before the (counted) lookup."""
    errors = {}
    if not (code or "").strip():
        errors["code"] = "请填写查询码。"
    elif codes.normalise(code) is None:
        errors["code"] = "查询码格式不正确:应为12位字母数字,如 AB12-CD34-EF56。"
    check = (check or "").strip()
    if not check:
        errors["check"] = "请填写手机号后四位;无手机号的来信请填电子邮箱。"
    elif not (check.isdigit() and len(check) == 4) and "@" not in check:
        errors["check"] = "请填写手机号的后四位数字,或写信时留下的电子邮箱。"
    return errors


@never_cache
def track(request):
    context = {"page_title": "来信查询"}
    if request.method != "POST":
        return _render(request, "letters/track.html", context)
    code, check = request.POST.get("code", ""), request.POST.get("check", "")
    field_errors = _track_field_errors(code, check)
    if field_errors:
        return _render(request, "letters/track.html", {**context, "field_errors": field_errors, "values": request.POST},
                       status=400)
    try:
        letter = services.letter_find_guarded(code=code, check=check, client=ratelimit.client_key(request))
    except DomainError as exc:
        status = 429 if exc.code == "too_many" else 404
        return _render(request, "letters/track.html", {**context, "error": exc.message, "values": request.POST},
                       status=status)
    request.session[TRACKED_KEY] = {"letter": letter.pk, "at": time.time()}
    return _render(request, "letters/status.html", {**context, **_status_context(letter), "code": code, "check": check})


def _tracked_letter(request):
    """The letter this browser found with its code a short while ago, if any."""
    entry = request.session.get(TRACKED_KEY)
    if not entry or time.time() - entry.get("at", 0) > TRACKED_SECONDS:
        return None
    return Letter.objects.select_related("mailbox", "letter_type", "handling_unit").filter(pk=entry["letter"]).first()


@never_cache
@require_POST
def attachment(request, attachment_id):
    """A writer downloads an attachment of their own letter: the same query code and
    second factor as tracking (and the same limit on wrong tries). Staff use the
    admin's view; nobody reaches an attachment by a plain URL."""
    try:
        letter = services.letter_find_guarded(code=request.POST.get("code"), check=request.POST.get("check"),
                                              client=ratelimit.client_key(request))
    except DomainError as exc:
        status = 429 if exc.code == "too_many" else 404
        return _render(request, "letters/track.html", {"page_title": "来信查询", "error": exc.message}, status=status)
    item = get_object_or_404(Attachment, pk=attachment_id, letter=letter)
    return files.serve(item)


def _status_context(letter):
    reply = letter.replies.filter(approved_at__isnull=False).order_by("-approved_at").first()
    return {
        "letter": letter,
        "events": letter.events.filter(public=True).select_related("unit"),
        "reply": reply,
        "deadline": services.deadline_explanation(letter),
        "overdue": services.is_overdue(letter),
        "can_rate": letter.status == Status.REPLIED,
        "attachments": letter.attachments.all(),
        "ratings": Rating.choices,
        "not_accepted": queries.not_accepted_reason(letter),
    }


@never_cache
def rate(request):
    """Rate a reply. Opened again (refresh, back, a bookmarked address) it shows the
    letter tracked in this browser, or the tracking form; never a bare 405."""
    context = {"page_title": "来信查询"}
    code, check = request.POST.get("code", ""), request.POST.get("check", "")
    if request.method != "POST":
        letter = _tracked_letter(request)
        if letter is None:
            return redirect("letters:track")
        return _render(request, "letters/status.html", {**context, **_status_context(letter)})
    try:
        if code or check:
            letter = services.letter_find_guarded(code=code, check=check, client=ratelimit.client_key(request))
        else:
            letter = _tracked_letter(request)
            if letter is None:
                raise NotFound("查询已过期,请重新输入查询码。")
        if letter.status != Status.REPLIED and letter.feedback.exists():
            # The rating form sent again: the rating stands, show it.
            return _render(request, "letters/status.html", {**context, **_status_context(letter), "code": code,
                                                            "check": check, "rated": True})
        letter = services.letter_rate(letter=letter, rating=request.POST.get("rating", ""), comment=request.POST.get("comment", ""))
    except DomainError as exc:
        status = {"too_many": 429, "not_found": 404}.get(exc.code, 400)
        return _render(request, "letters/track.html", {**context, "error": exc.message}, status=status)
    request.session[TRACKED_KEY] = {"letter": letter.pk, "at": time.time()}
    return _render(request, "letters/status.html", {**_status_context(letter), "code": code,
                                                    "check": check, "rated": True, "page_title": "来信查询"})


@cache_control(public=True, max_age=120)
def published(request, unit_code=None):
    unit = get_object_or_404(Unit, code=unit_code) if unit_code else None
    if unit is None and request.GET.get("unit"):
        unit = Unit.objects.filter(code=request.GET["unit"]).first()
    letter_type = LetterType.objects.filter(code=request.GET.get("type")).first() if request.GET.get("type") else None
    letters = queries.published_letters(
        unit=unit, letter_type=letter_type, date_from=_date(request.GET.get("from")), date_to=_date(request.GET.get("to")),
        q=(request.GET.get("q") or "").strip()[:50] or None,
    )
    page = Paginator(letters, 20).get_page(request.GET.get("page"))
    return _render(request, "letters/published.html", {
        "page_obj": page, "unit": unit, "units": Unit.objects.filter(letters__published=True).distinct(),
        "types": LetterType.objects.all(), "filters": request.GET,
        "page_title": f"信件公开 · {unit.name}" if unit else "信件公开",
        "filter_query": _without_page(request.GET),
    })


def _without_page(params):
    query = params.copy()
    query.pop("page", None)
    return query.urlencode()


def _date(value):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@cache_control(public=True, max_age=300)
def published_detail(request, serial):
    letter = get_object_or_404(queries.published_letters(), serial=serial)
    reply = letter.replies.filter(approved_at__isnull=False).select_related("unit").order_by("-approved_at").first()
    if reply is None:
        raise Http404
    return _render(request, "letters/published_detail.html", {
        "letter": letter, "reply": reply, "rating": queries.latest_rating(letter),
        "page_title": f"{letter.public_title} · 信件公开",
    })


STATS_PAGE_SECONDS = 300


@cache_control(public=True, max_age=STATS_PAGE_SECONDS)
@cache_page(STATS_PAGE_SECONDS, key_prefix="letters-stats")
def stats(request):
    """Each open mailbox's figures of all time, from the figures computed ahead (the
    page says when); the page itself is kept for five minutes."""
    snapshot = queries.stats_snapshot()
    labels = queries.not_accepted_labels()
    rows = [(m, queries.summarise(snapshot.rows, mailbox_id=m.pk, reason_labels=labels))
            for m in queries.active_mailboxes()]
    return _render(request, "letters/stats.html", {
        "rows": rows, "criticism": snapshot.criticism, "computed_at": snapshot.computed_at,
        "refresh_minutes": queries.REFRESH_EVERY // 60, "page_title": "信箱统计",
    })


# --- 我为政府网站找错 -------------------------------------------------------------------

ERROR_REPORT_MAX_BYTES = 64 * 1024  # the form has no files: a larger post is no report
ERROR_REPORT_QUOTA_WINDOW = 3600
ONCE_RE = re.compile(r"[A-Za-z0-9_-]{16,40}")


def error_report_quota_key(client):
    return f"error-reports:{client}"


@never_cache
def error_report(request):
    """The form every footer's 我为政府网站找错 opens, with the page's address filled in
    (``?page=``, the same link for every reader of a baked page). The report becomes a
    letter routed straight to the unit of the site concerned (services.error_report_submit)."""
    context = {"page_title": "我为政府网站找错", "limit": _error_report_limit()}
    if request.method != "POST":
        # The footer names the page by its path (the same bytes for every reader and
        # in the baked file); the form is served on the page's own host, which
        # completes the address.
        address = (request.GET.get("page") or "").strip()[:services.MAX_ADDRESS]
        if address.startswith("/") and not address.startswith("//"):
            # Shown as the reader knows it: 渝中区…/ rather than %E6%B8%9D….
            address = uri_to_iri(request.build_absolute_uri(address))
        return _render(request, "letters/error_report.html",
                       {**context, "values": {"address": address, "once": secrets.token_urlsafe(18)}})
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = ERROR_REPORT_MAX_BYTES + 1
    if size > ERROR_REPORT_MAX_BYTES:
        return _render(request, "letters/error_report.html",
                       {**context, "values": {}, "error": "提交的内容过大,请精简后再提交。"}, status=413)
    values = request.POST
    fields = dict(address=values.get("address", ""), problem=values.get("problem", ""), name=values.get("name", ""),
                  phone=values.get("phone", ""), email=values.get("email", ""))
    error = "提交未通过校验,请重试。" if values.get("website") else None
    field_errors = services.error_report_field_errors(**fields)
    quota_key = error_report_quota_key(ratelimit.client_key(request))
    refused = None
    # The form's one-time key: the same post again (a reload of the receipt, a double
    # click) shows the report it already made instead of making a second one.
    once = values.get("once", "")
    key = f"error-report:{once}" if ONCE_RE.fullmatch(once) else None
    if error is None and not field_errors and key:
        earlier = services.error_report_by_key(key)
        if earlier is not None:
            letter, code_shown = earlier
            return _render(request, "letters/error_report_done.html",
                           {"letter": letter, "code": code_shown, "page_title": "找错留言已提交"})
    if error is None and not field_errors:
        quota = ratelimit.hit(quota_key, limit=settings.LETTERS_PER_ADDRESS_PER_HOUR, window=ERROR_REPORT_QUOTA_WINDOW)
        if not quota.allowed:
            error, refused = "您提交得太频繁了,请一小时后再试。", quota
    if error is None and not field_errors:
        try:
            letter, code_shown = services.error_report_submit(**fields, ip=ratelimit.client_ip(request),
                                                              idempotency_key=key)
        except DomainError as exc:
            ratelimit.undo(quota_key)
            field_errors = exc.field_errors
            error = None if field_errors else exc.message
        else:
            return _render(request, "letters/error_report_done.html",
                           {"letter": letter, "code": code_shown, "page_title": "找错留言已提交"})
    response = _render(request, "letters/error_report.html",
                       {**context, "values": values, "error": error, "field_errors": field_errors}, status=400)
    return ratelimit.too_many(response, refused)


def _error_report_limit():
    letter_type = queries.error_report_type()
    return letter_type.time_limit if letter_type else None
