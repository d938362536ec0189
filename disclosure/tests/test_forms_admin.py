"""Online pre-acceptance in the admin: the form built in the guide's editor, the
unit's queue, one application's data and materials (downloads recorded), the
answers as forms; and the monthly service statistics with their public page."""

import datetime as dt

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from disclosure import applyforms
from disclosure.models import SubmissionStatus, GuideFormField, FormSubmission, ServiceStatsSnapshot
from letters import tasks as mail_tasks
from letters.models import Notification

from .forms_fixtures import (  # noqa: F401 (fixtures)
    CODE_RE, PDF, good_identity, good_uploads, good_values, guide, handlers, materials_of, names_of, private_media,
    submitted,
)
from letters.tests.smtp_server import smtp_sink  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
S = SubmissionStatus


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_guides_editor_offers_the_form_builder(client, guide, city):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("forms_root", "root@cq.gov.cn", "pw-Test-2026")
    client.force_login(root)
    html = client.get(f"/admin/pages/{guide.pk}/edit/").content.decode()
    assert "网上填表预受理" in html and "表单字段" in html and "在线填表说明" in html
    for label in ("居民身份证号码", "电话号码", "下拉选择", "单选", "多选", "日期", "数字"):
        assert label in html, label


def test_a_form_field_keeps_its_name_when_its_label_changes(guide):
    field = GuideFormField.objects.get(page=guide, label="居住地址")
    name = field.clean_name
    field.label = "现居住地址"
    field.save()
    field.refresh_from_db()
    assert field.clean_name == name  # stored answers stay readable


def test_the_queue_shows_the_units_applications_to_its_handlers_only(client, submitted, handlers):
    application, _ = submitted()
    client.force_login(handlers.reviewer)
    html = client.get("/admin/banshi/").content.decode()
    assert application.receipt_number in html and "待预审" in html
    found = client.get("/admin/banshi/", {"receipt": application.receipt_number})
    assert found.status_code == 302 and found.url.endswith(f"/admin/banshi/{application.pk}/")

    client.force_login(handlers.dept_reviewer)
    assert application.receipt_number not in client.get("/admin/banshi/").content.decode()
    assert client.get(f"/admin/banshi/{application.pk}/").status_code in (302, 403)

    client.force_login(handlers.editor)
    assert client.get("/admin/banshi/").status_code in (302, 403)

    client.force_login(handlers.centre)
    html = client.get(f"/admin/banshi/{application.pk}/").content.decode()
    assert application.applicant_name in html and 'name="action" value="pre_accept"' not in html
    # The centre supervises every unit: the applicant's ID number is masked for it,
    # in full for the unit's own reviewer.
    number = application.id_number
    assert number not in html and f"{number[:6]}********{number[-4:]}" in html
    client.force_login(handlers.reviewer)
    assert number in client.get(f"/admin/banshi/{application.pk}/").content.decode()


def test_staff_answer_from_the_detail_page(client, submitted, handlers, guide):
    application, _ = submitted()
    client.force_login(handlers.reviewer)
    url = f"/admin/banshi/{application.pk}/"
    html = client.get(url).content.decode()
    for text in ("李小红", "重庆市东区民主路8号", "短信、邮寄", "居民身份证:身份证.pdf", "要求补正", "预受理", "不予受理"):
        assert text in html, text

    refused = client.post(url, {"action": "not_accept", "not_accept-version": application.version,
                                "not_accept-reason": ""})
    assert refused.status_code == 200 and FormSubmission.objects.get().status == S.PENDING

    n, m = names_of(guide), materials_of(guide)
    form_targets = [t for t, _ in applyforms.correction_choices(application)]
    address = form_targets.index(f"field:{n['居住地址']}")
    identity_card = form_targets.index(f"material:{m['居民身份证'].pk}")
    response = client.post(url, {
        "action": "correction", "correction-version": application.version,
        f"correction-pick_{address}": "on", f"correction-note_{address}": "请填写到门牌号",
        f"correction-pick_{identity_card}": "on", f"correction-note_{identity_card}": "请上传清晰的扫描件",
    })
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.CORRECTION
    assert [c["note"] for c in application.corrections] == ["请填写到门牌号", "请上传清晰的扫描件"]

    stale = client.post(url, {"action": "not_accept", "not_accept-version": application.version - 1,
                              "not_accept-reason": "逾期未补正"})
    assert "刚被他人处理过" in stale.content.decode()


def test_materials_are_downloaded_by_staff_only_and_every_download_is_recorded(client, submitted, handlers):
    application, _ = submitted()
    item = application.materials.get()
    url = f"/admin/banshi/{application.pk}/materials/{item.pk}/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous.url
    client.force_login(handlers.dept_reviewer)
    assert client.get(url).status_code == 403
    assert not ModelLogEntry.objects.filter(action="disclosure.submission.material_view").exists()
    client.force_login(handlers.reviewer)
    response = client.get(url)
    assert response.status_code == 200 and body_of(response) == PDF
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    entry = ModelLogEntry.objects.get(action="disclosure.submission.material_view")
    assert entry.user == handlers.reviewer and entry.data["name"] == "身份证.pdf"
    assert client.get("/media/" + item.file.name).status_code == 404  # never under the public media tree


def test_the_receipt_is_sent_over_smtp_with_its_number_and_code(guide, handlers, smtp_sink):
    application, code = applyforms.submission_create(guide=guide, identity=good_identity(), values=good_values(guide),
                                                      uploads=good_uploads(guide))
    note = Notification.objects.get(kind="form_received")
    assert mail_tasks.deliver(note.pk) == "sent"
    assert smtp_sink.wait_until(lambda s: len(s.messages) >= 1, timeout=10)
    [received] = smtp_sink.to("lixh@example.com")
    assert "网上办事申请已收到" in received.subject
    assert application.receipt_number in received.text and code in received.text


# --- Statistics -----------------------------------------------------------------------------------------------

def _at(monkeypatch, day):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    monkeypatch.setattr(applyforms, "_now", lambda: moment)
    monkeypatch.setattr(applyforms, "_today", lambda: day)


def test_monthly_statistics_per_unit_stored_by_the_task_and_published(client, guide, handlers, monkeypatch):
    def submit(phone):
        return applyforms.submission_create(guide=guide, identity=good_identity(phone=phone),
                                             values=good_values(guide), uploads=good_uploads(guide))[0]

    _at(monkeypatch, dt.date(2026, 1, 26))
    a, b, c = submit("13900000001"), submit("13900000002"), submit("13900000003")
    _at(monkeypatch, dt.date(2026, 1, 27))
    a = applyforms.submission_pre_accept(application=a, next_step="到窗口办理", actor=handlers.reviewer, version=a.version)
    b = applyforms.submission_ask_correction(
        application=b, items=[{"target": "identity:applicant_name", "note": "请填写身份证上的姓名"}],
        actor=handlers.reviewer, version=b.version)
    _at(monkeypatch, dt.date(2026, 2, 3))  # after c's deadline (29 January)
    c = applyforms.submission_not_accept(application=c, reason="材料不齐", actor=handlers.reviewer, version=c.version)
    a = applyforms.submission_complete(application=a, actor=handlers.reviewer, version=a.version)
    submit("13900000004")

    january = applyforms.stats_compute(dt.date(2026, 1, 1))
    assert january == [{"unit": guide.home.unit_id, "unit_name": "测试市东区人民政府", "received": 3, "corrections": 1,
                        "pre_accepted": 1, "not_accepted": 0, "answered": 1, "on_time": 1, "completed": 0}]
    [february] = applyforms.stats_compute(dt.date(2026, 2, 1))
    assert (february["received"], february["not_accepted"], february["answered"], february["on_time"],
            february["completed"]) == (1, 1, 1, 0, 1)

    # The monthly task stores the month just ended.
    snapshot = applyforms.stats_refresh(today=dt.date(2026, 2, 1))
    assert snapshot.month == dt.date(2026, 1, 1) and snapshot.rows == january

    # The public page shows complete months; a month the task has not stored yet is computed on demand.
    _at(monkeypatch, dt.date(2026, 3, 2))
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2026, 3, 2))
    html = client.get("/banshi/stats/").content.decode()
    assert "2026年1月" in html and "2026年2月" in html and "测试市东区人民政府" in html
    assert ServiceStatsSnapshot.objects.filter(month=dt.date(2026, 2, 1)).exists()
    assert "2026年3月" not in html


def test_the_stats_page_has_its_stable_name_and_is_linked_from_the_form(client, guide):
    from django.urls import reverse

    assert reverse("disclosure:service_stats") == "/banshi/stats/"
    assert 'href="/banshi/stats/"' in client.get(f"/banshi/apply/{guide.pk}/").content.decode()
    assert client.get("/banshi/stats/").status_code == 200
