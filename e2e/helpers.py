"""What several browser tests do: run axe, log in and out of the admin, read messages."""

import re
from pathlib import Path

from playwright.sync_api import expect

AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "Demo-2026-cq"  # demo/city.py; repeated so the tests read the demo as a user would


def axe_violations(page):
    """Run axe-core on the page (WCAG 2.0/2.1 A and AA rules) and return its violations."""
    assert AXE_JS.exists(), f"axe-core is missing at {AXE_JS} (run 'make e2e-deps')"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return result["violations"]


def describe_violations(violations):
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} [{v.get('impact')}] {v['help']} ({v.get('helpUrl', '')})")
        for node in v["nodes"]:
            lines.append(f"    at {', '.join(' '.join(t) if isinstance(t, list) else t for t in node['target'])}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " / ")
            if summary:
                lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def assert_no_axe_violations(page, where=""):
    violations = axe_violations(page)
    if violations:
        report = describe_violations(violations)
        print(f"axe violations on {where or page.url}:\n{report}")
        raise AssertionError(f"{len(violations)} WCAG 2.1 A/AA violation(s) on {where or page.url}:\n{report}")


def admin_login(page, username, password=PASSWORD):
    page.goto("/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/admin/login/"))
    page.wait_for_load_state("networkidle")


def admin_logout(page):
    """Log out through the account menu at the foot of the admin's sidebar."""
    page.locator("button.sidebar-footer__account").click()
    page.get_by_role("button", name="注销").click()
    expect(page).to_have_url(re.compile(r"/admin/login/"))


def admin_messages(page):
    """The text of the admin's flash messages on the current page."""
    return " ".join(t.strip() for t in page.locator(".messages").all_inner_texts())


def page_ids_linked(page):
    """Ids of every admin page (/admin/pages/<id>/...) the current page links to."""
    hrefs = page.locator("a[href*='/admin/pages/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    return {int(m.group(1)) for h in hrefs if (m := re.search(r"/admin/pages/(\d+)/", h or ""))}
