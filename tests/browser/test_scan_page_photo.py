"""The scan page lets a phone take the small photo (Chromium at phone size)."""

from __future__ import annotations

from pathlib import Path

from tests.platform.test_images import GTIN, Shop, shop
from tests.support.browser import DESKTOP, PHONE, chromium, screenshot_path


async def test_the_scan_page_lets_a_phone_take_the_small_photo(shop: Shop, tmp_path: Path
                                                               ) -> None:
    scan = f"{shop.office.urls['traceability']}/01/{GTIN}"
    chosen = {}
    async with chromium() as browser:
        for name, device in (("phone", PHONE), ("desktop", DESKTOP)):
            page = await browser.new_page(**device)
            await page.goto(scan)
            photo = page.get_by_role("img", name="Chè búp Tân Cương")
            await photo.wait_for()
            await page.wait_for_function("document.querySelector('img').complete")
            chosen[name] = await photo.evaluate("img => img.currentSrc")
            assert await photo.evaluate("img => img.naturalWidth") > 0
            await page.screenshot(path=screenshot_path(tmp_path, f"scan-page-{name}"),
                                  full_page=True)
            await page.close()
    assert chosen["phone"].endswith("?w=480"), chosen
    assert chosen["desktop"].endswith("?w=1200"), chosen
