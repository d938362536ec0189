"""An editor writes two articles, the machine screening stops a banned term, the
reviewer and the leader approve (one article in the page editor, where people
read what they approve, the other from the dashboard), each step says what it
did, and both articles appear on the district site; the first also on the
portal column it was sent to."""

import json
import re
import time

from playwright.sync_api import expect

from .helpers import admin_login, admin_logout, admin_messages

DISTRICT_HOME = "重庆市渝中区人民政府"
COLUMN = "区县动态"
PORTAL_COLUMN = "要闻动态"
BANNED = "六合彩"


class AdminRequests:
    """Counts the admin's background POSTs (Wagtail 8 autosaves the editor form
    about half a second after each change), so a test can wait for them to settle
    before it presses a button: a submit racing an autosave is not what we test."""

    def __init__(self, page):
        self.page = page
        self.in_flight = 0
        self.finished = 0
        self.last_activity = time.monotonic()
        self.log = []
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    @staticmethod
    def _ours(request):
        return request.method == "POST" and "/admin/" in request.url

    def _started(self, request):
        if self._ours(request):
            fields = re.findall(r"name=\"?(action-[\w-]+|workflow-action-name)", request.post_data or "")
            self.log.append(f"{request.url} {request.headers.get('accept', '')[:20]} {fields}")
            self.in_flight += 1
            self.last_activity = time.monotonic()

    def _ended(self, request):
        if self._ours(request):
            self.finished += 1
            self.in_flight = max(0, self.in_flight - 1)
            self.last_activity = time.monotonic()

    def wait_for_autosave(self, since, timeout=10):
        """Wait until an admin POST started after ``since`` (a count) has finished:
        the editor autosaves a new page about half a second after typing, and a
        submit that races that first save finds its own slug taken."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.finished <= since:
            self.page.wait_for_timeout(100)

    def settle(self, quiet_seconds=1.5, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.in_flight == 0 and time.monotonic() - self.last_activity >= quiet_seconds:
                return
            self.page.wait_for_timeout(100)
        raise AssertionError("the admin's background saves did not settle")


def body_editor(page):
    return page.locator("[role=textbox].public-DraftEditor-content")


def type_body(page, text):
    """Replace the Draftail body with ``text``, typed as an editor would."""
    editor = body_editor(page)
    editor.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)
    # Draftail keeps its content in a hidden input; the form posts that.
    expect(page.locator("input[name=body]")).to_have_value(re.compile(re.escape(text)))


def submit_for_review(page, requests):
    """Wagtail keeps "submit to <workflow>" in the footer's action menu."""
    requests.settle()
    page.get_by_role("button", name="更多动作").click()
    submit = page.locator("button[name=action-submit]")
    expect(submit).to_be_visible()
    submit.click()
    page.wait_for_load_state("networkidle")


def form_errors(page):
    """Every field error the editor shows, with its field's name (for a failure's message)."""
    return page.locator(".w-field__errors, .error-message").evaluate_all(
        "els => els.map(e => (e.closest('[data-field-wrapper]')?.querySelector('[name]')?.name || '?')"
        " + ': ' + e.innerText.trim())")


def approve_from_dashboard(page, title, outcome):
    """Approve the current review step from the dashboard's "awaiting your review" list."""
    page.goto("/admin/")
    awaiting = page.locator("#awaiting-review-content")
    row = awaiting.locator("tr", has=page.get_by_role("link", name=title, exact=True))
    expect(row).to_have_count(1)
    row.get_by_role("button", name="动作").click()
    row.get_by_role("button", name="批准", exact=True).click()
    page.wait_for_load_state("networkidle")
    messages = admin_messages(page)
    assert "没有权限" not in messages, f"approving「{title}」was refused: {messages}"
    expect(page.locator(".messages")).to_contain_text(f"「{title}」{outcome}")
    page.goto("/admin/")
    expect(page.locator("#awaiting-review-content").get_by_role("link", name=title, exact=True)).to_have_count(0)


def approve_in_editor(page, requests, title, outcome):
    """Open the page from the dashboard's review list in the page editor, read it,
    and press 批准 in the footer's workflow action menu, as a reviewer would."""
    page.goto("/admin/")
    page.locator("#awaiting-review-content").get_by_role("link", name=title, exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
    expect(page.locator("input[name=title]")).to_have_value(title)
    page.wait_for_load_state("networkidle")
    requests.settle()
    approve = page.locator("footer button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])")
    if not approve.is_visible():
        page.get_by_role("button", name="更多动作").click()
    expect(approve).to_have_text("批准")
    approve.click()
    page.wait_for_load_state("networkidle")
    expect(page).not_to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    messages = admin_messages(page)
    assert "重新进入审核" not in messages, f"approving「{title}」in the editor restarted the review: {messages}"
    expect(page.locator(".messages")).to_contain_text(f"「{title}」{outcome}")


def review_state(server, title):
    """The page's review as the database records it: (live, [(status, [(task, status, by)])])."""
    out = server.shell(
        "import json\n"
        "from wagtail.models import Page, WorkflowState\n"
        f"p = Page.objects.filter(title={title!r}).first()\n"
        "states = WorkflowState.objects.for_instance(p).order_by('id') if p else []\n"
        "steps = lambda ws: [[t.task.name, t.status, t.finished_by.username if t.finished_by else '']"
        " for t in ws.task_states.order_by('id')]\n"
        "print(json.dumps([p and p.live, [[ws.status, steps(ws)] for ws in states]], ensure_ascii=False))\n"
    )
    return json.loads(out.strip().splitlines()[-1])


def add_article(page, requests, title, body):
    """From the page explorer: the district site, its news column, a new article."""
    page.goto("/admin/pages/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(DISTRICT_HOME)
    page.get_by_role("link", name=f"查看'{COLUMN}'的子页面").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(COLUMN)
    page.get_by_role("link", name="添加子页面").click()
    page.get_by_role("link", name="文章", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/pages/add/portal/articlepage/\d+/"))
    page.wait_for_load_state("networkidle")
    saves = requests.finished
    page.locator("input[name=title]").fill(title)
    type_body(page, body)
    requests.wait_for_autosave(saves)


def test_article_goes_through_screening_and_three_level_review(page, server):
    stamp = int(time.time()) % 100000
    title = f"渝中区举行端到端测试发布会{stamp}"
    clean_body = "渝中区今天举行发布会,介绍了城市更新和便民服务的最新进展。"
    second_title = f"渝中区发布冬季出行提示{stamp}"
    second_body = "冬季雨雾天气较多,请市民出行注意安全,合理安排时间。"

    # The editor finds the column in the page explorer and adds an article to it.
    requests = AdminRequests(page)
    admin_login(page, "yuzhong_editor")
    add_article(page, requests, title, f"本次活动中有人散发{BANNED}宣传单,已被制止。")
    submit_for_review(page, requests)

    # The machine screening refuses it and says where the banned term is. (The
    # page may exist by now as an autosaved draft; it is not in review.)
    expect(page).to_have_url(re.compile(r"/admin/pages/(add/portal/articlepage/\d+|\d+/edit)/"))
    expect(page.locator(".messages")).to_contain_text("机器筛查未通过")
    body_errors = page.locator(".w-field__errors, .error-message").filter(has_text=BANNED)
    expect(body_errors.first).to_contain_text("正文")
    expect(page.locator("input[name=title]")).to_have_value(title)

    # Clean text, also sent to the portal's column, goes through.
    page.wait_for_load_state("networkidle")
    type_body(page, clean_body)
    expect(page.locator("input[name=body]")).not_to_have_value(re.compile(BANNED))
    page.locator("select[name=also_in]").select_option(label=f"中国重庆 · {PORTAL_COLUMN}")
    submit_for_review(page, requests)
    if "/edit/" in page.url or "/add/" in page.url:
        raise AssertionError(f"submitting stayed in the editor: {admin_messages(page)} {form_errors(page)}"
                             + "\n".join(requests.log))
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/$"))
    expect(page.locator(".messages")).to_contain_text(re.compile(rf"{title}.*提交"))

    # A second article, to be approved from the dashboard.
    add_article(page, requests, second_title, second_body)
    submit_for_review(page, requests)
    expect(page.locator(".messages")).to_contain_text(re.compile(rf"{second_title}.*提交"))
    admin_logout(page)

    # Reviewer, then leader; nothing is public before the leader has approved.
    steps_taken = [
        ("yuzhong_reviewer", "已批准,已转交「渝中区领导审签」"),
        ("yuzhong_leader", "已批准,审核完成,已发布"),
    ]
    for username, outcome in steps_taken:
        admin_login(page, username)
        try:
            approve_in_editor(page, requests, title, outcome)
            approve_from_dashboard(page, second_title, outcome)
        except AssertionError as exc:
            raise AssertionError(f"{username}: {exc}\nreview state: {review_state(server, title)}"
                                 f"\n{review_state(server, second_title)}\n" + "\n".join(requests.log)) from exc
        if username == "yuzhong_reviewer":
            page.goto("/s/yuzhong/news/")
            expect(page.locator("main").get_by_role("link", name=title, exact=True)).to_have_count(0)
            expect(page.locator("main").get_by_role("link", name=second_title, exact=True)).to_have_count(0)
            page.goto("/admin/")
        admin_logout(page)

    # The machine screening was the first step; each person approved their own,
    # once: approving in the editor saved no new version and restarted nothing.
    for approved_title in (title, second_title):
        live, workflows = review_state(server, approved_title)
        assert live is True, (workflows, requests.log)
        assert len(workflows) == 1, workflows
        status, steps = workflows[-1]
        assert status == "approved", workflows
        assert [(name, state) for name, state, _ in steps][0] == ("机器筛查", "approved"), workflows
        assert [(state, by) for _, state, by in steps] == [
            ("approved", ""), ("approved", "yuzhong_reviewer"), ("approved", "yuzhong_leader"),
        ], workflows

    # A reader sees it on the district column and on the portal column.
    page.goto("/s/yuzhong/news/")
    expect(page.locator("main").get_by_role("link", name=title, exact=True)).to_be_visible()
    page.goto("/news/")
    portal_link = page.locator("main").get_by_role("link", name=title, exact=True)
    expect(portal_link).to_have_count(1)
    expect(portal_link).to_be_visible()
    portal_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main")).to_contain_text(clean_body)
    page.goto("/s/yuzhong/news/")
    page.locator("main").get_by_role("link", name=second_title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(second_title)
    expect(page.locator("main")).to_contain_text(second_body)
