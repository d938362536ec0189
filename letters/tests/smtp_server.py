"""A real SMTP server on the loopback for tests: the ``smtp_sink`` fixture.

It receives what the platform sends (Django's SMTP backend is pointed at it) and
keeps every message: envelope and parsed message. ``delay_next(seconds)`` makes the
server sit on the next DATA before answering, like a slow or stuck mail server; a
message counts as received only once the server has answered it (a client that goes
away before the answer has not delivered it).
"""

import asyncio
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller


class EphemeralController(Controller):
    """aiosmtpd's Controller on a port the system picks (``port=0``)."""

    def __init__(self, handler, hostname="127.0.0.1", port=0, **kwargs):
        super().__init__(handler, hostname=hostname, port=port, **kwargs)

    def _trigger_server(self):
        # The listening socket exists by now: learn its port before the ready check.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    raw: bytes
    message: EmailMessage

    @property
    def subject(self):
        return str(self.message["subject"] or "")

    @property
    def text(self):
        """The decoded text body."""
        part = self.message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""


class SinkHandler:
    def __init__(self):
        self.messages: list[Received] = []
        self.data_started = 0  # DATA commands seen, answered or not
        self.aborted = 0  # DATA commands whose client went away before the answer
        self._delays: list[float] = []
        self._changed = threading.Condition()

    def delay_next(self, seconds, count=1):
        """Hold the answer to the next ``count`` DATA commands for ``seconds``."""
        with self._changed:
            self._delays.extend([seconds] * count)

    async def handle_DATA(self, server, session, envelope):
        with self._changed:
            delay = self._delays.pop(0) if self._delays else 0
            self.data_started += 1
            self._changed.notify_all()
        if delay:
            try:
                await asyncio.sleep(delay)  # cancelled by aiosmtpd when the client disconnects
            except asyncio.CancelledError:
                with self._changed:
                    self.aborted += 1
                    self._changed.notify_all()
                raise
            if server.transport is None or server.transport.is_closing():
                with self._changed:
                    self.aborted += 1
                    self._changed.notify_all()
                return "451 client gone"
        raw = envelope.original_content or envelope.content
        item = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            raw=raw,
            message=BytesParser(policy=policy.default).parsebytes(raw),
        )
        with self._changed:
            self.messages.append(item)
            self._changed.notify_all()
        return "250 OK"

    def wait_until(self, predicate, timeout=30):
        """Wait until ``predicate(self)`` holds; return whether it did."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    def to(self, address):
        return [m for m in self.messages if address.lower() in [r.lower() for r in m.rcpt_tos]]


class Sink(SinkHandler):
    host = "127.0.0.1"
    port: int = 0


@pytest.fixture
def smtp_sink(settings):
    """A running SMTP server; Django's mail goes to it for the test."""
    sink = Sink()
    controller = EphemeralController(sink, hostname="127.0.0.1", port=0)
    controller.start()
    sink.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 20
    try:
        yield sink
    finally:
        controller.stop()
