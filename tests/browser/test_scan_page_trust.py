"""A phone reads the scan page in its language and reports a forged code, in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from playwright.async_api import expect

from shared.platform.config import Settings
from tests.platform.test_scan_counting import anomalies, printed
from tests.platform.test_scan_trust import FAKE, PRODUCT, trusting
from tests.support.batches import GTIN, harvest
from tests.support.browser import PHONE, chromium, screenshot_path
from tests.support.clocks import today


async def test_a_phone_reads_the_scan_page_in_its_language_and_reports_a_forged_code(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    async with printed(trusting(make_settings)) as world, chromium() as browser:
        await world.producer.call("POST", "traceability", f"/batches/{world.batch_id}/events",
                                  expect=201, json=harvest(today() - timedelta(days=2)))
        base = world.office.urls["traceability"]
        english_phone = await browser.new_context(**PHONE, locale="en-US")
        shown = await english_phone.new_page()
        await shown.goto(f"{base}/01/{GTIN}/10/TC-31")
        await expect(shown.locator("html")).to_have_attribute("lang", "en")
        await expect(shown.get_by_text("The batch's journey")).to_be_visible()
        await shown.screenshot(path=screenshot_path(tmp_path, "scan-en-US"), full_page=True)
        await shown.get_by_role("link", name="Tiếng Việt").click()
        await expect(shown.locator("html")).to_have_attribute("lang", "vi")
        await expect(shown.get_by_text("Hành trình của lô")).to_be_visible()
        await shown.screenshot(path=screenshot_path(tmp_path, "scan-switched-vi"),
                               full_page=True)
        await shown.get_by_role("link", name="Kiểm tra tính toàn vẹn của dữ liệu").click()
        await expect(shown.get_by_role("heading", name="Dữ liệu nguyên vẹn")).to_be_visible()
        await shown.screenshot(path=screenshot_path(tmp_path, "chain-vi"), full_page=True)

        vietnamese_phone = await browser.new_context(**PHONE, locale="vi-VN")
        warned = await vietnamese_phone.new_page()
        await warned.goto(f"{base}{FAKE}")
        await expect(warned.locator("html")).to_have_attribute("lang", "vi")
        await expect(warned.get_by_role("alert")).to_contain_text(PRODUCT)
        await warned.screenshot(path=screenshot_path(tmp_path, "warning-vi"), full_page=True)
        await warned.get_by_role("button", name="Báo mã này là đáng ngờ").click()
        await expect(warned.get_by_role("heading", name="Cảm ơn bạn đã báo")).to_be_visible()
        await warned.screenshot(path=screenshot_path(tmp_path, "reported-vi"), full_page=True)
        [reported] = [a for a in await anomalies(world) if a["kind"] == "consumer_report"]
        assert reported["codes"] == ["FAKE00000001"]
