"""What a restated certification (rating's reconciliation, ``CertificateRestated``) changes
in the catalog's listing, traceability's profile and the registry's product: only what a
lost event left wrong, and never its producer's own word; and what rating says of its
latest certificate — pure, without a bus or a store."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.catalog.listings.model import Listing, News
from services.catalog.listings.rules import ListingStatus
from services.rating.certificates.model import Certificate
from services.rating.evaluations.rules import Level
from services.registry.subjects.model import CertificationStatus
from services.traceability.profiles.model import TraceProfile
from shared.messaging.contracts.catalog import WithdrawalReason
from shared.messaging.contracts.rating import CertificateEnd, CertificateEnded, CertificateRestated
from shared.ocop.validity import CertificateStatus
from tests.support.events import certified
from tests.unit.test_registry_model import tea

AT = "2026-10-16T08:00:00+00:00"
DECIDED_AT = datetime(2026, 10, 15, 9, tzinfo=UTC)
REVOKED = CertificateEnded(end=CertificateEnd.REVOKED, on=date(2027, 2, 1), reason="Giả mạo")


def restated(certificate_id: str = "c1", ended: CertificateEnded | None = None,
             **changes: object) -> CertificateRestated:
    return CertificateRestated(product_id="p1", certificate=certified(certificate_id, **changes),
                               recognised_at=DECIDED_AT, ended=ended)


def listed(certificate_id: str = "c1") -> Listing:
    listing = Listing("p1")
    listing.show_certificate(certified(certificate_id), certified_at=AT, listed_at=AT)
    return listing


def test_a_listing_that_missed_its_certification_is_listed_as_certified_then() -> None:
    listing = Listing("p1")
    assert listing.reconcile_certificate(restated(), listed_at=AT) == "listed"
    assert listing.status is ListingStatus.LISTED and listing.certificate
    assert listing.certified_at == DECIDED_AT.isoformat()
    assert listing.news_since(None) is News.PUBLISHED


def test_a_listing_showing_the_certificate_in_force_is_left_as_its_producer_left_it() -> None:
    listing = listed()
    listing.withdraw(date(2026, 11, 1))
    assert listing.reconcile_certificate(restated(), listed_at=AT) is None
    assert listing.status is ListingStatus.DELISTED  # not put back on the catalog


def test_a_renewal_it_missed_replaces_the_older_certificate() -> None:
    listing = listed("c1")
    assert listing.reconcile_certificate(restated("c2", stars=5), listed_at=AT) == "listed"
    assert listing.certificate and listing.certificate.id == "c2" and listing.stars == 5


def test_a_revocation_it_missed_delists_once() -> None:
    listing = listed()
    assert listing.reconcile_certificate(restated(ended=REVOKED), listed_at=AT) == "delisted"
    assert (listing.status, listing.delisted_reason, listing.delisted_on) == (
        ListingStatus.DELISTED, WithdrawalReason.REVOKED, date(2027, 2, 1))
    assert listing.reconcile_certificate(restated(ended=REVOKED), listed_at=AT) is None


def test_listed_at_an_older_certificate_whose_successor_ended_is_delisted() -> None:
    listing = listed("c1")
    before = listing.face()
    assert listing.reconcile_certificate(restated("c2", ended=REVOKED), listed_at=AT) == \
        "delisted"
    assert listing.certificate and listing.certificate.id == "c2"
    assert listing.news_since(before) is News.WITHDRAWN


def test_an_ended_certificate_it_never_listed_is_not_the_catalogs_to_show() -> None:
    listing = Listing("p1")
    assert listing.reconcile_certificate(restated(ended=REVOKED), listed_at=AT) is None
    assert listing.status is None


def test_a_scan_page_that_missed_a_revocation_shows_it_revoked_with_its_reason() -> None:
    profile = TraceProfile("p1")
    profile.show_certificate(certified())
    assert profile.reconcile(restated()) is None
    assert profile.reconcile(restated(ended=REVOKED)) == "certificate-ended"
    assert profile.certificate and profile.certificate.status is CertificateStatus.REVOKED
    assert (profile.certificate.revocation_reason, profile.certificate.revoked_on) == (
        "Giả mạo", date(2027, 2, 1))
    assert profile.reconcile(restated(ended=REVOKED)) is None


def test_a_scan_page_that_missed_everything_shows_the_latest_certificate() -> None:
    profile = TraceProfile("p1")
    assert profile.reconcile(restated("c2")) == "certificate-shown"
    assert profile.certificate and profile.certificate.id == "c2"
    expired = CertificateEnded(end=CertificateEnd.EXPIRED, on=date(2029, 10, 15))
    fresh = TraceProfile("p1")
    assert fresh.reconcile(restated("c2", ended=expired)) == "certificate-ended"
    assert fresh.certificate and fresh.certificate.expired_on == date(2029, 10, 15)


PRODUCT = {"name": "Chè Tân Cương", "description": "", "group": "food", "subgroup": "tea",
           "gtin": None, "image_urls": [], "registry_version": 3}
SUBJECT = {"name": "HTX Chè", "type": "cooperative", "province": "Thái Nguyên",
           "commune": "Xã Tân Cương"}


def issued() -> Certificate:
    return Certificate.issue("c1", "OCOP-2026-00001", product_id="p1", subject_id="s1",
                             evaluation_id="e1", stars=4, score=75, level=Level.PROVINCE,
                             decision_number="1/QĐ-UBND", decision_date=date(2026, 3, 2),
                             authority=("UBND tỉnh", "Province"), by="office", at=AT)


def test_rating_restates_the_latest_certificate_and_how_it_ended() -> None:
    certificate = issued()
    active = certificate.restated(PRODUCT, SUBJECT, "https://rating/verify/c1")
    assert active and active.ended is None and active.certificate.certificate_id == "c1"
    assert active.certificate.product_version == 3
    assert active.recognised_at == datetime.fromisoformat(AT)
    certificate.revoke("Giả mạo", date(2027, 2, 1), "office")
    revoked = certificate.restated(PRODUCT, SUBJECT)
    assert revoked and revoked.ended == REVOKED
    expiring = issued()
    assert expiring.expire(date(2029, 3, 2))
    ended = expiring.restated(PRODUCT, SUBJECT)
    assert ended and ended.ended == CertificateEnded(end=CertificateEnd.EXPIRED,
                                                     on=date(2029, 3, 2))
    superseded = issued()
    superseded.supersede()
    assert superseded.restated(PRODUCT, SUBJECT) is None


def test_the_registry_says_the_certification_every_event_would_have_made_it_say() -> None:
    product = tea()
    assert product.reconcile_certification(restated()) == "certified"
    assert product.certification == {"status": CertificationStatus.CERTIFIED, "stars": 4,
                                     "certificate_id": "c1", "valid_until": date(2029, 10, 14)}
    assert product.reconcile_certification(restated()) is None
    assert product.reconcile_certification(restated(ended=REVOKED)) == "certification-ended"
    assert product.certification and product.certification["status"] == "revoked"
    assert product.reconcile_certification(restated(ended=REVOKED)) is None
