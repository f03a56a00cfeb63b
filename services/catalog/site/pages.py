"""The public catalog website (danh mục sản phẩm OCOP): what its pages show, and what
search engines and marketplaces read from a product page (schema.org ``Product`` JSON-LD
with its OCOP certificate). Pure: the routes are ``api/site.py``, the pages ``templates/``
(their words are the catalog's, ``shared.i18n``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.catalog.site.card import HEIGHT as CARD_HEIGHT
from services.catalog.site.card import WIDTH as CARD_WIDTH
from services.catalog.site.card import card_url
from shared.files.images import WebWidth, sized_url
from shared.i18n import N_, words
from shared.messaging.contracts.catalog import ListingState, Named, Offer, OfferAvailability
from shared.ocop.vocabulary import GROUPS_148_2023

PAGE_SIZE = 24
MIN_STARS = (3, 4, 5)

def name_in(named: Named, lang: str) -> str:
    return named.name_vi if lang == "vi" else named.name_en


def group_choices(lang: str) -> list[tuple[str, str]]:
    """(code, name) of each product group, for the filter."""
    return [(code, g.name_vi if lang == "vi" else g.name_en)
            for code, g in GROUPS_148_2023.items()]


@dataclass(frozen=True)
class Filters:
    """What a visitor searched for on the home page."""

    q: str | None = None
    min_stars: int | None = None
    group: str | None = None
    province: str | None = None

    @property
    def stars(self) -> list[int] | None:
        return list(range(self.min_stars, 6)) if self.min_stars else None

    def query(self, lang: str, **more: str) -> dict[str, str]:
        """The page's query string (for the language switch and the next page)."""
        given = {"q": self.q, "stars": str(self.min_stars) if self.min_stars else None,
                 "group": self.group, "province": self.province, "lang": lang, **more}
        return {k: v for k, v in given.items() if v}


def _certification_name(stars: int) -> str:
    """As a certificate is named in Việt Nam, then spelt out for a reader abroad."""
    named = words("vi").gettext(N_("OCOP %(stars)s stars"), stars=stars)
    spelt_out = words("en").gettext(N_("One Commune One Product, %(stars)s stars"),
                                    stars=stars)
    return f"{named} ({spelt_out})"


SCHEMA_AVAILABILITY = {
    OfferAvailability.IN_STOCK: "https://schema.org/InStock",
    OfferAvailability.OUT_OF_STOCK: "https://schema.org/OutOfStock",
    OfferAvailability.PREORDER: "https://schema.org/PreOrder",
    OfferAvailability.BACKORDER: "https://schema.org/BackOrder",
}
"""An offer's availability as schema.org's ``ItemAvailability`` members."""


def offer_json_ld(offer: Offer) -> dict[str, Any]:
    """schema.org ``Offer``: the channel as the seller, its page, and the price (VND) and
    availability where the producer recorded them — never a guessed one."""
    ld: dict[str, Any] = {"@type": "Offer", "url": offer.url,
                          "seller": {"@type": "Organization", "name": offer.channel_name}}
    if offer.price is not None:
        ld |= {"price": offer.price, "priceCurrency": "VND"}
    if offer.availability is not None:
        ld["availability"] = SCHEMA_AVAILABILITY[offer.availability]
    return ld


def product_json_ld(listing: ListingState) -> dict[str, Any]:
    """schema.org ``Product``: name, images (the photos, else the product's card), producer
    as brand and manufacturer, GTIN, ``offers`` — each channel's that its producer recorded
    — and ``hasCertification``: the OCOP certificate, its stars as the rating, who issued
    it, its validity and the page that verifies it."""
    producer, c = listing.producer, listing.certificate
    certification: dict[str, Any] = {
        "@type": "Certification",
        "name": _certification_name(listing.stars),
        "certificationIdentification": c.number,
        "certificationRating": {"@type": "Rating", "ratingValue": listing.stars,
                                "bestRating": 5, "worstRating": 1},
        "issuedBy": {"@type": "Organization", "name": c.level.name_vi},
        "validFrom": c.valid_from.isoformat(), "expires": c.valid_until.isoformat()}
    if c.verification_url:
        certification["url"] = c.verification_url
    made_by = {"@type": "Organization", "name": producer.name,
               "address": {"@type": "PostalAddress", "addressLocality": producer.commune,
                           "addressRegion": producer.province, "addressCountry": "VN"}}
    ld: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Product", "name": listing.name,
        "url": listing.page_url, "category": listing.group.name_vi,
        "image": ([sized_url(u, WebWidth.WIDE) for u in listing.image_urls]
                  or [card_url(listing)]),
        "brand": {"@type": "Brand", "name": producer.name}, "manufacturer": made_by,
        "countryOfOrigin": {"@type": "Country", "name": "VN"},
        "hasCertification": certification}
    if listing.description:
        ld["description"] = listing.description
    if listing.gtin:
        ld["gtin"] = listing.gtin
    if listing.offers:
        ld["offers"] = [offer_json_ld(o) for o in listing.offers]
    return ld


OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}
"""Open Graph's locales (language_TERRITORY) of the pages' languages."""


def share_preview(listing: ListingState, lang: str) -> list[tuple[str, str, str]]:
    """What a link to the product page shows when shared on Zalo, Facebook or X: Open
    Graph and Twitter card tags, as (attribute, its value, content) of ``<meta>``. The
    image is the first photo, else the product's card (1200×630, its stars on it)."""
    said = words(lang)
    stars = said.gettext(N_("OCOP %(stars)s stars"), stars=listing.stars)
    title = f"{listing.name} — {stars}"
    producer = listing.producer
    described = f"{stars} · {producer.name}, {producer.commune}, {producer.province}"
    if listing.description:
        described = f"{described}. {listing.description}"
    image = (sized_url(listing.image_urls[0], WebWidth.WIDE) if listing.image_urls
             else card_url(listing))
    tags = [("property", "og:type", "product"), ("property", "og:title", title),
            ("property", "og:description", described), ("property", "og:url", listing.page_url),
            ("property", "og:image", image),
            ("property", "og:image:alt", said.gettext(N_("Photo of %(name)s"),
                                                      name=listing.name)
             if listing.image_urls else title),
            ("property", "og:site_name", said.gettext(N_("OCOP products"))),
            ("property", "og:locale", OG_LOCALES[lang])]
    tags += [("property", "og:locale:alternate", OG_LOCALES[other])
             for other in OG_LOCALES if other != lang]
    if not listing.image_urls:
        tags += [("property", "og:image:type", "image/png"),
                 ("property", "og:image:width", str(CARD_WIDTH)),
                 ("property", "og:image:height", str(CARD_HEIGHT))]
    return [*tags, ("name", "twitter:card", "summary_large_image"),
            ("name", "twitter:title", title), ("name", "twitter:description", described),
            ("name", "twitter:image", image)]
