"""E-mail in and out of the public mailbox, over real SMTP on the loopback.

Out: the receipt a citizen gets (outbox row -> deliver -> an SMTP server), sent
exactly once, retried when the server is down, and still sent exactly once when the
worker is killed in the middle of sending it. In: a message to a mailbox's address,
received by the ``letters_smtpd`` handler, becomes a letter.
"""

import asyncio
import re
import signal
import smtplib
import socket
import struct
import subprocess
import time
import zlib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from types import SimpleNamespace

import pytest
from aiosmtpd.smtp import Envelope
from django.conf import settings
from django.utils import timezone

from cityplatform.tests.processes import start_worker, wait_for
from letters import outbox, services, tasks
from letters.inbound import UNKNOWN_MAILBOX, letter_from_email
from letters.management.commands.letters_smtpd import DATA_SIZE_LIMIT, LettersHandler
from letters.models import Attachment, Letter, LetterType, Mailbox, Notification
from letters.services import letter_find, letter_submit
from orgs.errors import DomainError

from .smtp_server import EphemeralController, smtp_sink  # noqa: F401  (the fixture)

CODE_RE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
WRITER = "zhangsan@example.com"


@pytest.fixture
def mailboxes(city):
    """Overrides the package's ``mailboxes``: here 咨询 is not the first type, so the
    choice of a letter type for mail (``consultation`` first) is really tested."""
    types = {
        code: LetterType.objects.create(code=code, name=name, time_limit=limit, sort_order=i)
        for i, (code, name, limit) in enumerate([("complaint", "投诉", 10), ("consultation", "咨询", 5), ("suggestion", "建议", 15)])
    }
    mayor = Mailbox.objects.create(unit=city.office, name="市长信箱", code="mayor", email="mayor@mail.cq.gov.cn", is_mayor=True)
    east = Mailbox.objects.create(unit=city.district, name="东区区长信箱", code="east", email="east@mail.cq.gov.cn")
    return SimpleNamespace(mayor=mayor, east=east, types=types, city=city)


def submit_letter(mailboxes, email=WRITER, **extra):
    fields = dict(mailbox=mailboxes.mayor, letter_type=mailboxes.types["consultation"], name="张三", phone="13812345678",
                  email=email, title="小区门口道路积水", body="小区门口的道路每逢下雨就积水,出行很不方便,请有关部门处理。")
    return letter_submit(**{**fields, **extra})


def closed_port():
    """A bound socket that does not listen: connecting to its port is refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock, sock.getsockname()[1]


def assert_receipt(received, letter, code):
    assert received.rcpt_tos == [letter.writer_email]
    assert received.mail_from == settings.DEFAULT_FROM_EMAIL
    assert "来信已收到" in received.subject
    assert letter.serial in received.text
    assert code in received.text
    assert CODE_RE.findall(received.text) == [code]


# --- Out: the receipt --------------------------------------------------------------------

@pytest.mark.django_db
def test_receipt_is_mailed_exactly_once_with_serial_and_query_code(mailboxes, smtp_sink, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        letter, code = submit_letter(mailboxes)
    assert len(callbacks) == 1, "the receipt is handed to the worker once the letter is committed"
    [note] = Notification.objects.filter(sent_at__isnull=True)
    assert note.to == WRITER and note.letter == letter

    assert tasks.deliver(note.pk) == "sent"
    assert smtp_sink.wait_until(lambda s: len(s.messages) >= 1, timeout=10)
    [received] = smtp_sink.messages
    assert_receipt(received, letter, code)
    note.refresh_from_db()
    assert note.sent_at is not None and note.attempts == 1

    # Delivered again (a redelivered task, the periodic flush): nothing more is sent.
    assert tasks.deliver(note.pk) == "already sent"
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert tasks.flush_notifications() == 0
    time.sleep(0.2)
    assert len(smtp_sink.messages) == 1
    assert smtp_sink.data_started == 1


@pytest.mark.django_db
def test_delivery_fails_while_the_server_is_down_and_the_flush_sends_it_later(mailboxes, smtp_sink, settings):
    listener, port = closed_port()
    try:
        settings.EMAIL_PORT = port
        letter, code = submit_letter(mailboxes)
        note = Notification.objects.get(letter=letter)
        for attempt in (1, 2):
            with pytest.raises(OSError):
                tasks.deliver(note.pk)
            note.refresh_from_db()
            assert note.sent_at is None
            assert note.attempts == attempt, "a failed attempt is counted"
            assert note.last_error, "and its error kept"
    finally:
        listener.close()
    assert smtp_sink.messages == []

    settings.EMAIL_PORT = smtp_sink.port  # the server is back
    assert tasks.flush_notifications() == 0, "a fresh notification is left to its own task for 30 seconds"
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert tasks.flush_notifications() == 1
    note.refresh_from_db()
    assert note.sent_at is not None and note.attempts == 3
    [received] = smtp_sink.messages
    assert_receipt(received, letter, code)
    assert tasks.flush_notifications() == 0
    assert len(smtp_sink.messages) == 1


# --- In: letters by e-mail --------------------------------------------------------------

def tiny_png():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def citizen_mail(*, to="mayor@mail.cq.gov.cn", subject="关于东区建设路路灯长期不亮的反映", message_id=None, body=None,
                 attachments=(), html=None, sender=f"张三 <{WRITER}>"):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if subject is not None:
        message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id or make_msgid(domain="example.com")
    if body is not None:
        message.set_content(body)
    if html is not None:
        if body is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for name, data, maintype, subtype in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


BODY = "建设路 25 号到 60 号之间的路灯已经一个多月不亮了,晚上出行很危险,请尽快修复。\n联系电话:13812345678\n"


@pytest.fixture
def inbound_smtpd():
    """The letters_smtpd handler, served in this process on a free port."""
    handler = LettersHandler()
    controller = EphemeralController(handler, hostname="127.0.0.1", port=0, data_size_limit=DATA_SIZE_LIMIT)
    controller.start()
    controller.letters_handler = handler
    yield controller
    controller.stop()
    handler.close()


def send(server, message, to_addrs=None):
    with smtplib.SMTP(server.hostname, server.port, timeout=30) as client:
        return client.send_message(message, to_addrs=to_addrs)


@pytest.fixture
def queued(monkeypatch):
    """The notification ids handed to the worker: the outbox's on-commit hook, with
    no broker behind it (the worker test below runs the real one)."""
    ids = []
    monkeypatch.setattr(outbox, "_send_soon", ids.append)
    return ids


@pytest.mark.django_db(transaction=True)
def test_a_mail_to_the_mayors_address_becomes_a_letter_with_a_receipt(mailboxes, inbound_smtpd, smtp_sink, queued):
    png = tiny_png()
    message_id = make_msgid(domain="ex.cn")
    message = citizen_mail(to="Mayor@Mail.CQ.gov.cn", message_id=message_id, body=BODY,
                           attachments=[("现场照片.png", png, "image", "png")])
    assert send(inbound_smtpd, message) == {}

    [letter] = Letter.objects.all()
    assert letter.source == "email"
    assert letter.mailbox == mailboxes.mayor
    assert letter.letter_type == mailboxes.types["consultation"]
    assert letter.title == "关于东区建设路路灯长期不亮的反映"
    assert "路灯已经一个多月不亮了" in letter.body
    assert (letter.writer_name, letter.writer_email, letter.writer_phone) == ("张三", WRITER, "13812345678")
    assert letter.consent_publish is False
    assert letter.idempotency_key == f"email:{WRITER}:{message_id}"
    [attachment] = letter.attachments.all()
    assert attachment.name == "现场照片.png" and attachment.size == len(png)
    with attachment.file.open("rb") as stored:
        assert stored.read() == png
    assert letter.events.get(kind="submitted").reason == "通过电子邮件提交"

    # The receipt goes through the outbox: queued on commit, sent by deliver().
    [note] = Notification.objects.filter(sent_at__isnull=True)
    assert queued == [note.pk] and note.to == WRITER
    assert tasks.deliver(note.pk) == "sent"
    [received] = smtp_sink.to(WRITER)
    code = CODE_RE.search(received.text).group()
    assert_receipt(received, letter, code)
    assert letter_find(code=code, check="5678") == letter

    # The same message delivered again (a sending server's retry): still one letter, one receipt.
    assert send(inbound_smtpd, citizen_mail(message_id=message_id, body=BODY, attachments=[("现场照片.png", png, "image", "png")])) == {}
    assert Letter.objects.count() == 1
    assert Notification.objects.count() == 1 and queued == [note.pk]


@pytest.mark.django_db(transaction=True)
def test_mail_that_cannot_become_a_letter_is_refused(mailboxes, inbound_smtpd, queued):
    # To no mailbox: refused at RCPT with 550.
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(inbound_smtpd, citizen_mail(to="nobody@mail.cq.gov.cn", body=BODY))
    [(code, reason)] = refused.value.recipients.values()
    assert code == 550 and "不是本平台任何信箱" in reason.decode()

    assert Letter.objects.count() == 0

    # An executable attachment: the upload checks refuse it, the server answers 554.
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(inbound_smtpd, citizen_mail(body=BODY, attachments=[("办事工具.exe", exe, "application", "octet-stream")]))
    assert refused.value.smtp_code == 554
    assert ".exe" in refused.value.smtp_error.decode()

    # A message with no text: 554 with the reason.
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(inbound_smtpd, citizen_mail(body=None, attachments=[("现场照片.png", tiny_png(), "image", "png")]))
    assert refused.value.smtp_code == 554 and "没有正文" in refused.value.smtp_error.decode()

    # The DATA answer when no recipient is a mailbox any more (e.g. removed since RCPT): 550.
    envelope = Envelope()
    envelope.mail_from, envelope.rcpt_tos = WRITER, ["gone@mail.cq.gov.cn"]
    envelope.original_content = envelope.content = bytes(citizen_mail(body=BODY))
    answer = asyncio.run(inbound_smtpd.letters_handler.handle_DATA(None, None, envelope))
    assert answer.startswith("550 ") and "不是本平台任何信箱" in answer

    assert Letter.objects.count() == 0 and Attachment.objects.count() == 0
    assert Notification.objects.count() == 0 and queued == []


@pytest.mark.django_db
def test_a_message_id_makes_one_letter_per_sender_not_one_for_everybody(mailboxes):
    """Message-IDs are written by the sender's mailer: another sender's message with
    the same ID is another letter, not a repeat of the first."""
    to = ["mayor@mail.cq.gov.cn"]
    for message_id in ("<20261127.1@mailer.example>", "<" + "y" * 90 + "@mailer.example>"):  # short, and hashed to fit
        first = letter_from_email(bytes(citizen_mail(message_id=message_id, body=BODY)), to)
        other = letter_from_email(bytes(citizen_mail(message_id=message_id, body=BODY, sender="李四 <lisi@example.org>")), to)
        assert other != first and other.writer_email == "lisi@example.org"
        again = letter_from_email(bytes(citizen_mail(message_id=message_id, body=BODY, sender="张三 <ZhangSan@Example.com>")), to)
        assert again == first  # the same sender delivering again, whatever the case of the address
    assert Letter.objects.count() == 4


@pytest.mark.django_db
def test_reading_a_message_html_no_subject_long_message_id(mailboxes):
    long_id = "<" + "x" * 90 + "@example.com>"
    html = ("<html><head><style>p{color:red}</style></head><body><p>东区建设路的路灯坏了一个多月,</p>"
            "<p>请尽快修理。电话 138-0000-1234 &amp; 谢谢</p></body></html>")
    raw = bytes(citizen_mail(to="east@mail.cq.gov.cn", subject=None, message_id=long_id, html=html))
    letter = letter_from_email(raw, ["EAST@mail.cq.gov.cn"])
    assert letter.mailbox == mailboxes.east
    assert letter.title == "（无标题）"
    assert letter.body.startswith("东区建设路的路灯坏了一个多月,") and "& 谢谢" in letter.body
    assert "<p>" not in letter.body and "color" not in letter.body
    assert letter.writer_phone == "13800001234"
    assert letter.idempotency_key.startswith("email:sha256:") and len(letter.idempotency_key) <= 80
    assert letter_from_email(raw, ["east@mail.cq.gov.cn"]) == letter
    assert Letter.objects.count() == 1

    long_subject = "关于" + "停车" * 80
    letter = letter_from_email(bytes(citizen_mail(subject=long_subject, body=BODY)), ["mayor@mail.cq.gov.cn"])
    assert letter.title == long_subject[:100]

    with pytest.raises(DomainError) as refused:
        letter_from_email(bytes(citizen_mail(body=BODY)), ["nobody@mail.cq.gov.cn"])
    assert refused.value.code == UNKNOWN_MAILBOX
    with pytest.raises(DomainError):
        letter_from_email(b"", ["mayor@mail.cq.gov.cn"])
    with pytest.raises(DomainError):
        letter_from_email(b"\r\n\r\n", ["mayor@mail.cq.gov.cn"])
    Mailbox.objects.filter(pk=mailboxes.east.pk).update(active=False)
    with pytest.raises(DomainError) as refused:
        letter_from_email(bytes(citizen_mail(body=BODY)), ["east@mail.cq.gov.cn"])
    assert refused.value.code == "closed" and "暂停受理" in refused.value.message
    assert Letter.objects.count() == 2


# --- A worker killed while sending ----------------------------------------------------------

CLAIM_SECONDS = 3


def _start_worker(number, sink):
    return start_worker(f"letters-{number}", env={
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port), "EMAIL_USE_TLS": "0",
        "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": "",
        # A killed worker's claim on a notification runs out after this (300 s in production).
        "NOTIFICATION_CLAIM_SECONDS": str(CLAIM_SECONDS),
    })


def _stop(worker):
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_sending_the_receipt_leaves_it_to_be_sent_exactly_once(mailboxes, smtp_sink):
    from cityplatform.health import heartbeat
    from cityplatform.models import WorkerHeartbeat

    smtp_sink.delay_next(120)  # the first delivery hangs waiting for the server's answer to DATA
    first = _start_worker(1, smtp_sink)
    second = None
    try:
        letter, code = submit_letter(mailboxes)  # commits, then queues send_notification on the broker
        note = Notification.objects.get(letter=letter)
        wait_for(lambda: smtp_sink.data_started >= 1, first, 90, "the worker to start sending the receipt")

        first.kill()  # SIGKILL in the middle of deliver(): the message is sent, not yet answered
        first.wait(timeout=30)
        assert smtp_sink.wait_until(lambda s: s.aborted == 1, timeout=10), "the server saw the client go away"
        assert smtp_sink.messages == []
        note.refresh_from_db()
        assert note.sent_at is None, "nothing recorded the crashed attempt as sent"
        assert note.claimed_at is not None, "the dead worker's claim is left behind"
        time.sleep(CLAIM_SECONDS + 0.5)  # until it runs out

        # The broker may or may not hand the task to a new worker (the file-system broker
        # drops a message once it is taken); the periodic flush sends what is waiting.
        Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(minutes=5))
        second = _start_worker(2, smtp_sink)
        tasks.flush_notifications.delay()
        wait_for(lambda: Notification.objects.filter(pk=note.pk, sent_at__isnull=False).exists(), second, 90,
              "the restarted worker to send the receipt")
        assert smtp_sink.wait_until(lambda s: len(s.messages) >= 1, timeout=10)

        # More chances to send it twice: the task itself and another flush. A heartbeat
        # queued after them tells when the worker (one task at a time) has run them.
        WorkerHeartbeat.objects.all().delete()
        for queued_task in (lambda: tasks.send_notification.delay(note.pk), tasks.flush_notifications.delay, heartbeat.delay):
            queued_task()
            time.sleep(0.05)
        wait_for(WorkerHeartbeat.objects.exists, second, 60, "the worker to run the queued tasks")

        note.refresh_from_db()
        assert note.sent_at is not None and note.attempts >= 1
        [received] = smtp_sink.messages
        assert_receipt(received, letter, code)
        assert received.message["Message-ID"] == tasks.message_id(note)
        assert smtp_sink.data_started == 2, "one interrupted attempt, one delivery"
    finally:
        for worker in (first, second):
            if worker is not None:
                _stop(worker)
