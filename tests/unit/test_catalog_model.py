"""The catalog's listing (``services/catalog/listings/model.py``): how each event's news changes it,
in any order, and when the public sees it — without HTTP, a bus or a store."""

from __future__ import annotations

from datetime import date

from services.catalog.listings.model import Listing, News, public_where
from services.catalog.listings.rules import ListingStatus
from shared.messaging.contracts.catalog import OfferAvailability
from shared.messaging.contracts.traceability import LabelIssued
from tests.support.events import certified, expired, product_state, revoked

AT = "2026-10-16T08:00:00+00:00"


def listed(**changes: object) -> Listing:
    listing = Listing("p1")
    listing.show_certificate(certified(**changes), certified_at=AT, listed_at=AT)
    return listing


def test_a_product_known_before_its_certificate_is_not_public() -> None:
    listing = Listing("p1")
    assert listing.take_product(product_state(), 3)
    assert listing.status is None and not listing.is_public(date(2026, 11, 1))
    assert listing.name_key == "nuoc mam phu khuong thuong hang"


def test_a_certificate_in_force_lists_the_product_at_its_stars_until_its_last_day() -> None:
    listing = listed(stars=5)
    assert listing.status is ListingStatus.LISTED and listing.stars == 5
    assert listing.producer and listing.producer.name == "HTX Phú Khương"
    assert listing.search_text == "nuoc mam phu khuong htx phu khuong"
    assert listing.province_key == "khanh hoa"
    assert listing.is_public(date(2029, 10, 14))
    assert not listing.is_public(date(2029, 10, 15))  # before the expiry event arrives


def test_public_where_is_the_same_rule_as_a_filter() -> None:
    assert public_where(date(2029, 10, 14)) == {
        "status": "listed", "valid_until": {"$gte": "2029-10-14"}}


def test_the_registrys_newer_product_outlives_an_older_snapshot_in_a_certificate() -> None:
    listing = Listing("p1")
    listing.take_product(product_state("Tên mới"), 5)
    listing.show_certificate(certified(product_version=4), certified_at=AT, listed_at=AT)
    assert listing.name == "Tên mới" and listing.product_version == 5
    assert listing.search_text == "ten moi htx phu khuong"  # the producer's name is news
    assert not listing.take_product(product_state("Cũ hơn"), 4)
    assert listing.name == "Tên mới"


def test_a_newer_snapshot_in_a_certificate_replaces_the_product() -> None:
    listing = Listing("p1")
    listing.take_product(product_state("Tên cũ"), 2)
    listing.show_certificate(certified(product_version=3), certified_at=AT, listed_at=AT)
    assert listing.name == "Nước mắm Phú Khương" and listing.product_version == 3


def test_revoked_or_expired_delists_only_the_certificate_shown() -> None:
    listing = listed()
    assert not listing.delist(revoked("older").certificate_id, "revoked", date(2027, 2, 1))
    assert listing.status is ListingStatus.LISTED
    assert listing.delist("c1", "revoked", revoked().revoked_on)
    assert listing.status is ListingStatus.DELISTED and listing.delisted_reason == "revoked"
    assert not listing.is_public(date(2027, 2, 1))
    again = listed()
    assert again.delist("c1", "expired", expired().expired_on)
    assert again.delisted_on == date(2029, 10, 15)


def test_a_product_never_listed_cannot_be_delisted() -> None:
    assert not Listing("p1").delist("c1", "revoked", date(2027, 2, 1))


def test_a_renewal_lists_a_delisted_product_again() -> None:
    listing = listed()
    listing.delist("c1", "expired", date(2029, 10, 15))
    listing.show_certificate(certified("c2", valid_until=date(2032, 10, 14)),
                             certified_at=AT, listed_at=AT)
    assert listing.is_public(date(2030, 1, 1))
    assert listing.certificate and listing.certificate.id == "c2"


def test_a_label_is_attached_whenever_it_arrives() -> None:
    listing = Listing("p1")
    listing.attach_label(LabelIssued(product_id="p1", label_id="l1",
                                     scan_url="https://scan/01/08934563138165",
                                     png_url="https://t/labels/p1/qr.png",
                                     svg_url="https://t/labels/p1/qr.svg"))
    listing.show_certificate(certified(), certified_at=AT, listed_at=AT)
    assert listing.scan_url == "https://scan/01/08934563138165"
    assert listing.label_png_url == "https://t/labels/p1/qr.png"


def test_an_offers_price_or_stock_is_news_for_the_channels() -> None:
    listing = listed()
    listing.sell_at("c1", "Postmart", "https://postmart.vn/nuoc-mam")
    before = listing.face()
    listing.sell_at("c1", "Postmart", "https://postmart.vn/nuoc-mam", 45000)
    assert listing.news_since(before) is News.CHANGED
    before = listing.face()
    listing.sell_at("c1", "Postmart", "https://postmart.vn/nuoc-mam", 45000,
                    OfferAvailability.OUT_OF_STOCK)
    assert listing.news_since(before) is News.CHANGED
    before = listing.face()
    listing.sell_at("c1", "Postmart", "https://postmart.vn/nuoc-mam", 45000,
                    OfferAvailability.OUT_OF_STOCK)
    assert listing.news_since(before) is None  # said again: nothing to tell
