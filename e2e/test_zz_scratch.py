from .helpers import admin_login

def test_scratch(page):
    admin_login(page, "jiangbei_editor")
    for path in ["/admin/api/main/pages/?child_of=4&for_explorer=1", "/admin/api/main/pages/4/", "/admin/api/main/pages/?for_explorer=1&child_of=root", "/admin/api/main/pages/?search=渝中区", "/admin/api/main/pages/?descendant_of=4&limit=5", "/admin/pages/4/history/", "/admin/pages/4/revisions/", "/admin/reports/site-history/", "/admin/pages/28/preview/", "/admin/pages/28/view_draft/", "/admin/choose-page/4/", "/admin/choose-page/search/?q=渝中区", "/admin/pages/4/usage/", "/admin/register/yuzhong.xlsx"]:
        r = page.request.get(path)
        print("\n==", path, r.status, r.text()[:400].replace("\n"," "))
