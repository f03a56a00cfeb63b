"""Product feeds in the formats marketplaces import, and the sitemap of the public pages.

The RSS feed follows Google Merchant Center's product data specification (RSS 2.0 with the
``g:`` namespace); the CSV and TSV feeds carry the same fields under the same names, which
is what Merchant Center and most marketplaces accept as a spreadsheet. There is no price:
OCOP certifies products, not prices; a channel adds its own. Rendered with the standard
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
from shared.messaging.contracts.catalog import ListingState

GOOGLE_NS = "http://base.google.com/ns/1.0"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ET.register_namespace("g", GOOGLE_NS)
FEED_LANGUAGE = "vi"
"""What a feed's values are written in (a feed is in one language): the products' own,
their names and groups."""

Field = Callable[[ListingState], str]
FIELDS: dict[str, Field] = {
    "id": lambda s: s.product_id,
    "title": lambda s: s.name,
    "description": lambda s: s.description or s.name,
    "link": lambda s: s.page_url,
    "image_link": picture_url,
    "additional_image_link": lambda s: ",".join(s.image_urls[1:10]),
    "brand": lambda s: s.producer.name,
    "gtin": lambda s: s.gtin or "",
    "identifier_exists": lambda s: "yes" if s.gtin else "no",
    "condition": lambda s: "new",
    "availability": lambda s: "in_stock",
    "product_type": lambda s: f"OCOP > {s.group.name_vi} > {s.subgroup.name_vi}",
    "custom_label_0": lambda s: words(FEED_LANGUAGE).gettext(N_("OCOP %(stars)s stars"),
                                                            stars=s.stars),
    "custom_label_1": lambda s: s.producer.province,
    "custom_label_2": lambda s: s.certificate.number,
    "custom_label_3": lambda s: s.certificate.valid_until.isoformat(),
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


def google_rss(listings: Iterable[ListingState], *, title: str, link: str) -> bytes:
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = title
    ET.SubElement(channel, "link").text = link
    ET.SubElement(channel, "description").text = in_both(
        N_("certified OCOP products with a certificate in force"))
    for state in listings:
        item = ET.SubElement(channel, "item")
        for name, value_of in FIELDS.items():
            value = value_of(state)
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


def spreadsheet(listings: Iterable[ListingState], *, delimiter: str) -> bytes:
    """CSV (``,``) or TSV (``\\t``) with a header row of the same attribute names; UTF-8
    with a byte-order mark so spreadsheet programs read Vietnamese correctly. A cell that
    would open as a formula (a product named ``=HYPERLINK(…)``) is written as text."""
    rows = ([value_of(state) for value_of in FIELDS.values()] for state in listings)
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
