"""What is searchable, read from the apps that own it: the index entries of a page
(and of its attachments) and of a published letter.

Only live, public pages are searchable: published, under no view restriction, with
every ancestor published, not an alias (the original is found). Of a letter only what
letters stores for the public (the masked ``public_*`` fields, through
``letters.queries.published_letters``); the writer's name, phone, e-mail and the
unmasked text are never read here.
"""

import html
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse

from .models import Kind

logger = logging.getLogger(__name__)


@dataclass
class Item:
    key: str
    kind: str
    object_id: int
    title: str
    url: str
    text: str = ""
    site_id: int | None = None
    column_kind: str = ""
    content_type: str = ""
    meta: dict = field(default_factory=dict)
    date: datetime | None = None
    validity: str = ""
    initials: str = ""


_BLOCK_END = re.compile(r"<(?:br|/p|/li|/h[1-6]|/tr|/td|/th|/div|/blockquote)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")


def html_text(value):
    """The text a reader sees of rich text (blocks on lines of their own)."""
    if not value:
        return ""
    value = _BLOCK_END.sub("\n", str(value))
    return html.unescape(_TAG.sub("", value)).strip()


# --- Pages ---------------------------------------------------------------------------

# Plain-text and rich-text fields read from a page when its type has them, in order.
PAGE_TEXT_FIELDS = ("summary", "body", "legal_basis", "conditions", "handling_body", "place", "fees", "hours",
                    "notes", "interpreter", "source")
RICH_FIELDS = {"body", "notes"}


def distinct_texts(texts):
    """``texts`` without those another one already contains (spacing aside): a summary
    that is also the body's first paragraph is indexed, and shown in a snippet, once."""
    squeezed = [" ".join(t.split()) for t in texts]
    kept = []
    for i, text in enumerate(squeezed):
        if not text:
            continue
        if any(j != i and text in other and (len(other) > len(text) or j < i) for j, other in enumerate(squeezed)):
            continue
        kept.append(texts[i])
    return kept


def page_is_searchable(page):
    from wagtail.models import Page, PageViewRestriction

    if not page.live or page.alias_of_id or page.depth < 3:
        return False
    ancestors = Page.objects.ancestor_of(page, inclusive=True).filter(depth__gt=1)
    if ancestors.filter(live=False).exists():
        return False
    return not PageViewRestriction.objects.filter(page__in=ancestors).exists()


def page_kind(page):
    from disclosure.models import GovDocumentPage, ServiceGuidePage
    from portal.models import ContentPage

    if isinstance(page, GovDocumentPage):
        return Kind.DOCUMENT
    if isinstance(page, ServiceGuidePage):
        return Kind.GUIDE
    if isinstance(page, ContentPage):
        return Kind.ARTICLE
    return None


def page_items(page_id):
    """The entries of page ``page_id`` and its attachments, or [] when it is not searchable."""
    from wagtail.models import Page

    base = Page.objects.filter(pk=page_id).first()
    if base is None:
        return []
    page = base.specific
    kind = page_kind(page)
    if kind is None or not page_is_searchable(page):
        return []
    site = page.get_site()
    column = getattr(page, "parent_column", None)
    column_kind = column.kind.code if column is not None else ""
    texts = []
    for name in PAGE_TEXT_FIELDS:
        value = getattr(page, name, "")
        if value:
            texts.append(html_text(value) if name in RICH_FIELDS else str(value))
    texts = distinct_texts(texts)
    meta = {"type_label": str(page._meta.verbose_name)}
    validity = ""
    initials = ""
    if kind == Kind.DOCUMENT:
        for name in ("document_number", "issuing_organ", "index_number", "keywords"):
            value = getattr(page, name, "")
            if value:
                meta[name] = value
        meta["doc_type"] = page.get_doc_type_display()
        validity = page.validity
        meta["validity_label"] = page.get_validity_display()
    elif kind == Kind.GUIDE:
        from .text import pinyin_initials

        initials = pinyin_initials(page.title)[:200]
        if page.matter_code:
            meta["matter_code"] = page.matter_code
        if page.handling_body:
            meta["handling_body"] = page.handling_body
        texts += [m.name for m in page.materials.all()]
        texts += [f"{s.name} {s.description}" for s in page.steps.all()]
    if getattr(page, "source", "") and kind != Kind.DOCUMENT:
        meta["source"] = page.source
    url = page.get_url() or ""
    items = [Item(
        key=f"page:{page.pk}", kind=kind, object_id=page.pk, title=page.title, url=url, text="\n".join(texts),
        site_id=site.pk if site else None, column_kind=column_kind, content_type=page._meta.model_name,
        meta=meta, date=getattr(page, "pub_date", None) or page.first_published_at, validity=validity,
        initials=initials,
    )]
    attachments = page.attachments.select_related("document__collection") if hasattr(page, "attachments") else ()
    for attachment in attachments:
        item = attachment_item(page, attachment, site=site, column_kind=column_kind)
        if item is not None:
            items.append(item)
    return items


def attachment_item(page, attachment, *, site, column_kind):
    document = attachment.document
    collection = document.collection
    if collection is not None and collection.get_view_restrictions().exists():
        return None
    name = attachment.label or document.title
    extension = (document.file_extension or "").lower()
    return Item(
        key=f"attachment:{page.pk}:{document.pk}", kind=Kind.ATTACHMENT, object_id=document.pk, title=name,
        url=document.url, text=document_text(document), site_id=site.pk if site else None, column_kind=column_kind,
        content_type=extension or "file", meta={"type_label": "附件", "page_title": page.title,
                                                 "page_url": page.get_url() or "", "file_type": extension.upper()},
        date=getattr(page, "pub_date", None),
    )


# --- Attachment text -------------------------------------------------------------------

MAX_FILE_BYTES = 20 * 1024 * 1024
TEXT_EXTENSIONS = {"txt", "csv", "md", "htm", "html", "xml", "json"}


def _decode(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _docx_text(data):
    """The paragraphs of a .docx (its word/document.xml), read with the standard library."""
    from xml.etree import ElementTree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read("word/document.xml"))
    lines = []
    for paragraph in root.iter(w + "p"):
        lines.append("".join(node.text or "" for node in paragraph.iter(w + "t")))
    return "\n".join(line for line in lines if line)


def _xlsx_text(data):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells = [str(v) for v in row if v is not None]
            if cells:
                lines.append(" ".join(cells))
    book.close()
    return "\n".join(lines)


def document_text(document):
    """The text of an uploaded file where it can be read (plain text, HTML, .docx,
    .xlsx); '' for anything else (PDF, images, old .doc) or a file that fails."""
    extension = (document.file_extension or "").lower()
    if extension not in TEXT_EXTENSIONS | {"docx", "xlsx"}:
        return ""
    try:
        if document.file.size > MAX_FILE_BYTES:
            return ""
        with document.file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if extension == "docx":
            return _docx_text(data)
        if extension == "xlsx":
            return _xlsx_text(data)
        value = _decode(data)
        return html_text(value) if extension in {"htm", "html", "xml"} else value
    except Exception:  # a broken or missing file: the attachment is found by its name only
        logger.warning("text of document %s not read", document.pk, exc_info=True)
        return ""


# --- Letters -------------------------------------------------------------------------

LETTER_FIELDS = ("id", "serial", "public_title", "public_body", "public_reply", "replied_at", "received_at",
                 "handling_unit_id", "handling_unit__name", "letter_type__name")


def letter_item(letter_id):
    """The entry of a published letter: its masked public text only; None otherwise."""
    from letters.queries import published_letters

    row = published_letters().filter(pk=letter_id).values(*LETTER_FIELDS).first()
    if row is None or not row["public_title"]:
        return None
    return Item(
        key=f"letter:{row['id']}", kind=Kind.LETTER, object_id=row["id"], title=row["public_title"],
        url=reverse("letters:published_detail", args=[row["serial"]]),
        text=f"{row['public_body']}\n答复:{row['public_reply']}", site_id=_unit_site_id(row["handling_unit_id"]),
        column_kind="interaction", content_type="letter",
        meta={"type_label": "公开信件", "serial": row["serial"], "unit": row["handling_unit__name"] or "",
              "letter_type": row["letter_type__name"] or ""},
        date=row["replied_at"] or row["received_at"],
    )


def published_letter_ids():
    from letters.queries import published_letters

    return list(published_letters().order_by("id").values_list("id", flat=True))


def _unit_site_id(unit_id):
    from orgs.models import SiteRecord
    from wagtail.models import Site

    site_id = None
    if unit_id:
        site_id = SiteRecord.objects.filter(unit_id=unit_id, site__isnull=False).order_by("id").values_list(
            "site_id", flat=True).first()
    if site_id is None:
        site_id = Site.objects.filter(is_default_site=True).values_list("pk", flat=True).first()
    return site_id


def searchable_page_ids(after=0, live_only=True):
    """Ids of the pages that may be searchable (content pages), ascending."""
    from portal.models import ContentPage

    pages = ContentPage.objects.filter(pk__gt=after)
    if live_only:
        pages = pages.filter(live=True)
    return pages.order_by("pk").values_list("pk", flat=True)
