"""A listing as outsiders read it — on the listings stream, in webhooks, feeds and the API:
codes named in Vietnamese and English, links absolute (``shared.messaging.contracts.catalog``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.catalog.listings.model import Listing, News
from shared.messaging.contracts.catalog import (
    WITHDRAWAL_NAMES,
    ListedCertificate,
    ListedProducer,
    ListingChanged,
    ListingPublished,
    ListingState,
    ListingWithdrawn,
    Named,
    Offer,
    OriginSummary,
    WithdrawalReason,
)
from shared.messaging.events.contracts import EventContract
from shared.ocop.vocabulary import RECOGNITION_LEVEL_NAMES, SUBJECT_TYPE_NAMES, group_names


def named(code: str, names: tuple[str, str]) -> Named:
    return Named(code=code, name_vi=names[0], name_en=names[1])


@dataclass(frozen=True)
class Publisher:
    """``public_url``: where the catalog service is reached (its pages, its schemas)."""

    public_url: str

    def page_url(self, product_id: str) -> str:
        return f"{self.public_url.rstrip('/')}/products/{product_id}"

    def schema_url(self, event_type: str) -> str:
        """Where the event's JSON Schema is published (its CloudEvents ``dataschema``)."""
        return f"{self.public_url.rstrip('/')}/events/schemas/{event_type}.json"

    def state(self, listing: Listing) -> ListingState:
        """The whole listing; only for a listing that has been listed."""
        assert listing.producer and listing.certificate and listing.stars
        producer, c = listing.producer, listing.certificate
        return ListingState(
            product_id=listing.id, name=listing.name, description=listing.description,
            stars=listing.stars,
            group=named(listing.group, group_names(listing.group)),
            subgroup=named(listing.subgroup, group_names(listing.group, listing.subgroup)),
            producer=ListedProducer(
                id=producer.id, name=producer.name,
                type=named(producer.type, SUBJECT_TYPE_NAMES[producer.type]),
                province=listing.province, commune=listing.commune),
            gtin=listing.gtin, image_urls=listing.image_urls,
            certificate=ListedCertificate(
                number=c.number, level=named(c.level, RECOGNITION_LEVEL_NAMES[c.level]),
                decision_number=c.decision_number, decision_date=c.decision_date,
                valid_from=c.valid_from, valid_until=c.valid_until,
                verification_url=c.verification_url),
            page_url=self.page_url(listing.id), scan_url=listing.scan_url,
            label_png_url=listing.label_png_url,
            offers=[Offer(channel_id=channel_id, channel_name=o.channel_name, url=o.url,
                          price=o.price, availability=o.availability)
                    for channel_id, o in sorted(listing.offers.items())],
            origin=OriginSummary(batches=listing.batches,
                                 has_origin_records=listing.has_origin_records),
            listed_at=datetime.fromisoformat(listing.listed_at) if listing.listed_at else None)

    def event(self, listing: Listing, news: News) -> EventContract:
        """The stream's message for ``news`` about ``listing``."""
        if news is News.WITHDRAWN:
            reason = listing.delisted_reason or WithdrawalReason.WITHDRAWN
            assert listing.delisted_on is not None
            return ListingWithdrawn(
                product_id=listing.id, reason=named(reason, WITHDRAWAL_NAMES[reason]),
                withdrawn_on=listing.delisted_on,
                certificate_number=listing.certificate.number if listing.certificate else None)
        kind = ListingPublished if news is News.PUBLISHED else ListingChanged
        return kind(**dict(self.state(listing)))
