"""The provincial office reads its annual summary and its counterfeit dashboard on a
desktop (1280×900) in Debian's Chromium: a certified product's province chosen by its
Vietnamese label, the charts drawn as SVG with their titles, the summary as it prints
(national heading, no menu), the XLSX downloaded, and a made-up code's signal on the
dashboard. Every page is checked with axe-core and photographed (Vietnamese) into the
README's screenshots folder (``office/``).

The whole platform on its embedded defaults, really served over HTTP; the workspace calls
it with the office's own token."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import date, timedelta

from openpyxl import load_workbook
from playwright.async_api import expect

from shared.platform.config import Settings
from tests.support.batches import GTIN, PASSWORD, batch_body
from tests.support.browser import DESKTOP, Photographer, chromium, submit_sign_in
from tests.support.clocks import today
from tests.support.platform import certified_batch
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import serving_workspace


async def test_the_office_reads_its_summary_and_counterfeits(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(allow_private_scan_url=True)
    async with signed_in(settings, PASSWORD) as office:
        await certified_batch(office, PASSWORD, GTIN,
                              batch_body("TC-31", today() - timedelta(days=3)))
        year = date.fromisoformat((today() - timedelta(days=30)).isoformat()).year
        forged = f"/01/{GTIN}/10/TC-31/21/FAKE000000000007"
        assert (await office.client.get(office.urls["traceability"] + forged,
                                        follow_redirects=True)).status_code == 404
        await office.until("GET", "traceability", "/anomalies?kind=unknown_serial")
        async with serving_workspace(settings, office.urls) as web, chromium() as browser:
            context = await browser.new_context(**DESKTOP, locale="vi-VN",
                                                timezone_id="Asia/Ho_Chi_Minh",
                                                accept_downloads=True)
            try:
                page = await context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                camera = Photographer("office")
                await submit_sign_in(page, web, "office", PASSWORD)
                await page.wait_for_url(f"{web}/office**")

                # The summary from the menu: the province and year chosen by their labels.
                await page.get_by_role("link", name="Tổng hợp năm").click()
                await page.get_by_label("Tỉnh/thành", exact=True).select_option(label="Thái Nguyên")
                await page.get_by_label("Năm", exact=True).select_option(label=str(year))
                await page.get_by_role("button", name="Xem").click()
                await page.wait_for_url(f"{web}/office/summary?**")
                charts = page.locator('svg[role="img"]')
                assert await charts.count() >= 3
                titles = await page.locator('svg[role="img"] > title').all_text_contents()
                assert f"Sản phẩm được công nhận năm {year} theo xã và hạng sao" in titles
                assert any("theo nhóm sản phẩm" in t for t in titles)
                await expect(page.locator("#commune-table")).to_contain_text("Xã Tân Cương")
                await camera.look_at(page, "40-summary")

                # As it prints: the national heading, without the menu or the forms.
                await page.emulate_media(media="print")
                await expect(page.get_by_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")).to_be_visible()
                await expect(page.locator("nav.tabs")).to_be_hidden()
                await camera.look_at(page, "41-summary-print")
                await page.emulate_media(media="screen")

                # The workbook, downloaded as the office would.
                async with page.expect_download() as downloading:
                    await page.get_by_role("link", name="Tải XLSX").click()
                download = await downloading.value
                assert download.suggested_filename.endswith(".xlsx")
                saved = await download.path()
                book = load_workbook(io.BytesIO(await asyncio.to_thread(saved.read_bytes)))
                cells = {c.value for row in book.worksheets[0].iter_rows() for c in row}
                assert "Xã Tân Cương" in cells

                # The counterfeit dashboard: the made-up code's signal, charted per week.
                await page.get_by_role("link", name="Hàng giả").click()
                await page.wait_for_url(f"{web}/office/counterfeits**")
                await expect(page.locator("#signal-table")).to_contain_text("FAKE000000000007")
                weekly = page.locator("#chart-weekly > title")
                assert (await weekly.text_content() or "").startswith("Dấu hiệu hàng giả theo tuần")
                await camera.look_at(page, "42-counterfeits")
                assert errors == []
                assert camera.problems == [], "\n".join(camera.problems)
            finally:
                await context.close()
