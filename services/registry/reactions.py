"""What the registry does when it hears another service's event: a product keeps its
certification as the rating service tells of it (in force, expired, revoked), so that it
says plainly whether it is certified. Each loads the product, lets it apply the news
(``subjects.model.Product``) and keeps it; the inbox makes a repeated event a no-op."""

from __future__ import annotations

from dataclasses import dataclass

from services.registry.store import products
from services.registry.subjects.model import CertificationStatus
from shared.messaging.contracts.rating import (
    CertificateExpired,
    CertificateRevoked,
    CurrentCertificate,
)
from shared.messaging.events.envelope import Envelope
from shared.ports.store import Transaction


@dataclass(frozen=True)
class Reactions:
    async def on_certificate_in_force(self, envelope: Envelope, tx: Transaction) -> None:
        e = CurrentCertificate.model_validate(envelope.data)
        product = await products.get(tx, e.product_id)
        product.certify(e.certificate_id, e.stars, e.valid_until)
        await products.save(tx, product)

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
