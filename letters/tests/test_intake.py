"""Taking letters in fast without losing any: serial numbers under concurrency, the
per-day counters, and the per-process memo of mailboxes and letter types."""

import datetime as dt
import importlib
import threading
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from letters import lookups
from letters.models import Letter, LetterType, SerialCounter
from letters.services import letter_submit

BODY = "小区门口的道路每逢下雨就积水,出行很不方便,请有关部门尽快处理。"


def _submit(mailboxes, title, **extra):
    return letter_submit(mailbox=mailboxes.mayor, letter_type=mailboxes.types["complaint"], name="张晓明",
                         phone="13812345678", title=title, body=BODY, **extra)


def _in_threads(count, work):
    """Run ``work(n)`` in ``count`` threads started together; return their errors."""
    barrier, errors = threading.Barrier(count), []

    def run(n):
        try:
            barrier.wait(timeout=30)
            work(n)
        except Exception as exc:  # noqa: BLE001  (reported by the test)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_letters_submitted_at_once_get_distinct_serials_and_none_is_refused(mailboxes):
    threads, each = 6, 5
    serials = []

    def work(n):
        for i in range(each):
            letter, code = _submit(mailboxes, f"第{n}-{i}封")
            serials.append(letter.serial)

    assert _in_threads(threads, work) == []
    assert len(serials) == len(set(serials)) == threads * each
    assert sorted(serials) == sorted(Letter.objects.values_list("serial", flat=True))
    today = timezone.localdate()
    assert all(serial.startswith(f"X{today:%Y%m%d}") for serial in serials)
    assert SerialCounter.objects.get(day=today).last == max(int(serial[9:]) for serial in serials)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite lets one transaction write at a time anyway")
@pytest.mark.django_db(transaction=True)
def test_a_letter_held_up_in_its_transaction_does_not_hold_up_the_next_letters_number(mailboxes):
    """The day's counter is locked for one statement, not for a letter's transaction:
    while one letter waits (here on a lock on the attachments table, after taking its
    number), another letter is numbered and stored."""
    locked, release, slow = threading.Event(), threading.Event(), {}

    def hold_attachments():
        from django.db import transaction

        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("LOCK TABLE letters_attachment IN EXCLUSIVE MODE")
                locked.set()
                release.wait(60)
        finally:
            connection.close()

    def slow_letter():
        try:
            slow["letter"], _ = _submit(mailboxes, "带附件的来信", attachments=[("说明.txt", "现场情况说明。".encode())])
        finally:
            connection.close()

    def fast_letter(box):
        try:
            box["letter"], _ = _submit(mailboxes, "不带附件的来信")
        finally:
            connection.close()

    holder = threading.Thread(target=hold_attachments)
    holder.start()
    try:
        assert locked.wait(30)
        waiting = threading.Thread(target=slow_letter)
        waiting.start()
        today = timezone.localdate()
        for _ in range(300):  # until the slow letter has its number
            if SerialCounter.objects.filter(day=today, last=1).exists():
                break
            threading.Event().wait(0.05)
        fast = {}
        other = threading.Thread(target=fast_letter, args=(fast,))
        other.start()
        other.join(20)
        assert "letter" in fast, "the second letter waited for the first one's transaction"
        assert not Letter.objects.filter(title="带附件的来信").exists()
    finally:
        release.set()
        holder.join(30)
    waiting.join(30)
    assert int(slow["letter"].serial[9:]) == 1 and int(fast["letter"].serial[9:]) == 2
    assert Letter.objects.count() == 2


@pytest.mark.django_db
def test_the_migration_starts_each_days_counter_after_its_highest_serial(submit):
    first, _ = submit(title="第一封")
    second, _ = submit(title="第二封")
    Letter.objects.filter(pk=first.pk).update(serial="X2025010100007")  # a letter of an earlier day
    SerialCounter.objects.all().delete()  # as 0002 left them: empty
    migration = importlib.import_module("letters.migrations.0003_queue_indexes_serial_seed")
    migration.seed_serial_counters(apps, SimpleNamespace(connection=connection))
    assert dict(SerialCounter.objects.values_list("day", "last")) == {
        dt.date(2025, 1, 1): 7, timezone.localdate(): int(second.serial[9:]),
    }
    third, _ = submit(title="第三封")
    assert int(third.serial[9:]) == int(second.serial[9:]) + 1


API_LETTER = {"mailbox": "mayor", "letter_type": "complaint", "name": "赵敏", "phone": "13700001111",
              "title": "建议增开夜班公交", "body": "建议在大学城到市区之间增开夜班公交线路,方便学生和上班族。"}


def _post(client, **changes):
    from letters.tests.helpers import api_challenge

    return client.post("/api/v1/letters", {**API_LETTER, **api_challenge(client), **changes}, content_type="application/json")


@pytest.mark.django_db
def test_the_api_names_mailboxes_and_types_from_memory_and_sees_every_change(mailboxes, client,
                                                                               django_capture_on_commit_callbacks):
    assert _post(client).status_code == 201  # fills this process's memo
    with CaptureQueriesContext(connection) as queries:
        assert _post(client, title="第二封").status_code == 201
    looked_up = [q["sql"] for q in queries.captured_queries
                 if '"letters_mailbox"' in q["sql"] or '"letters_lettertype"' in q["sql"] or '"orgs_unit"' in q["sql"]]
    assert looked_up == []

    # Closed here: refused at once.
    mailboxes.east.active = False
    with django_capture_on_commit_callbacks(execute=True):
        mailboxes.east.save()
    assert _post(client, mailbox="east").status_code == 404
    # The commit told the other processes through the shared cache.
    token = cache.get(lookups.TOKEN_KEY)
    assert token is not None

    # Switched off by another process: that process's commit changes the shared token.
    LetterType.objects.filter(code="help").update(active=False)
    cache.set(lookups.TOKEN_KEY, "changed-by-another-process", None)
    refused = _post(client, letter_type="help")
    assert refused.status_code == 404 and refused.json()["message"] == "没有这个来信类型。"
    assert _post(client, mailbox="edu", letter_type="suggestion").status_code == 201
