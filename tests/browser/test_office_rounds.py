"""The provincial office prepares the rating, on a desktop (1280×900) in Debian's Chromium:
it downloads the criteria table's template from the page, uploads a filled table (one
whose parts do not add up refused row by row first) and sees it shown back with its
subtotals and the 100-point total; opens a round with a three-member council chosen from
the council members' accounts; opens an evaluation from a commune's proposal in that round
and sees it listed open with none of three scored, the other proposal still waiting.
Every page is checked with axe-core and photographed (Vietnamese) into the README's
screenshots folder (``office/``).

The whole platform on its embedded defaults, really served over HTTP; the workspace calls
it with the office's own token."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from playwright.async_api import Page, expect

from shared.platform.config import Settings
from tests.platform.test_office_rounds_pages import CRITERIA, MEMBERS, PRODUCT, table_file
from tests.support.batches import PASSWORD
from tests.support.browser import DESKTOP, Photographer, chromium, submit_sign_in
from tests.support.clocks import today
from tests.support.platform import PAPER_DOSSIER, User, cooperative_with_council, propose
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import serving_workspace

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HONEY = "Mật ong rừng Kỳ Lạc"


async def test_the_office_loads_criteria_opens_a_round_and_an_evaluation(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        for username, name in MEMBERS.items():
            await office.call("POST", "registry", "/users", expect=201, json={
                "username": username, "password": PASSWORD, "role": "council_member",
                "full_name": name})
        for name, subgroup in ((PRODUCT, "tea"), (HONEY, "processed_produce")):
            product = await coop.producer.call("POST", "registry", "/products", expect=201,
                                               json={"subject_id": coop.subject_id,
                                                     "name": name, "group": "food",
                                                     "subgroup": subgroup,
                                                     "registered_on": coop.registered_on})
            await office.call("POST", "registry", f"/products/{product['id']}/submission",
                              json=PAPER_DOSSIER)
            await propose(office, product["id"], assessed_on=today().isoformat())
        async with serving_workspace(settings, office.urls) as web, chromium() as browser:
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
    await submit_sign_in(page, web, "office", PASSWORD)
    await page.wait_for_url(f"{web}/office**")

    # The criteria tables: the template from the page, a table refused row by row, then
    # the whole table shown back with its subtotals and total.
    await page.get_by_role("navigation", name="Các mục").get_by_role(
        "link", name="Bộ tiêu chí").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Bộ tiêu chí")
    food = page.locator("#criteria-groups tbody tr", has_text="Thực phẩm")
    await expect(food).to_contain_text("Chưa có bảng")
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="Tải mẫu bảng tính (XLSX)").click()
    assert (await downloading.value).suggested_filename.endswith(".xlsx")
    await page.get_by_label("Nhóm sản phẩm", exact=True).select_option(label="Thực phẩm")
    await page.get_by_label("Bảng tiêu chí đã điền (XLSX)").set_input_files(files=[{
        "name": "bang-tieu-chi.xlsx", "mimeType": XLSX,
        "buffer": table_file([*CRITERIA[:-1], ("C2", "C", "Tiêu chuẩn sản phẩm", 5)])}])
    await page.get_by_role("button", name="Nạp bảng tiêu chí").click()
    await expect(page.locator("#bad-rows")).to_contain_text("Phần C")
    await expect(page.get_by_role("alert").first).to_contain_text("Bảng chưa được nạp")
    await page.get_by_label("Bảng tiêu chí đã điền (XLSX)").set_input_files(files=[{
        "name": "bang-tieu-chi.xlsx", "mimeType": XLSX, "buffer": table_file(CRITERIA)}])
    await page.get_by_role("button", name="Nạp bảng tiêu chí").click()
    await expect(page.get_by_role("status")).to_contain_text("Bảng tiêu chí đã được nạp")
    await expect(page.locator("#criteria-total")).to_have_text("100")
    await expect(page.locator("#criteria .subtotal")).to_have_text(
        ["Cộng phần A 40", "Cộng phần B 25", "Cộng phần C 35"], use_inner_text=True)
    await camera.look_at(page, "21-criteria-table")
    await page.get_by_role("link", name="Bộ tiêu chí").first.click()
    await expect(food).to_contain_text("Xem bảng")
    await camera.look_at(page, "20-criteria")

    # A round with its council: three members chosen from the council members' accounts.
    await page.get_by_role("link", name="Đợt đánh giá", exact=True).click()
    await page.get_by_role("link", name="Mở đợt đánh giá").click()
    await expect(page.get_by_label("Ngày bắt đầu")).to_have_value(today().strftime("%d/%m/%Y"))
    await page.get_by_label("Tên đợt đánh giá").fill(f"Đợt 1 năm {today().year}")
    await page.get_by_label("Cấp", exact=True).select_option(label="Cấp tỉnh")
    await page.get_by_label("Tỉnh").fill("Thái Nguyên")
    await page.get_by_label("Ngày kết thúc").fill(
        (today() + timedelta(days=30)).strftime("%d/%m/%Y"))
    await page.get_by_label("Tên hội đồng").fill("Hội đồng đánh giá, phân hạng OCOP tỉnh")
    for name in MEMBERS.values():
        await page.get_by_label(name).check()
    await page.get_by_label("Chủ tịch hội đồng").select_option(label=MEMBERS["hoa"])
    await camera.look_at(page, "22-round-new")
    await page.get_by_role("button", name="Mở đợt đánh giá").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã mở đợt đánh giá")
    for name in MEMBERS.values():
        await expect(page.locator("main")).to_contain_text(name)
    held = (await office.call("GET", "rating", "/rounds"))["items"]
    assert [(sorted(r["members"]), r["chair"]) for r in held] == [(sorted(MEMBERS), "hoa")]

    # The commune's proposal waits; the office opens its evaluation in the round.
    await page.get_by_role("link", name="Đánh giá", exact=True).click()
    waiting = page.locator("#waiting-proposals tbody tr", has_text=PRODUCT)
    await waiting.get_by_label(f"Đợt đánh giá cho {PRODUCT}").select_option(held[0]["id"])
    await waiting.get_by_role("button", name="Mở đánh giá").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã mở đánh giá")
    await expect(page.locator("#evaluation-status")).to_have_text("Đang chấm")
    await expect(page.locator("#sheets tbody tr", has_text="Chưa chấm")).to_have_count(3)
    await camera.look_at(page, "24-evaluation")
    await page.get_by_role("link", name="← Đánh giá").click()
    row = page.locator("#evaluations tbody tr", has_text=PRODUCT)
    await expect(row).to_contain_text("0/3")
    await expect(row).to_contain_text("Đang chấm")
    await expect(page.locator("#waiting-proposals tbody tr")).to_have_count(1)
    await expect(page.locator("#waiting-proposals")).to_contain_text(HONEY)
    await camera.look_at(page, "23-evaluations")
