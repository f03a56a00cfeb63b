"""A council member scores a product on a tablet (820×1180, held upright) and a commune
officer pre-assesses one on a desktop, in Debian's Chromium: the member fills the score
sheet criterion by criterion and watches the part subtotals, the total and the stars it
would give follow, saves a draft on the tablet, reloads and finds it, and submits; the
officer answers the criteria of Decision 1489/QĐ-TTg and proposes the product. Every page is
checked with axe-core and photographed (Vietnamese) into the README's screenshots folder.

The whole platform on its embedded defaults, really served over HTTP; the workspace calls
it with each person's own token."""

from __future__ import annotations

from collections.abc import Callable

from playwright.async_api import Browser, Page, expect

from shared.platform.config import Settings
from tests.platform.test_council_pages import PASSWORD, council_of
from tests.support.browser import DESKTOP, TABLET, Photographer, chromium, submit_sign_in
from tests.support.platform import User
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import serving_workspace

SHEET = [  # criterion, points typed, then part A, B, C subtotals, total and stars shown
    ("Nguồn nguyên liệu tại địa phương", "8", ("8", "0", "0"), "8", "1 ★"),
    ("Sử dụng lao động địa phương", "7,5", ("15,5", "0", "0"), "15,5", "1 ★"),
    ("Tổ chức sản xuất", "15", ("30,5", "0", "0"), "30,5", "2 ★"),
    ("Tiếp thị và quảng bá", "10", ("30,5", "10", "0"), "40,5", "2 ★"),
]
REST = [("Câu chuyện sản phẩm", "8"), ("Chất lượng cảm quan", "16"),
        ("Tiêu chuẩn sản phẩm", "12")]


async def signed_in_page(browser: Browser, web: str, username: str, size: dict[str, object]
                         ) -> Page:
    context = await browser.new_context(**size, locale="vi-VN",  # type: ignore[arg-type]
                                        timezone_id="Asia/Ho_Chi_Minh")
    page = await context.new_page()
    await submit_sign_in(page, web, username, PASSWORD)
    return page


async def expect_sums(page: Page, parts: tuple[str, str, str], total: str, stars: str) -> None:
    """The sums are written by score.js once the page is parsed: wait for them, never read once."""
    totals = page.locator("[data-totals]")
    for part, subtotal in zip("ABC", parts, strict=True):
        await expect(totals.locator(f"[data-subtotal={part}]")).to_have_text(subtotal)
    await expect(totals.locator("[data-total]")).to_have_text(total)
    await expect(totals.locator("[data-stars-shown]")).to_have_text(stars)


async def test_a_member_scores_on_a_tablet_and_the_commune_proposes(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    council_camera, commune_camera = Photographer("council"), Photographer("commune")
    async with signed_in(settings, PASSWORD) as office:
        council = await council_of(office)
        evaluation = await council.evaluation("Chè búp Tân Cương", council.mine)
        await council.evaluation("Chè móc câu", council.other)  # not this member's
        subject = await office.call("GET", "registry", f"/subjects/{council.subject_id}")
        await office.call("POST", "registry", "/users", expect=201, json={
            "username": "officer", "password": PASSWORD, "role": "commune_officer",
            "commune_code": subject["commune_code"], "province_code": subject["province_code"]})
        green = await office.call("POST", "registry", "/products", expect=201, json={
            "subject_id": council.subject_id, "name": "Chè xanh Tân Cương", "group": "food",
            "subgroup": "tea"})
        async with serving_workspace(settings, office.urls) as web, chromium() as browser:
            await score_on_a_tablet(browser, web, council_camera, office, evaluation)
            await pre_assess_on_a_desktop(browser, web, commune_camera, office, green["id"])
    assert council_camera.problems == []
    assert commune_camera.problems == []


async def score_on_a_tablet(browser: Browser, web: str, camera: Photographer, office: User,
                            evaluation: str) -> None:
    page = await signed_in_page(browser, web, "member", TABLET)
    await expect(page.get_by_role("heading", name="Sản phẩm cần chấm điểm")).to_be_visible()
    tasks = page.locator("ul.tasks li")
    await expect(tasks).to_have_count(1)
    await expect(tasks).to_contain_text("Chè búp Tân Cương")
    await expect(tasks).to_contain_text("Đợt 1")
    await camera.look_at(page, "01-to-score")

    await tasks.get_by_role("link", name="Chấm điểm").click()
    await expect(page.get_by_role("heading", name="Phiếu chấm điểm: Chè búp Tân Cương")
                 ).to_be_visible()
    await expect_sums(page, ("0", "0", "0"), "0", "1 ★")
    for criterion, points, parts, total, stars in SHEET:
        await page.get_by_label(criterion).fill(points)
        await expect_sums(page, parts, total, stars)
    await page.get_by_label("Ghi chú A2").fill("Thiếu hợp đồng lao động")
    await camera.look_at(page, "02-score-sheet")

    await page.get_by_role("button", name="Lưu nháp").click()
    await expect(page.locator("[data-draft-status]")).to_contain_text(
        "Đã lưu nháp trên máy tính bảng này")
    await page.reload()
    await expect(page.locator("[data-draft-status]")).to_contain_text("Đã khôi phục bản nháp")
    await expect(page.get_by_label("Sử dụng lao động địa phương")).to_have_value("7,5")
    await expect(page.get_by_label("Ghi chú A2")).to_have_value("Thiếu hợp đồng lao động")
    await expect_sums(page, ("30,5", "10", "0"), "40,5", "2 ★")

    # Sent with a criterion left empty: refused beside its row, the sheet kept as filled.
    for criterion, points in REST[1:]:
        await page.get_by_label(criterion).fill(points)
    await page.get_by_role("button", name="Nộp phiếu").click()
    story = page.locator(".criterion", has=page.get_by_label("Câu chuyện sản phẩm"))
    await expect(story.locator(".field-error")).to_have_text("chưa được chấm")
    await expect(page.locator(".field-error")).to_have_count(1)
    await expect(page.get_by_label("Sử dụng lao động địa phương")).to_have_value("7,5")
    await expect_sums(page, ("30,5", "10", "28"), "68,5", "3 ★")
    await camera.look_at(page, "04-refused")

    await page.get_by_label(REST[0][0]).fill(REST[0][1])
    await expect_sums(page, ("30,5", "18", "28"), "76,5", "4 ★")
    await page.get_by_role("button", name="Nộp phiếu").click()
    await expect(page.locator(".notice")).to_contain_text("Đã nộp phiếu chấm điểm")
    assert "/council?done=sheet_submitted" in page.url
    await expect(page.locator("ul.tasks")).to_have_count(0)
    kept = await page.evaluate(f"localStorage.getItem('ocop-score-draft:member:{evaluation}')")
    assert kept is None
    recorded = await office.call("GET", "rating", f"/evaluations/{evaluation}")
    assert [(s["member"], s["total"]) for s in recorded["score_sheets"]] == [("member", 76.5)]

    await page.get_by_role("link", name="Đã chấm").click()
    row = page.locator("#scored tbody tr")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("Chè búp Tân Cương")
    await expect(row).to_contain_text("76,5")
    await camera.look_at(page, "03-scored")
    await page.context.close()


async def pre_assess_on_a_desktop(browser: Browser, web: str, camera: Photographer,
                                  office: User, product_id: str) -> None:
    page = await signed_in_page(browser, web, "officer", DESKTOP)
    await expect(page.get_by_role("heading", name="Sản phẩm của xã")).to_be_visible()
    await expect(page.locator("#products tbody tr")).to_have_count(3)  # the cooperative's
    await expect(page.locator("#products tbody tr", has_text="Chè búp Tân Cương")
                 ).to_contain_text("Đã đề xuất, đang đánh giá")
    await page.get_by_label("Lọc sản phẩm").fill("xanh")
    await expect(page.locator("#products tbody tr:visible")).to_have_count(1)
    await page.get_by_label("Lọc sản phẩm").fill("")
    await camera.look_at(page, "01-products")

    await page.get_by_role("link", name="Đánh giá sơ bộ Chè xanh Tân Cương").click()
    for fieldset in await page.locator("fieldset.yesno").all():
        await fieldset.get_by_label("Có").check()
    await page.get_by_label("Ghi chú").fill("Sản phẩm chè truyền thống của xã")
    await camera.look_at(page, "02-pre-assessment")
    await page.get_by_role("button", name="Đề xuất").click()
    await expect(page.locator(".notice")).to_contain_text("được đề xuất lên tỉnh")
    await expect(page.locator("#result-card")).to_contain_text("Đã đề xuất lên tỉnh")
    proposals = await office.call("GET", "rating", "/proposals",
                                  params={"product_id": product_id})
    assert [(p["proposed"], p["by"]) for p in proposals["items"]] == [(True, "officer")]
    await page.context.close()
