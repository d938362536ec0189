"""The publish API (N-2.4b): business systems submit into the unit's review (N-3.2b)."""

import base64
import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from wagtail.documents.models import Document
from wagtail.models import APIToken, Page, WorkflowState

from disclosure.models import GovDocumentPage, IndexCounter
from orgs.errors import DomainError, PermissionRefused
from portal.models import ArticlePage, ContentPage
from portal.services import page_review
from orgs.clients import machine_client_create, machine_client_revoke, machine_client_rotate_token
from orgs.models import MachineClient
from publishing.intake import publish_grant_set
from publishing.models import ApiSubmission, PublicationRecord, PublishGrant
from publishing.register import register_export_xlsx

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def b64(data):
    return base64.b64encode(data).decode()


def stored_nothing(media):
    """No page, submission, document, file or index number was left behind."""
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return (not ContentPage.objects.exists() and not ApiSubmission.objects.exists()
            and not Document.objects.exists() and not files and not IndexCounter.objects.filter(last__gt=0).exists())


def approve_all(page, city):
    page_review(page=page, actor=city.reviewer, approve=True, comment="内容准确")
    return page_review(page=page, actor=city.leader, approve=True)


# --- Credentials ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_token_is_given_once_and_only_its_hash_is_stored(east_system):
    token = east_system.token
    row = APIToken.objects.get(user=east_system.client.user)
    assert token not in (row.key_hash, row.prefix) and token.startswith(row.prefix)
    assert row.key_hash == APIToken.hash_token(token)
    account = east_system.client.user
    assert not account.has_usable_password()  # the system's account cannot log in
    assert account.memberships.get().role == "editor"


@pytest.mark.django_db
def test_the_management_commands_print_the_token_once_and_grant_columns(city, client, media):
    out = io.StringIO()
    call_command("machine_client", "create", "--unit", "east", "--name", "东区OA", "--scope", "publish", "--json",
                 stdout=out)
    created = json.loads(out.getvalue())
    system = MachineClient.objects.get(pk=created["id"])
    assert system.unit == city.district and system.scopes == ["publish"]
    call_command("publish_grant", "--client", str(system.pk), "--column", str(city.district_notices.pk),
                 stdout=io.StringIO())
    assert [g.column for g in PublishGrant.objects.filter(client=system)] == [city.district_notices]
    response = client.get("/api/v1/publish/columns", headers={"Authorization": f"Bearer {created['token']}"})
    assert response.status_code == 200 and [c["id"] for c in response.json()] == [city.district_notices.pk]
    listing = io.StringIO()
    call_command("machine_client", "list", stdout=listing)
    assert "东区OA" in listing.getvalue() and created["token"] not in listing.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("authorization",
                         [None, "Token abc", "Bearer ", "Bearer wagtail_notatoken", "Basic dXNlcjpwdw=="])
def test_a_missing_or_wrong_token_is_refused_with_401(client, east_system, article_payload, media, authorization):
    headers = {"Idempotency-Key": "oa-article-0001"}
    if authorization:
        headers["Authorization"] = authorization
    response = client.post("/api/v1/publish/articles", data=json.dumps(article_payload),
                           content_type="application/json", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthorized" and "令牌" in body["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert stored_nothing(media)


@pytest.mark.django_db
def test_a_rotated_token_a_stopped_client_and_a_persons_token_are_refused(city, oa, east_system):
    old = east_system.token
    new = machine_client_rotate_token(client=east_system.client)
    assert oa.get("/columns", token=old).status_code == 401
    assert oa.get("/columns", token=new).status_code == 200
    machine_client_revoke(client=east_system.client, reason="系统停用")
    assert oa.get("/columns", token=new).status_code == 401
    _, personal = APIToken.create_token(user=city.editor, name="编辑自己的令牌")
    assert oa.get("/columns", token=personal).status_code == 401  # a person is not a business system


@pytest.mark.django_db
def test_a_client_without_the_publish_scope_is_forbidden_every_publish_endpoint(city, oa, article_payload,
                                                                               document_payload, make_machine_client):
    submitted = oa.article(article_payload).json()
    hotline = make_machine_client(city.district, "12345热线转办系统", scopes=["letters.intake"])
    calls = [
        lambda: oa.get("/columns", token=hotline.token),
        lambda: oa.post("/articles", dict(article_payload, title="热线转来的文章"), key="hotline-0001", token=hotline.token),
        lambda: oa.post("/documents", document_payload, key="hotline-0002", token=hotline.token),
        lambda: oa.get(f"/submissions/{submitted['id']}", token=hotline.token),
        lambda: oa.post(f"/submissions/{submitted['id']}/withdraw", {}, token=hotline.token),
    ]
    for call in calls:
        response = call()
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
        assert "发布接口" in response.json()["message"]
    assert ApiSubmission.objects.count() == 1 and ApiSubmission.objects.get().withdrawal == ""


@pytest.mark.django_db
def test_an_expired_client_is_refused_with_401_and_stores_nothing(oa, east_system, article_payload, media):
    MachineClient.objects.filter(pk=east_system.client.pk).update(expires_at="2020-01-01T00:00:00+08:00")
    response = oa.article(article_payload)
    assert response.status_code == 401 and response.json()["code"] == "token_expired"
    assert stored_nothing(media)


# --- Columns ------------------------------------------------------------------------


@pytest.mark.django_db
def test_columns_are_the_units_own_published_columns(city, oa, east_system):
    response = oa.get("/columns")
    assert response.status_code == 200
    columns = {c["id"]: c for c in response.json()}
    # The unit's own columns (site creation adds its 互动交流 column too), none of another unit's.
    assert {city.district_news.pk, city.district_notices.pk} <= set(columns)
    assert city.dept_news.pk not in columns
    assert all(c["trail"].startswith("东区政府网 / ") for c in columns.values())
    assert columns[city.district_notices.pk]["trail"] == "东区政府网 / 通知公告"
    assert columns[city.district_notices.pk]["kind"] == "notices"
    assert columns[city.district_news.pk]["url"].endswith("/s/east/news/")

    publish_grant_set(client=east_system.client, columns=[city.district_notices])
    assert [c["id"] for c in oa.get("/columns").json()] == [city.district_notices.pk]


@pytest.mark.django_db
def test_only_who_manages_the_client_sets_its_columns_and_the_change_is_recorded(city, east_system, make_user):
    from wagtail.models import ModelLogEntry

    with pytest.raises(PermissionRefused):
        publish_grant_set(client=east_system.client, columns=[city.district_notices],
                          actor=make_user("edu_admin", city.dept, ["site_admin"]))
    assert not PublishGrant.objects.exists()
    east_admin = make_user("east_admin", city.district, ["site_admin"])
    publish_grant_set(client=east_system.client, columns=[city.district_notices], actor=east_admin)
    entry = ModelLogEntry.objects.get(action="publishing.grant.update")
    assert entry.user == east_admin and entry.data["after"] == {"columns": [city.district_notices.pk]}


@pytest.mark.django_db
def test_a_client_cannot_be_given_another_units_column(city, media, east_system):
    with pytest.raises(DomainError, match="不属于"):
        publish_grant_set(client=east_system.client, columns=[city.district_news, city.dept_news])
    assert not PublishGrant.objects.exists()


# --- Submitting -----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_article_is_public_only_after_the_reviewer_and_the_leader_approve(city, oa, east_system, article_payload,
                                                                            client):
    response = oa.article(article_payload)
    assert response.status_code == 201
    submitted = response.json()
    assert submitted["status"] == "in_review" and submitted["status_label"] == "审核中"
    assert (submitted["step"], submitted["step_number"]) == ("东区审核", 2)  # the machine screening passed
    page = ArticlePage.objects.get(pk=submitted["page_id"])
    assert not page.live and page.get_parent().pk == city.district_news.pk
    assert page.author == "王强" and page.source == "东区住房城乡建委"
    state = page.current_workflow_state
    assert state.requested_by == east_system.client.user

    # The API's own account cannot approve or publish: it is an editor.
    with pytest.raises(PermissionRefused):
        page_review(page=page, actor=east_system.client.user, approve=True)
    assert not page.permissions_for_user(east_system.client.user).can_publish()

    page_review(page=page, actor=city.reviewer, approve=True)
    status = oa.get(f"/submissions/{submitted['id']}").json()
    assert (status["status"], status["step"], status["step_number"]) == ("in_review", "东区领导审签", 3)
    assert client.get(page.get_url()).status_code == 404

    page_review(page=page, actor=city.leader, approve=True)
    status = oa.get(f"/submissions/{submitted['id']}").json()
    assert status["status"] == "published" and status["published_at"]
    assert status["url"].startswith("http") and status["url"].endswith(page.get_url())
    public = client.get(page.get_url())
    assert public.status_code == 200 and "东区启动老旧小区改造" in public.content.decode()


@pytest.mark.django_db
def test_the_register_shows_the_item_came_from_the_api_client(city, oa, east_system, article_payload):
    submitted = oa.article(article_payload).json()
    approve_all(Page.objects.get(pk=submitted["page_id"]), city)
    record = PublicationRecord.objects.get(page_id=submitted["page_id"])
    assert record.api_client == east_system.client
    assert record.submitted_by == east_system.client.user.get_username()
    assert [a["by"] for a in record.approvals] == ["系统", "east_reviewer", "east_leader"]
    rows = list(load_workbook(io.BytesIO(register_export_xlsx(city.district))).active.iter_rows(values_only=True))
    assert rows[1][-1] == "来源" and rows[2][-1] == "发布接口:东区公文系统"


@pytest.mark.django_db
def test_a_document_keeps_its_disclosure_metadata_and_gets_an_index_number(city, oa, document_payload):
    response = oa.document(document_payload)
    assert response.status_code == 201, response.content
    submitted = response.json()
    doc = GovDocumentPage.objects.get(pk=submitted["page_id"])
    assert (doc.doc_type, doc.issuing_organ, doc.document_number, str(doc.date_written), doc.topic, doc.keywords,
            doc.validity) == ("normative", "测试市东区人民政府", "东府发〔2026〕12号", "2026-11-02", "construction",
                              "道路 占用 管理", "in_force")
    assert doc.index_number == "EAST/2026-00001" == submitted["index_number"]
    assert doc.body.count("</p>") == 2 and "第二条" in doc.body  # plain text: a paragraph a line
    assert not doc.live

    amended = dict(document_payload, title="东区关于修改道路临时占用管理规定的决定", document_number="东府发〔2026〕15号",
                   supersedes=doc.index_number)
    later = oa.document(amended, key="oa-document-0002").json()
    assert GovDocumentPage.objects.get(pk=later["page_id"]).supersedes_id == doc.pk


@pytest.mark.django_db
def test_a_repeated_idempotency_key_makes_one_page(oa, article_payload):
    first = oa.article(article_payload, key="5f0c6a3e-0d1b-4c55-9a57-2a4a9f1c0001")
    again = oa.article(article_payload, key="5f0c6a3e-0d1b-4c55-9a57-2a4a9f1c0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"] and first.json()["page_id"] == again.json()["page_id"]
    assert ArticlePage.objects.count() == 1 and ApiSubmission.objects.count() == 1
    assert WorkflowState.objects.count() == 1

    other = oa.article(dict(article_payload, title="另一篇文章"), key="5f0c6a3e-0d1b-4c55-9a57-2a4a9f1c0001")
    assert other.status_code == 409
    assert other.json()["code"] == "conflict" and "Idempotency-Key" in other.json()["message"]
    assert ArticlePage.objects.count() == 1


@pytest.mark.django_db
def test_a_duplicate_that_gets_past_the_first_check_still_makes_one_page(oa, article_payload, monkeypatch):
    """Two identical requests at once: both find no submission, the second one's
    insert meets the unique key of the first and it answers with the first."""
    from publishing import intake as services

    first = oa.article(article_payload).json()
    real_replay = services._replay
    calls = []

    def not_yet_committed(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_replay(*args)

    monkeypatch.setattr(services, "_replay", not_yet_committed)
    again = oa.article(article_payload)
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert len(calls) == 2 and ArticlePage.objects.count() == 1
    assert ArticlePage.objects.get().revisions.count() == 1 and WorkflowState.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", [None, "short", "x" * 81, "键键键键键键键键键"])
def test_a_submission_needs_a_usable_idempotency_key(oa, article_payload, media, key):
    response = oa.post("/articles", article_payload, key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["message"]
    assert stored_nothing(media)


# --- Refusals: nothing is stored ------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_column_is_404_and_another_units_column_403(city, oa, east_system, article_payload, media):
    missing = oa.article(dict(article_payload, column=999999))
    assert missing.status_code == 404 and missing.json()["code"] == "not_found" and "栏目" in missing.json()["message"]
    for column in (city.dept_news, city.portal_news):
        refused = oa.article(dict(article_payload, column=column.pk))
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
        assert column.title in refused.json()["message"]
    publish_grant_set(client=east_system.client, columns=[city.district_notices])
    assert oa.article(article_payload).status_code == 403  # its own unit's, but not opened to this client
    assert stored_nothing(media)


@pytest.mark.django_db
def test_a_screening_hit_is_refused_with_the_terms_and_where_they_are(oa, article_payload, media):
    payload = dict(article_payload, title="东区限时抢购活动", body="<p>周末欢迎购买<b>六合彩</b>。</p>")
    response = oa.article(payload)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "screening" and "六合彩" in body["message"] and "内容未保存" in body["message"]
    hits = {(h["field"], h["term"]): h for h in body["hits"]}
    assert set(hits) == {("标题", "限时抢购"), ("正文", "六合彩")}
    assert (hits["标题", "限时抢购"]["start"], hits["标题", "限时抢购"]["end"]) == (2, 6)
    assert hits["正文", "六合彩"]["start"] == 6 and hits["正文", "六合彩"]["kind"] == "banned"
    assert hits["正文", "六合彩"]["reason"] == "赌博类违法内容"
    assert stored_nothing(media)


@pytest.mark.django_db
def test_a_screening_hit_in_a_document_field_or_attachment_name_is_refused(oa, document_payload, media):
    payload = dict(document_payload, keywords="优惠券", attachments=[{"filename": "a.pdf", "content_base64": b64(PDF),
                                                                      "label": "全场包邮说明"}])
    body = oa.document(payload).json()
    assert {(h["field"], h["term"]) for h in body["hits"]} == {("主题词", "优惠券"), ("附件名称", "全场包邮")}
    assert stored_nothing(media)


@pytest.mark.django_db
@pytest.mark.parametrize("change, field", [
    ({"title": None}, "title"),
    ({"doc_type": "memo"}, "doc_type"),
    ({"date_written": "2026-13-45"}, "date_written"),
    ({"column": "通知公告"}, "column"),
    ({"documnet_number": "东府发〔2026〕1号"}, "documnet_number"),
    ({"attachments": [{"filename": "a.pdf"}]}, "attachments.0.content_base64"),
])
def test_a_malformed_payload_gets_a_typed_chinese_error(oa, document_payload, media, change, field):
    payload = {k: v for k, v in dict(document_payload, **change).items() if v is not None}
    response = oa.document(payload)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["message"].startswith("请求数据格式不正确") and field in body["message"]
    assert stored_nothing(media)


@pytest.mark.django_db
def test_a_document_breaking_a_rule_is_refused_and_leaves_no_files(oa, document_payload, media):
    payload = dict(document_payload, document_number="",
                   attachments=[{"filename": "附件1.pdf", "content_base64": b64(PDF), "label": "附件1"}])
    response = oa.document(payload)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "发文字号" in response.json()["message"]
    assert stored_nothing(media)  # the attachment had been written before the page was refused

    late = oa.document(dict(document_payload, date_written="2026-12-01"))
    assert late.status_code == 400 and "成文日期" in late.json()["message"]
    stranger = oa.document(dict(document_payload, supersedes="EDU/2026-00001"))
    assert stranger.status_code == 400 and "索引号" in stranger.json()["message"]
    assert stored_nothing(media)


@pytest.mark.django_db
def test_attachments_are_checked_and_stored_in_the_units_collection(city, oa, east_system, article_payload, media):
    payload = dict(article_payload, attachments=[
        {"filename": "改造计划.pdf", "content_base64": b64(PDF), "label": "改造计划"},
        {"filename": "名单.csv", "content_base64": b64("小区,户数\n东苑,120\n".encode())},
    ])
    response = oa.article(payload)
    assert response.status_code == 201, response.content
    page = ArticlePage.objects.get(pk=response.json()["page_id"])
    attachments = list(page.attachments.select_related("document"))
    assert [a.display_name for a in attachments] == ["改造计划", "名单"]
    pdf = attachments[0].document
    assert pdf.collection == city.district.collection and pdf.uploaded_by_user == east_system.client.user
    assert pdf.file.read() == PDF and pdf.file_size == len(PDF)


@pytest.mark.django_db
@pytest.mark.parametrize("attachment, message", [
    ({"filename": "setup.exe", "content_base64": b64(b"MZ\x90\x00")}, "不允许上传"),
    ({"filename": "通知.pdf.exe", "content_base64": b64(PDF)}, "不允许上传"),
    ({"filename": "图片.pdf", "content_base64": b64(PNG)}, "不符"),
    ({"filename": "说明.pdf", "content_base64": "这不是base64"}, "base64"),
    ({"filename": "../../etc/passwd.txt", "content_base64": b64(b"x")}, "文件名不合法"),
])
def test_a_forbidden_attachment_is_refused_with_400(oa, article_payload, media, attachment, message):
    response = oa.article(dict(article_payload, attachments=[attachment]))
    assert response.status_code == 400
    assert message in response.json()["message"] and attachment["filename"] in response.json()["message"]
    assert stored_nothing(media)


@pytest.mark.django_db
def test_an_oversized_attachment_or_request_is_refused_with_400(oa, article_payload, media, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = dict(article_payload, attachments=[{"filename": "大文件.pdf", "content_base64": b64(PDF + b"0" * 2048)}])
    response = oa.article(big)
    assert response.status_code == 400
    assert response.json()["code"] == "too_large" and "文件过大" in response.json()["message"]

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = oa.article(big)
    assert response.status_code == 400
    assert response.json()["code"] == "too_large" and "请求过大" in response.json()["message"]
    assert stored_nothing(media)


@pytest.mark.django_db
def test_html_is_cleaned_to_what_the_editor_stores_and_opens_in_the_editor(city, oa, article_payload, client):
    body = ('<h1>改造范围</h1><p onclick="steal()">第一批<b>12个</b>小区<script>alert(1)</script>'
            '<a href="javascript:alert(2)">详情</a> <a href="https://www.gov.cn/" target="_blank">国务院</a></p>'
            '<table><tr><td>东苑</td><td>西苑</td></tr></table><img src=x onerror=alert(3)><p>第二段<br>换行</p>')
    submitted = oa.article(dict(article_payload, body=body)).json()
    page = ArticlePage.objects.get(pk=submitted["page_id"])
    for bad in ("script", "alert", "onclick", "onerror", "javascript", "<img", "<table", "target="):
        assert bad not in page.body
    for kept in ("改造范围", "<b>12个</b>", '<a href="https://www.gov.cn/">国务院</a>', "东苑", "西苑", "<br/>"):
        assert kept in page.body
    client.force_login(city.editor)
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200


# --- Status and withdrawal ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_rejection_is_reported_with_the_reviewers_comment(city, oa, article_payload):
    submitted = oa.article(article_payload).json()
    page = Page.objects.get(pk=submitted["page_id"])
    page_review(page=page, actor=city.reviewer, approve=False, comment="请补充改造资金来源")
    status = oa.get(f"/submissions/{submitted['id']}").json()
    assert (status["status"], status["status_label"]) == ("rejected", "退回修改")
    assert status["step"] == "东区审核" and status["comment"] == "请补充改造资金来源"


@pytest.mark.django_db
def test_a_client_sees_and_withdraws_only_its_own_submissions(city, client, oa, article_payload, media):
    submitted = oa.article(article_payload).json()
    _, other_token = machine_client_create(unit=city.district, name="东区审批系统", scopes=["publish"])
    _, edu_token = machine_client_create(unit=city.dept, name="市教委办公系统", scopes=["publish"])
    for token in (other_token, edu_token):
        assert oa.get(f"/submissions/{submitted['id']}", token=token).status_code == 404
        assert oa.post(f"/submissions/{submitted['id']}/withdraw", {}, token=token).status_code == 404
    assert oa.get("/submissions/999999").status_code == 404


@pytest.mark.django_db
def test_withdrawing_an_item_in_review_cancels_the_review(city, oa, article_payload):
    submitted = oa.article(article_payload).json()
    response = oa.post(f"/submissions/{submitted['id']}/withdraw", {"reason": "文件需重新核稿"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["comment"]) == ("withdrawn", "文件需重新核稿")
    page = ArticlePage.objects.get(pk=submitted["page_id"])
    assert not page.live and page.current_workflow_state is None
    with pytest.raises(DomainError, match="没有待审核"):
        page_review(page=page, actor=city.reviewer, approve=True)
    assert oa.post(f"/submissions/{submitted['id']}/withdraw", {}).json()["status"] == "withdrawn"  # repeat is harmless


@pytest.mark.django_db
def test_a_published_item_is_taken_down_only_when_a_leader_agrees(city, client, oa, east_system, article_payload):
    submitted = oa.article(article_payload).json()
    page = approve_all(Page.objects.get(pk=submitted["page_id"]), city)
    url = page.get_url()

    response = oa.post(f"/submissions/{submitted['id']}/withdraw", {"reason": "公示期已满"})
    assert response.json()["status"] == "withdrawal_requested" and response.json()["url"]
    assert Page.objects.get(pk=page.pk).live  # the API never takes a page off by itself

    client.force_login(city.editor)
    client.post("/admin/withdrawals/", {"submission": submitted["id"], "decision": "approve"})
    assert Page.objects.get(pk=page.pk).live  # an editor may not unpublish

    client.force_login(city.leader)
    listing = client.get("/admin/withdrawals/").content.decode()
    assert "东区启动老旧小区改造" in listing and "公示期已满" in listing
    response = client.post("/admin/withdrawals/", {"submission": submitted["id"], "decision": "approve"})
    assert response.status_code == 302
    assert not Page.objects.get(pk=page.pk).live
    client.logout()
    assert client.get(url).status_code == 404
    assert oa.get(f"/submissions/{submitted['id']}").json()["status"] == "withdrawn"


@pytest.mark.django_db
def test_a_leader_may_decline_a_withdrawal_with_a_reason(city, client, oa, article_payload):
    submitted = oa.article(article_payload).json()
    page = approve_all(Page.objects.get(pk=submitted["page_id"]), city)
    oa.post(f"/submissions/{submitted['id']}/withdraw", {"reason": "不再需要"})
    client.force_login(city.leader)
    client.post("/admin/withdrawals/", {"submission": submitted["id"], "decision": "decline", "comment": ""})
    assert ApiSubmission.objects.get().withdrawal == "requested"  # a refusal needs a reason
    client.post("/admin/withdrawals/", {"submission": submitted["id"], "decision": "decline",
                                        "comment": "该信息属于主动公开范围,应长期公开"})
    status = oa.get(f"/submissions/{submitted['id']}").json()
    assert status["status"] == "published" and "应长期公开" in status["comment"]
    assert Page.objects.get(pk=page.pk).live
    assert "没有待处理的撤稿申请" in client.get("/admin/withdrawals/").content.decode()


@pytest.mark.django_db
def test_another_units_leader_does_not_see_the_request(city, client, oa, article_payload, make_user):
    submitted = oa.article(article_payload).json()
    approve_all(Page.objects.get(pk=submitted["page_id"]), city)
    oa.post(f"/submissions/{submitted['id']}/withdraw", {})
    client.force_login(make_user("edu_leader", city.dept, ["leader"]))
    assert "东区启动老旧小区改造" not in client.get("/admin/withdrawals/").content.decode()
    assert client.post("/admin/withdrawals/", {"submission": submitted["id"], "decision": "approve"}).status_code == 404
    assert Page.objects.get(pk=submitted["page_id"]).live


# --- The admin: the management centre registers systems ----------------------------------


def token_on(html):
    return html.split('id="api-token-value" value="')[1].split('"')[0]


@pytest.mark.django_db
def test_the_admin_registers_a_system_and_shows_its_token_once(city, client, User, media):
    admin = User.objects.create_superuser("centre", password="pw-Test-2026")
    client.force_login(admin)
    response = client.post("/admin/machine-clients/new/", {"unit": city.district.pk, "name": "东区公文系统",
                                                           "scopes": ["publish"], "expires_at": "2099-01-01 00:00"})
    assert response.status_code == 200
    system = MachineClient.objects.get(name="东区公文系统")
    token = token_on(response.content.decode())
    assert APIToken.objects.get(user=system.user).key_hash == APIToken.hash_token(token)
    assert token not in client.get("/admin/machine-clients/").content.decode()
    assert token not in client.get(f"/admin/machine-clients/edit/{system.pk}/").content.decode()

    grants = client.get(f"/admin/publish-grants/{system.pk}/").content.decode()
    assert "东区政府网 / 通知公告" in grants and "市教委网站" not in grants  # only the unit's columns are offered
    client.post(f"/admin/publish-grants/{system.pk}/", {"columns": [city.district_notices.pk]})
    assert [g.column for g in PublishGrant.objects.filter(client=system)] == [city.district_notices]

    client.post(f"/admin/machine-clients/revoke/{system.pk}/", {"reason": "系统停用"})
    system.refresh_from_db()
    assert system.revoked_at is not None and system.revoke_reason == "系统停用"  # revoked, not deleted


@pytest.mark.django_db
def test_a_person_who_is_no_site_admin_cannot_manage_systems(city, client, east_system):
    client.force_login(city.leader)
    assert client.get("/admin/machine-clients/").status_code in (302, 403)
    assert client.post("/admin/machine-clients/new/", {"unit": city.district.pk, "name": "私建接口",
                                                       "scopes": ["publish"]}).status_code in (302, 403)
    assert client.post(f"/admin/publish-grants/{east_system.client.pk}/",
                       {"columns": [city.district_notices.pk]}).status_code == 404
    assert list(MachineClient.objects.all()) == [east_system.client] and not PublishGrant.objects.exists()


@pytest.mark.django_db
def test_a_body_with_nothing_left_after_cleaning_is_refused(oa, article_payload, media):
    response = oa.article(dict(article_payload, body="<script>alert(1)</script><style>p{}</style>"))
    assert response.status_code == 400 and "正文不能为空" in response.json()["message"]
    assert stored_nothing(media)


@pytest.mark.django_db
def test_the_admin_pages_for_systems_render_and_rotating_shows_a_new_token(city, client, User, east_system):
    client.force_login(User.objects.create_superuser("centre", password="pw-Test-2026"))
    system = east_system.client
    for url in ("/admin/machine-clients/", "/admin/machine-clients/new/", f"/admin/machine-clients/edit/{system.pk}/",
                f"/admin/machine-clients/revoke/{system.pk}/", f"/admin/machine-clients/rotate/{system.pk}/",
                f"/admin/publish-grants/{system.pk}/", "/admin/withdrawals/"):
        assert client.get(url).status_code == 200, url
    edit = client.get(f"/admin/machine-clients/edit/{system.pk}/").content.decode()
    assert f"/admin/publish-grants/{system.pk}/" in edit  # publishing's page for the client, linked from orgs' page
    html = client.post(f"/admin/machine-clients/rotate/{system.pk}/", {"grace_hours": "0"}).content.decode()
    token = token_on(html)
    assert token != east_system.token
    assert client.get("/api/v1/publish/columns", headers={"Authorization": f"Bearer {east_system.token}"}).status_code == 401
    assert client.get("/api/v1/publish/columns", headers={"Authorization": f"Bearer {token}"}).status_code == 200


@pytest.mark.django_db
def test_a_body_that_is_not_json_gets_a_typed_chinese_error(oa, media):
    response = oa.http.post("/api/v1/publish/articles", data="title=东区通知", content_type="application/json",
                            headers=oa.headers(key="oa-article-0001"))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and "JSON" in response.json()["message"]
    assert stored_nothing(media)


@pytest.mark.django_db
def test_a_publication_date_in_the_future_is_refused(oa, article_payload, media):
    response = oa.article(dict(article_payload, pub_date="2099-01-01T09:00:00+08:00"))
    assert response.status_code == 400 and "发布日期不能晚于今天" in response.json()["message"]
    assert stored_nothing(media)


@pytest.mark.django_db
def test_an_error_inside_the_service_is_not_reported_as_bad_json(oa, article_payload, media, monkeypatch):
    from publishing import intake as services

    def broken(*args, **kwargs):
        raise ValueError("a fault of the service, not of the request")

    monkeypatch.setattr(services, "body_to_rich_text", broken)
    with pytest.raises(ValueError):
        oa.article(article_payload)
