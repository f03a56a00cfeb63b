"""A province's whole OCOP year, from an empty platform (only the office's admin account),
walked through the pages in Debian's Chromium: the office at a desktop (1280×900), the
commune officer at another, the producer in its workspace, the three council members
passing one tablet (820×1180) from hand to hand, and a shopper's phone reading the scan
page. Each chapter is one small function:

1. the office registers two subjects by the form and a third from a spreadsheet, and the
   accounts: the producers', the commune officer's, three council members';
2. the producer registers its product and proposes its dossier's stages; the commune
   accepts the idea and the plan, the office the dossier, each queue emptying;
3. the commune pre-assesses (Decision 1489/QĐ-TTg) and proposes the product;
4. the office loads the food group's criteria table, opens a round with a three-member
   council and the product's evaluation in it;
5. each member scores criterion by criterion on the tablet and submits;
6. the office closes and recognises, prints the certificate; the producer and the shopper
   see it at once;
7. later the office revokes it with a reason: the producer reads it, the shopper's page
   says it is no longer OCOP;
8. the annual summary's charts and its workbook.

Every page is checked with axe-core and photographed into ``screenshots/year/``. The story
is set on fixed days (``TODAY``, then later the same year by time-machine)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import time_machine
from openpyxl import Workbook, load_workbook
from playwright.async_api import Browser, BrowserContext, Download, Page, expect

from shared.i18n import in_both
from shared.platform.config import Settings
from tests.platform.test_office_rounds_pages import CRITERIA, MEMBERS, table_file
from tests.support.browser import (
    DESKTOP,
    PHONE,
    TABLET,
    Photographer,
    chromium,
    submit_sign_in,
    upload_every_missing_document,
)
from tests.support.demo import wait_until
from tests.support.platform import PDF, User, office_signed_in
from tests.support.workspace import serving_workspace

TODAY = date(2026, 3, 2)
"""The year opens: subjects registered, dossiers, the commune's proposal."""
ROUND_DAY = date(2026, 6, 15)
"""The provincial round: criteria, council, scores, recognition."""
REVOCATION_DAY = date(2026, 11, 20)
"""The office revokes the certificate; the year's summary is read."""
PASSWORD = "mot-nam-ocop-2026"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROVINCE, COMMUNE = "Thái Nguyên", "Xã Tân Cương"
TEA_COOP = ("HTX Chè Tân Cương", "0100109106", "che-tan-cuong", "Hoàng Văn Thắng")
HONEY_COOP = ("HTX Mật ong Tân Cương", "0100109995", "mat-ong", "Lò Thị Mai")
NOODLE_GROUP = ("THT Miến Dong", "THT-05-2020", "mien-dong", "Đinh Văn Tùng")
PRODUCT = "Chè móc câu Tân Cương"
OFFICER = "can-bo-xa"
SCORES = {  # each member's points for A1 A2 A3 B1 B2 C1 C2, as typed on the tablet
    "hoa": ["13", "12", "7,5", "12", "8", "17", "12"],
    "binh": ["12", "12", "8", "11", "8", "16", "13"],
    "lan": ["14", "13", "9", "12", "9", "17", "14"],
}
DECISION = "215/QĐ-UBND"
REASON = "Cơ sở sử dụng nhãn OCOP cho chè không thuộc sản phẩm được công nhận"


def shown(value: float) -> str:
    """A number as the Vietnamese pages show it (decimal comma)."""
    return f"{value:g}".replace(".", ",")


def day_at(day: date) -> time_machine.travel:
    return time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=UTC), tick=True)


@dataclass
class Year:
    """What the story carries from one chapter to the next."""

    web: str
    office: User
    browser: Browser
    camera: Photographer
    desk: Page
    errors: list[str] = field(default_factory=list)
    subjects: dict[str, str] = field(default_factory=dict)
    product_id: str = ""
    certificate_id: str = ""

    async def person(self, username: str, size: dict[str, Any]) -> Page:
        """A browser of the person's own, signed in."""
        context = await self.browser.new_context(**size, locale="vi-VN",
                                                 timezone_id="Asia/Ho_Chi_Minh",
                                                 accept_downloads=True)
        page = await context.new_page()
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        await sign_in(page, self.web, username)
        return page

    async def new_day(self) -> None:
        """Months later: the office signs in again (its spring sessions have ended)."""
        self.office = await self.office.anonymous().sign_in("office", PASSWORD)
        await sign_in(self.desk, self.web, "office")

    def scan_page(self) -> str:
        return f"{self.office.urls['traceability']}/p/{self.product_id}"


async def sign_in(page: Page, web: str, username: str) -> None:
    await submit_sign_in(page, web, username, PASSWORD)
    await page.wait_for_url(lambda url: "/sign-in" not in url)


async def saved(download: Download) -> bytes:
    return await asyncio.to_thread(Path(await download.path()).read_bytes)


async def test_a_provinces_year_through_the_pages(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as office, \
            serving_workspace(settings, office.urls) as web, chromium() as browser:
        camera = Photographer("year")
        year = Year(web, office, browser, camera, desk=await _office_desk(browser, web))
        year.desk.on("pageerror", lambda e: year.errors.append(str(e)))
        await register_subjects_and_accounts(year)
        await dossier_stages(year)
        await commune_proposes(year)
        with day_at(ROUND_DAY):
            await year.new_day()
            await round_opens(year)
            await council_scores(year)
            await office_recognises(year)
        with day_at(REVOCATION_DAY):
            await year.new_day()
            await office_revokes(year)
            await annual_summary(year)
        assert year.errors == []
        assert camera.problems == [], "\n".join(camera.problems)


async def _office_desk(browser: Browser, web: str) -> Page:
    size: dict[str, Any] = DESKTOP
    context = await browser.new_context(**size, locale="vi-VN",
                                        timezone_id="Asia/Ho_Chi_Minh", accept_downloads=True)
    page = await context.new_page()
    await sign_in(page, web, "office")
    return page


# -- 1. Subjects and accounts -------------------------------------------------------------

async def register_subjects_and_accounts(year: Year) -> None:
    page, web = year.desk, year.web
    for name, code, _username, contact in (TEA_COOP, HONEY_COOP):
        await page.goto(f"{web}/office/subjects/new")
        await expect(page.get_by_label("Ngày đăng ký")).to_have_value(f"{TODAY:%d/%m/%Y}")
        await page.get_by_label("Loại chủ thể").select_option(label="Hợp tác xã")
        await page.get_by_label("Mã số thuế/số đăng ký").fill(code)
        await page.get_by_label("Tên chủ thể").fill(name)
        await page.get_by_label("Tỉnh/thành phố").fill(PROVINCE)
        await page.get_by_label("Xã/phường").fill(COMMUNE)
        await page.get_by_label("Họ và tên").fill(contact)
        await page.get_by_label("Chức danh").fill("Giám đốc")
        await page.get_by_label("Điện thoại").fill("0912 345 678")
        if name == TEA_COOP[0]:
            await year.camera.look_at(page, "01-subject-form")
        await page.get_by_role("button", name="Đăng ký chủ thể").click()
        await expect(page.get_by_role("status")).to_contain_text("Đã đăng ký chủ thể")
        await expect(page.get_by_role("heading", level=1)).to_have_text(name)

    # The third from a spreadsheet: the page's template, filled with openpyxl.
    await page.goto(f"{web}/office/import")
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="Mẫu bảng tính: chủ thể (XLSX)").click()
    template = load_workbook(io.BytesIO(await saved(await downloading.value))).worksheets[0]
    headers = [str(c.value) for c in template[1] if c.value]
    row = {"Loại chủ thể": "Tổ hợp tác", "Tên chủ thể": NOODLE_GROUP[0],
           "Mã số thuế": NOODLE_GROUP[1], "Tỉnh": PROVINCE, "Xã": COMMUNE,
           "Ngày đăng ký": f"{TODAY:%d/%m/%Y}"}
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    sheet.append([row.get(h, "") for h in headers])
    filled = io.BytesIO()
    book.save(filled)
    await page.get_by_label("Tệp bảng tính đã điền (XLSX)").set_input_files(
        {"name": "chu-the.xlsx", "mimeType": XLSX, "buffer": filled.getvalue()})
    await page.get_by_role("button", name="Nhập", exact=True).click()
    await expect(page.locator("#imported b")).to_have_text("1")
    await year.camera.look_at(page, "02-import")
    await page.get_by_role("link", name="Xem danh sách chủ thể").click()
    await expect(page.locator("#subjects tbody tr")).to_have_count(3)
    await year.camera.look_at(page, "03-subjects")
    listed = (await year.office.call("GET", "registry", "/subjects"))["items"]
    year.subjects = {s["name"]: s["id"] for s in listed}

    # The accounts: a producer for each subject, the commune's officer, the council.
    await page.goto(f"{web}/office/accounts")
    create = page.locator("form[method=post][action='/office/accounts']")
    accounts: list[dict[str, str]] = [
        {"username": username, "role": "producer", "full_name": contact,
         "subject": f"{name} ({code})"}
        for name, code, username, contact in (TEA_COOP, HONEY_COOP, NOODLE_GROUP)]
    accounts.append({"username": OFFICER, "role": "commune_officer",
                     "full_name": "Phạm Thu Hà", "province": PROVINCE, "commune": COMMUNE})
    accounts += [{"username": u, "role": "council_member", "full_name": n}
                 for u, n in MEMBERS.items()]
    for account in accounts:
        await create.get_by_label("Tên đăng nhập").fill(account["username"])
        await create.get_by_label("Mật khẩu").fill(PASSWORD)
        await create.get_by_label("Vai trò").select_option(account["role"])
        await create.get_by_label("Họ và tên").fill(account["full_name"])
        if "subject" in account:
            await create.get_by_label("Chủ thể (cho tài khoản chủ thể)").select_option(
                label=account["subject"])
        if "commune" in account:
            await create.get_by_label("Tỉnh/thành (cho cán bộ xã)").fill(
                account["province"])
            await create.get_by_label("Xã/phường (cho cán bộ xã)").fill(
                account["commune"])
        await create.get_by_role("button", name="Tạo tài khoản").click()
        await expect(page.get_by_role("status")).to_contain_text("Đã tạo tài khoản")
        await expect(page.locator("#accounts tbody tr", has_text=account["username"])
                     ).to_contain_text("Được đăng nhập")
    await expect(page.locator("#accounts tbody tr")).to_have_count(len(accounts) + 1)
    await year.camera.look_at(page, "04-accounts")


# -- 2. The dossier's stages --------------------------------------------------------------

async def dossier_stages(year: Year) -> None:
    producer = await year.office.anonymous().sign_in(TEA_COOP[2], PASSWORD)
    # The workspace has no page to register a product (the office's word in the producer's
    # home says to ask it): the producer registers it through the API, with its own token.
    product = await producer.call("POST", "registry", "/products", expect=201, json={
        "subject_id": year.subjects[TEA_COOP[0]], "name": PRODUCT, "group": "food",
        "subgroup": "tea", "registered_on": TODAY.isoformat()})
    year.product_id = path = product["id"]
    home = await year.person(TEA_COOP[2], DESKTOP)
    await home.goto(f"{year.web}/products/{path}")
    # The dossier's documents, each uploaded from the product's page.
    await upload_every_missing_document(home)
    await year.camera.look_at(home, "05-producer-dossier")

    commune = await year.person(OFFICER, DESKTOP)
    waiting = commune.locator('.counts a[href="#waiting"] b')
    # Proposing a stage has no page either: through the API, with the producer's token.
    for stage in ("idea", "plan"):
        await producer.call("POST", "registry", f"/products/{path}/cycle",
                            json={"stage": stage, "status": "proposed"})
        await commune.goto(f"{year.web}/commune")
        await expect(waiting).to_have_text("1")
        row = commune.locator("#stages tbody tr")
        await expect(row).to_contain_text(PRODUCT)
        await row.get_by_label("Ghi chú gửi chủ thể").fill("Phù hợp với định hướng của xã.")
        if stage == "idea":
            await year.camera.look_at(commune, "06-commune-stages")
        await row.get_by_role("button", name="Chấp nhận").click()
        await expect(commune.get_by_role("status")).to_be_visible()
        await expect(waiting).to_have_text("0")

    await producer.call("POST", "registry", f"/products/{path}/cycle",
                        json={"stage": "dossier", "status": "proposed",
                              "note": "Hồ sơ đã đủ giấy tờ."})
    page = year.desk
    await page.goto(f"{year.web}/office")
    stages = page.locator('.counts a[href="#stages"] b')
    await expect(stages).to_have_text("1")
    await year.camera.look_at(page, "07-inbox")
    await page.locator("#stage-table").get_by_role(
        "link", name=f"Quyết định hồ sơ của {PRODUCT}").click()
    await page.get_by_label("Ghi chú gửi chủ thể").fill("Hồ sơ đầy đủ.")
    await page.get_by_role("button", name="Chấp nhận", exact=True).click()
    await page.wait_for_url(f"{year.web}/office?done=stage_accepted**")
    await expect(stages).to_have_text("0")
    # Submitting the accepted dossier for rating: no page offers it, so the API.
    await producer.call("POST", "registry", f"/products/{path}/submission")
    await home.context.close()
    await commune.context.close()


# -- 3. The commune's pre-assessment ------------------------------------------------------

async def commune_proposes(year: Year) -> None:
    page = await year.person(OFFICER, DESKTOP)
    await page.get_by_role("link", name=f"Đánh giá sơ bộ {PRODUCT}").click()
    for fieldset in await page.locator("fieldset.yesno").all():
        await fieldset.get_by_label("Có").check()
    await page.get_by_label("Ghi chú").fill("Chè truyền thống của vùng chè Tân Cương")
    await year.camera.look_at(page, "08-pre-assessment")
    await page.get_by_role("button", name="Đề xuất").click()
    await expect(page.locator(".notice")).to_contain_text("được đề xuất lên tỉnh")
    await expect(page.locator("#result-card")).to_contain_text("Đã đề xuất lên tỉnh")
    await page.context.close()


# -- 4. Criteria, round, evaluation -------------------------------------------------------

async def round_opens(year: Year) -> None:
    page = year.desk
    await page.goto(f"{year.web}/office/criteria")
    await page.get_by_label("Nhóm sản phẩm", exact=True).select_option(label="Thực phẩm")
    table = table_file([(code, part, name, float(most)) for code, part, name, most in CRITERIA])
    await page.get_by_label("Bảng tiêu chí đã điền (XLSX)").set_input_files(
        {"name": "bang-tieu-chi.xlsx", "mimeType": XLSX, "buffer": table})
    await page.get_by_role("button", name="Nạp bảng tiêu chí").click()
    await expect(page.get_by_role("status")).to_contain_text("Bảng tiêu chí đã được nạp")
    await expect(page.locator("#criteria-total")).to_have_text("100")
    await year.camera.look_at(page, "09-criteria")

    await page.goto(f"{year.web}/office/rounds/new")
    await page.get_by_label("Tên đợt đánh giá").fill("Đợt 1 năm 2026")
    await page.get_by_label("Cấp", exact=True).select_option(label="Cấp tỉnh")
    await page.get_by_label("Tỉnh").fill(PROVINCE)
    await page.get_by_label("Ngày kết thúc").fill("31/07/2026")
    await page.get_by_label("Tên hội đồng").fill("Hội đồng đánh giá, phân hạng OCOP tỉnh")
    for name in MEMBERS.values():
        await page.get_by_label(name).check()
    await page.get_by_label("Chủ tịch hội đồng").select_option(label=MEMBERS["hoa"])
    await page.get_by_role("button", name="Mở đợt đánh giá").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã mở đợt đánh giá")
    await year.camera.look_at(page, "10-round")
    held = (await year.office.call("GET", "rating", "/rounds"))["items"]

    proposals = page.locator('.counts a[href="#proposals"] b')
    await page.goto(f"{year.web}/office")
    await expect(proposals).to_have_text("1")  # the commune's proposal, waiting
    await page.goto(f"{year.web}/office/evaluations")
    waiting = page.locator("#waiting-proposals tbody tr", has_text=PRODUCT)
    await waiting.get_by_label(f"Đợt đánh giá cho {PRODUCT}").select_option(held[0]["id"])
    await waiting.get_by_role("button", name="Mở đánh giá").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã mở đánh giá")
    await expect(page.locator("#sheets tbody tr", has_text="Chưa chấm")).to_have_count(3)
    await year.camera.look_at(page, "11-evaluation")
    await page.goto(f"{year.web}/office")
    await expect(proposals).to_have_text("0")


# -- 5. The council, on one tablet --------------------------------------------------------

async def council_scores(year: Year) -> None:
    tablet = await year.person("hoa", TABLET)
    for n, (member, points) in enumerate(SCORES.items()):
        if n:
            await tablet.get_by_role("button", name="Đăng xuất").click()
            await sign_in(tablet, year.web, member)
        tasks = tablet.locator("ul.tasks li")
        await expect(tasks).to_have_count(1)
        await expect(tasks).to_contain_text(PRODUCT)
        if n == 0:
            await year.camera.look_at(tablet, "12-to-score-tablet")
        await tasks.get_by_role("link", name="Chấm điểm").click()
        sums = {"A": 0.0, "B": 0.0, "C": 0.0}
        for (code, part, criterion, _maximum), typed in zip(CRITERIA, points, strict=True):
            await tablet.get_by_label(f"{code} {criterion}", exact=True).fill(typed)
            sums[part] += float(typed.replace(",", "."))
            totals = tablet.locator("[data-totals]")
            await expect(totals.locator(f"[data-subtotal={part}]")).to_have_text(
                shown(sums[part]))
            await expect(totals.locator("[data-total]")).to_have_text(
                shown(sum(sums.values())))
        if n == 0:
            await expect(tablet.locator("[data-stars-shown]")).to_have_text("4 ★")
            await year.camera.look_at(tablet, "13-score-sheet-tablet")
        await tablet.get_by_role("button", name="Nộp phiếu").click()
        await expect(tablet.locator(".notice")).to_contain_text("Đã nộp phiếu chấm điểm")
        await expect(tablet.locator("ul.tasks")).to_have_count(0)
    await year.camera.look_at(tablet, "14-queue-empty-tablet")
    await tablet.context.close()


# -- 6. Recognition: the producer and the shopper see it ----------------------------------

async def office_recognises(year: Year) -> None:
    page = year.desk
    await page.goto(f"{year.web}/office/decisions")
    to_close = page.locator('.counts a[href="#to-close"] b')
    to_recognise = page.locator('.counts a[href="#to-recognise"] b')
    await expect(to_close).to_have_text("1")  # every member has scored
    await page.get_by_role("button", name=f"Kết thúc đánh giá sản phẩm {PRODUCT}").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã kết thúc đánh giá")
    average = sum(sum(float(p.replace(",", ".")) for p in s) for s in SCORES.values()) / 3
    await expect(page.locator(".decision")).to_contain_text(f"{shown(round(average, 2))} / 100")
    assert await page.get_by_label("Ngày quyết định").input_value() == ROUND_DAY.isoformat()
    await page.get_by_label("Số quyết định").fill(DECISION)
    await year.camera.look_at(page, "15-recognise")
    await page.get_by_role("button", name="Công nhận và cấp giấy chứng nhận").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã công nhận")
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="In giấy chứng nhận (PDF)").click()
    assert (await saved(await downloading.value)).startswith(b"%PDF")
    await page.goto(f"{year.web}/office/decisions")
    await expect(to_close).to_have_text("0")
    await expect(to_recognise).to_have_text("0")
    evaluations = (await year.office.call("GET", "rating", "/evaluations"))["items"]
    year.certificate_id = evaluations[0]["certificate_id"]

    producer = await year.person(TEA_COOP[2], DESKTOP)
    card = producer.locator("article", has_text=PRODUCT)
    await expect(card.locator("[aria-current=step]")).to_have_text("Chứng nhận")
    await expect(card).to_contain_text("4 sao")
    await year.camera.look_at(producer, "16-producer-certified")
    await producer.context.close()
    await shopper_reads(year, "Sản phẩm OCOP 4 sao", "17-shopper-certified", DECISION)


async def shopper_reads(year: Year, text: str, name: str, also: str) -> None:
    """A shopper's phone opens the product's scan page: what it says follows the office's
    decision as soon as the decision's event has arrived."""
    phone_size: dict[str, Any] = PHONE
    context = await year.browser.new_context(**phone_size, locale="vi-VN")
    phone = await context.new_page()
    phone.on("pageerror", lambda e: year.errors.append(str(e)))

    async def says_it() -> bool:
        answer = await phone.goto(year.scan_page())
        return answer is not None and answer.ok and text in await phone.content()

    await wait_until(says_it, within=30, interval=0.1)
    await expect(phone.locator("body")).to_contain_text(also)
    await year.camera.look_at(phone, name)
    await context.close()


# -- 7. Revocation ------------------------------------------------------------------------

async def office_revokes(year: Year) -> None:
    page = year.desk
    await page.goto(f"{year.web}/office/certificates/{year.certificate_id}")
    await page.get_by_label("Lý do thu hồi").fill(REASON)
    await page.get_by_role("button", name="Thu hồi giấy chứng nhận").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã thu hồi giấy chứng nhận")
    await year.camera.look_at(page, "18-revoked")

    producer = await year.person(TEA_COOP[2], DESKTOP)
    await producer.goto(f"{year.web}/products/{year.product_id}")
    await expect(producer.locator("#revoked")).to_contain_text(REASON)
    await expect(producer.get_by_text("4 sao, không còn hiệu lực")).to_be_visible()
    assert await producer.get_by_text("Hiệu lực đến").count() == 0
    await year.camera.look_at(producer, "19-producer-revoked")
    await producer.context.close()
    await shopper_reads(year, "KHÔNG còn là sản phẩm OCOP", "20-shopper-revoked", REASON)


# -- 8. The year's summary ----------------------------------------------------------------

async def annual_summary(year: Year) -> None:
    page = year.desk
    await page.goto(f"{year.web}/office/summary")
    await page.get_by_label("Tỉnh/thành", exact=True).select_option(label=PROVINCE)
    await page.get_by_label("Năm", exact=True).select_option(label="2026")
    await page.get_by_role("button", name="Xem").click()
    await page.wait_for_url(f"{year.web}/office/summary?**")
    titles = await page.locator('svg[role="img"] > title').all_text_contents()
    assert "Sản phẩm được công nhận năm 2026 theo xã và hạng sao" in titles
    assert any("theo nhóm sản phẩm" in t for t in titles)
    # The commune's row: recognised this year at 4 stars (revoked since, still counted
    # among the year's recognitions).
    await expect(page.locator("#commune-table tbody tr")).to_have_count(1)
    await expect(page.locator("#commune-table tbody tr td")).to_have_text(
        [COMMUNE, "0", "1", "0", "1"])
    await year.camera.look_at(page, "21-summary")
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="Tải XLSX").click()
    book = load_workbook(io.BytesIO(await saved(await downloading.value)))
    rows = [tuple(c.value for c in row[:3]) for row in book.worksheets[0].iter_rows()]
    assert (COMMUNE, 1, 1) in rows, rows  # by commune: products, subjects
    figures = {row[0]: row[1:] for row in rows}
    # the year's products registered and recognised, and their subjects (one registered
    # a product of the three)
    assert figures[in_both("registered")] == (1, 1), figures
    assert figures[in_both("recognised")] == (1, 1), figures
    assert figures["4 sao"] == (1, None), figures
