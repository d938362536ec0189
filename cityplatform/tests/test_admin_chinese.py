"""The admin speaks Chinese: the Wagtail strings its own zh_Hans catalogue lacks are
completed in the project's locale (locale/zh_Hans/LC_MESSAGES/django.po), so each
role's admin pages show them in Chinese. Each pair below was English on these pages
before the project's catalogue existed."""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from letters.models import Mailbox

# (English that must not be shown, the Chinese shown instead)
EVERY_PAGE = [
    ("Show keyboard shortcuts", "显示键盘快捷键"),
    ("Paste without formatting", "粘贴为纯文本"),
    ("Close modal dialogs (like this one)", "关闭对话框(如本窗口)"),
    ("JavaScript is required to use Wagtail", "使用管理后台需要 JavaScript"),
]
DASHBOARD = [("Search all pages…", "搜索全部页面……"), ("Edit account avatar", "修改头像")]
EXPLORER = [("Has child pages", "有子页面"), ("Edited by", "编辑人")]
PAGE_EDITOR = [
    ("Content metrics", "内容指标"),
    ("Choose when this page should go live and/or expire", "选择此页面上线和/或过期的时间"),
    ("Autosave is paused", "自动保存已暂停"),
    ("A network error occurred", "发生网络错误"),
    ("View latest version", "查看最新版本"),
]
ACCOUNT = [("Theme preferences", "主题偏好"), ("More contrast", "更高对比度")]

SITE_HISTORY = [("Is commenting action", "是否批注操作")]


def _assert_chinese(client, url, pairs):
    response = client.get(url)
    assert response.status_code == 200, url
    page = html.unescape(response.content.decode())
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "Wagtail" not in title and "管理后台" in title, title
    for english, chinese in EVERY_PAGE + pairs:
        assert english not in page, f"{url}: {english!r} is shown in English"
        assert chinese in page, f"{url}: {chinese!r} is missing"


@pytest.fixture
def admin_pages(city, article_factory, make_user):
    Mailbox.objects.create(unit=city.district, name="东区区长信箱", code="east", email="east@example.com")
    article = article_factory()
    handler = make_user("east_mailbox", city.district, ["mailbox_handler"])
    return article, handler


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "reviewer", "leader"])
def test_editors_reviewers_and_leaders_see_the_page_admin_in_chinese(client, city, admin_pages, role):
    article, _handler = admin_pages
    client.force_login(getattr(city, role))
    _assert_chinese(client, "/admin/", DASHBOARD)
    _assert_chinese(client, f"/admin/pages/{city.district_news.pk}/", EXPLORER)
    _assert_chinese(client, f"/admin/pages/{article.pk}/edit/", PAGE_EDITOR)
    _assert_chinese(client, "/admin/account/", ACCOUNT)


@pytest.mark.django_db
def test_the_mailbox_handler_sees_the_letters_admin_in_chinese(client, admin_pages):
    _article, handler = admin_pages
    client.force_login(handler)
    _assert_chinese(client, "/admin/", DASHBOARD)
    _assert_chinese(client, "/admin/letters/", [])
    _assert_chinese(client, "/admin/letters/stats/", [])
    _assert_chinese(client, "/admin/account/", ACCOUNT)


@pytest.mark.django_db
def test_the_supervisor_sees_the_admin_in_chinese(client, city, admin_pages):
    client.force_login(city.supervisor)
    _assert_chinese(client, "/admin/", DASHBOARD)
    _assert_chinese(client, "/admin/letters/", [])
    _assert_chinese(client, "/admin/letters/stats/", [])
    _assert_chinese(client, "/admin/reports/site-history/", SITE_HISTORY)


def _entries(po_text):
    """(msgid, msgstr) of the singular entries of a .po file, enough for this check."""
    pattern = re.compile(r'^msgid "(.*)"\nmsgstr "(.+)"$', re.M)
    unquote = lambda s: s.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")  # noqa: E731
    return [(unquote(i), unquote(s)) for i, s in pattern.findall(po_text)]


@pytest.mark.django_db
def test_the_login_page_names_the_admin_in_chinese(client):
    page = client.get("/admin/login/").content.decode()
    assert "Sign in to Wagtail" not in page and "登录管理后台" in page


def test_the_compiled_catalogue_matches_its_source():
    """django.mo is committed beside django.po: every entry of the source is in force."""
    po = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    entries = _entries(po.read_text(encoding="utf-8"))
    assert len(entries) > 300
    with translation.override("zh-hans"):
        stale = [(msgid, msgstr) for msgid, msgstr in entries if "{" not in msgid and translation.gettext(msgid) != msgstr]
    assert not stale, f"run msgfmt (see Makefile 'messages'): {stale[:5]}"
