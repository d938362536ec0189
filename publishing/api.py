"""The publish API (N-2.4b): a unit's business systems submit articles and
government documents into the unit's review, follow them, and take them back.

A thin face over ``publishing.intake``; see ``docs/publish-api.md``.
"""

from datetime import date, datetime
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Header, Router, Schema
from ninja.responses import Status

from disclosure.models import DocumentType, TopicCategory, Validity
from orgs.api_auth import MachineClientAuth
from orgs.errors import NotFound
from orgs.scopes import PUBLISH

from . import intake, queries
from .models import ApiSubmission

# ``request.auth`` is the orgs.MachineClient whose token was sent; it needs the publish scope.
router = Router(tags=["发布接口"], auth=MachineClientAuth(PUBLISH))


class Strict(Schema):
    model_config = {"extra": "forbid"}  # a misspelt field is an error, not silently dropped


class Error(Schema):
    code: str
    message: str


class HitOut(Schema):
    field: str = Field(..., description="字段名称,如 标题、正文")
    term: str
    kind: str
    kind_label: str
    start: int = Field(..., description="在字段文本中的起始位置(从0开始;正文为去掉标签后的文本,其他字段为原文)")
    end: int = Field(..., description="结束位置(不含)")
    reason: str
    correct_form: str
    context: str


class PublishError(Schema):
    code: str
    message: str
    hits: list[HitOut] = Field(default_factory=list, description="机器筛查命中的词(code 为 screening 时)")


class ColumnOut(Schema):
    id: int
    title: str
    trail: str = Field(..., description="网站 / 栏目 / 子栏目")
    kind: str
    kind_name: str
    category: str
    url: str | None


class AttachmentIn(Strict):
    filename: str = Field(..., min_length=1, max_length=100, description="文件名,含扩展名,如 附件1.pdf")
    content_base64: str = Field(..., min_length=1, description="文件内容的 base64 编码")
    label: str = Field("", max_length=200, description="在页面上显示的名称;不填用文件名")


class ItemIn(Strict):
    column: int = Field(..., ge=1, le=2**63 - 1, description="栏目编号(见 GET /publish/columns)")
    title: str = Field(..., min_length=1, max_length=255)
    body: str = Field(..., min_length=1, description="正文:HTML(只保留段落、标题、列表、加粗、链接等)或纯文本")
    body_format: Literal["html", "text"] = Field("html", description="text:纯文本,每行一段")
    summary: str = Field("", max_length=300)
    source: str = Field("", max_length=100, description="信息来源")
    pub_date: datetime | None = Field(None, description="发布日期;不填为提交时间;不带时区按北京时间")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=intake.MAX_ATTACHMENTS)


class ArticleIn(ItemIn):
    author: str = Field("", max_length=60)


class DocumentIn(ItemIn):
    doc_type: Literal[tuple(DocumentType.values)] = Field(..., description="文件类型:" + "、".join(
        f"{v} {label}" for v, label in DocumentType.choices))
    issuing_organ: str = Field(..., min_length=1, max_length=100, description="发文机关")
    document_number: str = Field("", max_length=60, description="发文字号;规范性文件必填")
    date_written: date = Field(..., description="成文日期")
    topic: Literal[tuple(TopicCategory.values)] = Field(TopicCategory.GENERAL.value, description="主题分类")
    keywords: str = Field("", max_length=200, description="主题词")
    validity: Literal[tuple(Validity.values)] = Field(Validity.IN_FORCE.value, description="效力状态")
    supersedes: str | None = Field(None, max_length=80, description="被本文件修改或替代的本单位文件的索引号")


class WithdrawIn(Strict):
    reason: str = Field("", max_length=500, description="撤稿理由")


class SubmissionOut(Schema):
    id: int
    kind: str
    title: str
    column: int | None
    page_id: int | None
    idempotency_key: str
    submitted_at: datetime
    status: str = Field(..., description="in_review / rejected / published / withdrawal_requested / withdrawn / "
                                         "unpublished / cancelled / deleted")
    status_label: str
    step: str | None = Field(None, description="审核中:当前所在的审核环节;退回:退回的环节")
    step_number: int | None = Field(None, description="环节序号:1 机器筛查,2 审核,3 领导审签")
    comment: str = Field("", description="退回意见、撤稿处理意见")
    url: str | None = Field(None, description="已发布时的公开地址")
    published_at: datetime | None
    index_number: str | None = Field(None, description="政府文件的索引号")
    withdrawal_requested_at: datetime | None


# Every status an operation can answer: 400 a body too large or refused by a rule,
# 401 no valid token (or an expired or revoked client), 403 a client without the
# publish scope or a column of another unit, 404 an id that names nothing
# (out of range included), 409 a reused Idempotency-Key, 422 a body that is not the schema.
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _out(submission):
    status = queries.submission_status(submission)
    return {
        "id": submission.pk, "kind": submission.kind, "title": submission.title, "column": submission.column_id,
        "page_id": submission.page_id, "idempotency_key": submission.idempotency_key,
        "submitted_at": submission.created_at, "status": status["code"], "status_label": status["label"],
        "step": status["step"], "step_number": status["step_number"], "comment": status["comment"],
        "url": status["url"], "published_at": status["published_at"], "index_number": status["index_number"],
        "withdrawal_requested_at": submission.withdrawal_requested_at,
    }


def _hit(hit):
    return {"field": hit.field, "term": hit.term, "kind": hit.kind, "kind_label": str(hit.kind_label),
            "start": hit.start, "end": hit.end, "reason": hit.reason, "correct_form": hit.correct_form, "context": hit.context}


def _submit(request, response, payload, kind, idempotency_key):
    fields = payload.dict(exclude={"column", "body", "body_format", "attachments"})
    attachments = [intake.IncomingAttachment(a.filename, a.content_base64, a.label) for a in payload.attachments]
    try:
        submission, created = intake.api_submit(
            client=request.auth, idempotency_key=idempotency_key, column_id=payload.column, kind=kind, fields=fields,
            body=payload.body, body_format=payload.body_format, attachments=attachments,
        )
    except intake.ScreeningRefused as exc:
        return Status(400, {"code": exc.code, "message": exc.message, "hits": [_hit(h) for h in exc.hits]})
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201 if created else 200, _out(submission))


SUBMIT_RESPONSES = {201: SubmissionOut, 200: SubmissionOut, **ERRORS, 400: PublishError}
KEY_HEADER = Header(None, alias="Idempotency-Key", description="本次提交的唯一标识(8–80个 ASCII 字符,如 UUID);重试时原样再发")


@router.get("/columns", response={200: list[ColumnOut], **ERRORS}, summary="本接口可以提交的栏目")
def list_columns(request):
    columns = list(queries.client_columns(request.auth))
    trails = queries.column_trails(columns)
    return [
        {"id": c.pk, "title": c.title, "trail": trails[c.pk], "kind": c.kind.code, "kind_name": c.kind.name,
         "category": c.kind.category, "url": c.get_full_url(request)}
        for c in columns
    ]


@router.post("/articles", response=SUBMIT_RESPONSES, summary="提交文章,进入本单位三审")
def submit_article(request, response: HttpResponse, payload: ArticleIn, idempotency_key: str | None = KEY_HEADER):
    return _submit(request, response, payload, ApiSubmission.KIND_ARTICLE, idempotency_key)


@router.post("/documents", response=SUBMIT_RESPONSES,
             summary="提交政府文件(公告、通告、公示、便民告示、规范性文件),进入本单位三审")
def submit_document(request, response: HttpResponse, payload: DocumentIn, idempotency_key: str | None = KEY_HEADER):
    return _submit(request, response, payload, ApiSubmission.KIND_DOCUMENT, idempotency_key)


def _own_submission(request, submission_id):
    submission = ApiSubmission.objects.filter(pk=submission_id, client=request.auth).select_related("page").first()
    if submission is None:
        raise NotFound("本接口没有这份提交。")
    return submission


# {id:…} is the API's id converter (cityplatform/api.py): an id out of range is a 404.
@router.get("/submissions/{id:submission_id}", response={200: SubmissionOut, **ERRORS}, summary="提交的办理状态")
def submission_status(request, submission_id: int):
    return _out(_own_submission(request, submission_id))


@router.post("/submissions/{id:submission_id}/withdraw", response={200: SubmissionOut, **ERRORS},
             summary="撤回:审核中的立即撤回;已发布的申请撤下,由本单位分管领导处理")
def withdraw(request, submission_id: int, payload: WithdrawIn):
    submission = intake.api_withdraw(submission=_own_submission(request, submission_id), reason=payload.reason)
    return _out(submission)
