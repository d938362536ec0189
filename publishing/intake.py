"""The publish API (N-2.4b): business systems submit articles and government
documents into their unit's review and withdraw them; the columns each may fill.

The business systems themselves are machine clients of ``orgs`` (``orgs.clients``:
registration, scopes, tokens, expiry, revocation); a client needs the ``publish``
scope to reach this API (``publishing.api``)."""

import base64
import binascii
import hashlib
import html
import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from guard import audit
from guard.screening import html_text, screen_page
from guard.services import check_upload
from orgs.errors import DomainError, NotFound, PermissionRefused
from orgs.authority import may_manage_clients
from portal.models import ColumnPage

from .models import ApiSubmission, PublishGrant, WithdrawalState
from .queries import client_columns, site_root_paths, unit_columns

IDEMPOTENCY_KEY_LENGTH = (8, 80)
MAX_ATTACHMENTS = 10

ARTICLE_FIELDS = {"title", "summary", "source", "pub_date", "author"}
DOCUMENT_FIELDS = {
    "title", "summary", "source", "pub_date", "doc_type", "issuing_organ", "document_number", "date_written",
    "topic", "keywords", "validity",
}


class ScreeningRefused(DomainError):
    """A submission with lexicon hits; ``hits`` say which term, where and why."""

    code = "screening"

    def __init__(self, hits):
        super().__init__("机器筛查未通过,内容未保存:" + ";".join(h.describe() for h in hits))
        self.hits = hits


@dataclass(frozen=True)
class IncomingAttachment:
    filename: str
    content_base64: str
    label: str = ""


def _check_columns(client, columns):
    columns = list(columns or [])
    own = set(unit_columns(client.unit).filter(pk__in=[c.pk for c in columns]).values_list("pk", flat=True))
    foreign = [c.title for c in columns if c.pk not in own]
    if foreign:
        raise DomainError(f"以下栏目不属于{client.unit.name}的网站:{'、'.join(foreign)}。", field="columns")
    return columns


@transaction.atomic
def publish_grant_set(*, client, columns, actor=None):
    """The columns ``client`` may submit to (none: every column of its unit's sites).

    Who may: whoever manages the client in ``orgs`` (the management centre, or the
    site administrator of the client's unit); ``actor=None`` is the platform itself.
    """
    if actor is not None and not may_manage_clients(actor, client.unit):
        raise PermissionRefused(f"您不能管理{client.unit.name}的接口客户端。")
    columns = _check_columns(client, columns)
    before = sorted(PublishGrant.objects.filter(client=client).values_list("column_id", flat=True))
    after = sorted({c.pk for c in columns})
    if before == after:
        return columns
    PublishGrant.objects.filter(client=client).exclude(column_id__in=after).delete()
    PublishGrant.objects.bulk_create([PublishGrant(client=client, column_id=pk) for pk in after if pk not in before])
    audit.record(client, "publishing.grant.update", actor=actor, before={"columns": before}, after={"columns": after})
    return columns


def _check_idempotency_key(key):
    key = (key or "").strip()
    low, high = IDEMPOTENCY_KEY_LENGTH
    if not (low <= len(key) <= high) or not key.isascii() or not key.isprintable():
        raise DomainError(f"请求头 Idempotency-Key 必填,应为{low}到{high}个可见的 ASCII 字符(如 UUID)。",
                          field="Idempotency-Key")
    return key


def _fingerprint(*, kind, column_id, fields, body, body_format, attachments):
    digest = {
        "kind": kind, "column": column_id, "fields": fields, "body": body, "body_format": body_format,
        "attachments": [(a.filename, a.label, hashlib.sha256(a.content_base64.encode()).hexdigest())
                        for a in attachments],
    }
    return hashlib.sha256(json.dumps(digest, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def _replay(client, key, fingerprint):
    existing = ApiSubmission.objects.filter(client=client, idempotency_key=key).first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise DomainError("这个 Idempotency-Key 已用于另一份内容;新内容请换一个 Idempotency-Key。", code="conflict",
                          field="Idempotency-Key")
    return existing


def column_for_client(*, client, column_id):
    """The column ``client`` may submit to, or a NotFound / PermissionRefused saying why not."""
    column = ColumnPage.objects.filter(pk=column_id).first()
    if column is None:
        raise NotFound("没有这个栏目。", field="column")
    if not client_columns(client).filter(pk=column.pk).exists():
        raise PermissionRefused(f"本接口不能向栏目「{column.title}」提交内容:它不是{client.unit.name}网站上"
                                "开放给本接口的已发布栏目。", field="column")
    return column


def _supersedes(client, index_number):
    if not index_number:
        return None
    from disclosure.models import GovDocumentPage

    found = GovDocumentPage.objects.filter(index_number=index_number)
    for root_path in site_root_paths(client.unit):
        document = found.filter(path__startswith=root_path).first()
        if document is not None:
            return document
    raise DomainError(f"本单位没有索引号为 {index_number} 的文件。", field="supersedes")


def body_to_rich_text(body, *, fmt="html", features=None):
    """The body as the rich-text editor stores it. Plain text is a paragraph a line;
    HTML goes through the platform's one sanitiser (nh3, then Wagtail's own editor
    converter with the body field's ``features``), the one that also cleans migrated
    sites' pages."""
    from guard.sanitize import clean_body

    if fmt == "text":
        body = "".join(f"<p>{html.escape(line.strip())}</p>" for line in (body or "").splitlines() if line.strip())
    return clean_body(body or "", features=features).html


def _build_page(*, client, kind, fields, body, body_format):
    from disclosure.models import GovDocumentPage
    from portal.models import ArticlePage

    allowed = ARTICLE_FIELDS if kind == ApiSubmission.KIND_ARTICLE else DOCUMENT_FIELDS
    unknown = set(fields) - allowed - {"supersedes"}
    if unknown:
        raise DomainError(f"不认识的字段:{'、'.join(sorted(unknown))}。")
    values = {k: v for k, v in fields.items() if k in allowed and v is not None}
    if values.get("pub_date") is not None and timezone.is_naive(values["pub_date"]):
        values["pub_date"] = timezone.make_aware(values["pub_date"])
    if values.get("pub_date") is not None and values["pub_date"] > timezone.now() + timedelta(days=1):
        # A future date would keep the item at the top of every listing; to publish
        # later, submit later.
        raise DomainError("发布日期不能晚于今天。", field="pub_date")
    model = ArticlePage if kind == ApiSubmission.KIND_ARTICLE else GovDocumentPage
    values["body"] = body_to_rich_text(body, fmt=body_format, features=model._meta.get_field("body").features)
    if not html_text(values["body"]).strip():
        raise DomainError("正文不能为空。", field="body")
    if model is ArticlePage:
        return ArticlePage(**values)
    return GovDocumentPage(supersedes=_supersedes(client, fields.get("supersedes")), **values)


def _decode_attachments(attachments):
    if len(attachments) > MAX_ATTACHMENTS:
        raise DomainError(f"附件最多{MAX_ATTACHMENTS}个。", field="attachments")
    decoded = []
    for item in attachments:
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DomainError(f"附件「{item.filename}」的内容不是有效的 base64 编码。", field="attachments") from exc
        try:
            check_upload(name=item.filename, size=len(content), head=content[:8192],
                         allowed=settings.WAGTAILDOCS_EXTENSIONS)
        except DomainError as exc:
            raise DomainError(f"附件「{item.filename}」:{exc.message}", code=exc.code, field="attachments") from exc
        decoded.append((item, content))
    return decoded


def _store_document(*, client, filename, content, label, stored):
    from wagtail.documents.models import Document

    document = Document(title=(label or filename.rsplit(".", 1)[0])[:255], collection=client.unit.collection,
                        uploaded_by_user=client.user)
    document.file.save(filename, ContentFile(content), save=False)
    stored.append(document.file.name)
    document.file_size = len(content)
    document._set_file_hash()
    document.save()
    return document


def _remove_files(names):
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def api_submit(*, client, idempotency_key, column_id, kind, fields, body, body_format="html", attachments=()):
    """Take in an article or a government document from ``client``'s business system.

    Returns ``(submission, created)``. The item is screened before anything is
    stored (a hit raises :class:`ScreeningRefused`), then created as a draft in the
    column and started on the unit's review workflow in one transaction; the client
    cannot publish it. A repeated request with the same ``idempotency_key`` and
    the same content returns the first submission; other content under a used key
    is refused. On any refusal nothing is stored, attachment files included.
    """
    from portal.models import ContentAttachment
    from portal.services import page_create, page_submit_for_review

    if kind not in (ApiSubmission.KIND_ARTICLE, ApiSubmission.KIND_DOCUMENT):
        raise DomainError(f"未知的内容类型:{kind}")
    key = _check_idempotency_key(idempotency_key)
    attachments = list(attachments)
    fingerprint = _fingerprint(kind=kind, column_id=column_id, fields=fields, body=body, body_format=body_format,
                               attachments=attachments)
    existing = _replay(client, key, fingerprint)
    if existing is not None:
        return existing, False
    column = column_for_client(client=client, column_id=column_id)
    page = _build_page(client=client, kind=kind, fields=fields, body=body, body_format=body_format)
    files = _decode_attachments(attachments)
    attachment_names = {"附件名称": "\n".join(item.label or item.filename for item, _ in files)} if files else None
    hits = screen_page(page, extra=attachment_names)
    if hits:
        raise ScreeningRefused(hits)

    stored = []
    try:
        with transaction.atomic():
            # The key is taken first: a concurrent duplicate waits here, then fails on the constraint.
            submission = ApiSubmission.objects.create(client=client, idempotency_key=key, fingerprint=fingerprint,
                                                      kind=kind, column=column, title=page.title)
            page.attachments = [
                ContentAttachment(document=_store_document(client=client, filename=item.filename, content=content,
                                                           label=item.label, stored=stored), label=item.label)
                for item, content in files
            ]
            page = page_create(parent=column, page=page, actor=client.user)
            submission.page = page
            submission.save(update_fields=["page"])
            page_submit_for_review(page=page, actor=client.user)
            audit.record(page, "publishing.api.submit", actor=client.user, client=client.pk, client_name=client.name,
                         idempotency_key=key)
    except IntegrityError:
        _remove_files(stored)
        existing = _replay(client, key, fingerprint)
        if existing is not None:
            return existing, False
        raise
    except BaseException:
        _remove_files(stored)
        raise
    return submission, True


def _lock_submission(submission):
    return ApiSubmission.objects.select_for_update().select_related("client", "client__user").get(pk=submission.pk)


@transaction.atomic
def api_withdraw(*, submission, reason=""):
    """The business system takes back an item it submitted.

    Still in review (or sent back): the review is cancelled at once and the item
    stays an unpublished draft. Published: a withdrawal request goes to the unit,
    whose leader unpublishes it (:func:`api_withdrawal_decide`); the API itself
    never takes a page off the site, as it never puts one on.
    """
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise DomainError("撤稿理由最多500个字。", field="reason")
    submission = _lock_submission(submission)
    if submission.withdrawal in (WithdrawalState.REQUESTED, WithdrawalState.WITHDRAWN):
        return submission  # asked twice: the first request stands
    if submission.page is None:
        raise DomainError("这份内容已被删除。", code="state")
    page = submission.page.specific
    now = timezone.now()
    user = submission.client.user
    before = submission.withdrawal
    submission.withdrawal_reason = reason
    submission.withdrawal_requested_at = now
    submission.withdrawal_comment = ""
    submission.withdrawal_decided_by = None
    if page.live:
        submission.withdrawal = WithdrawalState.REQUESTED
        submission.withdrawal_decided_at = None
        audit.record(page, "publishing.api.withdrawal_request", actor=user, before={"withdrawal": before},
                     after={"withdrawal": WithdrawalState.REQUESTED}, submission=submission.pk, reason=reason)
    else:
        state = page.current_workflow_state
        if state is not None:
            state.cancel(user=user)
        submission.withdrawal = WithdrawalState.WITHDRAWN
        submission.withdrawal_decided_at = now
        audit.record(page, "publishing.api.withdraw", actor=user, before={"withdrawal": before},
                     after={"withdrawal": WithdrawalState.WITHDRAWN}, submission=submission.pk, reason=reason)
    submission.save()
    return submission


@transaction.atomic
def api_withdrawal_decide(*, submission, actor, approve, comment=""):
    """A leader of the unit takes a published item down at its business system's
    request, or declines with a reason."""
    submission = _lock_submission(submission)
    if submission.withdrawal != WithdrawalState.REQUESTED:
        raise DomainError("这份撤稿申请已经处理过了。", code="state")
    page = submission.page.specific if submission.page else None
    if page is None or not page.live:
        raise DomainError("这份内容已不在网站上。", code="state")
    if not page.permissions_for_user(actor).can_unpublish():
        raise PermissionRefused("只有本单位分管领导(或网站管理员)能处理撤稿申请。")
    comment = (comment or "").strip()
    if not approve and not comment:
        raise DomainError("不予撤下时请写明理由,接口会把它告诉业务系统。", field="comment")
    if approve:
        page.unpublish(user=actor, log_action=True)  # the page's own log says it went off the site
    submission.withdrawal = WithdrawalState.WITHDRAWN if approve else WithdrawalState.DECLINED
    submission.withdrawal_decided_at = timezone.now()
    submission.withdrawal_decided_by = actor
    submission.withdrawal_comment = comment[:500]
    submission.save()
    audit.record(page, "publishing.api.withdrawal_approve" if approve else "publishing.api.withdrawal_decline",
                 actor=actor, before={"withdrawal": WithdrawalState.REQUESTED},
                 after={"withdrawal": submission.withdrawal}, submission=submission.pk,
                 comment=submission.withdrawal_comment)
    return submission
