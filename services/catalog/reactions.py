"""What the catalog does when it hears another service's event: a product with a
certificate in force is listed (at its current stars), a revoked or expired one delisted; a
label's scan link, the registry's changes to the product and the traceability service's
batches and origin records are added whenever they arrive (before or after the
certificate). Each is one change to the listing (``listings.commands.Listings.change``).
Rating's reconciliation (``CertificateRestated``) repairs a listing a lost certificate event
left wrong, and records the repair as an alarm."""

from __future__ import annotations

from dataclasses import dataclass

from services.catalog.listings.commands import Listings
from services.catalog.listings.model import Listing
from shared.messaging.contracts.catalog import WithdrawalReason
from shared.messaging.contracts.rating import (
    CertificateExpired,
    CertificateRestated,
    CertificateRevoked,
    CurrentCertificate,
)
from shared.messaging.contracts.registry import ProductState
from shared.messaging.contracts.traceability import BatchOpened, LabelIssued, OriginEventRecorded
from shared.messaging.events.envelope import Envelope
from shared.messaging.repairs import Repairs
from shared.platform.clock import Clock
from shared.ports.store import Transaction


@dataclass(frozen=True)
class Reactions:
    listings: Listings
    clock: Clock
    repairs: Repairs

    async def on_certificate_in_force(self, envelope: Envelope, tx: Transaction) -> None:
        e = CurrentCertificate.model_validate(envelope.data)
        await self.listings.change(tx, e.product_id, lambda listing: listing.show_certificate(
            e, certified_at=envelope.time.isoformat(), listed_at=self.clock.stamp()))

    async def on_revoked(self, envelope: Envelope, tx: Transaction) -> None:
        e = CertificateRevoked.model_validate(envelope.data)
        await self.listings.change(tx, e.product_id, lambda listing: listing.delist(
            e.certificate_id, WithdrawalReason.REVOKED, e.revoked_on))

    async def on_expired(self, envelope: Envelope, tx: Transaction) -> None:
        e = CertificateExpired.model_validate(envelope.data)
        await self.listings.change(tx, e.product_id, lambda listing: listing.delist(
            e.certificate_id, WithdrawalReason.EXPIRED, e.expired_on))

    async def on_certificate_restated(self, envelope: Envelope, tx: Transaction) -> None:
        """Rating's reconciliation: applied only if the inbox had not seen its sequence, so
        only where a certificate event was lost; a change it makes is a repair, and an
        alarm (``shared.messaging.repairs``)."""
        e = CertificateRestated.model_validate(envelope.data)
        changes: list[str] = []

        def reconcile(listing: Listing) -> bool:
            change = listing.reconcile_certificate(e, listed_at=self.clock.stamp())
            changes.extend([change] if change else [])
            return change is not None

        await self.listings.change(tx, e.product_id, reconcile)
        for change in changes:
            await self.repairs.record(tx, envelope, kind="listing", aggregate_id=e.product_id,
                                      change=change)

    async def on_product_changed(self, envelope: Envelope, tx: Transaction) -> None:
        e = ProductState.model_validate(envelope.data)
        await self.listings.change(tx, e.product_id,
                                   lambda listing: listing.take_product(e, envelope.sequence))

    async def on_label(self, envelope: Envelope, tx: Transaction) -> None:
        e = LabelIssued.model_validate(envelope.data)
        await self.listings.change(tx, e.product_id, lambda listing: listing.attach_label(e))

    async def on_batch_opened(self, envelope: Envelope, tx: Transaction) -> None:
        e = BatchOpened.model_validate(envelope.data)
        await self.listings.change(tx, e.product_id, lambda listing: listing.batch_opened())

    async def on_origin_recorded(self, envelope: Envelope, tx: Transaction) -> None:
        e = OriginEventRecorded.model_validate(envelope.data)
        for product_id in e.product_ids:
            await self.listings.change(tx, product_id,
                                       lambda listing: listing.origin_recorded())
