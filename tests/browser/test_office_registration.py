"""The provincial office registers, on a desktop (1280×900) in Debian's Chromium: a subject
by the form (a date that does not exist refused beside it first), its producer's account,
then more subjects from a spreadsheet — the template downloaded from the page, filled
(openpyxl) with one bad row, uploaded, and the imported count and the row's error shown in
a table. Every page is checked with axe-core and photographed (Vietnamese) into the
README's screenshots folder (``office/``).

The whole platform on its embedded defaults, really served over HTTP; the workspace calls
it with the office's own token."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

from openpyxl import Workbook, load_workbook
from playwright.async_api import Page, expect

from services.registry.subjects.rules import DISTRICTS_ABOLISHED
from shared.platform.config import Settings
from tests.support.batches import PASSWORD
from tests.support.browser import DESKTOP, Photographer, chromium, submit_sign_in
from tests.support.clocks import today
from tests.support.platform import User
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import serving_workspace

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filled(headers: list[str], rows: list[list[str]]) -> bytes:
    """The downloaded template's first sheet with ``rows`` under its headers."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_the_office_registers_a_subject_its_account_and_a_spreadsheet(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office, \
            serving_workspace(settings, office.urls) as web, chromium() as browser:
        context = await browser.new_context(**DESKTOP, locale="vi-VN",
                                            timezone_id="Asia/Ho_Chi_Minh",
                                            accept_downloads=True)
        try:
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            camera = Photographer("office")
            await walk(page, web, office, camera)
            assert errors == []
            assert camera.problems == [], "\n".join(camera.problems)
        finally:
            await context.close()


async def walk(page: Page, web: str, office: User, camera: Photographer) -> None:
    day = today() - timedelta(days=10)
    district = "Thành phố Thái Nguyên" if day < DISTRICTS_ABOLISHED else ""
    await submit_sign_in(page, web, "office", PASSWORD)
    await page.wait_for_url(f"{web}/office**")

    # A subject by the form: a date that does not exist is refused beside it, the rest
    # kept as typed.
    await page.goto(f"{web}/office/subjects")
    await page.get_by_role("link", name="Đăng ký chủ thể").click()
    await expect(page.get_by_label("Ngày đăng ký")).to_have_value(today().strftime("%d/%m/%Y"))
    await page.get_by_label("Loại chủ thể").select_option(label="Hợp tác xã")
    await page.get_by_label("Mã số thuế/số đăng ký").fill("0100109995")
    await page.get_by_label("Tên chủ thể").fill("HTX Mật ong Tân Cương")
    await page.get_by_label("Tỉnh/thành phố").fill("Thái Nguyên")
    await page.get_by_label("Xã/phường").fill("Xã Tân Cương")
    await page.get_by_label("Huyện cũ").fill(district)
    await page.get_by_label("Ngày đăng ký").fill("31/02/2025")
    await page.get_by_label("Họ và tên").fill("Lò Thị Mai")
    await page.get_by_label("Chức danh").fill("Giám đốc")
    await page.get_by_label("Điện thoại").fill("0912 345 678")
    await page.get_by_role("button", name="Đăng ký chủ thể").click()
    beside = page.locator("#registered_on ~ .field-error")
    await expect(beside).to_contain_text("dd/mm/yyyy")
    await expect(page.get_by_label("Tên chủ thể")).to_have_value("HTX Mật ong Tân Cương")
    await camera.look_at(page, "11-subject-new")
    await page.get_by_label("Ngày đăng ký").fill(day.strftime("%d/%m/%Y"))
    await page.get_by_role("button", name="Đăng ký chủ thể").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã đăng ký chủ thể")
    await expect(page.get_by_role("heading", level=1)).to_have_text("HTX Mật ong Tân Cương")
    await expect(page.locator("dl")).to_contain_text(day.strftime("%d/%m/%Y"))
    subjects = (await office.call("GET", "registry", "/subjects"))["items"]
    assert [s["name"] for s in subjects] == ["HTX Mật ong Tân Cương"]

    # Its producer's account, from the subject's page.
    await page.get_by_role("link", name="Tạo tài khoản cho chủ thể").click()
    create = page.locator("form[method=post][action='/office/accounts']")
    await expect(create.get_by_label("Chủ thể (cho tài khoản chủ thể)")).to_have_value(
        subjects[0]["id"])
    await expect(create.get_by_label("Vai trò")).to_have_value("producer")
    await create.get_by_label("Tên đăng nhập").fill("mat-ong")
    await create.get_by_label("Mật khẩu").fill(PASSWORD)
    await create.get_by_label("Họ và tên").fill("Lò Thị Mai")
    await create.get_by_role("button", name="Tạo tài khoản").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã tạo tài khoản")
    row = page.locator("#accounts tbody tr", has_text="mat-ong")
    await expect(row).to_contain_text("HTX Mật ong Tân Cương")
    await expect(row).to_contain_text("Được đăng nhập")
    await camera.look_at(page, "12-accounts")

    # The producer signs in and registers a product: the subject's page shows both.
    producer = await office.anonymous().sign_in("mat-ong", PASSWORD)
    await producer.call("POST", "registry", "/products", expect=201, json={
        "subject_id": subjects[0]["id"], "name": "Mật ong hoa nhãn", "group": "food",
        "subgroup": "fresh_produce", "registered_on": day.isoformat()})
    await row.get_by_role("link", name="HTX Mật ong Tân Cương").click()
    product = page.locator("#products tbody tr", has_text="Mật ong hoa nhãn")
    await expect(product).to_contain_text("Chưa được chứng nhận")
    await expect(page.locator("main")).to_contain_text("mat-ong")
    await camera.look_at(page, "11b-subject")

    # More subjects from a spreadsheet: the template from the page, one row refused.
    await page.get_by_role("link", name="Nhập từ bảng tính").first.click()
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="Mẫu bảng tính: chủ thể (XLSX)").click()
    download = await downloading.value
    assert download.suggested_filename.endswith(".xlsx")
    template = load_workbook(io.BytesIO((await download.path()).read_bytes())).worksheets[0]
    headers = [str(c.value) for c in template[1] if c.value]
    assert {"Loại chủ thể", "Tên chủ thể", "Mã số thuế", "Xã"} <= set(headers)
    when = day.strftime("%d/%m/%Y")
    values = [{"Loại chủ thể": kind, "Tên chủ thể": name, "Mã số thuế": code,
               "Tỉnh": "Thái Nguyên", "Huyện": district, "Xã": "Xã Tân Cương",
               "Ngày đăng ký": when}
              for kind, name, code in (("HTX", "HTX Nấm Đồng Hỷ", "4600123459"),
                                       ("Công ty ma", "Công ty Trà Xanh", "4600654322"),
                                       ("Tổ hợp tác", "THT Miến Dong", "THT-05-2020"))]
    data = filled(headers, [[v.get(h, "") for h in headers] for v in values])
    await page.get_by_label("Tệp bảng tính đã điền (XLSX)").set_input_files(
        {"name": "chu-the.xlsx", "mimeType": XLSX, "buffer": data})
    await page.get_by_label("Giữ các dòng hợp lệ").check()
    await page.get_by_role("button", name="Nhập", exact=True).click()
    await expect(page.locator("#imported b")).to_have_text("2")
    await expect(page.locator("#refused-rows b")).to_have_text("1")
    refused = page.locator("#row-errors tbody tr")
    await expect(refused).to_have_count(1)
    await expect(refused.locator("td").nth(0)).to_have_text("3")
    await expect(refused.locator("td").nth(1)).to_have_text("Loại chủ thể")
    await expect(refused.locator("td").nth(2)).to_contain_text("HTX")
    await camera.look_at(page, "13-import-result")

    # The province's subjects, sorted and filtered as the office reads them.
    await page.get_by_role("link", name="Xem danh sách chủ thể").click()
    table = page.locator("#subjects tbody tr")
    await expect(table).to_have_count(3)
    await page.get_by_role("button", name="Tên", exact=True).click()
    await expect(table.first).to_contain_text("HTX Mật ong Tân Cương")
    await page.get_by_label("Tìm chủ thể").fill("tổ hợp")
    await expect(page.locator("[data-filter-count=subjects]")).to_have_text("1")
    await expect(page.locator("#subjects tbody tr:not([hidden])")).to_contain_text(
        ["THT Miến Dong"])
    await page.get_by_label("Tìm chủ thể").fill("")
    await camera.look_at(page, "10-subjects")
