"""The error pages a reader can meet (404, 403, 405, 500) pass axe-core's WCAG 2.1
A/AA rules at desktop and 360 px, wear the site's identity, offer a way back and do
not scroll sideways on a phone."""

import pytest

from .helpers import admin_login, assert_no_axe_violations

VIEWPORTS = ["desktop", "phone"]


def _check(page, viewport, where, *, site_name, title):
    assert page.locator("h1").inner_text().strip() == title
    assert page.locator("a.site-name").inner_text().strip() == site_name
    assert page.get_by_role("link", name=f"返回{site_name}首页").count() == 1
    assert_no_axe_violations(page, f"{where} ({viewport})")
    if viewport == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360 + 1, f"{where} scrolls sideways: content is {width}px wide on a 360px screen"


def _page(request, viewport):
    return request.getfixturevalue("phone_page" if viewport == "phone" else "page")


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("path, site_name", [
    ("/no-such-page/", "中国重庆"),
    ("/s/yuzhong/no-such-page/", "重庆市渝中区人民政府"),
])
def test_404(request, viewport, path, site_name):
    page = _page(request, viewport)
    response = page.goto(path)
    assert response.status == 404
    _check(page, viewport, f"404 {path}", site_name=site_name, title="没有找到这个页面")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_403_of_a_form_without_its_token(request, viewport):
    page = _page(request, viewport)
    page.goto("/mailbox/track/")
    page.locator("input[name=csrfmiddlewaretoken]").evaluate("input => input.remove()")
    page.locator("#code").fill("ABCD-EFGH-JKMN")
    page.locator("#check").fill("1234")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="查询").click()
    assert navigation.value.status == 403
    _check(page, viewport, "403 of the tracking form", site_name="中国重庆", title="没有访问权限")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_405_of_a_post_only_address(request, viewport):
    page = _page(request, viewport)
    admin_login(page, "admin")
    response = page.goto("/admin/hosting/1/start/")
    assert response.status == 405
    _check(page, viewport, "405", site_name="中国重庆", title="不能这样打开这个页面")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_500(request, viewport, server):
    """No address of the platform fails on purpose: the 500 page is rendered by the
    platform's own handler for a district address and shown in the browser on the
    platform's origin, with its real style sheets."""
    html = server.shell(
        "from django.test import RequestFactory\n"
        "from cityplatform.errors import server_error\n"
        "print(server_error(RequestFactory().get('/s/yuzhong/a/', HTTP_HOST='127.0.0.1')).content.decode())"
    )
    page = _page(request, viewport)
    page.goto("/healthz")  # the platform's origin, so the page's /static/ links load
    page.set_content(html, wait_until="load")
    _check(page, viewport, "500", site_name="重庆市渝中区人民政府", title="服务器出了点问题")
