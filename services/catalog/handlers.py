"""The catalog's reactions: a product with a certificate in force is listed (at its current
stars), a revoked or expired one delisted; a label's scan link and the registry's changes to
the product are added whenever they arrive (before or after the certificate). Each loads the
listing, lets it apply the news (``model.Listing``) and keeps it."""

from __future__ import annotations

from services.catalog.model import Listing
from services.catalog.store import listings
from shared.clock import Clock
from shared.contracts.rating import CertificateExpired, CertificateRevoked, CurrentCertificate
from shared.contracts.registry import ProductState
from shared.contracts.traceability import LabelIssued
from shared.events.envelope import Envelope
from shared.store import Transaction


async def _listing(tx: Transaction, product_id: str) -> Listing:
    return await listings.get_or_new(tx, product_id, lambda: Listing(product_id))


async def on_certificate_in_force(envelope: Envelope, tx: Transaction, *, clock: Clock
                                  ) -> None:
    e = CurrentCertificate.model_validate(envelope.data)
    listing = await _listing(tx, e.product_id)
    listing.show_certificate(e, certified_at=envelope.time.isoformat(),
                             listed_at=clock.stamp())
    await listings.keep(tx, listing)


async def on_revoked(envelope: Envelope, tx: Transaction) -> None:
    e = CertificateRevoked.model_validate(envelope.data)
    listing = await _listing(tx, e.product_id)
    if listing.delist(e.certificate_id, "revoked", e.revoked_on):
        await listings.save(tx, listing)


async def on_expired(envelope: Envelope, tx: Transaction) -> None:
    e = CertificateExpired.model_validate(envelope.data)
    listing = await _listing(tx, e.product_id)
    if listing.delist(e.certificate_id, "expired", e.expired_on):
        await listings.save(tx, listing)


async def on_product_changed(envelope: Envelope, tx: Transaction) -> None:
    e = ProductState.model_validate(envelope.data)
    listing = await _listing(tx, e.product_id)
    if listing.take_product(e, envelope.sequence):
        await listings.keep(tx, listing)


async def on_label(envelope: Envelope, tx: Transaction) -> None:
    e = LabelIssued.model_validate(envelope.data)
    listing = await _listing(tx, e.product_id)
    listing.attach_label(e)
    await listings.keep(tx, listing)
