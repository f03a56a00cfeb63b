"""The provincial office works its inbox in Debian's Chromium, at desktop size (1280×900) and
on a tablet (820×1180): it signs in, reads the counts, sorts the stages by a header with the
keyboard, filters them by typing, accepts one dossier with a note and sees the notice and
the emptier queue; then reads its actions in the history. Every page is checked with
axe-core and photographed (Vietnamese) into the README's screenshots folder (``office/``).

The whole platform on its embedded defaults, really served over HTTP; the workspace calls
it with the office's own token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.async_api import Browser, Page, expect

from shared.platform.config import Settings
from tests.platform.test_office_inbox_pages import dossier_proposed
from tests.support.browser import DESKTOP, TABLET, Photographer, chromium, submit_sign_in
from tests.support.platform import (
    accepted_dossier,
    cooperative_with_council,
    office_signed_in,
    propose,
)
from tests.support.workspace import serving_workspace

PASSWORD = "inbox-browser-31"
PRODUCTS = ("Chè móc câu Tân Cương", "Trà hoa vàng Tân Cương", "Mật ong rừng Tân Cương")


async def signed_in_page(browser: Browser, web: str, size: dict[str, Any]) -> Page:
    context = await browser.new_context(**size, locale="vi-VN",
                                        timezone_id="Asia/Ho_Chi_Minh")
    page = await context.new_page()
    await submit_sign_in(page, web, "office", PASSWORD)
    await page.wait_for_url(f"{web}/office")
    return page


async def stage_count(page: Page) -> str:
    return await page.locator('.counts a[href="#stages"] b').inner_text()


async def accept_one(page: Page, web: str, product: str, waiting: int,
                     camera: Photographer | None = None) -> None:
    """Read the counts, sort and filter the stages, accept ``product``'s dossier."""
    assert await stage_count(page) == str(waiting)
    table = page.locator("#stage-table")
    rows = table.locator("tbody tr")

    # Sorted by the product's header, from the keyboard: A→Z, then Z→A.
    header = table.get_by_role("button", name="Sản phẩm", exact=True)
    await header.focus()
    await page.keyboard.press("Enter")
    await expect(table.locator("th").first).to_have_attribute("aria-sort", "ascending")
    names = [await rows.nth(i).locator("td").first.inner_text() for i in range(waiting)]
    assert names == sorted(names)  # their first letters differ
    await page.keyboard.press("Enter")
    await expect(table.locator("th").first).to_have_attribute("aria-sort", "descending")
    assert await rows.first.locator("td").first.inner_text() == names[-1]

    # Filtered by typing (without its marks, as people type in a hurry).
    await page.get_by_label("Lọc hồ sơ chờ quyết định").fill(
        product.split()[0].lower() + " " + product.split()[1])
    await expect(rows.locator("visible=true")).to_have_count(1)
    await expect(page.locator('[data-filter-count="stage-table"]')).to_have_text("1")

    # Decided on its page, with a note; back to the inbox with the notice.
    await table.get_by_role("link", name=f"Quyết định hồ sơ của {product}").click()
    await page.wait_for_url(f"{web}/office/stages/**")
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ: {product}")
    await page.get_by_label("Ghi chú gửi chủ thể").fill(
        "Hồ sơ đầy đủ. Mời HTX chuẩn bị nộp đánh giá.")
    if camera is not None:
        await camera.look_at(page, "04-stage-decision")
    await page.get_by_role("button", name="Chấp nhận", exact=True).click()
    await page.wait_for_url(f"{web}/office?done=stage_accepted**")
    await expect(page.get_by_role("status")).to_have_text(
        "Đã chấp nhận. Chủ thể xem được quyết định cùng ghi chú của văn phòng.")
    assert await stage_count(page) == str(waiting - 1)
    await expect(page.locator("#stage-table")).not_to_contain_text(product)


async def test_the_office_works_its_inbox_on_desktop_and_tablet(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        for name in PRODUCTS:
            product = await coop.producer.call("POST", "registry", "/products", expect=201,
                                               json={"subject_id": coop.subject_id,
                                                     "name": name, "group": "food",
                                                     "subgroup": "tea"})
            await dossier_proposed(coop.producer, office, product["id"])
        # A submitted product the commune proposed, whose producer wants it renamed.
        submitted = await coop.producer.call("POST", "registry", "/products", expect=201, json={
            "subject_id": coop.subject_id, "name": "Chè xanh Tân Cương", "group": "food",
            "subgroup": "tea"})
        path = f"/products/{submitted['id']}"
        await accepted_dossier(coop.producer, office, submitted["id"])
        await coop.producer.call("POST", "registry", f"{path}/submission")
        await propose(office, submitted["id"])
        await coop.producer.call("PATCH", "registry", path,
                                 json={"name": "Chè xanh đặc sản Tân Cương"})
        async with serving_workspace(settings, office.urls) as web, chromium() as browser:
            camera = Photographer("office")
            errors: list[str] = []

            desk = await signed_in_page(browser, web, DESKTOP)
            desk.on("pageerror", lambda e: errors.append(str(e)))
            await expect(desk.get_by_role("heading", level=1)).to_have_text(
                "Việc chờ văn phòng")
            await expect(desk.locator('.counts a[href="#identity"] b')).to_have_text("1")
            await expect(desk.locator('.counts a[href="#proposals"] b')).to_have_text("1")
            await expect(desk.locator("#identity-table")).to_contain_text(
                "Chè xanh đặc sản Tân Cương")
            await expect(desk.locator("#proposal-table")).to_contain_text("Chè xanh Tân Cương")
            await camera.look_at(desk, "01-inbox")
            await accept_one(desk, web, PRODUCTS[1], waiting=3, camera=camera)

            # The rename is refused with a note: the queue of changes empties.
            await desk.locator("#identity-table").get_by_role(
                "link", name="Quyết định thay đổi của Chè xanh Tân Cương").click()
            await desk.wait_for_url(f"{web}/office/identity/**")
            await expect(desk.locator("#identity-change")).to_contain_text(
                "Chè xanh đặc sản Tân Cương")
            await desk.get_by_label("Ghi chú gửi chủ thể").fill(
                "Tên mới chưa có giấy tờ đăng ký nhãn hiệu kèm theo.")
            await camera.look_at(desk, "05-identity-decision")
            await desk.get_by_role("button", name="Từ chối thay đổi").click()
            await desk.wait_for_url(f"{web}/office?done=identity_refused**")
            await expect(desk.get_by_role("status")).to_have_text(
                "Đã từ chối thay đổi. Chủ thể xem được ghi chú của văn phòng.")
            await expect(desk.locator('.counts a[href="#identity"] b')).to_have_text("0")

            tablet = await signed_in_page(browser, web, TABLET)
            tablet.on("pageerror", lambda e: errors.append(str(e)))
            await camera.look_at(tablet, "02-inbox-tablet")
            await accept_one(tablet, web, PRODUCTS[2], waiting=2)

            # The office's actions, with who and when, from the menu.
            await desk.get_by_role("link", name="Lịch sử", exact=True).click()
            await desk.wait_for_url(f"{web}/office/history")
            history = desk.locator("#history-table")
            await expect(history).to_contain_text("Chấp nhận hồ sơ")
            await expect(history.locator("tbody tr", has_text=PRODUCTS[1]).filter(
                has_text="Chấp nhận hồ sơ")).to_have_count(1)
            await desk.get_by_label("Loại dữ liệu").select_option(label="Hồ sơ")
            await desk.get_by_role("button", name="Xem", exact=True).click()
            await desk.wait_for_url(f"{web}/office/history?**")
            await expect(desk.get_by_label("Lọc thao tác")).to_be_visible()
            await camera.look_at(desk, "03-history")
            assert errors == []
            assert camera.problems == [], "\n".join(camera.problems)
