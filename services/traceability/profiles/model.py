"""Traceability's aggregates: a product's trace profile (what its scan page shows, kept from
the registry's and rating's events, which arrive in any order) and its QR label. Each method
applies one event's news or checks its rule; a label's issue returns the contract event.
Pure: no I/O, no clock of its own (the day and the time are arguments)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from services.traceability.profiles.rules import CertificateState
from shared.messaging.contracts.catalog import Offer
from shared.messaging.contracts.rating import (
    CertificateEnd,
    CertificateExpired,
    CertificateRestated,
    CertificateRevoked,
    CurrentCertificate,
)
from shared.messaging.contracts.registry import ProductState
from shared.messaging.contracts.traceability import LabelIssued
from shared.messaging.inbox import snapshot_is_current
from shared.ocop.validity import CertificateStatus, status_on
from shared.ocop.vocabulary import SubjectType


@dataclass
class ShownProduct:
    """The product as the registry last told it, or as a certificate carried it."""

    name: str
    description: str
    group: str
    subgroup: str
    image_urls: list[str] = field(default_factory=list)


@dataclass
class ShownSubject:
    """The producer (chủ thể) named on the certificate."""

    id: str
    name: str
    type: SubjectType
    province: str
    commune: str


@dataclass
class ShownCertificate:
    """The product's latest certificate (never a superseded one)."""

    id: str
    number: str
    stars: int
    score: float
    level: str
    decision_number: str
    decision_date: date
    valid_from: date
    valid_until: date
    status: CertificateStatus = CertificateStatus.ACTIVE
    revocation_reason: str | None = None
    revoked_on: date | None = None
    expired_on: date | None = None
    verification_url: str | None = None
    """Its public verification page (rating's), for the resolver's certification link."""

    def state_on(self, day: date) -> CertificateState:
        """What the scan page tells on ``day`` (``shared.ocop.validity``: expired once past its
        last valid day, whether or not the expiry event has arrived)."""
        return CertificateState(status_on(self.status, self.valid_until, day))


@dataclass(frozen=True)
class SoldAt:
    """An online shop selling the product, as its producer told the catalog."""

    channel_name: str
    url: str


@dataclass
class TraceProfile:
    """What a product's scan page shows (hồ sơ truy xuất). Known before it is certified (the
    registry's product may arrive first); ``certificate`` is None until then."""

    id: str
    version: int = 0
    gtin: str | None = None
    product_version: int | None = None
    product: ShownProduct | None = None
    subject: ShownSubject | None = None
    certificate: ShownCertificate | None = None
    sold_at: list[SoldAt] = field(default_factory=list)
    """Where to buy it (the catalog's listings stream); none once it is off the catalog."""
    catalog_url: str | None = None
    """Its page on the public catalog website, while it is listed there."""
    listing_version: int | None = None

    @property
    def certified(self) -> bool:
        """Has it ever had a certificate (and so a label and a scan page)?"""
        return self.certificate is not None

    def show_certificate(self, e: CurrentCertificate) -> None:
        """Certified, renewed, up- or downgraded: show this certificate, and the product as
        carried unless the registry has told of a newer version."""
        if snapshot_is_current(self.product_version, e.product_version):
            self._take_product(ShownProduct(e.product_name, e.description, e.group,
                                            e.subgroup, e.image_urls), e.gtin,
                               e.product_version)
        self.subject = ShownSubject(e.subject_id, e.subject_name, e.subject_type, e.province,
                                    e.commune)
        self.certificate = ShownCertificate(
            e.certificate_id, e.certificate_number, e.stars, e.score, e.level,
            e.decision_number, e.decision_date, e.valid_from, e.valid_until,
            verification_url=e.verification_url)

    def take_product(self, e: ProductState, version: int) -> bool:
        """The registry's own word on the product; False if older than what is shown."""
        if not snapshot_is_current(self.product_version, version):
            return False
        self._take_product(ShownProduct(e.name, e.description, e.group, e.subgroup,
                                        e.image_urls), e.gtin, version)
        return True

    def _take_product(self, product: ShownProduct, gtin: str | None,
                      version: int | None) -> None:
        self.product, self.gtin, self.product_version = product, gtin, version

    def take_listing(self, offers: list[Offer], version: int, page_url: str | None) -> bool:
        """The catalog's word on where the product is sold and its page there (no offers, no
        page: withdrawn); False if older than what is shown."""
        if not snapshot_is_current(self.listing_version, version):
            return False
        self.sold_at = [SoldAt(o.channel_name, o.url) for o in offers]
        self.catalog_url = page_url
        self.listing_version = version
        return True

    def revoke(self, e: CertificateRevoked) -> bool:
        """The certificate shown was revoked; False if it is not the one shown."""
        if not self._shows(e.certificate_id):
            return False
        assert self.certificate
        self.certificate.status = CertificateStatus.REVOKED
        self.certificate.revocation_reason, self.certificate.revoked_on = e.reason, e.revoked_on
        return True

    def expire(self, e: CertificateExpired) -> bool:
        """The certificate shown expired; False if it is not the one shown."""
        if not self._shows(e.certificate_id):
            return False
        assert self.certificate
        self.certificate.status, self.certificate.expired_on = (CertificateStatus.EXPIRED,
                                                                e.expired_on)
        return True

    def reconcile(self, e: CertificateRestated) -> str | None:
        """Rating's word on where the product's certification stands, said again by its
        reconciliation: make the scan page what it would be had every certificate event
        arrived. The change made (``certificate-shown``: it shows the latest certificate;
        ``certificate-ended``: that it was revoked or expired), or None if it agrees."""
        c, ended = e.certificate, e.ended
        change = None
        if not self._shows(c.certificate_id):
            self.show_certificate(c)
            change = "certificate-shown"
        assert self.certificate
        if ended is None:
            return change
        status = (CertificateStatus.REVOKED if ended.end is CertificateEnd.REVOKED
                  else CertificateStatus.EXPIRED)
        if self.certificate.status is status:
            return change
        self.certificate.status = status
        if status is CertificateStatus.REVOKED:
            self.certificate.revocation_reason = ended.reason or ""
            self.certificate.revoked_on = ended.on
        else:
            self.certificate.expired_on = ended.on
        return "certificate-ended"

    def _shows(self, certificate_id: str) -> bool:
        return self.certificate is not None and self.certificate.id == certificate_id


@dataclass
class Label:
    """A product's QR label (nhãn): the URL it encodes. One per product; issued again when
    the URL changes (a GTIN given or changed). Its artwork is drawn from the URL when first
    asked for and kept (``artwork_key``), as a batch's and a unit's codes are drawn when
    asked: certification waits for no drawing."""

    id: str
    """The product's id."""
    version: int = 0
    label_id: str = ""
    scan_url: str = ""
    issued_at: str = ""

    def encodes(self, url: str) -> bool:
        return bool(self.label_id) and self.scan_url == url

    def issue(self, url: str, *, at: str, new_label_id: str) -> None:
        """Issue the label for ``url``; it keeps its id once it has one."""
        self.label_id = self.label_id or new_label_id
        self.scan_url, self.issued_at = url, at

    def artwork_key(self, kind: str) -> str:
        """Where its artwork (``png`` or ``svg``) is kept once drawn: named by the URL it
        encodes, so a label issued for a new URL is never shown with the old code."""
        return f"labels/{self.id}/{hashlib.sha256(self.scan_url.encode()).hexdigest()[:20]}.{kind}"

    def issued(self, public_url: str) -> LabelIssued:
        """The event announcing it, with artwork URLs under the service's ``public_url``."""
        base = f"{public_url.rstrip('/')}/labels/{self.id}"
        return LabelIssued(product_id=self.id, label_id=self.label_id, scan_url=self.scan_url,
                           png_url=f"{base}/qr.png", svg_url=f"{base}/qr.svg")
