"""The office returns a producer's dossier with a note, at its desk; the producer reads it on
a phone (360×740) in Debian's Chromium: on the product's page, the idea and the plan
accepted by the commune and the dossier returned by the provincial office, each with its
day and note, and what to do next. Checked with axe-core and photographed (Vietnamese) into
the README's screenshots folder (``workspace/09-stage-returned.png``).

The whole platform on its embedded defaults, really served over HTTP."""

from __future__ import annotations

from collections.abc import Callable

from playwright.async_api import Browser, Page, expect

from shared.platform.config import Settings
from tests.platform.test_producer_decisions_pages import (
    IDEA_NOTE,
    PASSWORD,
    RETURNED_BECAUSE,
    dossier_before_the_office,
)
from tests.support.browser import DESKTOP, PHONE, Photographer, chromium, submit_sign_in
from tests.support.platform import cooperative_with_council, office_signed_in
from tests.support.workspace import serving_workspace


async def signed_in(browser: Browser, web: str, size: dict[str, object], username: str,
                    home: str) -> Page:
    context = await browser.new_context(**size, locale="vi-VN",  # type: ignore[arg-type]
                                        timezone_id="Asia/Ho_Chi_Minh")
    page = await context.new_page()
    await submit_sign_in(page, web, username, PASSWORD)
    await page.wait_for_url(f"{web}{home}")
    return page


async def test_the_producer_reads_on_a_phone_why_its_dossier_came_back(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        product_id = await dossier_before_the_office(office, coop)

        async with serving_workspace(settings, office.urls) as web, chromium() as browser:
            desk = await signed_in(browser, web, DESKTOP, "office", "/office")
            await desk.goto(f"{web}/office/stages/{product_id}/dossier")
            await desk.get_by_label("Ghi chú gửi chủ thể").fill(RETURNED_BECAUSE)
            await desk.get_by_role("button", name="Trả lại cho chủ thể").click()
            await desk.wait_for_url(f"{web}/office?done=stage_returned**")

            camera = Photographer("workspace")
            phone = await signed_in(browser, web, PHONE, "producer", "/")
            await phone.goto(f"{web}/products/{product_id}")
            decisions = phone.get_by_role("region", name="Quyết định theo chu trình hằng năm")
            idea, last = decisions.locator("#stage-idea"), decisions.locator("#stage-dossier")
            await expect(idea).to_contain_text("Được UBND xã chấp nhận ngày")
            await expect(idea).to_contain_text(IDEA_NOTE)
            await expect(decisions.locator("#stage-plan")).to_contain_text("✓ đã chấp nhận")
            await expect(last).to_contain_text("Bị Văn phòng Điều phối OCOP tỉnh trả lại ngày")
            await expect(last).to_contain_text(RETURNED_BECAUSE)
            await expect(last).to_contain_text(
                "Việc cần làm tiếp: Bổ sung hoặc sửa các tài liệu trong hồ sơ theo ghi chú, rồi "
                "nộp lại hồ sơ cho Văn phòng Điều phối OCOP tỉnh.")
            await decisions.scroll_into_view_if_needed()
            await camera.look_at(phone, "09-stage-returned")
            assert camera.problems == []
