"""Certificate aggregates: a certificate, the product's recognition (its certificate in
force) and the yearly certificate numbers. Each method checks its rule (named in
``rules.py``) and changes the aggregate, or refuses with a ``shared.refusals`` error; a
certificate's changes return the contract event that announces them. Pure: no I/O, no clock
of its own (the day is an argument)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.rating.certificates import rules
from services.rating.evaluations.rules import Level
from shared.messaging.contracts.rating import (
    CertificateDowngraded,
    CertificateEnd,
    CertificateEnded,
    CertificateExpired,
    CertificateExpiring,
    CertificateRenewed,
    CertificateRestated,
    CertificateRevoked,
    CertificateUpgraded,
    CurrentCertificate,
    ProductCertified,
)
from shared.ocop.validity import CertificateStatus, status_on


@dataclass
class Certificate:
    """A recognition decision's certificate (giấy chứng nhận), valid 36 months."""

    id: str
    number: str
    product_id: str
    subject_id: str
    evaluation_id: str
    stars: int
    score: float
    level: Level
    decision_number: str
    decision_date: date
    valid_from: date
    valid_until: date
    recognised_by: str
    recognised_at: str
    authority: tuple[str, str] | None = None
    """Who signed it (Vietnamese, English); kept from issue on."""
    status: CertificateStatus = CertificateStatus.ACTIVE
    revocation_reason: str | None = None
    revoked_on: date | None = None
    revoked_by: str | None = None
    expired_on: date | None = None
    reminded_months_left: int | None = None
    """The last reminder of its coming end sent (``rules.REMINDER_MONTHS``: 6, then 1);
    None: none yet."""
    version: int = 0

    @classmethod
    def issue(cls, certificate_id: str, number: str, *, product_id: str, subject_id: str,
              evaluation_id: str, stars: int, score: float, level: Level,
              decision_number: str, decision_date: date, authority: tuple[str, str],
              by: str, at: str) -> Certificate:
        return cls(certificate_id, number, product_id, subject_id, evaluation_id, stars,
                   score, level, decision_number, decision_date, decision_date,
                   rules.valid_until(decision_date), by, at, authority)

    def state_on(self, day: date) -> CertificateStatus:
        """Its state on ``day``: expired once past its last valid day, sweep or no sweep."""
        return status_on(self.status, self.valid_until, day)

    def check_renewable(self, decision_date: date) -> None:
        rules.check_renewable(self.status, self.valid_from, self.valid_until, decision_date)

    def supersede(self) -> None:
        """A renewal, upgrade or downgrade replaced it."""
        self.status = CertificateStatus.SUPERSEDED

    def revoke(self, reason: str, on: date, by: str) -> CertificateRevoked:
        rules.check_may_revoke(self.status)
        self.status, self.revocation_reason = CertificateStatus.REVOKED, reason
        self.revoked_on, self.revoked_by = on, by
        return CertificateRevoked(product_id=self.product_id, certificate_id=self.id,
                                  certificate_number=self.number, reason=reason,
                                  revoked_on=on)

    def expire(self, on: date) -> CertificateExpired | None:
        """The sweep on ``on``: an active certificate past its last valid day expires
        (None: it is not due, or no longer active)."""
        if self.state_on(on) is not CertificateStatus.EXPIRED \
                or self.status is not CertificateStatus.ACTIVE:
            return None
        self.status, self.expired_on = CertificateStatus.EXPIRED, on
        return CertificateExpired(product_id=self.product_id, certificate_id=self.id,
                                  certificate_number=self.number, expired_on=on)

    def remind(self, today: date, product_name: str) -> CertificateExpiring | None:
        """The reminder of its coming end due ``today`` (``rules.reminder_due``), now
        remembered as sent; None if none is due or it is no longer in force."""
        if self.state_on(today) is not CertificateStatus.ACTIVE:
            return None
        due = rules.reminder_due(self.valid_until, today, self.reminded_months_left)
        if due is None:
            return None
        self.reminded_months_left = due
        return CertificateExpiring(
            product_id=self.product_id, subject_id=self.subject_id, product_name=product_name,
            certificate_id=self.id, certificate_number=self.number, stars=self.stars,
            valid_until=self.valid_until, months_left=due)

    def in_force_event(self, product: dict[str, Any], subject: dict[str, Any],
                       previous_stars: int | None, verification_url: str | None = None
                       ) -> CurrentCertificate:
        """The event that puts this certificate in force, saying how it relates to the one
        it replaces (certified, renewed, up- or downgraded), and where anyone can check it
        (``verification_url``: its public verification page)."""
        fields = self._shown(product, subject, verification_url)
        if previous_stars is None:  # none in force before it
            return ProductCertified(**fields)
        change = rules.change_of(previous_stars, self.stars)
        if change is rules.Change.UPGRADED:
            return CertificateUpgraded(**fields, previous_stars=previous_stars)
        if change is rules.Change.DOWNGRADED:
            return CertificateDowngraded(**fields, previous_stars=previous_stars)
        return CertificateRenewed(**fields)

    def restated(self, product: dict[str, Any], subject: dict[str, Any],
                 verification_url: str | None = None) -> CertificateRestated | None:
        """What reconciliation says again of its product when this is the product's latest
        certificate: as its in-force event carried it and, once revoked or expired, how it
        ended (as that event told it). None for a superseded one, never the latest."""
        ended: CertificateEnded | None = None
        if self.status is CertificateStatus.REVOKED and self.revoked_on is not None:
            ended = CertificateEnded(end=CertificateEnd.REVOKED, on=self.revoked_on,
                                     reason=self.revocation_reason)
        elif self.status is CertificateStatus.EXPIRED and self.expired_on is not None:
            ended = CertificateEnded(end=CertificateEnd.EXPIRED, on=self.expired_on)
        elif self.status is not CertificateStatus.ACTIVE:
            return None
        return CertificateRestated(
            product_id=self.product_id,
            certificate=CurrentCertificate(**self._shown(product, subject, verification_url)),
            recognised_at=datetime.fromisoformat(self.recognised_at), ended=ended)

    def _shown(self, product: dict[str, Any], subject: dict[str, Any],
               verification_url: str | None) -> dict[str, Any]:
        """What the events that put it in force carry: the certificate, its product and
        subject as rating holds them."""
        return dict(
            product_id=self.product_id, product_name=product["name"],
            description=product["description"], group=product["group"],
            subgroup=product["subgroup"], gtin=product["gtin"],
            image_urls=product["image_urls"], subject_id=self.subject_id,
            subject_name=subject["name"], subject_type=subject["type"],
            province=subject["province"], commune=subject["commune"], score=self.score,
            stars=self.stars, certificate_id=self.id, certificate_number=self.number,
            level=self.level.value, decision_number=self.decision_number,
            decision_date=self.decision_date, valid_from=self.valid_from,
            valid_until=self.valid_until, product_version=product.get("registry_version"),
            verification_url=verification_url)


@dataclass
class Recognition:
    """Which certificate a product holds in force now. Its version orders the product's
    certificate events (their ``sequence``), so consumers apply them in order."""

    id: str
    """The product's id."""
    certificate_id: str | None = None
    changed_at: str | None = None
    version: int = 0

    def point_at(self, certificate_id: str | None, at: str) -> str | None:
        """Hold ``certificate_id`` (None: none in force); the one it held before."""
        previous, self.certificate_id, self.changed_at = self.certificate_id, certificate_id, at
        return previous


@dataclass
class CertificateCounter:
    """Numbers the year's certificates: OCOP-2026-00001, …"""

    id: str
    value: int = 0
    version: int = 0

    def next_number(self, year: int) -> str:
        self.value += 1
        return f"OCOP-{year}-{self.value:05d}"
