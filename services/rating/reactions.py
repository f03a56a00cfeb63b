"""What the rating service does when it hears another service's event: it keeps its read
models of the registry's products and subjects and of where the catalog sells each listed
product."""

from __future__ import annotations

from services.rating.store import ON_SALE, PRODUCTS, SUBJECTS
from shared.i18n.text import fold
from shared.messaging.contracts.catalog import ListingState, ListingWithdrawn
from shared.messaging.contracts.registry import ProductState, SubjectState
from shared.messaging.events.envelope import Envelope
from shared.messaging.inbox import snapshot_is_current
from shared.ports.store import Transaction


async def keep_product(envelope: Envelope, tx: Transaction) -> None:
    state = ProductState.model_validate(envelope.data)
    await tx.put(PRODUCTS.name, state.product_id, state.model_dump(mode="json") | {
        "registry_version": envelope.sequence})


async def keep_listing(envelope: Envelope, tx: Transaction) -> None:
    """Where a listed product is sold (the catalog's stream), for the summary's count of
    products per sales channel."""
    listing = ListingState.model_validate(envelope.data)
    await _keep_on_sale(tx, listing.product_id, listing.producer.id, envelope.sequence, [
        {"channel_id": o.channel_id, "channel_name": o.channel_name} for o in listing.offers])


async def keep_withdrawal(envelope: Envelope, tx: Transaction) -> None:
    withdrawn = ListingWithdrawn.model_validate(envelope.data)
    held = await tx.get(ON_SALE.name, withdrawn.product_id)
    if held is not None:
        await _keep_on_sale(tx, withdrawn.product_id, held.data["subject_id"],
                            envelope.sequence, [])


async def _keep_on_sale(tx: Transaction, product_id: str, subject_id: str, version: int | None,
                        channels: list[dict[str, str]]) -> None:
    held = await tx.get(ON_SALE.name, product_id)
    if held is None or snapshot_is_current(held.data["listing_version"], version):
        await tx.put(ON_SALE.name, product_id, {"subject_id": subject_id, "channels": channels,
                                                "listing_version": version})


async def keep_subject(envelope: Envelope, tx: Transaction) -> None:
    state = SubjectState.model_validate(envelope.data)
    await tx.put(SUBJECTS.name, state.subject_id, state.model_dump(mode="json") | {
        "province_key": fold(state.province)})


