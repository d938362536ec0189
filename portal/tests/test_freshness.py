"""What a public page shows besides pages follows its change at once: document files,
images and the working-day calendar start a new page-cache generation, and pages
scheduled to go live or to expire do so on the minute (the beat's
``portal.publish_scheduled``)."""

import datetime as dt
import time

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from portal import pagecache


@pytest.mark.django_db
def test_replacing_a_document_file_or_an_image_starts_a_new_generation(city):
    from wagtail.documents import get_document_model

    before = pagecache.generation()
    document = get_document_model().objects.create(title="空白表格", file=ContentFile(b"a,b\n", name="blank.csv"))
    assert pagecache.generation() != before
    before = pagecache.generation()
    document.file = ContentFile(b"a,b,c\n", name="blank-2.csv")
    document.save()
    assert pagecache.generation() != before


@pytest.mark.django_db
def test_a_calendar_change_starts_a_new_generation(city):
    from letters.models import CalendarEntry

    before = pagecache.generation()
    CalendarEntry.objects.create(date=dt.date(2026, 12, 3), is_working_day=False, reason="测试调休")
    assert pagecache.generation() != before


@pytest.mark.django_db
def test_scheduled_pages_go_live_and_expire_on_the_minute(city, article_factory, client):
    from portal.tasks import publish_scheduled_task

    now = timezone.now()
    expiring = article_factory(title="将到期的通知")
    expiring.expire_at = now - dt.timedelta(minutes=1)
    expiring.save()
    waiting = article_factory(title="定时发布的通知", publish=False)
    waiting.go_live_at = now + dt.timedelta(seconds=2)
    waiting.save_revision().publish()  # scheduled: not live until its time
    waiting.refresh_from_db()
    assert not waiting.live
    time.sleep(2.5)  # the go-live time passes
    publish_scheduled_task()
    waiting.refresh_from_db()
    expiring.refresh_from_db()
    assert waiting.live and not expiring.live
    assert client.get(expiring.get_url()).status_code == 404
    assert "定时发布的通知" in client.get(waiting.get_url()).content.decode()
