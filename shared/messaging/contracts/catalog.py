"""Events the catalog publishes for sales channels: the public listings stream.

One compacted topic keyed by product id. The last message of a product is its listing now
(``ListingPublished`` or ``ListingChanged``, each carrying the whole listing) or its
withdrawal, so a new subscriber rebuilds the whole current catalog by reading the topic from
its beginning. The payloads are written for an outsider who knows nothing of the platform:
every code comes with its Vietnamese and English names, every link is absolute, and each
event's ``dataschema`` is the URL of its published JSON Schema.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.i18n import N_
from shared.messaging.events.contracts import EventContract, contract
from shared.ocop.vocabulary import names
from shared.ports.bus.port import compacted_topic

LISTINGS_TOPIC = compacted_topic("ocop.catalog.listings")


class Named(BaseModel):
    """A code of the OCOP vocabulary and its names."""

    model_config = ConfigDict(frozen=True)

    code: str
    name_vi: str
    name_en: str


class ListedProducer(BaseModel):
    """The subject (chủ thể) that makes the product, and where it is."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    type: Named
    province: str
    commune: str


class ListedCertificate(BaseModel):
    """The OCOP certificate in force (giấy chứng nhận)."""

    model_config = ConfigDict(frozen=True)

    number: str
    level: Named
    """Who recognised it: district, province or central."""
    decision_number: str
    decision_date: date
    valid_from: date
    valid_until: date
    """Its last day of validity."""
    verification_url: str | None = None
    """The public page that confirms the certificate (what its QR code opens)."""


class OfferAvailability(StrEnum):
    """Whether the product can be bought on the channel now (Google Merchant Center's
    ``availability`` values)."""

    IN_STOCK = "in_stock"
    OUT_OF_STOCK = "out_of_stock"
    PREORDER = "preorder"
    BACKORDER = "backorder"


class Offer(BaseModel):
    """Where the product is sold online, as its producer recorded it."""

    model_config = ConfigDict(frozen=True)

    channel_id: str
    channel_name: str
    url: str
    price: int | None = None
    """Its price on the channel in Vietnamese đồng (VND, whole đồng), if recorded."""
    availability: OfferAvailability | None = None
    """Whether it can be bought there now, if recorded."""


class OriginSummary(BaseModel):
    """Whether the producer keeps origin records (truy xuất nguồn gốc) of the product."""

    model_config = ConfigDict(frozen=True)

    batches: int = 0
    """Batches (lô) opened in the traceability service."""
    has_origin_records: bool = False
    """At least one origin event (harvest, processing, test…) is recorded."""


class ListingState(EventContract):
    """A listed product as a sales channel shows it."""

    product_id: str
    name: str
    description: str
    stars: int
    group: Named
    subgroup: Named
    producer: ListedProducer
    gtin: str | None
    image_urls: list[str]
    certificate: ListedCertificate
    page_url: str
    """The product's page on the public catalog website."""
    scan_url: str | None
    """Its QR label's link (GS1 Digital Link), once a label was issued."""
    label_png_url: str | None
    offers: list[Offer] = Field(default_factory=list)
    origin: OriginSummary = Field(default_factory=OriginSummary)
    listed_at: datetime | None


@contract("vn.ocop.catalog.listing.published.v1", topic=LISTINGS_TOPIC)
class ListingPublished(ListingState):
    """The product is on the catalog now (first certified, or back after a withdrawal)."""


@contract("vn.ocop.catalog.listing.changed.v1", topic=LISTINGS_TOPIC)
class ListingChanged(ListingState):
    """Something a channel shows changed: stars, certificate, name, images, label, offers."""


class WithdrawalReason(StrEnum):
    REVOKED = "revoked"
    """The certificate was revoked (thu hồi)."""
    EXPIRED = "expired"
    """The certificate's 36 months ran out without renewal."""
    WITHDRAWN = "withdrawn"
    """Its producer or the office took the product off the catalog."""


WITHDRAWAL_NAMES = {
    WithdrawalReason.REVOKED: names(N_("The OCOP certificate was revoked")),
    WithdrawalReason.EXPIRED: names(N_("The OCOP certificate has expired")),
    WithdrawalReason.WITHDRAWN: names(N_("The product was taken off the catalog")),
}


@contract("vn.ocop.catalog.listing.withdrawn.v1", topic=LISTINGS_TOPIC)
class ListingWithdrawn(EventContract):
    """The product must no longer be offered as an OCOP product."""

    product_id: str
    reason: Named
    """``revoked``, ``expired`` or ``withdrawn`` (``WithdrawalReason``), with its names."""
    withdrawn_on: date
    certificate_number: str | None


LISTING_STATES = (ListingPublished, ListingChanged)
"""Events after which the product is on the catalog as they carry it (``ListingState``)."""
LISTING_EVENTS = (*LISTING_STATES, ListingWithdrawn)
