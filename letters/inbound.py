"""Letters that arrive by e-mail: one message to a mailbox's address becomes one letter.

The SMTP server (``manage.py letters_smtpd``) hands each message it receives to
:func:`letter_from_email`, which reads it with the standard ``email`` package and
takes it in through :func:`letters.services.letter_submit`, like a letter from the
website: the same checks (attachments included), the same receipt with the query
code, sent to the writer through the outbox.
"""

import hashlib
import re
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr
from html import unescape
from html.parser import HTMLParser

from orgs.errors import DomainError

from .models import Letter, LetterType, Mailbox
from .queries import ERROR_REPORT_TYPE

UNKNOWN_MAILBOX = "unknown_mailbox"  # DomainError.code of a message to no mailbox (SMTP 550)
NO_TITLE = "（无标题）"
MAX_TITLE = 100
MAX_NAME = 40
IDEMPOTENCY_MAX = 80  # Letter.idempotency_key.max_length
DEFAULT_LETTER_TYPE = "consultation"
# A mainland mobile number, also written 138-1234-5678 or 138 1234 5678.
MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")


def letter_from_email(raw: bytes, rcpt_tos: list[str]) -> Letter:
    """Take in the message ``raw`` sent to the envelope recipients ``rcpt_tos``.

    Returns the letter; a message delivered again (same sender, same Message-ID)
    returns the letter made the first time. Raises :class:`DomainError` with a message for the
    sender: ``code == UNKNOWN_MAILBOX`` when no recipient is a mailbox's address.
    """
    from .services import letter_submit

    mailbox = mailbox_for_recipients(rcpt_tos)
    if not raw or not raw.strip():
        raise DomainError("邮件是空的。", code="empty")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        subject = _header(message, "subject")
        name, address = _sender(message)
        body = _body_text(message)
        attachments = _attachments(message)
        message_id = _header(message, "message-id")
    except DomainError:
        raise
    except Exception as exc:  # a message the email package cannot read
        raise DomainError("无法解析这封邮件,请以普通文本邮件重新发送。", code="unparseable") from exc
    if not address:
        raise DomainError("无法识别发件人的电子邮箱地址。", code="no_sender", field="email")
    if not body:
        raise DomainError("邮件没有正文:请在正文中写明来信的事情和诉求。", code="empty", field="body")
    phone = mobile_number(body)
    return letter_submit(
        mailbox=mailbox,
        letter_type=default_letter_type(mailbox),
        name=name,
        phone=phone,
        email=address,
        title=(" ".join(subject.split()) or NO_TITLE)[:MAX_TITLE],
        body=body,
        consent_publish=False,
        attachments=attachments,
        source="email",
        idempotency_key=_idempotency_key(address, message_id, raw),
    )[0]


def mailbox_for_address(address):
    """The mailbox (open or not) whose address is ``address``, ignoring case; or None."""
    address = _bare_address(address)
    if not address:
        return None
    return Mailbox.objects.filter(email__iexact=address).order_by("-active", "id").first()


def mailbox_for_recipients(rcpt_tos):
    """The first open mailbox among the recipients."""
    found = [m for m in (mailbox_for_address(a) for a in rcpt_tos or ()) if m is not None]
    for mailbox in found:
        if mailbox.active:
            return mailbox
    if found:
        raise DomainError(f"{found[0].name}暂停受理来信。", code="closed")
    raise DomainError("收信地址不是本平台任何信箱的地址。", code=UNKNOWN_MAILBOX)


def default_letter_type(mailbox):
    """The type given to a letter by e-mail, which has no form to choose one: 咨询
    (code ``consultation``) if the city has it, otherwise the first active type."""
    letter_type = (
        LetterType.objects.filter(code=DEFAULT_LETTER_TYPE, active=True).first()
        or LetterType.objects.filter(active=True).exclude(code=ERROR_REPORT_TYPE).first()
    )
    if letter_type is None:
        raise DomainError("平台尚未设置来信类型,暂不能受理电子邮件来信。", code="closed")
    return letter_type


def mobile_number(text):
    """The first mainland mobile number in ``text``, as 11 digits; or ""."""
    match = MOBILE_RE.search(text or "")
    return "".join(match.groups()) if match else ""


# --- Reading the message ---------------------------------------------------------------

def _bare_address(address):
    return parseaddr(address or "")[1].strip().lower()


def _header(message, name):
    value = message.get(name)
    return str(value).strip() if value is not None else ""


def _sender(message):
    """(name, address) from the From header; the name falls back to the address's local part."""
    header = message.get("from")
    name = address = ""
    addresses = getattr(header, "addresses", ()) if header is not None else ()
    if addresses:
        name, address = addresses[0].display_name or "", addresses[0].addr_spec or ""
    elif header is not None:
        name, address = parseaddr(str(header))
    address = address.strip()
    if "@" not in address:
        return "", ""
    name = " ".join(name.split()) or address.split("@", 1)[0]
    return name[:MAX_NAME], address


def _body_text(message):
    """The text/plain body, or the HTML body made into text."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _part_text(part):
    try:
        return part.get_content()
    except (LookupError, UnicodeError):  # an unknown or wrong charset: keep what can be read
        payload = part.get_payload(decode=True) or b""
        for charset in (part.get_content_charset(), "utf-8", "gb18030"):
            try:
                return payload.decode(charset or "utf-8")
            except (LookupError, UnicodeError):
                continue
        return payload.decode("utf-8", errors="replace")


def _attachments(message):
    """[(file name, bytes)] of every attached file; the service checks them."""
    files = []
    for part in message.iter_attachments():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        content = part.get_payload(decode=True)
        if not filename or content is None:
            continue
        # Keep the name only: a sender's path is no part of it.
        filename = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
        files.append((filename, content))
    return files


def _idempotency_key(sender, message_id, raw):
    """``email:<sender>:<Message-ID>``, so a message delivered twice makes one letter.

    A Message-ID is only unique for its sender (anyone can write any ID, and some
    mailers reuse them), so the key holds the sender's address too: another
    sender's message with the same ID is another letter. A long key is hashed to
    fit; a message without a Message-ID is keyed by its content (From included)."""
    if message_id:
        key = f"email:{sender.lower()}:{message_id}"
        if len(key) <= IDEMPOTENCY_MAX:
            return key
        return "email:sha256:" + hashlib.sha256(f"{sender.lower()}\n{message_id}".encode()).hexdigest()
    return "email:content:" + hashlib.sha256(_content_fingerprint(raw)).hexdigest()


def _content_fingerprint(raw):
    """The message without the trace headers that relays add on the way."""
    head, sep, rest = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, rest = raw.partition(b"\n\n")
    kept, skipping = [], False
    for line in head.splitlines():
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        skipping = line.split(b":", 1)[0].strip().lower() in {
            b"received", b"return-path", b"delivered-to", b"x-received", b"authentication-results",
            b"arc-seal", b"arc-message-signature", b"arc-authentication-results", b"received-spf",
        }
        if not skipping:
            kept.append(line)
    return b"\n".join(kept) + b"\n\n" + rest


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "hr"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html):
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    text = unescape("".join(parser.parts)).replace("\xa0", " ")
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))
