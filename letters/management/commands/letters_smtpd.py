"""``manage.py letters_smtpd``: the SMTP server that takes in letters by e-mail.

Each message to a mailbox's address (Mailbox.email) becomes a letter, through
:func:`letters.inbound.letter_from_email`. The answers tell the sending server what
happened: 250 taken in, 550 no such mailbox, 554 refused (the reason is the
platform's own message, e.g. an attachment type that is not allowed), 451 a
temporary fault (the sender retries; a message delivered twice makes one letter).

In production the city's mail server relays the mailboxes' addresses to this one;
it listens on 127.0.0.1 unless told otherwise.
"""

import asyncio
import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from aiosmtpd.controller import Controller
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections

from letters.inbound import UNKNOWN_MAILBOX, letter_from_email, mailbox_for_address
from orgs.errors import DomainError

log = logging.getLogger("letters.smtpd")
DATA_SIZE_LIMIT = 40 * 1024 * 1024  # three attachments of the upload limit, base64-encoded, and the text


def _reply(code, text):
    """One line of SMTP reply: no line breaks inside a reason."""
    return f"{code} {' '.join(str(text).split())}"


def _in_db_thread(function, *args):
    # As Django does around a request: drop connections that are too old or broken.
    close_old_connections()
    try:
        return function(*args)
    finally:
        close_old_connections()


class LettersHandler:
    """aiosmtpd handler. The database work runs in one thread of its own (the ORM may
    not run in the event loop's thread), one message after another."""

    def __init__(self):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="letters-smtpd-db")

    async def _db(self, function, *args):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(_in_db_thread, function, *args))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            mailbox = await self._db(mailbox_for_address, address)
        except Exception:
            log.exception("looking up the mailbox of %s failed", address)
            return _reply(451, "暂时无法处理,请稍后重试。")
        if mailbox is None:
            return _reply(550, "收信地址不是本平台任何信箱的地址。")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        try:
            letter = await self._db(letter_from_email, raw, list(envelope.rcpt_tos))
        except DomainError as exc:
            if exc.code == UNKNOWN_MAILBOX:
                return _reply(550, exc.message)
            return _reply(554, exc.message)
        except Exception:
            log.exception("taking in a message from %s failed", envelope.mail_from)
            return _reply(451, "暂时无法处理,请稍后重试。")
        log.info("message from %s taken in as letter %s", envelope.mail_from, letter.serial)
        return "250 OK"

    def close(self):
        """Close the database thread's connections and stop the thread."""
        try:
            self._executor.submit(connections.close_all).result(timeout=30)
        finally:
            self._executor.shutdown(wait=True)


def make_controller(handler, hostname="127.0.0.1", port=2525, **kwargs):
    return Controller(handler, hostname=hostname, port=port, data_size_limit=DATA_SIZE_LIMIT, **kwargs)


class Command(BaseCommand):
    help = "运行接收电子邮件来信的 SMTP 服务(发往各信箱收信地址的邮件成为来信)。"

    def add_arguments(self, parser):
        parser.add_argument("--hostname", "--host", default="127.0.0.1", help="监听地址(默认 127.0.0.1)")
        parser.add_argument("--port", type=int, default=2525, help="监听端口(默认 2525)")

    def handle(self, *args, hostname, port, **options):
        handler = LettersHandler()
        controller = make_controller(handler, hostname=hostname, port=port)
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        controller.start()
        self.stdout.write(f"letters_smtpd listening on {hostname}:{port}")
        try:
            while not stop.wait(3600):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
            handler.close()
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write("letters_smtpd stopped")
