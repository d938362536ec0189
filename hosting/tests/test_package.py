"""Bad export packages and bad items: each gets a clear Chinese message, nothing half-done."""

import io
import json
import os
import zipfile

import pytest
from wagtail.documents.models import Document

from demo import site_package
from hosting import services
from hosting.models import ItemStatus, MigrationStatus, SiteMigration
from hosting.package import PackageInvalid
from portal.models import ArticlePage

pytestmark = pytest.mark.django_db


def refused(police, centre, path):
    """Upload ``path``; return the problems it was refused for, checking nothing was kept."""
    with open(path, "rb") as stream, pytest.raises(PackageInvalid) as caught:
        services.migration_create(record=police, source=stream, package_name=path.name, actor=centre)
    assert not SiteMigration.objects.exists()
    store = services.package_storage().location
    assert not any(files for _, _, files in os.walk(store))  # the refused upload is not kept
    police.refresh_from_db()
    assert police.hosting == "independent"
    return " ".join(caught.value.problems)


def test_a_file_that_is_not_a_zip_is_refused(police, centre, tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(b"%PDF-1.4 this is not a zip")
    assert "不是有效的 ZIP 压缩包" in refused(police, centre, path)


def test_an_empty_upload_is_refused(police, centre, tmp_path):
    path = tmp_path / "empty.zip"
    path.write_bytes(b"")
    assert "空的" in refused(police, centre, path)


def test_a_package_without_manifest_is_refused(police, centre, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("site/manifest.json", "{}")
    path = tmp_path / "export.zip"
    path.write_bytes(buffer.getvalue())
    assert "根目录中没有 manifest.json" in refused(police, centre, path)


def test_broken_json_is_refused_with_line_and_column(police, centre, package):
    problems = refused(police, centre, package(manifest_bytes=b'{\n  "format": "city-site-export",\n  "version": 1,,\n}'))
    assert "不是有效的 JSON" in problems and "第 3 行" in problems


def test_a_manifest_not_in_utf8_is_refused(police, centre, package):
    text = json.dumps(site_package.manifest(), ensure_ascii=False)
    assert "UTF-8" in refused(police, centre, package(manifest_bytes=text.encode("gb18030")))


def test_another_format_or_version_is_refused(police, centre, package):
    manifest = site_package.manifest()
    manifest["format"], manifest["version"] = "wordpress-wxr", 3
    problems = refused(police, centre, package(manifest))
    assert "format 应为 city-site-export" in problems and "不支持的导出格式版本 3" in problems


def test_unknown_column_kinds_are_named(police, centre, package):
    manifest = site_package.manifest()
    manifest["columns"][0]["kind"] = "police-news"
    manifest["columns"].append({"key": "jmhd", "title": "警民互动", "kind": "chat"})
    problems = refused(police, centre, package(manifest))
    assert "第 1 个栏目「警务动态」的类型代码「police-news」" in problems
    assert "「chat」" in problems and "已登记的代码" in problems and "news" in problems


def test_bad_columns_are_refused(police, centre, package):
    manifest = site_package.manifest()
    manifest["columns"][1]["key"] = "通知公告"
    manifest["columns"][2]["key"] = "jwdt"
    manifest["columns"][4]["parent"] = "nowhere"
    problems = refused(police, centre, package(manifest))
    assert "须为小写字母" in problems and "key「jwdt」重复" in problems and "上级栏目「nowhere」" in problems


def test_column_names_and_descriptions_are_screened(police, centre, package):
    manifest = site_package.manifest()
    manifest["columns"][0]["title"] = "六合彩专栏"
    manifest["columns"][1]["intro"] = "本栏目提供代开发票服务。"
    problems = refused(police, centre, package(manifest))
    assert "栏目「六合彩专栏」" in problems and "「六合彩」" in problems
    assert "「代开发票」" in problems and "栏目说明" in problems


def test_a_package_of_another_site_is_refused(police, centre, package):
    manifest = site_package.manifest()
    manifest["site"]["url"] = "https://jtj.cq.gov.cn/"
    assert "导出包属于网站 jtj.cq.gov.cn" in refused(police, centre, package(manifest))


def test_unsafe_and_encrypted_members_are_refused(police, centre, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", json.dumps(site_package.manifest()))
        archive.writestr("../../etc/cron.d/evil", b"* * * * * root true")
        archive.writestr("attachments/secret.pdf", b"%PDF-1.4")
    path = tmp_path / "export.zip"
    path.write_bytes(_mark_encrypted(buffer.getvalue(), b"attachments/secret.pdf"))
    problems = refused(police, centre, path)
    assert "不安全的文件名" in problems and "../../etc/cron.d/evil" in problems
    assert "设了密码" in problems


def _mark_encrypted(data, name):
    """Set the "encrypted" flag of ``name`` in the central directory (Python writes no encrypted ZIPs)."""
    entry = data.index(b"PK\x01\x02")  # the first entry of the central directory
    while data[entry + 46:entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 4)
    flags = int.from_bytes(data[entry + 8:entry + 10], "little") | 0x1
    return data[:entry + 8] + flags.to_bytes(2, "little") + data[entry + 10:]


def test_social_news_columns_need_the_units_approval(police, centre, package, city):
    from portal.services import column_kind_save

    column_kind_save(code="social-news", name="社会新闻", category="social_news", update_period=14,
                     approval=_approval_of(city.office))
    manifest = site_package.manifest()
    manifest["columns"][0]["kind"] = "social-news"
    assert "没有新闻主管部门批准" in refused(police, centre, package(manifest))


def _approval_of(unit):
    from portal.models import NewsColumnApproval

    return NewsColumnApproval.objects.create(unit=unit, authority="新闻办", document_number="1号", approved_on="2025-01-01")


def test_bad_items_fail_one_by_one_and_the_rest_migrate(police, centre, package, migrate):
    manifest = site_package.manifest()
    items = manifest["items"]
    items[0]["title"] = "  "
    items[1]["published"] = "2025年5月18日"
    items[3]["url"] = "https://www.example.com/tzgg/1.html"
    items[4]["url"] = items[5]["url"]
    items[6]["column"] = "jmhd"
    items[7]["summary"] = "长" * 301
    items.append({**items[2], "url": "https://gaj.cq.gov.cn/tzgg/2099.html", "published": "2099-01-01",
                  "attachments": ["不存在.pdf"]})
    items.append("not an item")
    migration = migrate(package(manifest))

    messages = {item.position: item.message for item in migration.items.all()}
    statuses = {item.position: item.status for item in migration.items.all()}
    assert "缺少标题" in messages[1]
    assert "发布日期「2025年5月18日」格式不对" in messages[2]
    assert "原网址不属于原网站(www.example.com)" in messages[4]
    assert "原网址与第 5 条重复" in messages[6]  # the first of the two keeps the address
    assert "栏目「jmhd」不在 columns 列表中" in messages[7]
    assert "摘要过长:301 个字,最多 300 个字" in messages[8]
    assert "晚于今天" in messages[9] and "附件「不存在.pdf」不在压缩包的 attachments/ 目录中" in messages[9]
    assert "条目不是 JSON 对象" in messages[10]
    assert [p for p, s in statuses.items() if s != ItemStatus.FAILED] == [3, 5]
    assert migration.status == MigrationStatus.COMPLETED and migration.failed == 8
    assert set(ArticlePage.objects.values_list("title", flat=True)) == {items[2]["title"], items[4]["title"]}


def test_forbidden_oversized_and_disguised_attachments_fail_their_item(police, centre, package, migrate, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    manifest, files = site_package.manifest(), site_package.attachments()
    items = manifest["items"]
    files["举报须知.exe"] = b"MZ\x90\x00" + b"\x00" * 100
    files["大文件.pdf"] = b"%PDF-1.4\n" + b"0" * (1024 * 1024)
    files["伪装.pdf"] = "这其实是一段文字".encode()
    items[0]["attachments"] = ["举报须知.exe"]
    items[1]["attachments"] = ["大文件.pdf"]
    items[5]["attachments"] = ["伪装.pdf"]
    migration = migrate(package(manifest, files))

    messages = {item.position: item.message for item in migration.items.all()}
    assert messages[1] == "附件「举报须知.exe」:不允许上传此类文件(.exe)。"
    assert messages[2] == "附件「大文件.pdf」:文件过大:最大 1 MB。"
    assert messages[6] == "附件「伪装.pdf」:文件内容与扩展名 .pdf 不符。"
    assert migration.failed == 3 and migration.published == 4 and migration.held == 1
    assert not ArticlePage.objects.filter(title=items[0]["title"]).exists()
    # documents of the failed items were not kept, in the database or on disk
    assert sorted(Document.objects.values_list("title", flat=True)) == ["受理窗口一览表", "集中办理点"]
    media = settings.MEDIA_ROOT / "documents"
    assert sorted(os.listdir(media)) == ["受理窗口一览表.pdf", "集中办理点.csv"]


def test_a_body_with_nothing_left_after_cleaning_fails(police, centre, package, migrate):
    manifest = site_package.manifest()
    manifest["items"][0]["body"] = "<script>document.write('广告')</script><img src='/a.jpg'><iframe src='/b'></iframe>"
    migration = migrate(package(manifest))
    first = migration.items.get(position=1)
    assert first.status == ItemStatus.FAILED and "正文清理后没有文字内容" in first.message
