"""Citizens' pages of the public mailbox: write, track, rate, read published letters."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control, cache_page, never_cache
from django.views.decorators.http import require_POST

from cityplatform import ratelimit
from orgs.errors import DomainError
from orgs.models import Unit
from portal.queries import portal_context

from . import challenge, files, queries, services
from .models import Attachment, LetterType, Mailbox, NotAcceptedReason, Rating, Status

LETTERS_PER_IP_PER_HOUR = 5


def _render(request, template, context, status=200):
    return render(request, template, {**portal_context(), **context}, status=status)


@cache_control(public=True, max_age=300)
def index(request):
    return _render(request, "letters/index.html", {"mailboxes": queries.active_mailboxes(), "page_title": "公开信箱"})


@never_cache
def write(request, code):
    mailbox = get_object_or_404(Mailbox, code=code, active=True)
    types = LetterType.objects.filter(active=True)
    # The limits the routing will apply (services.routing_time_limit), not the type's alone.
    limits = [(t, *services.promised_time_limits(mailbox, t)) for t in types]
    context = {"mailbox": mailbox, "types": types, "limits": limits, "reasons": NotAcceptedReason.choices,
               "page_title": f"写信给{mailbox.name}"}
    if request.method != "POST":
        question, token = challenge.new_challenge()
        return _render(request, "letters/write.html", {**context, "question": question, "token": token, "values": {}})
    values = request.POST
    error = _spam_check(request, values)
    if error is None:
        try:
            letter_type = types.get(pk=values.get("letter_type"))
        except (LetterType.DoesNotExist, ValueError):
            error = "请选择来信类型。"
    if error is None:
        try:
            attachments = [(f.name, f.read()) for f in request.FILES.getlist("attachments")]
            letter, code_shown = services.letter_submit(
                mailbox=mailbox, letter_type=letter_type, name=values.get("name", ""), phone=values.get("phone", ""),
                email=values.get("email", ""), title=values.get("title", ""), body=values.get("body", ""),
                consent_publish=values.get("consent_publish") == "on", attachments=attachments,
                ip=ratelimit.client_ip(request),
            )
        except DomainError as exc:
            error = exc.message
        else:
            ratelimit.count(f"letters:{ratelimit.client_ip(request)}", 3600)
            return _render(request, "letters/submitted.html", {"letter": letter, "code": code_shown, "page_title": "来信已提交"})
    question, token = challenge.new_challenge()
    return _render(request, "letters/write.html", {**context, "question": question, "token": token, "values": values,
                                                   "error": error}, status=400)


def _spam_check(request, values):
    if values.get("website"):  # a field people never see; robots fill it in
        return "提交未通过校验,请重试。"
    if not challenge.passes(values.get("challenge_token"), values.get("challenge_answer")):
        return "验证题答案不正确或已过期,请重新作答。"
    if ratelimit.peek(f"letters:{ratelimit.client_ip(request)}") >= LETTERS_PER_IP_PER_HOUR:
        return "您提交得太频繁了,请一小时后再试。"
    return None


@never_cache
def track(request):
    context = {"page_title": "来信查询"}
    if request.method != "POST":
        return _render(request, "letters/track.html", context)
    try:
        letter = services.letter_find_guarded(code=request.POST.get("code"), check=request.POST.get("check"),
                                              client=ratelimit.client_ip(request))
    except DomainError as exc:
        status = 429 if exc.code == "too_many" else 404
        return _render(request, "letters/track.html", {**context, "error": exc.message}, status=status)
    return _render(request, "letters/status.html", {**context, **_status_context(letter), "code": request.POST.get("code"),
                                                    "check": request.POST.get("check")})


@never_cache
@require_POST
def attachment(request, attachment_id):
    """A writer downloads an attachment of their own letter: the same query code and
    second factor as tracking (and the same limit on wrong tries). Staff use the
    admin's view; nobody reaches an attachment by a plain URL."""
    try:
        letter = services.letter_find_guarded(code=request.POST.get("code"), check=request.POST.get("check"),
                                              client=ratelimit.client_ip(request))
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
    }


@never_cache
@require_POST
def rate(request):
    context = {"page_title": "来信查询"}
    try:
        letter = services.letter_find_guarded(code=request.POST.get("code"), check=request.POST.get("check"),
                                              client=ratelimit.client_ip(request))
        letter = services.letter_rate(letter=letter, rating=request.POST.get("rating", ""), comment=request.POST.get("comment", ""))
    except DomainError as exc:
        status = {"too_many": 429, "not_found": 404}.get(exc.code, 400)
        return _render(request, "letters/track.html", {**context, "error": exc.message}, status=status)
    return _render(request, "letters/status.html", {**_status_context(letter), "code": request.POST.get("code"),
                                                    "check": request.POST.get("check"), "rated": True, "page_title": "来信查询"})


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
    rows = [(m, queries.summarise(snapshot.rows, mailbox_id=m.pk)) for m in queries.active_mailboxes()]
    return _render(request, "letters/stats.html", {
        "rows": rows, "criticism": snapshot.criticism, "computed_at": snapshot.computed_at,
        "refresh_minutes": queries.REFRESH_EVERY // 60, "page_title": "信箱统计",
    })
