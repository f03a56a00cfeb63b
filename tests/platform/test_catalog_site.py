"""The public catalog website, over HTTP and in Debian's Chromium: the home page searches
(diacritics ignored) and filters by stars, group and province; a product page shows its
photos, stars, producer and locality, certificate with its verification link, origin
records and where to buy, and carries schema.org Product JSON-LD with the certificate.
Each page is photographed at phone and desktop size into the README's screenshots folder
(``screenshots/catalog/``), raises no console error and passes axe-core with no serious or
critical violation, in Vietnamese and in English."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw

from shared.ocop.localities import provinces
from shared.platform.config import Settings
from tests.support.channels import Market, market, register_channel
from tests.support.clocks import today
from tests.support.demo import wait_until


def tea_photo() -> bytes:
    """A photo-sized picture: green hills under a pale sky."""
    image = Image.new("RGB", (1600, 1200), (214, 234, 221))
    draw = ImageDraw.Draw(image)
    for row, shade in enumerate((90, 120, 150, 180)):
        top = 500 + row * 170
        draw.ellipse((-400 + row * 150, top, 1400 + row * 200, top + 900),
                     fill=(30, shade, 60))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


@pytest.fixture
async def shop(make_settings: Callable[..., Settings]) -> AsyncIterator[Market]:
    async with market(make_settings()) as made:
        tea, producer = made.products["tea"], made.producers["tea"]
        await producer.call("POST", "registry", f"/products/{tea}/images", expect=201,
                            content=tea_photo(), headers={"Content-Type": "image/jpeg"})
        channel, _ = await register_channel(made.office)
        await producer.call("PUT", "catalog", f"/listings/{tea}/offers/{channel['id']}",
                            json={"url": "https://postmart.vn/che-bup-tan-cuong"})
        produced_on = (today() - timedelta(days=3)).isoformat()
        await producer.call("POST", "traceability", f"/products/{tea}/batches", expect=201,
                            json={"lot": "TC-01", "quantity": 50, "unit": "KGM",
                                  "produced_on": produced_on})
        anyone = made.office.anonymous()

        async def complete() -> bool:
            listing = await anyone.call("GET", "catalog", f"/listings/{tea}")
            return bool(listing["image_urls"]) and listing["origin"]["batches"] == 1
        await wait_until(complete)
        yield made


class Scraped(HTMLParser):
    """The parts of a page the tests read: product links, JSON-LD, the main heading."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.products: list[str] = []
        self.json_ld: list[dict[str, Any]] = []
        self.h1 = ""
        self.provinces: list[str] = []
        """The values of the province filter's options."""
        self.picked_province: str | None = None
        self._in: str | None = None
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and (href := found.get("href") or "").startswith("/products/"):
            self.products.append(href.split("?")[0].removeprefix("/products/"))
        if tag == "script" and found.get("type") == "application/ld+json":
            self._in = "ld"
        if tag == "h1":
            self._in = "h1"
        if tag == "select":
            self._select = found.get("name")
        if tag == "option" and self._select == "province":
            self.provinces.append(found.get("value") or "")
            if "selected" in found:
                self.picked_province = found.get("value")

    def handle_endtag(self, tag: str) -> None:
        self._in = None
        if tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._in == "ld":
            self.json_ld.append(json.loads(data))
        elif self._in == "h1":
            self.h1 += data


async def page_of(client: httpx.AsyncClient, url: str, status: int = 200,
                  **params: Any) -> Scraped:
    response = await client.get(url, params=params)
    assert response.status_code == status, (url, params, response.status_code)
    assert response.headers["content-type"].startswith("text/html")
    return Scraped(response.text)


async def test_the_home_page_searches_and_filters_and_a_product_page_says_it_all(
        shop: Market) -> None:
    site, client = shop.office.urls["catalog"], shop.office.client
    tea, wine = shop.products["tea"], shop.products["wine"]
    home = f"{site}/"
    assert set((await page_of(client, home)).products) == {tea, wine}
    assert (await page_of(client, home, q="che tan cuong")).products == [tea]
    assert (await page_of(client, home, q="RƯỢU CẦN")).products == [wine]
    assert (await page_of(client, home, stars=4)).products != []
    assert (await page_of(client, home, stars=5)).products == []
    assert (await page_of(client, home, group="beverages")).products == [wine]
    assert (await page_of(client, home, province="lam dong")).products == [wine]
    assert (await page_of(client, home, province="Thái Nguyên", group="food")).products == [
        tea]
    # The province is picked from the 34 provinces and cities (since 1 July 2025), by the
    # official name the listings carry; the one searched for stays picked.
    picked = Scraped((await client.get(home, params={"province": "Thái Nguyên"})).text)
    assert picked.provinces == [""] + [name for _, name in provinces()]
    assert len(picked.provinces) == 35 and picked.picked_province == "Thái Nguyên"
    # The next page starts after the cursor the listings API gives for the same order.
    first = await shop.office.call("GET", "catalog", "/listings",
                                   params={"sort": "-stars", "limit": 1})
    rest = await page_of(client, home, after=first["next_cursor"])
    assert rest.products == [p for p in (tea, wine) if p != first["items"][0]["product_id"]]
    await page_of(client, home, 400, after="nonsense")

    vietnamese = (await client.get(home)).text
    english = (await client.get(home, params={"lang": "en"})).text
    browser_english = (await client.get(home, headers={"Accept-Language": "en-GB,en"})).text
    assert '<html lang="vi">' in vietnamese and "Tìm sản phẩm" in vietnamese
    assert '<html lang="en">' in english and "Search products" in english
    assert '<html lang="en">' in browser_english
    assert (await client.get(home, params={"lang": "fr"})).status_code == 422

    page = await page_of(client, f"{site}/products/{tea}")
    assert page.h1 == "Chè búp Tân Cương"
    [ld] = page.json_ld
    listing = await shop.office.call("GET", "catalog", f"/listings/{tea}")
    certification = ld["hasCertification"]
    assert (ld["@context"], ld["@type"], ld["name"], ld["url"]) == (
        "https://schema.org", "Product", "Chè búp Tân Cương", listing["page_url"])
    assert ld["brand"]["name"] == ld["manufacturer"]["name"] == "HTX Chè Tân Cương"
    assert ld["manufacturer"]["address"]["addressRegion"] == "Thái Nguyên"
    assert len(ld["image"]) == 1 and ld["image"][0].startswith("http")
    assert (certification["@type"], certification["certificationIdentification"],
            certification["certificationRating"]["ratingValue"], certification["expires"]) == (
        "Certification", listing["certificate"]["number"], 4,
        listing["certificate"]["valid_until"])
    assert certification["url"] == listing["certificate"]["verification_url"]
    html = (await client.get(f"{site}/products/{tea}")).text
    assert "https://postmart.vn/che-bup-tan-cuong" in html and "Postmart" in html
    assert listing["scan_url"] in html and "1 lô" in html

    missing = await page_of(client, f"{site}/products/no-such-product", 404)
    assert missing.h1 == "Không có sản phẩm này trong danh mục"
    await shop.producers["wine"].call("POST", "catalog", f"/listings/{wine}/withdrawal",
                                      expect=204)
    gone = await page_of(client, f"{site}/products/{wine}", 404, lang="en")
    assert gone.h1 == "This product is not in the catalog"
    assert (await page_of(client, home)).products == [tea]


