"""The public mailbox's open API: citizens' apps and business systems (12345 hotline,
service halls) submit and track letters.

Submitting has the form's defences: a one-time challenge for anonymous callers
(``GET /letters/challenge``) or the bearer token of a business system (an
``orgs.MachineClient`` with the ``letters.intake`` scope), a quota per client,
JSON only, and no request a browser sends from another web site. No cookie counts
here: a logged-in visitor is as anonymous to this API as anyone.
"""

import hashlib
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from guard import challenge, codes, ratelimit
from guard.webrequests import refuse_cross_site, require_json
from orgs.api_auth import MachineClientAuth
from orgs.errors import DomainError, NotFound
from orgs.scopes import LETTERS_INTAKE

from . import lookups, queries, services
from .models import Letter, LetterType, Mailbox
from .views import LETTER_QUOTA_WINDOW, letter_quota_key

router = Router(tags=["公开信箱"])

# A business system (12345 hotline, service hall) with the letters.intake scope; a token
# without it is a 403, an expired or revoked one a 401 (orgs.api_auth).
business_system = MachineClientAuth(LETTERS_INTAKE)


class Anonymous:
    """``request.auth`` of a caller without a token."""

    pk = None

    def __bool__(self):
        return True


ANONYMOUS = Anonymous()


def browser_safe(request):
    """JSON only and nothing from another site; passes on (None) to the next check."""
    require_json(request)
    refuse_cross_site(request)
    return None


def anonymous(request):
    """A caller without ``Authorization``; one that sent a wrong token is refused (401)."""
    if request.META.get("HTTP_AUTHORIZATION"):
        return None
    request.user = AnonymousUser()  # a session cookie never stands in for a token or a challenge
    return ANONYMOUS


class Error(Schema):
    code: str
    message: str


class LetterIn(Schema):
    mailbox: str = Field(..., description="信箱代码,如 mayor")
    letter_type: str = Field(..., description="来信类型代码,如 complaint")
    name: str
    phone: str
    email: str = ""
    title: str
    body: str
    consent_publish: bool = False
    challenge_token: str = Field("", description="匿名提交必填:GET /letters/challenge 取得的 token,只能使用一次")
    challenge_answer: str = Field("", description="匿名提交必填:验证题的答案")


class ChallengeOut(Schema):
    question: str = Field(..., description="给来信人看的验证题,如“3 加 5 等于几?”")
    token: str = Field(..., description="与答案一起提交;只能使用一次")
    expires_in: int = Field(..., description="有效秒数")


class LetterCreated(Schema):
    serial: str
    query_code: str
    status: str


class TrackIn(Schema):
    query_code: str
    check: str = Field(..., description="手机号后四位;无手机号的来信填电子邮箱")


class EventOut(Schema):
    at: datetime
    text: str


class LetterStatus(Schema):
    serial: str
    title: str
    status: str
    status_label: str
    handling_unit: str | None
    due_on: date | None
    deadline_explanation: str
    overdue: bool
    events: list[EventOut]
    reply: str | None
    reply_unit: str | None


class MailboxOut(Schema):
    code: str
    name: str
    is_mayor: bool


class LetterTypeOut(Schema):
    code: str
    name: str
    time_limit: int = Field(description="本单位直接办理时的答复时限(工作日)")
    assigned_time_limit: int | None = Field(
        None, description="市长信箱交有关单位办理时的答复时限(工作日),与分办时实际适用的时限一致")


@router.get("/mailboxes", response={200: list[MailboxOut]}, summary="开放的信箱")
def mailboxes(request):
    return list(Mailbox.objects.filter(active=True).values("code", "name", "is_mayor"))


class ReplyOut(Schema):
    title: str
    url: str
    unit: str
    replied_at: datetime | None


class FiguresOut(Schema):
    received: int
    replied: int
    on_time_rate: float | None
    satisfaction: float | None


class SummaryOut(Schema):
    replies: list[ReplyOut]
    figures: FiguresOut
    figures_at: datetime | None


@router.get("/mailbox-summary", response={200: SummaryOut, 404: Error, 414: Error, 422: Error},
            summary="信箱概况:最新公开的答复和统计(网站首页的“互动交流”读取它)")
def mailbox_summary(request, response: HttpResponse,
                    unit: int | None = Query(None, ge=1, le=2**63 - 1, description="单位编号;不填为全市")):
    """What a home page's 互动交流 shows beside its links: the latest published replies
    and the all-time figures, of one unit or of the whole city. A baked home page
    loads it, so these stay current between publications."""
    from django.urls import reverse

    from orgs.models import Unit

    from .queries import home_interaction

    unit_id = None
    if unit is not None:
        unit_id = Unit.objects.filter(pk=unit).values_list("pk", flat=True).first()
        if unit_id is None:
            raise NotFound("没有这个单位。")
    section = home_interaction(unit_id=unit_id, replies_of=unit_id)
    response["Cache-Control"] = "public, max-age=60"
    figures = section["figures"]
    return {"replies": [{"title": r.public_title, "url": reverse("letters:published_detail", args=[r.serial]),
                         "unit": r.handling_unit.name if r.handling_unit_id else "", "replied_at": r.replied_at}
                        for r in section["replies"]],
            "figures": {"received": figures["received"], "replied": figures["replied"],
                        "on_time_rate": figures["on_time_rate"], "satisfaction": figures["satisfaction"]},
            "figures_at": section["figures_at"]}


@router.get("/letter-types", response=list[LetterTypeOut], summary="来信类型及办理时限(工作日)")
def letter_types(request):
    # The limits routing applies, as the write form shows them (not the type's own alone).
    mayor = Mailbox.objects.filter(is_mayor=True, active=True).select_related("unit").first()
    result = []
    for letter_type in LetterType.objects.filter(active=True).exclude(code=queries.ERROR_REPORT_TYPE):
        own, assigned = services.promised_time_limits(mayor, letter_type) if mayor else (letter_type.time_limit, None)
        result.append({"code": letter_type.code, "name": letter_type.name, "time_limit": own,
                       "assigned_time_limit": assigned})
    return result


@router.get("/letters/challenge", response=ChallengeOut, summary="取得一道验证题(匿名提交来信前)")
def letter_challenge(request):
    question, token = challenge.new_challenge()
    return {"question": question, "token": token, "expires_in": challenge.MAX_AGE}


# The token is optional (ninja lists it as required): anonymous callers answer a challenge.
TOKEN_OPTIONAL = {"security": [{}]}
SUBMIT_ERRORS = {code: Error for code in (400, 401, 403, 404, 409, 413, 415, 422, 429)}
CONTENT_FIELDS = ("mailbox", "letter_type", "name", "phone", "email", "title", "body", "consent_publish")


def _stored_key(request, key):
    """The Idempotency-Key as stored: bound to the caller (a business system, or an
    anonymous caller's address), so nobody can reach another caller's letter by
    sending its key."""
    scope = f"client:{request.auth.pk}" if request.auth is not ANONYMOUS else f"address:{ratelimit.client_key(request)}"
    return "api:" + hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()


def _same_content(letter, payload):
    sent = {field: getattr(payload, field) for field in CONTENT_FIELDS}
    sent = {field: value.strip() if isinstance(value, str) else value for field, value in sent.items()}
    stored = {"mailbox": letter.mailbox.code, "letter_type": letter.letter_type.code, "name": letter.writer_name,
              "phone": letter.writer_phone, "email": letter.writer_email, "title": letter.title, "body": letter.body,
              "consent_publish": letter.consent_publish}
    return sent == stored


KEY_CONFLICT = "此 Idempotency-Key 已用于内容不同的另一次提交:新来信请换一个键。"


@router.post("/letters", response={201: LetterCreated, **SUBMIT_ERRORS}, auth=[browser_safe, business_system, anonymous],
             summary="提交来信(以 Idempotency-Key 头防止重复提交)",
             description=("匿名提交须先 GET /letters/challenge 取得验证题并在 challenge_token、challenge_answer 中作答"
                          "(每题只能用一次);业务系统以令牌(Authorization: Bearer)提交,无需验证题。只接受 "
                          "application/json;不接受其他网站经浏览器发起的请求。每个地址每小时、每个业务系统每小时"
                          "可提交的来信有上限,超出答复 429。同一调用方以相同 Idempotency-Key 重复提交相同内容,"
                          "返回第一次的结果;内容不同答复 409。"),
             openapi_extra=TOKEN_OPTIONAL)
def submit_letter(request, response: HttpResponse, payload: LetterIn):
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (8 <= len(key) <= 80 and key.isascii() and key.isprintable()):
        raise DomainError("Idempotency-Key 应为8到80个可见的 ASCII 字符。", field="Idempotency-Key")
    stored_key = _stored_key(request, key) if key else None
    if stored_key:
        existing = Letter.objects.select_related("mailbox", "letter_type").filter(idempotency_key=stored_key).first()
        if existing is not None:
            return _replayed(response, existing, payload)
    if request.auth is ANONYMOUS and not challenge.passes(payload.challenge_token, payload.challenge_answer):
        return Status(403, {"code": "challenge_failed", "message": (
            "匿名提交须回答验证题:请先 GET /api/v1/letters/challenge,把 token 和答案放在 challenge_token、"
            "challenge_answer 中提交;每道题只能使用一次,答错或过期须重新获取。业务系统请以令牌提交。")})
    mailbox = lookups.mailbox_by_code(payload.mailbox)
    if mailbox is None:
        raise NotFound("没有这个信箱。")
    letter_type = lookups.letter_type_by_code(payload.letter_type)
    if letter_type is None:
        raise NotFound("没有这个来信类型。")
    if request.auth is ANONYMOUS:
        quota_key, limit = letter_quota_key(ratelimit.client_key(request)), settings.LETTERS_PER_ADDRESS_PER_HOUR
    else:
        quota_key, limit = f"letters-client:{request.auth.pk}", settings.LETTERS_PER_CLIENT_PER_HOUR
    quota = ratelimit.hit(quota_key, limit=limit, window=LETTER_QUOTA_WINDOW)
    if not quota.allowed:
        response["Retry-After"] = str(quota.retry_after)
        minutes = quota.retry_after // 60 + 1
        return Status(429, {"code": "too_many", "message": f"提交过于频繁:每小时最多 {limit} 封,请 {minutes} 分钟后再试。"})
    try:
        letter, code = services.letter_submit(
            mailbox=mailbox, letter_type=letter_type, name=payload.name, phone=payload.phone, email=payload.email,
            title=payload.title, body=payload.body, consent_publish=payload.consent_publish,
            ip=ratelimit.client_ip(request), source="api", idempotency_key=stored_key,
        )
    except DomainError:
        ratelimit.undo(quota_key)
        raise
    if not _same_content(letter, payload):  # another request with this key was stored a moment before
        ratelimit.undo(quota_key)
        return Status(409, {"code": "conflict", "message": KEY_CONFLICT})
    return Status(201, {"serial": letter.serial, "query_code": code, "status": letter.status})


def _replayed(response, letter, payload):
    """The answer to a repeated key: the first letter if the content is the same;
    nothing about it otherwise."""
    if not _same_content(letter, payload):
        return Status(409, {"code": "conflict", "message": KEY_CONFLICT})
    response["Idempotent-Replayed"] = "true"
    return Status(201, {"serial": letter.serial, "query_code": codes.query_code(letter.serial, letter.query_nonce),
                        "status": letter.status})


@router.post("/letters/track", response={200: LetterStatus, **{c: Error for c in (400, 401, 403, 404, 413, 415, 422, 429)}},
             auth=[browser_safe, business_system, anonymous], summary="凭查询码查询来信",
             openapi_extra=TOKEN_OPTIONAL)
def track_letter(request, payload: TrackIn):
    letter = services.letter_find_guarded(code=payload.query_code, check=payload.check, client=ratelimit.client_key(request))
    reply = letter.replies.filter(approved_at__isnull=False).order_by("-approved_at").first()
    return {
        "serial": letter.serial, "title": letter.title, "status": letter.status, "status_label": letter.get_status_display(),
        "handling_unit": letter.handling_unit.name if letter.handling_unit else None, "due_on": letter.due_on,
        "deadline_explanation": services.deadline_explanation(letter), "overdue": services.is_overdue(letter),
        "events": [{"at": e.at, "text": e.reason} for e in letter.events.filter(public=True)],
        "reply": reply.body if reply else None, "reply_unit": reply.unit.name if reply else None,
    }
