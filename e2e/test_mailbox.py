"""A citizen writes to the mayor's mailbox; the dispatcher routes the letter to
渝中区, its mailbox handler drafts a reply, the district leader signs it; the
citizen tracks the letter with the query code, sees the reply and rates it; the
published letter shows no personal data. Every public page of the way passes
axe-core (WCAG 2.1 A/AA) at desktop and at a 360-px phone width."""

import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from .conftest import ARTIFACTS_DIR, PHONE
from .helpers import admin_login, admin_logout, axe_violations, describe_violations

MAILBOX = "/mailbox/write/mayor/"
UNIT = "重庆市渝中区人民政府"
NAME, PHONE_NUMBER = "陈晓红", "13698765432"
TITLE = "渝中区解放碑附近路灯损坏"
BODY = (
    f"本人{NAME},家住渝中区民族路188号3栋2单元501。解放碑附近多盏路灯损坏已有两周,晚上漆黑一片,"
    f"老人和孩子出行容易摔倒。请有关部门尽快维修。联系电话{PHONE_NUMBER}。"
)
REPLY = (
    f"{NAME}女士:您好!您反映的解放碑附近路灯损坏问题,我区城市管理部门已于接信次日派人到现场核查,"
    "损坏的路灯已全部修复。今后如发现路灯故障,可拨打12345热线反映。感谢您对我区工作的支持!"
)
# What the published letter must never show, and what its masked form looks like.
PERSONAL = [NAME, PHONE_NUMBER, "188号", "501"]
MASKED = ["陈**", "1**********", "民族路***号", "*栋*单元***", "陈**女士"]
CHALLENGE = re.compile(r"(\d+)\s*加\s*(\d+)\s*等于几")
QUERY_CODE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$")


def shot(page, name):
    """A full-page screenshot of a key step, next to the fixtures' own."""
    try:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS_DIR / f"test_mailbox-{name}.png"), full_page=True, timeout=15_000)
    except (PlaywrightError, OSError) as exc:  # a screenshot must never hide the test's own result
        print(f"screenshot {name} not taken: {exc}")


class Accessibility:
    """Runs axe (and, on the phone, the sideways-scroll check) on each page the
    citizen sees and collects what fails, so one run reports every page and the
    letter's way through the mailbox is tested to the end; ``assert_clean`` fails
    the test with the whole list."""

    def __init__(self):
        self.checked, self.problems = [], []

    def check(self, page, where, phone=False):
        label = f"{where} ({'phone 360px' if phone else 'desktop'}, {page.url})"
        self.checked.append((where, phone))
        violations = axe_violations(page)
        if violations:
            report = describe_violations(violations)
            self.problems.append(f"{label}: {len(violations)} WCAG 2.1 A/AA violation(s)\n{report}")
        if phone:
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"] + 1:
                self.problems.append(f"{label}: scrolls sideways, {width}px of content on a {PHONE['width']}px screen")

    def assert_clean(self):
        assert not self.problems, (
            f"{len(self.problems)} accessibility problem(s) on {len(self.checked)} checked pages:\n"
            + "\n".join(self.problems)
        )


def open_letter_from_queue(page, tab):
    """Open the 公开信箱 queue from the admin menu, pick ``tab`` and open the letter."""
    page.goto("/admin/")
    page.get_by_role("button", name="公开信箱").click()
    page.get_by_role("link", name="来信队列").click()
    expect(page).to_have_url(re.compile(r"/admin/letters/"))
    tabs = page.locator("nav.letters-tabs")
    tabs.get_by_role("link", name=re.compile(tab)).click()
    expect(tabs.locator("[aria-current=page]")).to_contain_text(tab)
    row = page.locator("table.listing tbody tr").filter(has=page.get_by_role("link", name=TITLE, exact=True))
    expect(row).to_have_count(1)
    row.get_by_role("link", name=TITLE, exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/letters/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)


def letter_status(page):
    return page.locator("dl.letters-meta dt", has_text=re.compile("^状态$")).locator("xpath=following-sibling::dd[1]")


def track(page, code, check):
    page.goto("/mailbox/track/")
    expect(page.get_by_role("heading", level=1)).to_have_text("来信查询")
    page.get_by_label("查询码").fill(code)
    page.get_by_label(re.compile("手机号后四位")).fill(check)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("来信办理情况")


def assert_masked(page, where):
    text = page.locator("body").inner_text()
    html = page.content()
    for value in PERSONAL:
        assert value not in text, f"{where} shows「{value}」: {page.url}"
    for value in (NAME, PHONE_NUMBER, "民族路188"):
        assert value not in html, f"{where} has「{value}」in its HTML: {page.url}"
    return text


def test_letter_is_routed_answered_rated_and_published_masked(page, phone_page):
    a11y = Accessibility()
    citizen, staff = phone_page, page  # the staff page is also the desktop reader once logged out

    # 1. The citizen writes to the mayor's mailbox on a phone.
    staff.goto(MAILBOX)
    expect(staff.get_by_role("heading", level=1)).to_have_text("写信给市长信箱")
    a11y.check(staff, "writing page")
    citizen.goto(MAILBOX)
    expect(citizen.get_by_role("heading", level=1)).to_have_text("写信给市长信箱")
    a11y.check(citizen, "writing page", phone=True)

    letter_type = citizen.get_by_label("来信类型")
    letter_type.select_option(letter_type.locator("option", has_text=re.compile("^投诉")).get_attribute("value"))
    expect(letter_type.locator("option:checked")).to_contain_text("投诉")
    citizen.get_by_label(re.compile("^姓名")).fill(NAME)
    citizen.get_by_label(re.compile("^手机号码")).fill(PHONE_NUMBER)
    citizen.get_by_label(re.compile("^标题")).fill(TITLE)
    citizen.get_by_label(re.compile("^内容")).fill(BODY)
    citizen.get_by_label(re.compile("^同意在答复后公开")).check()
    question = citizen.locator("label[for=challenge_answer]").inner_text()
    numbers = CHALLENGE.search(question)
    assert numbers, f"the challenge is not 'A 加 B 等于几?': {question!r}"
    citizen.get_by_label(re.compile("^验证")).fill(str(int(numbers[1]) + int(numbers[2])))
    shot(citizen, "1-write-phone")
    citizen.get_by_role("button", name="提交").click()

    expect(citizen.get_by_role("heading", level=1)).to_have_text("来信已提交")
    code = citizen.locator("[data-query-code]").inner_text().strip()
    assert QUERY_CODE.match(code), f"query code looks wrong: {code!r}"
    serial = re.search(r"来信编号:\s*(X\d{13})", citizen.locator(".code-box").inner_text())
    assert serial, citizen.locator(".code-box").inner_text()
    serial = serial[1]
    shot(citizen, "1-submitted-phone")

    # 2. The mayor's mailbox dispatcher finds it in 待审查 and routes it to 渝中区.
    admin_login(staff, "cq_bgt_mailbox")
    open_letter_from_queue(staff, "待审查")
    expect(letter_status(staff)).to_contain_text("待审查")
    expect(staff.locator(".letters-body").first).to_contain_text("解放碑附近多盏路灯损坏")
    route = staff.locator("#action-route")
    unit_select = route.locator("select[name=unit]")
    suggested = unit_select.evaluate("s => s.selectedOptions[0] ? s.selectedOptions[0].textContent.trim() : ''")
    print(f"route suggestion: {suggested!r}")
    unit_select.select_option(label=UNIT)
    shot(staff, "2-route")
    route.get_by_role("button", name="受理并分办").click()
    expect(staff.locator(".messages")).to_contain_text(f"已受理,分办给{UNIT}")
    expect(letter_status(staff)).to_contain_text("待处理")
    expect(staff.locator("dl.letters-meta")).to_contain_text(UNIT)
    # The suggestion is a hint to the dispatcher; a wrong one fails the test at the end.
    wrong_suggestion = None if suggested == UNIT else f"the route form preselected {suggested!r}, not {UNIT}"
    admin_logout(staff)

    # 3. 渝中区's mailbox handler drafts the reply.
    admin_login(staff, "yuzhong_mailbox")
    open_letter_from_queue(staff, "本单位待办")
    draft = staff.locator("#action-reply_draft")
    draft.get_by_label("答复内容").fill(REPLY)
    draft.get_by_role("button", name="提交领导审签").click()
    expect(staff.locator(".messages")).to_contain_text("答复稿已提交领导审签")
    expect(letter_status(staff)).to_contain_text("答复待审签")
    shot(staff, "3-drafted")
    admin_logout(staff)

    # 4. 渝中区's leader signs it; the letter is answered and published.
    admin_login(staff, "yuzhong_leader")
    open_letter_from_queue(staff, "待我审签")
    decide = staff.locator("#action-reply_decide")
    # The leader sees the original and the masked public version side by side, and decides.
    compare = decide.locator("#publication-compare")
    expect(compare.locator('td[data-side="public"]').nth(2)).to_contain_text("12345")
    expect(compare.locator('td[data-side="original"]').nth(1)).to_contain_text(PHONE_NUMBER)
    expect(compare.locator('td[data-side="public"]').nth(1)).not_to_contain_text(PHONE_NUMBER)
    decide.get_by_label("公开(按左侧隐去个人信息的公开版本)").check()
    decide.get_by_role("button", name="签发答复").click()
    expect(staff.locator(".messages")).to_contain_text("答复已签发")
    expect(letter_status(staff)).to_contain_text("已答复")
    expect(letter_status(staff)).to_contain_text("已公开")
    shot(staff, "4-approved")
    admin_logout(staff)
    # From here on the staff page is an anonymous reader at desktop width.

    # 5. The citizen tracks the letter, reads the reply and its history, and rates it.
    staff.goto("/mailbox/track/")
    a11y.check(staff, "tracking form")
    track(staff, code, PHONE_NUMBER[-4:])
    a11y.check(staff, "tracking result")

    citizen.goto("/mailbox/track/")
    a11y.check(citizen, "tracking form", phone=True)
    track(citizen, code, PHONE_NUMBER[-4:])
    main = citizen.locator("main")
    expect(main).to_contain_text(serial)
    expect(main).to_contain_text(TITLE)
    expect(main).to_contain_text("已答复")
    expect(citizen.locator(".reply")).to_contain_text(f"{NAME}女士")
    expect(citizen.locator(".reply")).to_contain_text("12345")
    expect(citizen.locator(".reply")).to_contain_text(UNIT)
    history = citizen.locator("ol.timeline li")
    for step in ("通过网站提交", f"转{UNIT}办理", f"{UNIT}已答复", "已公开"):
        expect(history.filter(has_text=step)).to_have_count(1)
    a11y.check(citizen, "tracking result", phone=True)
    shot(citizen, "5-tracked-phone")
    citizen.get_by_role("radio", name="满意", exact=True).check()
    citizen.get_by_role("button", name="提交评价").click()
    expect(citizen.locator(".form-ok")).to_have_text("感谢您的评价。")
    expect(main).to_contain_text("已办结")
    expect(history.filter(has_text="满意")).to_have_count(1)
    expect(citizen.get_by_role("button", name="提交评价")).to_have_count(0)
    a11y.check(citizen, "tracking result after rating", phone=True)
    shot(citizen, "5-rated-phone")

    # 6. The published letter: found in the list, personal data masked, the reply in full.
    for reader, phone in ((citizen, True), (staff, False)):
        reader.goto("/mailbox/letters/")
        expect(reader.get_by_role("heading", level=1)).to_have_text("信件公开")
        listed = reader.locator("table.letters-table tbody tr").filter(
            has=reader.get_by_role("link", name=TITLE, exact=True)
        )
        expect(listed).to_have_count(1)
        expect(listed).to_contain_text(UNIT)
        assert_masked(reader, "the list of published letters")
        a11y.check(reader, "published letters", phone=phone)
        listed.get_by_role("link", name=TITLE, exact=True).click()
        expect(reader).to_have_url(re.compile(rf"/mailbox/letters/{serial}/$"))
        expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
        text = assert_masked(reader, "the published letter")
        for value in MASKED + ["12345", UNIT, "解放碑附近多盏路灯损坏", "损坏的路灯已全部修复"]:
            assert value in text, f"the published letter lacks「{value}」:\n{text}"
        a11y.check(reader, "published letter", phone=phone)
        shot(reader, f"6-published-{'phone' if phone else 'desktop'}")

    # 7. Every public page on the way met WCAG 2.1 A/AA at both widths.
    pages = ("writing page", "tracking form", "tracking result", "published letters", "published letter")
    missing = {(where, phone) for where in pages for phone in (False, True)} - set(a11y.checked)
    assert not missing, f"not checked: {sorted(missing)}"
    a11y.assert_clean()
    assert wrong_suggestion is None, wrong_suggestion
