"""What sales channels' own tools read of the catalog, over HTTP and parsed by their kind
of parser (``lxml``, not the catalog's writer): the Merchant feed — every item with an
``image_link`` (the photo, else the product's card drawn as a PNG once and cached for a
year)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from services.catalog.site.card import HEIGHT, WIDTH
from services.catalog.site.feeds import GOOGLE_NS
from shared.platform.config import Settings
from tests.platform.test_catalog_site import tea_photo
from tests.support.channels import Market, market
from tests.support.demo import wait_until
from tests.support.refusals import problem

G = f"{{{GOOGLE_NS}}}"


@pytest.fixture
async def shop(make_settings: Callable[..., Settings]) -> AsyncIterator[Market]:
    """Tea has a photo; wine has none, so its card stands for it."""
    async with market(make_settings()) as made:
        tea, producer = made.products["tea"], made.producers["tea"]
        await producer.call("POST", "registry", f"/products/{tea}/images", expect=201,
                            content=tea_photo(), headers={"Content-Type": "image/jpeg"})
        anyone = made.office.anonymous()

        async def illustrated() -> bool:
            return bool((await anyone.call("GET", "catalog", f"/listings/{tea}"))["image_urls"])
        await wait_until(illustrated)
        yield made


def feed_items(body: bytes) -> dict[str, etree._Element]:
    rss = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    return {item.findtext(f"{G}id"): item for item in rss.iterfind("channel/item")}


async def test_every_feed_item_has_an_image_the_card_when_there_is_no_photo(
        shop: Market) -> None:
    office, tea, wine = shop.office, shop.products["tea"], shop.products["wine"]
    anyone, base = office.anonymous(), office.urls["catalog"]
    items = feed_items((await anyone.client.get(f"{base}/feeds/google.xml")).content)
    assert set(items) == {tea, wine}
    assert all(item.findtext(f"{G}image_link") for item in items.values())
    tea_listing = await anyone.call("GET", "catalog", f"/listings/{tea}")
    assert items[tea].findtext(f"{G}image_link") == tea_listing["image_urls"][0]
    card = items[wine].findtext(f"{G}image_link")
    assert card.startswith(f"{base}/products/{wine}/card/") and card.endswith(".png")

    drawn = await anyone.client.get(card)
    assert drawn.status_code == 200 and drawn.headers["content-type"] == "image/png"
    assert drawn.headers["cache-control"] == "public, max-age=31536000, immutable"
    picture = Image.open(io.BytesIO(drawn.content))
    assert (picture.format, picture.size) == ("PNG", (WIDTH, HEIGHT))
    # Stars drawn in the OCOP amber on a light card: not a blank picture.
    assert len(picture.convert("RGB").getcolors(maxcolors=1 << 16) or ()) > 50

    # Made once: the second answer is the stored file, byte for byte, and it is in the
    # object store under the card's digest.
    again = await anyone.client.get(card)
    assert again.content == drawn.content
    digest = card.rsplit("/", 1)[1].removesuffix(".png")
    kept = Path(shop.settings.data_dir) / "objects" / "cards" / wine / f"{digest}.png"
    assert kept.read_bytes() == drawn.content

    # The spreadsheet feeds name the same image.
    csv_feed = (await anyone.client.get(f"{base}/feeds/products.csv")).text
    assert card in csv_feed

    # A renamed product gets a new card at a new URL; the old URL leads to it.
    await office.call("PATCH", "registry", f"/products/{wine}",
                      json={"name": "Rượu cần Lạc Dương thượng hạng"})

    async def renamed() -> bool:
        feed = feed_items((await anyone.client.get(f"{base}/feeds/google.xml")).content)
        return feed[wine].findtext(f"{G}image_link") != card
    await wait_until(renamed)
    moved = await anyone.client.get(card)
    assert moved.status_code == 307 and moved.headers["location"] != card
    assert moved.headers["location"].startswith(f"{base}/products/{wine}/card/")
    assert (await anyone.client.get(moved.headers["location"])).headers[
        "content-type"] == "image/png"

    # Malformed or unknown: a clear 4xx.
    problem(await anyone.client.get(f"{base}/products/{wine}/card/NOT-A-DIGEST.png"), 422)
    problem(await anyone.client.get(f"{base}/products/nobody/card/{digest}.png"), 404)
