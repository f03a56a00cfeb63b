"""The public catalog website in Debian's Chromium: each page photographed at phone and desktop
size into the README's screenshots folder (``screenshots/catalog/``), with no console error
and no serious or critical axe-core violation, in Vietnamese and in English."""

from __future__ import annotations

import re

from tests.platform.test_catalog_site import shop
from tests.support.browser import DESKTOP, PHONE, Photographer, chromium
from tests.support.channels import Market


async def test_the_pages_in_a_real_browser_at_phone_and_desktop_size(shop: Market) -> None:
    site = shop.office.urls["catalog"]
    camera = Photographer("catalog")
    problems = camera.problems
    async with chromium() as browser:
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            context = await browser.new_context(**viewport, locale="vi-VN")
            page = await context.new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            await page.goto(f"{site}/")
            await camera.look_at(page, f"home-{size}")

            # A shopper types without accents and narrows to food.
            await page.get_by_label("Tìm sản phẩm hoặc chủ thể").fill("che tan cuong")
            await page.get_by_label("Nhóm sản phẩm").select_option("food")
            await page.get_by_label("Tỉnh/thành").select_option(label="Thái Nguyên")
            await page.get_by_role("button", name="Tìm").click()
            await page.wait_for_url(re.compile(r"q=che\+tan\+cuong"))
            cards = page.locator("ul.cards > li")
            assert await cards.count() == 1
            await camera.look_at(page, f"home-{size}-filtered")
            await cards.first.get_by_role("link").click()
            await page.wait_for_url(re.compile(r"/products/"))
            assert await page.locator("h1").inner_text() == "Chè búp Tân Cương"
            assert await page.get_by_role("link", name="Postmart").get_attribute(
                "href") == "https://postmart.vn/che-bup-tan-cuong"
            assert await page.get_by_role("link", name="Kiểm tra giấy chứng nhận").count() == 1
            photo = page.locator(".gallery img").first
            await photo.scroll_into_view_if_needed()
            assert await photo.evaluate("img => img.complete && img.naturalWidth > 0")
            await camera.look_at(page, f"product-{size}")

            await page.get_by_role("link", name="English").click()
            await page.wait_for_url(re.compile(r"lang=en"))
            assert await page.get_by_role("heading", name="Where to buy online").count() == 1
            await camera.look_at(page, f"product-{size}-en")
            await context.close()
    assert problems == []
    assert {p.name for p in camera.folder.glob("*.png")} >= {
        "home-phone.png", "home-desktop.png", "product-phone.png", "product-desktop.png"}
