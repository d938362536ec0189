"""WCAG 2.1 A/AA (axe-core) on every kind of site and page, at desktop and phone
widths; on the phone the page must not scroll sideways."""

import re
from dataclasses import dataclass

import pytest

from .helpers import assert_no_axe_violations

# Site kind → (address, the column whose items are government documents).
# Window units have no 政策文件 column; their 服务公告 carry the notices they issue
# as documents (公告, 便民告示), which is what we check there.
SITES = {
    "portal": ("/", "policy"),
    "district": ("/s/yuzhong/", "policy"),
    "department": ("/s/fzggw/", "policy"),
    "window": ("/s/www.cqairport.cn/", "notices"),
}
PAGE_KINDS = ["home", "column", "article", "document"]
TARGETS = [f"{site}-{kind}" for site in SITES for kind in PAGE_KINDS] + ["directory"]
VIEWPORTS = ["desktop", "phone"]

ITEM_LIST = re.compile(r'<ul class="item-list[^"]*">(.*?)</ul>', re.S)
HREF = re.compile(r'<a href="([^"]+)"')
NAV = re.compile(r'<nav class="site-nav"[^>]*>(.*?)</nav>', re.S)


@dataclass
class Target:
    path: str | None
    skip_reason: str = ""


def _get(api, path):
    response = api.get(path)
    assert response.ok, f"GET {path}: {response.status}"
    return response.text()


def _items(api, column_path):
    match = ITEM_LIST.search(_get(api, column_path))
    return HREF.findall(match.group(1)) if match else []


def _is_document(html):
    return 'class="disclosure-header"' in html


@pytest.fixture(scope="session")
def targets(playwright_instance, server):
    """The pages to check, found the way a reader finds them: from each site's
    menu and column lists."""
    api = playwright_instance.request.new_context(base_url=server.base_url)
    found = {"directory": Target("/sites/")}
    try:
        for site, (home, document_column) in SITES.items():
            found[f"{site}-home"] = Target(home)
            nav = NAV.search(_get(api, home)).group(1)
            columns = [h for h in HREF.findall(nav) if h not in (home, "/sites/")]
            assert columns, f"{site}: no column in the menu of {home}"
            column = columns[0]
            found[f"{site}-column"] = Target(column)

            article = next((h for h in _items(api, column) if not _is_document(_get(api, h))), None)
            found[f"{site}-article"] = Target(article) if article else Target(None, f"{column} lists no article")

            document_column_path = home + document_column + "/"
            documents = [h for h in _items(api, document_column_path) if _is_document(_get(api, h))]
            found[f"{site}-document"] = (
                Target(documents[0]) if documents
                else Target(None, f"{document_column_path} lists no government document")
            )
    finally:
        api.dispose()
    return found


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("target", TARGETS)
def test_no_wcag_violations(target, viewport, targets, request):
    page = request.getfixturevalue("phone_page" if viewport == "phone" else "page")
    spec = targets[target]
    if spec.path is None:
        pytest.skip(spec.skip_reason)
    response = page.goto(spec.path)
    assert response.ok, f"{spec.path}: HTTP {response.status}"
    where = f"{target} ({spec.path}, {viewport})"
    assert_no_axe_violations(page, where)
    if viewport == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360 + 1, f"{where} scrolls sideways: content is {width}px wide on a 360px screen"


def test_axe_check_reports_a_violation(page):
    """The check above can fail: a page with an unlabelled image and field does."""
    page.set_content('<html lang="zh-Hans"><title>t</title><main><img src="x.png"><input type="text"></main></html>')
    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page, "a broken page")
    assert "image-alt" in str(failure.value) and "label" in str(failure.value)
