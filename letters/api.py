from datetime import date, datetime

from ninja import Field, Router, Schema

from cityplatform import ratelimit
from orgs.errors import DomainError, NotFound

from . import lookups, services
from .models import LetterType, Mailbox

router = Router(tags=["公开信箱"])


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
    time_limit: int


@router.get("/mailboxes", response={200: list[MailboxOut]}, summary="开放的信箱")
def mailboxes(request):
    return list(Mailbox.objects.filter(active=True).values("code", "name", "is_mayor"))


@router.get("/letter-types", response=list[LetterTypeOut], summary="来信类型及办理时限(工作日)")
def letter_types(request):
    return list(LetterType.objects.filter(active=True).values("code", "name", "time_limit"))


# Every status the intake can answer (400 a rule, 401/403 no challenge or token,
# 404 an unknown mailbox or type, 409 a reused key, 413/415 size and type of the
# body, 422 a body that is not the schema, 429 the quota).
@router.post("/letters", response={201: LetterCreated, 200: LetterCreated, 400: Error, 401: Error, 403: Error, 404: Error,
                                   409: Error, 413: Error, 415: Error, 422: Error, 429: Error}, summary="提交来信(以 Idempotency-Key 头防止重复提交)")
def submit_letter(request, payload: LetterIn):
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (8 <= len(key) <= 80):
        raise DomainError("Idempotency-Key 长度应为8到80个字符。", field="Idempotency-Key")
    mailbox = lookups.mailbox_by_code(payload.mailbox)
    if mailbox is None:
        raise NotFound("没有这个信箱。")
    letter_type = lookups.letter_type_by_code(payload.letter_type)
    if letter_type is None:
        raise NotFound("没有这个来信类型。")
    letter, code = services.letter_submit(
        mailbox=mailbox, letter_type=letter_type, name=payload.name, phone=payload.phone, email=payload.email,
        title=payload.title, body=payload.body, consent_publish=payload.consent_publish,
        ip=ratelimit.client_ip(request), source="api", idempotency_key=f"api:{key}" if key else None,
    )
    return 201, {"serial": letter.serial, "query_code": code, "status": letter.status}


@router.post("/letters/track", response={200: LetterStatus, 400: Error, 404: Error, 422: Error, 429: Error}, summary="凭查询码查询来信")
def track_letter(request, payload: TrackIn):
    letter = services.letter_find_guarded(code=payload.query_code, check=payload.check, client=ratelimit.client_ip(request))
    reply = letter.replies.filter(approved_at__isnull=False).order_by("-approved_at").first()
    return {
        "serial": letter.serial, "title": letter.title, "status": letter.status, "status_label": letter.get_status_display(),
        "handling_unit": letter.handling_unit.name if letter.handling_unit else None, "due_on": letter.due_on,
        "deadline_explanation": services.deadline_explanation(letter), "overdue": services.is_overdue(letter),
        "events": [{"at": e.at, "text": e.reason} for e in letter.events.filter(public=True)],
        "reply": reply.body if reply else None, "reply_unit": reply.unit.name if reply else None,
    }
