"""What the registry does when it hears another service's event: a product keeps its
certification as the rating service tells of it (in force, expired, revoked), so that it
says plainly whether it is certified. Each loads the product, lets it apply the news
(``subjects.model.Product``) and keeps it; the inbox makes a repeated event a no-op.
Rating's reconciliation (``CertificateRestated``) repairs what a lost certificate event
left wrong, and records the repair as an alarm."""

from __future__ import annotations

from dataclasses import dataclass

from services.registry.store import products
from services.registry.subjects.model import CertificationStatus
from shared.messaging.contracts.rating import (
    CertificateExpired,
    CertificateRestated,
    CertificateRevoked,
    CurrentCertificate,
)
from shared.messaging.events.envelope import Envelope
from shared.messaging.repairs import Repairs
from shared.ports.store import Transaction


@dataclass(frozen=True)
class Reactions:
    repairs: Repairs
    """Where what rating's reconciliation repaired is recorded (an alarm)."""

    async def on_certificate_in_force(self, envelope: Envelope, tx: Transaction) -> None:
        e = CurrentCertificate.model_validate(envelope.data)
        product = await products.get(tx, e.product_id)
        product.certify(e.certificate_id, e.stars, e.valid_until)
        await products.save(tx, product)

    async def on_certificate_restated(self, envelope: Envelope, tx: Transaction) -> None:
        """Rating's reconciliation: applied only if the inbox had not seen its sequence, so
        only where a certificate event was lost; a change it makes is a repair, and an
        alarm (``shared.messaging.repairs``)."""
        e = CertificateRestated.model_validate(envelope.data)
        product = await products.get_or_none(tx, e.product_id)
        if product is None or (change := product.reconcile_certification(e)) is None:
            return
        await products.save(tx, product)
        await self.repairs.record(tx, envelope, kind="product", aggregate_id=product.id,
                                  change=change)

    async def on_revoked(self, envelope: Envelope, tx: Transaction) -> None:
        e = CertificateRevoked.model_validate(envelope.data)
        await self._end(tx, e.product_id, e.certificate_id, CertificationStatus.REVOKED)

    async def on_expired(self, envelope: Envelope, tx: Transaction) -> None:
        e = CertificateExpired.model_validate(envelope.data)
        await self._end(tx, e.product_id, e.certificate_id, CertificationStatus.EXPIRED)

    @staticmethod
    async def _end(tx: Transaction, product_id: str, certificate_id: str,
                   status: CertificationStatus) -> None:
        product = await products.get(tx, product_id)
        if product.end_certification(certificate_id, status):
            await products.save(tx, product)
