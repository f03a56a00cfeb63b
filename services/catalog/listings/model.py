"""The catalog's aggregate: a listing (one per product), a read model kept from the
registry's, rating's and traceability's events, which arrive in any order, and from its
producer's own word (where it is sold, taking it off the catalog). Each method applies one
piece of news; which listings the public sees is ``Listing.is_public``; what the listings
stream announces after a change is ``Listing.news_since``. Pure: no I/O, no clock of its
own (the day is an argument)."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from services.catalog.listings.rules import ListingStatus, search_text
from shared.i18n.text import fold
from shared.messaging.contracts.catalog import OfferAvailability, WithdrawalReason
from shared.messaging.contracts.rating import CertificateRestated, CurrentCertificate
from shared.messaging.contracts.registry import ProductState
from shared.messaging.contracts.traceability import LabelIssued
from shared.messaging.inbox import snapshot_is_current
from shared.ocop.validity import in_force_on, in_force_where
from shared.ocop.vocabulary import SubjectType
from shared.refusals import N_, Conflict


@dataclass
class Producer:
    """The subject (chủ thể) that makes the product."""

    id: str
    name: str
    type: SubjectType


@dataclass
class ListedCertificate:
    """The certificate a listing shows: the product's latest in force."""

    id: str
    number: str
    level: str
    decision_number: str
    decision_date: date
    valid_from: date
    valid_until: date
    verification_url: str | None = None


@dataclass
class Offer:
    """Where the producer sells the product: a registered channel and the product's page
    there."""

    channel_name: str
    url: str
    price: int | None = None
    """VND, as recorded with the offer (None: not told)."""
    availability: OfferAvailability | None = None


class News(StrEnum):
    """What the listings stream tells channels after a change (``Listing.news_since``)."""

    PUBLISHED = "published"
    CHANGED = "changed"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Face:
    """What a channel sees of a listing (``Listing.face``), to tell whether a change shows."""

    name: str
    description: str
    stars: int | None
    group: str
    subgroup: str
    gtin: str | None
    image_urls: list[str]
    producer: Producer | None
    province: str
    commune: str
    certificate: ListedCertificate | None
    scan_url: str | None
    label_png_url: str | None
    offers: dict[str, Offer]
    batches: int
    has_origin_records: bool


@dataclass
class Listing:
    """A product in the catalog. Known before it is listed (the registry's product or its
    label may arrive first): ``status`` is None until a certificate is in force."""

    id: str
    version: int = 0
    status: ListingStatus | None = None
    # The product, as the registry last told (``product_version``) or a certificate carried.
    name: str = ""
    name_key: str = ""
    search_text: str = ""
    description: str = ""
    group: str = ""
    subgroup: str = ""
    gtin: str | None = None
    image_urls: list[str] = field(default_factory=list)
    product_version: int | None = None
    # The certificate and its subject.
    stars: int | None = None
    producer: Producer | None = None
    province: str = ""
    province_key: str = ""
    commune: str = ""
    certificate: ListedCertificate | None = None
    valid_until: date | None = None
    """The certificate's, kept beside it so the public filter is one indexed comparison."""
    certified_at: str | None = None
    listed_at: str | None = None
    delisted_reason: WithdrawalReason | None = None
    delisted_on: date | None = None
    # Its producer's word.
    offers: dict[str, Offer] = field(default_factory=dict)
    """Channel id → where the product is sold there."""
    # Traceability: its origin records.
    batches: int = 0
    has_origin_records: bool = False
    # The label (traceability).
    scan_url: str | None = None
    label_png_url: str | None = None
    label_svg_url: str | None = None

    def is_public(self, day: date) -> bool:
        """Listed, and its certificate still in force on ``day`` — even before the expiry
        event arrives (``public_where`` is the same rule as a store filter)."""
        return (self.status is ListingStatus.LISTED and self.valid_until is not None
                and in_force_on(self.valid_until, day))

    def show_certificate(self, e: CurrentCertificate, *, certified_at: str,
                         listed_at: str) -> None:
        """Certified, renewed, up- or downgraded: list the product at the certificate's
        stars, and take the product as the certificate carried it unless the registry has
        told of a newer version (then only the producer's name may be news)."""
        self.producer = Producer(e.subject_id, e.subject_name, e.subject_type)
        if snapshot_is_current(self.product_version, e.product_version):
            self._take_product(e.product_name, e.description, e.group, e.subgroup, e.gtin,
                               e.image_urls, e.product_version)
        else:
            self.search_text = search_text(self.name, e.subject_name)
        self.status, self.stars = ListingStatus.LISTED, e.stars
        self.certified_at, self.listed_at = certified_at, listed_at
        self.province, self.province_key, self.commune = e.province, fold(e.province), e.commune
        self.certificate = ListedCertificate(
            e.certificate_id, e.certificate_number, e.level, e.decision_number,
            e.decision_date, e.valid_from, e.valid_until, e.verification_url)
        self.valid_until = e.valid_until

    def reconcile_certificate(self, e: CertificateRestated, *, listed_at: str) -> str | None:
        """Rating's word on where the product's certification stands, said again by its
        reconciliation: make the listing what it would be had every certificate event
        arrived. The change made (``listed``: it shows the certificate in force now;
        ``delisted``: its certificate ended), or None when the listing agrees already, or
        the difference is not the catalog's to show (an ended certificate it never listed).
        A listing showing the certificate in force stays as its producer left it (taken
        off the catalog, or sold somewhere)."""
        c, ended = e.certificate, e.ended
        shows_it = self.certificate is not None and self.certificate.id == c.certificate_id
        if ended is None:
            if shows_it:
                return None
            self.show_certificate(c, certified_at=e.recognised_at.isoformat(),
                                  listed_at=listed_at)
            return "listed"
        reason = WithdrawalReason(ended.end.value)
        if not shows_it and self.status is not ListingStatus.LISTED:
            return None
        if shows_it and self.status is not ListingStatus.LISTED \
                and self.delisted_reason == reason:
            return None
        if not shows_it:  # listed at an older certificate: the one that ended replaced it
            self.show_certificate(c, certified_at=e.recognised_at.isoformat(),
                                  listed_at=listed_at)
        self.status, self.delisted_reason, self.delisted_on = (
            ListingStatus.DELISTED, reason, ended.on)
        return "delisted"

    def take_product(self, e: ProductState, version: int) -> bool:
        """The registry's own word on the product (renamed, described, illustrated, given a
        GTIN), listed yet or not; False if it is older than what the listing shows."""
        if not snapshot_is_current(self.product_version, version):
            return False
        self._take_product(e.name, e.description, e.group, e.subgroup, e.gtin, e.image_urls,
                           version)
        return True

    def _take_product(self, name: str, description: str, group: str, subgroup: str,
                      gtin: str | None, image_urls: list[str], version: int | None) -> None:
        self.name, self.name_key = name, fold(name)
        self.search_text = search_text(name, self.producer.name if self.producer else "")
        self.description, self.group, self.subgroup = description, group, subgroup
        self.gtin, self.image_urls, self.product_version = gtin, image_urls, version

    def delist(self, certificate_id: str, reason: WithdrawalReason, on: date) -> bool:
        """Revoked or expired: off the catalog, if it is the certificate the listing shows
        (False for any other: an older one, or one never shown)."""
        if self.certificate is None or self.certificate.id != certificate_id:
            return False
        self.status, self.delisted_reason, self.delisted_on = ListingStatus.DELISTED, reason, on
        return True

    def withdraw(self, on: date) -> None:
        """Its producer (or the office) takes it off the catalog, e.g. no longer made; the
        next certificate event (renewal, new rating) lists it again."""
        if self.status is not ListingStatus.LISTED:
            raise Conflict(N_("This product is not on the catalog now."), code="not-listed")
        self.status = ListingStatus.DELISTED
        self.delisted_reason, self.delisted_on = WithdrawalReason.WITHDRAWN, on

    def sell_at(self, channel_id: str, channel_name: str, url: str, price: int | None = None,
                availability: OfferAvailability | None = None) -> None:
        """Record (or move) where the product is sold on a channel, at what price and
        whether it is in stock when told: only while it is on the catalog (a product off
        it may not be offered as OCOP)."""
        if self.status is not ListingStatus.LISTED:
            raise Conflict(N_("This product is not on the catalog now, so it cannot be "
                              "offered as an OCOP product."), code="not-listed")
        self.offers[channel_id] = Offer(channel_name, url, price, availability)

    def stop_selling_at(self, channel_id: str) -> None:
        if self.offers.pop(channel_id, None) is None:
            raise Conflict(N_("The product is not recorded as sold on that channel."),
                           code="no-such-offer")

    def batch_opened(self) -> None:
        self.batches += 1

    def origin_recorded(self) -> None:
        self.has_origin_records = True

    def face(self) -> Face | None:
        """What the listings stream shows of the listing: None while it is not listed."""
        if self.status is not ListingStatus.LISTED:
            return None
        # a copy: the listing goes on changing (its offers in place), the face taken stays
        return deepcopy(Face(
            name=self.name, description=self.description, stars=self.stars, group=self.group,
            subgroup=self.subgroup, gtin=self.gtin, image_urls=self.image_urls,
            producer=self.producer, province=self.province, commune=self.commune,
            certificate=self.certificate, scan_url=self.scan_url,
            label_png_url=self.label_png_url, offers=self.offers, batches=self.batches,
            has_origin_records=self.has_origin_records))

    def news_since(self, before: Face | None) -> News | None:
        """What to announce after a change, given the face before it: nothing if a channel
        would see no difference."""
        after = self.face()
        if after == before:
            return None
        if after is None:
            return News.WITHDRAWN
        return News.PUBLISHED if before is None else News.CHANGED

    def attach_label(self, e: LabelIssued) -> None:
        self.scan_url, self.label_png_url, self.label_svg_url = e.scan_url, e.png_url, e.svg_url


def public_where(day: date) -> dict[str, Any]:
    """``Listing.is_public`` as a store filter."""
    return {"status": ListingStatus.LISTED.value} | in_force_where(day)
