"""A product's link shared on Zalo, Facebook or X previews with its picture and title: the
Open Graph and Twitter card tags of the catalog's product page and of the QR code's scan
page, read as Debian's Chromium parsed them, and the preview's image fetched and decoded —
the photo where the product has one, else its card with the stars drawn on it."""

from __future__ import annotations

import io

from PIL import Image
from playwright.async_api import Page

from tests.platform.test_channel_previews import shop
from tests.support.browser import PHONE, chromium
from tests.support.channels import Market

__all__ = ["shop"]

TAGS = ("og:title", "og:description", "og:image", "og:url", "og:type", "og:locale")


async def preview_of(page: Page, url: str) -> dict[str, str | None]:
    """The page's sharing tags, from the DOM Chromium built."""
    await page.goto(url)
    told: dict[str, str | None] = {
        tag: await page.locator(f'meta[property="{tag}"]').get_attribute("content")
        for tag in TAGS}
    for tag in ("twitter:card", "twitter:image", "twitter:title"):
        told[tag] = await page.locator(f'meta[name="{tag}"]').get_attribute("content")
    return told


async def image_at(page: Page, url: str) -> tuple[str, tuple[int, int]]:
    """Fetch a preview's image as a crawler would: its media type and decoded size."""
    fetched = await page.request.get(url)
    assert fetched.ok, (url, fetched.status)
    picture = Image.open(io.BytesIO(await fetched.body()))
    picture.verify()
    return fetched.headers["content-type"], picture.size


async def test_a_shared_product_link_previews_with_picture_and_title(shop: Market) -> None:
    anyone = shop.office.anonymous()
    tea, wine = [await anyone.call("GET", "catalog", f"/listings/{shop.products[k]}")
                 for k in ("tea", "wine")]
    async with chromium() as browser:
        context = await browser.new_context(**PHONE, locale="vi-VN")
        page = await context.new_page()
        for listing, photo in ((tea, True), (wine, False)):
            for url in (listing["page_url"], listing["scan_url"]):
                told = await preview_of(page, url)
                assert told["og:title"] and told["og:title"].startswith(listing["name"])
                assert "OCOP 4 sao" in told["og:title"]
                assert told["og:description"] and listing["producer"]["name"] in told[
                    "og:description"]
                assert told["og:url"] == url
                assert (told["og:type"], told["og:locale"]) == ("product", "vi_VN")
                assert told["twitter:card"] == "summary_large_image"
                image = told["og:image"]
                assert image and image.startswith("http") and told["twitter:image"] == image
                media, size = await image_at(page, image)
                if photo:
                    assert media == "image/webp" and size[0] == 1200
                else:
                    assert media == "image/png" and size == (1200, 630)
                    assert f"/products/{listing['product_id']}/card" in image
        for url in (tea["page_url"], tea["scan_url"]):
            english = await preview_of(page, f"{url}?lang=en")
            assert english["og:locale"] == "en_US" and english["og:url"] == url
            assert "OCOP 4 stars" in (english["og:title"] or "")
        await context.close()
