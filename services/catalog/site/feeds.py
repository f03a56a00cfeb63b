"""Product feeds in the formats marketplaces import, and the sitemap of the public pages.

The RSS feed follows Google Merchant Center's product data specification (RSS 2.0 with the
``g:`` namespace); the CSV and TSV feeds carry the same fields under the same names, which
is what Merchant Center and most marketplaces accept as a spreadsheet.

A feed is the channel's own when fetched with its key: each item whose producer recorded
an offer on that channel links to the product's page there (``link``: Merchant Center
wants the landing page on the merchant's verified site) and carries the offer's ``price``
(``45000 VND``) and ``availability`` when recorded. No price is ever made up: OCOP certifies
products, not prices, so an item without a recorded price has no ``price`` element (the
public feed, without a key, has none at all). Merchant Center requires a price for every
product and disapproves an item without one ("Missing value [price]") until the channel
gives it — by recording it with the offer, or in a supplemental feed of its own; an
invented or zero price would instead break its rule that the feed's price matches the
landing page's. Rendered with the standard
library's XML and CSV writers (escaping done by them, not by hand; formulas made inert by
``shared.files.tables``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain
from xml.etree import ElementTree as ET

from services.catalog.site.card import picture_url
from shared.files.tables import csv_text
from shared.i18n import N_, in_every_language, words
from shared.messaging.contracts.catalog import ListingState, Offer

GOOGLE_NS = "http://base.google.com/ns/1.0"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ET.register_namespace("g", GOOGLE_NS)
FEED_LANGUAGE = "vi"
"""What a feed's values are written in (a feed is in one language): the products' own,
their names and groups."""

CURRENCY = "VND"


def merchant_price(price: int) -> str:
    """Merchant Center's price: the number, a space, the ISO 4217 code (``45000 VND``;
    the đồng has no minor unit)."""
    return f"{price} {CURRENCY}"


def offer_on(state: ListingState, channel_id: str | None) -> Offer | None:
    """The listing's offer on the channel, if its producer recorded one."""
    return next((o for o in state.offers if o.channel_id == channel_id), None)


Field = Callable[[ListingState, Offer | None], str]
FIELDS: dict[str, Field] = {
    "id": lambda s, o: s.product_id,
    "title": lambda s, o: s.name,
    "description": lambda s, o: s.description or s.name,
    "link": lambda s, o: o.url if o else s.page_url,
    "image_link": lambda s, o: picture_url(s),
    "additional_image_link": lambda s, o: ",".join(s.image_urls[1:10]),
    "brand": lambda s, o: s.producer.name,
    "gtin": lambda s, o: s.gtin or "",
    "identifier_exists": lambda s, o: "yes" if s.gtin else "no",
    "condition": lambda s, o: "new",
    "availability": lambda s, o: o.availability.value if o and o.availability else "in_stock",
    "price": lambda s, o: merchant_price(o.price) if o and o.price else "",
    "product_type": lambda s, o: f"OCOP > {s.group.name_vi} > {s.subgroup.name_vi}",
    "custom_label_0": lambda s, o: words(FEED_LANGUAGE).gettext(N_("OCOP %(stars)s stars"),
                                                               stars=s.stars),
    "custom_label_1": lambda s, o: s.producer.province,
    "custom_label_2": lambda s, o: s.certificate.number,
    "custom_label_3": lambda s, o: s.certificate.valid_until.isoformat(),
}
"""Merchant Center's attribute names (``image_link``: the first photo, else the product's
card drawn with its stars, ``site/card.py``, since Merchant Center refuses an item without
an image); labels 0-3: stars, province, certificate number and
its last valid day (what a channel filters campaigns on)."""


def in_both(message: str) -> str:
    """The feed's own title and description: Vietnamese, then English for the channels
    abroad."""
    said = in_every_language(message)
    return f"{said['vi']} — {said['en']}"


def google_rss(listings: Iterable[ListingState], *, title: str, link: str,
               channel_id: str | None = None) -> bytes:
    """``channel_id``: the channel whose feed it is (its offers' links and prices)."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = title
    ET.SubElement(channel, "link").text = link
    ET.SubElement(channel, "description").text = in_both(
        N_("certified OCOP products with a certificate in force"))
    for state in listings:
        item = ET.SubElement(channel, "item")
        offer = offer_on(state, channel_id)
        for name, value_of in FIELDS.items():
            value = value_of(state, offer)
            if not value:
                continue
            if name == "additional_image_link":
                for url in value.split(","):
                    ET.SubElement(item, f"{{{GOOGLE_NS}}}{name}").text = url
            elif name in ("title", "description", "link"):
                ET.SubElement(item, name).text = value
            else:
                ET.SubElement(item, f"{{{GOOGLE_NS}}}{name}").text = value
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)


def spreadsheet(listings: Iterable[ListingState], *, delimiter: str,
                channel_id: str | None = None) -> bytes:
    """CSV (``,``) or TSV (``\\t``) with a header row of the same attribute names; UTF-8
    with a byte-order mark so spreadsheet programs read Vietnamese correctly. A cell that
    would open as a formula (a product named ``=HYPERLINK(…)``) is written as text. An
    unknown price is an empty cell, which Merchant Center reads as no value."""
    rows = ([value_of(state, offer) for value_of in FIELDS.values()]
            for state in listings for offer in [offer_on(state, channel_id)])
    return ("\ufeff" + csv_text(chain([list(FIELDS)], rows), delimiter=delimiter)).encode()


def sitemap(pages: Iterable[tuple[str, str | None]]) -> bytes:
    """``pages``: (URL, last modification date or None)."""
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for url, modified in pages:
        entry = ET.SubElement(urlset, "url")
        ET.SubElement(entry, "loc").text = url
        if modified:
            ET.SubElement(entry, "lastmod").text = modified
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
