"""How a product's certificate reads to its producer, wherever the producer sees it (the list
of its products, the product's page): in force (its stars and last valid day), expiring
(within the last six months: time to apply for re-recognition), revoked (the office's
reason and the day), expired, or replaced by a newer one (an upgrade's new stars). Plain
functions on rating's answers (``GET /certificates?product_id=…``): rating says each
certificate's state on its own today; the page only reads it. And what the product's page
shows of each batch kept after its certificate ended: its scans and alerts, read-only."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from services.web.clients.rating import Certificate
from services.web.clients.traceability import Anomaly, ListedBatch, Scans, Traceability
from services.web.producer.workspace import Validity, newest


class Reading(StrEnum):
    """A certificate's state as its producer reads it."""

    VALID = "valid"
    EXPIRING = "expiring"
    """In force, within its last six months: re-recognition is due."""
    REVOKED = "revoked"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    """A renewal, an upgrade or a downgrade replaced it."""


_ENDED = {"revoked": Reading.REVOKED, "expired": Reading.EXPIRED,
          "superseded": Reading.SUPERSEDED}


@dataclass(frozen=True)
class CertificateSeen:
    """One certificate as the producer's pages show it."""

    certificate: Certificate
    reading: Reading
    validity: Validity
    replaced_by: Certificate | None = None
    """The certificate that replaced it (superseded)."""
    replaced: Certificate | None = None
    """The one it replaced, if any: an upgrade says from how many stars."""

    @property
    def in_force(self) -> bool:
        return self.reading in (Reading.VALID, Reading.EXPIRING)

    @property
    def upgrade(self) -> bool:
        """It replaced a certificate of fewer stars (nâng hạng)."""
        return self.replaced is not None and self.replaced.stars < self.certificate.stars


def reading_of(certificate: Certificate, today: date) -> Reading:
    if certificate.status in _ENDED:
        return _ENDED[certificate.status]
    if Validity(certificate.valid_until, today).renewal_due:
        return Reading.EXPIRING
    return Reading.VALID


def _order(certificates: list[Certificate]) -> list[Certificate]:
    """Oldest first, as they were decided."""
    return sorted(certificates, key=lambda c: (c.valid_from, c.decision_date, c.number))


def certificate_seen(certificates: list[Certificate], today: date) -> CertificateSeen | None:
    """The certificate that speaks for the product (the newest decision), or None for a
    product never certified."""
    current = newest(certificates)
    if current is None:
        return None
    ordered = _order(certificates)
    at = ordered.index(current)
    return CertificateSeen(current, reading_of(current, today),
                           Validity(current.valid_until, today),
                           replaced=ordered[at - 1] if at > 0 else None)


def earlier_certificates(certificates: list[Certificate], today: date
                         ) -> list[CertificateSeen]:
    """The product's certificates before the one that speaks for it, newest first, each
    with the one that replaced it."""
    ordered = _order(certificates)
    current = newest(certificates)
    return [CertificateSeen(c, reading_of(c, today), Validity(c.valid_until, today),
                            replaced_by=ordered[i + 1])
            for i, c in reversed(list(enumerate(ordered))) if c is not current]


@dataclass(frozen=True)
class KeptBatch:
    """A batch of a product whose certificate ended: still shown, read-only, with its
    scans and counterfeit alerts (no event can be recorded nor label printed for it)."""

    batch: ListedBatch
    scans: Scans
    alerts: list[Anomaly]


async def kept_batch(traceability: Traceability, batch: ListedBatch) -> KeptBatch:
    scans, alerts = await asyncio.gather(traceability.scans(batch.id),
                                         traceability.anomalies(batch_id=batch.id))
    return KeptBatch(batch, scans, alerts.items)
