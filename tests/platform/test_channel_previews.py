"""What sales channels' own tools read of the catalog, over HTTP and parsed by their kind
of parser (``lxml``, not the catalog's writer): the Merchant feed — every item with an
``image_link`` (the photo, else the product's card drawn as a PNG once and cached for a
year), a channel's feed with its own offers' links and prices and no price made up; the
product page's schema.org JSON-LD (read by ``extruct``) with each channel's offer and the
certificate, every term checked against schema.org's vocabulary."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import extruct
import lxml.html
import pytest
from lxml import etree
from PIL import Image
from rdflib import namespace as rdf_namespaces

from services.catalog.site.card import HEIGHT, WIDTH
from services.catalog.site.feeds import FIELDS, GOOGLE_NS
from shared.platform.config import Settings
from tests.platform.test_catalog_site import tea_photo
from tests.support.channels import Market, market, register_channel
from tests.support.demo import wait_until
from tests.support.platform import User
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


async def google_feed(user: User) -> dict[str, etree._Element]:
    return feed_items((await user.call("GET", "catalog", "/feeds/google.xml")).content)


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

    # The current card at an unversioned URL (for other services' pages), kept minutes.
    current = await anyone.client.get(f"{base}/products/{wine}/card.png")
    assert current.headers["content-type"] == "image/png"
    assert current.headers["cache-control"] == "public, max-age=300"
    problem(await anyone.client.get(f"{base}/products/nobody/card.png"), 404)


async def test_a_channels_feed_carries_its_own_offers_prices_and_no_invented_one(
        shop: Market) -> None:
    office, tea, wine = shop.office, shop.products["tea"], shop.products["wine"]
    base, anyone = office.urls["catalog"], office.anonymous()
    postmart, postmart_systems = await register_channel(office)
    _, sendo_systems = await register_channel(office, name="Sendo", website="https://sendo.vn")
    tea_page, wine_page = "https://postmart.vn/che-bup", "https://postmart.vn/ruou-can"
    offers = f"/offers/{postmart['id']}"
    recorded = await shop.producers["tea"].call(
        "PUT", "catalog", f"/listings/{tea}{offers}",
        json={"url": tea_page, "price": 45000, "availability": "in_stock"})
    assert recorded["offers"] == [{"channel_id": postmart["id"], "channel_name": "Postmart",
                                   "url": tea_page, "price": 45000,
                                   "availability": "in_stock"}]
    await shop.producers["wine"].call("PUT", "catalog", f"/listings/{wine}{offers}",
                                      json={"url": wine_page, "availability": "preorder"})

    own = await google_feed(postmart_systems)
    assert own[tea].findtext("link") == tea_page
    assert own[tea].findtext(f"{G}price") == "45000 VND"
    assert own[tea].findtext(f"{G}availability") == "in_stock"
    assert own[wine].findtext("link") == wine_page
    assert own[wine].find(f"{G}price") is None  # no price recorded: none invented
    assert own[wine].findtext(f"{G}availability") == "preorder"

    # Another channel with the same scope gets its own file: no Postmart price or link.
    other = await google_feed(sendo_systems)
    assert all(item.find(f"{G}price") is None for item in other.values())
    assert other[tea].findtext("link") == f"{base}/products/{tea}"
    public = await google_feed(anyone)
    assert all(item.find(f"{G}price") is None for item in public.values())
    assert {i.findtext(f"{G}availability") for i in public.values()} == {"in_stock"}

    sheet = await postmart_systems.call("GET", "catalog", "/feeds/products.tsv")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(sheet.text.lstrip("\ufeff")),
                                               delimiter="\t")}
    assert list(rows[tea])[:13] == list(FIELDS)[:13]
    assert (rows[tea]["price"], rows[wine]["price"]) == ("45000 VND", "")
    assert rows[wine]["link"] == wine_page

    # A price is whole đồng, above zero; availability one of Merchant Center's values.
    for wrong, field in (({"price": 0}, "price"), ({"price": 45000.5}, "price"),
                         ({"price": "45.000 ₫"}, "price"), ({"price": 10**10}, "price"),
                         ({"availability": "maybe"}, "availability")):
        refused = problem(await office.client.put(
            f"{base}/listings/{tea}{offers}", headers=shop.producers["tea"].headers,
            json={"url": tea_page} | wrong), 422)
        assert refused["errors"][0]["field"] == field


SCHEMA_ORG = "https://schema.org/"
NEWER_SCHEMA_ORG_TERMS = frozenset({"Certification", "hasCertification",
                                    "certificationIdentification", "certificationRating"})
"""schema.org terms newer than the vocabulary rdflib ships (its ``SDO`` namespace, generated
from schema.org's own ``schemaorg-current-https.jsonld`` of 2021-12): the certification
terms, added to schema.org by its issue 3230 (github.com/schemaorg/schemaorg/issues/3230;
each term's page, https://schema.org/<term>, names that source). Every other term the page
uses must be in rdflib's copy of the vocabulary."""


def schema_org_terms() -> frozenset[str]:
    # (the namespace by its module: pytest probing a module-level SDO for fixtures warns)
    return frozenset(rdf_namespaces.SDO.__annotations__) | NEWER_SCHEMA_ORG_TERMS


def terms_used(node: object) -> set[str]:
    """Every property, type and enumeration member named in a JSON-LD tree."""
    if isinstance(node, list):
        return set().union(*(terms_used(n) for n in node))
    if isinstance(node, str):
        return {node.removeprefix(SCHEMA_ORG)} if node.startswith(SCHEMA_ORG) else set()
    if not isinstance(node, dict):
        return set()
    used = {k for k in node if not k.startswith("@")}
    types = node.get("@type", [])
    used |= set(types if isinstance(types, list) else [types])
    return used.union(*(terms_used(v) for k, v in node.items() if k != "@context"))


async def test_the_product_page_tells_offers_and_certificate_in_schema_org_terms(
        shop: Market) -> None:
    office, tea, wine = shop.office, shop.products["tea"], shop.products["wine"]
    anyone = office.anonymous()
    postmart, _ = await register_channel(office)
    sendo, _ = await register_channel(office, name="Sendo", website="https://sendo.vn")
    producer = shop.producers["tea"]
    await producer.call("PUT", "catalog", f"/listings/{tea}/offers/{postmart['id']}", json={
        "url": "https://postmart.vn/che-bup", "price": 45000, "availability": "in_stock"})
    await producer.call("PUT", "catalog", f"/listings/{tea}/offers/{sendo['id']}",
                        json={"url": "https://sendo.vn/che-bup"})
    listing = await anyone.call("GET", "catalog", f"/listings/{tea}")
    page = listing["page_url"]
    html = (await anyone.client.get(page)).text

    found = extruct.extract(html, base_url=page, syntaxes=["json-ld"])["json-ld"]
    [product] = found
    assert (product["@context"], product["@type"], product["url"]) == (
        "https://schema.org", "Product", page)
    offers = {o["seller"]["name"]: o for o in product["offers"]}
    assert offers["Postmart"] == {
        "@type": "Offer", "url": "https://postmart.vn/che-bup",
        "seller": {"@type": "Organization", "name": "Postmart"},
        "price": 45000, "priceCurrency": "VND", "availability": "https://schema.org/InStock"}
    assert offers["Sendo"] == {"@type": "Offer", "url": "https://sendo.vn/che-bup",
                               "seller": {"@type": "Organization", "name": "Sendo"}}
    c, certification = listing["certificate"], product["hasCertification"]
    assert certification["@type"] == "Certification"
    assert certification["name"].startswith("OCOP 4 sao")
    assert certification["certificationIdentification"] == c["number"]
    assert (certification["validFrom"], certification["expires"]) == (
        c["valid_from"], c["valid_until"])
    assert certification["certificationRating"] == {
        "@type": "Rating", "ratingValue": 4, "bestRating": 5, "worstRating": 1}
    assert certification["issuedBy"] == {"@type": "Organization",
                                         "name": c["level"]["name_vi"]}
    unknown = terms_used(product) - schema_org_terms()
    assert not unknown, f"not schema.org terms: {unknown}"

    # No photo: the card is the product's image, and it is an image.
    wine_page = (await anyone.call("GET", "catalog", f"/listings/{wine}"))["page_url"]
    [wine_product] = extruct.extract((await anyone.client.get(wine_page)).text,
                                     base_url=wine_page, syntaxes=["json-ld"])["json-ld"]
    [card] = wine_product["image"]
    assert card.startswith(f"{wine_page}/card/")
    assert (await anyone.client.get(card)).headers["content-type"] == "image/png"
    assert "offers" not in wine_product  # none recorded: none said
    assert not terms_used(wine_product) - schema_org_terms()

    # The same picture in the tags a shared link's preview is made of.
    for url, image in ((page, f"{listing['image_urls'][0]}?w=1200"), (wine_page, card)):
        head = lxml.html.fromstring((await anyone.client.get(url)).content).head
        tags = {m.get("property") or m.get("name"): m.get("content")
                for m in head.iterfind("meta")}
        assert (tags["og:image"], tags["twitter:image"], tags["og:url"]) == (image, image, url)
        assert tags["twitter:card"] == "summary_large_image" and tags["og:locale"] == "vi_VN"
