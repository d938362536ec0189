"""A citizen applies online for a matter (网上填表预受理): from the guide of
《灵活就业人员参保登记》 on 市人力社保局's site, 在线办理, the form, an uploaded
material, a receipt with a query code; the unit's staff ask for a correction in the
admin; the citizen tracks the application with the code and corrects the one field
asked for; the staff pre-accept it with the next step; the citizen sees the status.
The form, receipt and tracking pages pass axe-core at desktop and at 360 px.

The citizen starts on the portal's home page: 办事服务 in the menu, the matter
directory's search, the guide; tracking starts there too (办件查询 in the directory)."""

import re

from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .helpers import admin_login, axe_violations, describe_violations

GUIDE = "灵活就业人员参保登记"
STAFF = "rlsbj_leader"
ID_NUMBER = "11010519491231002X"
PHONE_NUMBER = "13987654321"
CHALLENGE = re.compile(r"(\d+)\s*加\s*(\d+)\s*等于几")
QUERY_CODE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Accessibility:
    def __init__(self):
        self.problems = []

    def check(self, page, where, phone=False):
        label = f"{where} ({'phone 360px' if phone else 'desktop'}, {page.url})"
        violations = axe_violations(page)
        if violations:
            self.problems.append(f"{label}: {len(violations)} violation(s)\n{describe_violations(violations)}")
        if phone:
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"] + 1:
                self.problems.append(f"{label}: scrolls sideways, {width}px on a {PHONE['width']}px screen")

    def assert_clean(self):
        assert not self.problems, "\n".join(self.problems)


def open_services(page):
    page.goto("/")
    toggle = page.locator("[data-menu-toggle]")
    if toggle.is_visible():  # on a phone the menu folds behind a button (site-menu.js)
        toggle.click()
    page.get_by_role("navigation", name="栏目导航").get_by_role("link", name="办事服务", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("办事服务")


def open_form(page):
    open_services(page)
    directory = page.get_by_role("search", name="查找办事事项")
    directory.get_by_label("事项名称").fill("灵活就业")
    directory.get_by_role("button", name="查询").click()
    page.get_by_role("link", name=GUIDE, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(GUIDE)
    page.get_by_role("link", name="在线办理").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"在线办理:{GUIDE}")


def answer_challenge(page):
    question = page.locator("label[for=challenge_answer]").inner_text()
    numbers = CHALLENGE.search(question)
    page.get_by_label(re.compile("^验证")).fill(str(int(numbers[1]) + int(numbers[2])))


def fill_form(page, name, phone, address):
    page.get_by_label(re.compile("^申请人姓名或单位名称")).fill(name)
    page.get_by_label(re.compile("^身份证号码")).fill(ID_NUMBER)
    page.get_by_label(re.compile("^联系电话")).fill(phone)
    page.get_by_label(re.compile("^电子邮箱")).fill("applicant@example.com")
    page.get_by_label(re.compile("^现居住地址")).fill(address)
    page.get_by_label(re.compile("^就业形式")).select_option("新就业形态(平台从业)")
    page.get_by_label(re.compile("^开始灵活就业日期")).fill("2026-02-02")
    page.get_by_label("100%", exact=True).check()
    page.get_by_label("电子证明", exact=True).check()
    page.get_by_label(re.compile("^本人承诺所填信息真实")).check()
    page.get_by_label(re.compile("^居民身份证")).set_input_files(
        {"name": "身份证.pdf", "mimeType": "application/pdf", "buffer": PDF})
    answer_challenge(page)


def open_tracking(page):
    open_services(page)
    page.get_by_role("link", name="办件查询", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("办件查询")


def track(page, code, phone):
    open_tracking(page)
    page.get_by_label("查询码").fill(code)
    page.get_by_label("联系电话后四位").fill(phone[-4:])
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("办件查询结果")


def open_in_admin(staff, receipt):
    staff.goto("/admin/")
    staff.get_by_role("button", name="网上预受理").click()
    staff.get_by_role("link", name="申请队列").click()
    expect(staff).to_have_url(re.compile(r"/admin/banshi/"))
    staff.get_by_role("link", name=receipt, exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(GUIDE)


def test_apply_correct_and_pre_accept(page, phone_page, browser, server):
    a11y = Accessibility()
    citizen = page

    # 1. The citizen finds the guide, opens its online form, fills it and uploads a material.
    open_form(citizen)
    a11y.check(citizen, "form")
    # Sent empty first: every field says what is missing, nothing is stored.
    answer_challenge(citizen)
    citizen.get_by_role("button", name="提交申请").click()
    expect(citizen.locator("#form-errors")).to_contain_text("请上传「居民身份证」")
    expect(citizen.locator("#id_number-error")).to_contain_text("请填写身份证号码")
    a11y.check(citizen, "form with errors")
    fill_form(citizen, "周可欣", PHONE_NUMBER, "渝北区龙溪街道")
    citizen.get_by_role("button", name="提交申请").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("申请已提交")
    code = citizen.locator("[data-query-code]").inner_text().strip()
    receipt = citizen.locator("[data-receipt-number]").inner_text().strip()
    assert QUERY_CODE.match(code) and re.fullmatch(r"YS-\d{8}-\d{4}", receipt), (code, receipt)
    a11y.check(citizen, "receipt")

    # 2. The unit's staff ask for a correction of the address.
    context = browser.new_context(viewport=DESKTOP, base_url=server.base_url, locale="zh-CN")
    staff = context.new_page()
    try:
        admin_login(staff, STAFF)
        open_in_admin(staff, receipt)
        expect(staff.locator("[data-status]")).to_contain_text("待预审")
        correction = staff.locator("#action-correction")
        correction.get_by_label("现居住地址", exact=True).check()
        correction.get_by_label("「现居住地址」需要怎样补正").fill("请写到门牌号")
        correction.get_by_role("button", name="要求补正").click()
        expect(staff.locator(".messages")).to_contain_text("已要求补正")
        expect(staff.locator("[data-status]")).to_contain_text("待补正")

        # 3. The citizen tracks it with the code and corrects the one field asked for.
        track(citizen, code, PHONE_NUMBER)
        expect(citizen.locator("[data-status]")).to_contain_text("待补正")
        expect(citizen.locator(".corrections")).to_contain_text("请写到门牌号")
        a11y.check(citizen, "tracking result with the correction form")
        citizen.get_by_label(re.compile("^现居住地址")).fill("渝北区龙溪街道金龙路12号3单元")
        citizen.get_by_role("button", name="提交补正").click()
        expect(citizen.get_by_role("status")).to_contain_text("补正已提交")
        expect(citizen.locator("[data-status]")).to_contain_text("待预审")

        # 4. The staff pre-accept it with the next step.
        staff.reload()
        expect(staff.locator("[data-status]")).to_contain_text("第2次提交")
        pre_accept = staff.locator("#action-pre_accept")
        pre_accept.locator("textarea[name='pre_accept-next_step']").fill("请于本周五上午到市政务服务中心社保窗口,携带身份证原件。")
        pre_accept.get_by_role("button", name="预受理").click()
        expect(staff.locator(".messages")).to_contain_text("已预受理")
    finally:
        context.close()

    # 5. The citizen sees the status and the next step.
    track(citizen, code, PHONE_NUMBER)
    expect(citizen.locator("[data-status]")).to_contain_text("已预受理")
    expect(citizen.locator("[data-next-step]")).to_contain_text("携带身份证原件")
    a11y.check(citizen, "tracking result")
    open_tracking(citizen)
    a11y.check(citizen, "tracking form")

    # The same pages on a phone.
    phone = phone_page
    open_form(phone)
    a11y.check(phone, "form", phone=True)
    fill_form(phone, "马骁", "13700001234", "江北区观音桥街道")
    phone.get_by_role("button", name="提交申请").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("申请已提交")
    a11y.check(phone, "receipt", phone=True)
    phone_code = phone.locator("[data-query-code]").inner_text().strip()
    open_tracking(phone)
    a11y.check(phone, "tracking form", phone=True)
    track(phone, phone_code, "13700001234")
    a11y.check(phone, "tracking result", phone=True)
    open_services(phone)
    phone.get_by_role("link", name="网上办事统计", exact=True).first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("网上办事统计")
    a11y.check(phone, "statistics", phone=True)
    a11y.assert_clean()
