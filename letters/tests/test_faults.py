"""Faults of the mailbox's background work, with real processes on the loopback: a mail
server that answers after 30 seconds, and a worker killed with ``kill -9`` in the
middle of a send (the beat's sweep, not the test, sends the mail again)."""

import time

import pytest

from cityplatform.tests.processes import kill_group, start_worker, wait_for
from letters import tasks
from letters.models import Letter, Notification

from .smtp_server import smtp_sink  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def mail_env(sink, **extra):
    return {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port), "EMAIL_USE_TLS": "0", "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "", **{k: str(v) for k, v in extra.items()}}


def test_letters_are_stored_while_the_mail_server_takes_30_seconds_to_answer(submit, smtp_sink):
    smtp_sink.delay_next(30)  # the first message is answered after 30 s
    worker = start_worker("slow-smtp", env=mail_env(smtp_sink, EMAIL_TIMEOUT=60))
    try:
        first, _ = submit(email="first@example.com", title="第一封来信")
        wait_for(lambda: smtp_sink.data_started >= 1, worker, 90, "the worker to be sending the first receipt")

        # The worker is now waiting for the server's answer. Before the change, on SQLite,
        # it held the database's write lock all that time and these failed "database is locked".
        for i in range(5):
            submit(email=f"citizen{i}@example.com", title=f"来信{i}", body=f"第{i}封:小区门口路灯不亮,请尽快维修。")
        assert smtp_sink.messages == [], "every submission completed before the mail server answered once"
        assert Letter.objects.count() == 6 and Notification.objects.filter(sent_at__isnull=True).count() == 6

        # The server answers at last; every receipt then goes out, once.
        assert smtp_sink.wait_until(lambda s: len(s.messages) >= 6, timeout=120), worker.log.read_text()
        wait_for(lambda: not Notification.objects.filter(sent_at__isnull=True).exists(), worker, 30, "the sends recorded")
        assert sorted(r for m in smtp_sink.messages for r in m.rcpt_tos) == sorted(
            ["first@example.com"] + [f"citizen{i}@example.com" for i in range(5)]
        )
    finally:
        kill_group(worker)


def test_a_worker_killed_mid_send_leaves_the_mail_to_the_sweep_sent_once_more_with_the_same_message_id(
        submit, smtp_sink):
    smtp_sink.delay_next(120)  # the first send hangs waiting for the answer to DATA
    settings_env = mail_env(smtp_sink, NOTIFICATION_CLAIM_SECONDS=3, NOTIFICATION_SWEEP_AFTER_SECONDS=1,
                            SWEEP_SECONDS=1, BEAT_LOCK_RETRY_SECONDS=1)
    first = start_worker("mail-killed", env=settings_env)
    second = None
    try:
        letter, code = submit(email="zhang@example.com")
        note = Notification.objects.get(letter=letter)
        wait_for(lambda: smtp_sink.data_started >= 1, first, 90, "the worker to start sending the receipt")
        kill_group(first)  # kill -9 in the middle of deliver(): sent, not yet answered
        assert smtp_sink.wait_until(lambda s: s.aborted == 1, timeout=10), "the server saw the client go away"
        note.refresh_from_db()
        assert note.sent_at is None and note.claimed_at is not None and note.attempts == 1

        # A new worker with its beat: nobody queues anything; the sweep finds the dead claim.
        second = start_worker("mail-sweeper", beat=True, env=settings_env)
        wait_for(lambda: Notification.objects.filter(pk=note.pk, sent_at__isnull=False).exists(), second, 90,
                 "the sweep to send the receipt again")
        time.sleep(3)  # more sweeps run meanwhile: none may send it again
        note.refresh_from_db()
        assert note.attempts == 2 and note.claimed_at is None
        [received] = smtp_sink.messages
        assert received.rcpt_tos == ["zhang@example.com"] and code in received.text
        assert received.message["Message-ID"] == tasks.message_id(note) == f"<notification-{note.pk}@cq.gov.cn>"
        assert smtp_sink.data_started == 2, "one interrupted attempt, one delivery: at most one copy more"
    finally:
        for worker in (first, second):
            if worker is not None:
                kill_group(worker)
