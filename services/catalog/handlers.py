"""The catalog's reactions: a product with a certificate in force is listed (at its current
stars), a revoked or expired one delisted; a label's scan link and the registry's changes to
the product are added whenever they arrive (before or after the certificate)."""

from __future__ import annotations

from typing import Any

from services.catalog import domain
from services.catalog.store import LISTINGS
from shared.clock import Clock
from shared.contracts.rating import CertificateExpired, CertificateRevoked, CurrentCertificate
from shared.contracts.registry import ProductState
from shared.contracts.traceability import LabelIssued
from shared.events.envelope import Envelope
from shared.messaging.inbox import snapshot_is_current
from shared.store import Transaction


async def _merge(tx: Transaction, product_id: str, changes: dict[str, Any]) -> None:
    held = await tx.get(LISTINGS.name, product_id)
    await tx.put(LISTINGS.name, product_id, (held.data if held else {}) | changes)


def _product_fields(name: str, description: str, group: str, subgroup: str,
                    gtin: str | None, image_urls: list[str], producer_name: str,
                    version: int | None) -> dict[str, Any]:
    return {"name": name, "name_key": domain.fold(name),
            "search_text": domain.search_text(name, producer_name),
            "description": description, "group": group, "subgroup": subgroup, "gtin": gtin,
            "image_urls": image_urls, "product_version": version}


async def on_certificate_in_force(envelope: Envelope, tx: Transaction, *, clock: Clock
                                  ) -> None:
    """Certified, renewed, up- or downgraded: the listing shows the certificate carried,
    and the product as carried unless the registry has told of a newer version."""
    e = CurrentCertificate.model_validate(envelope.data)
    held = await tx.get(LISTINGS.name, e.product_id)
    if held is None or snapshot_is_current(held.data, e.product_version):
        product = _product_fields(e.product_name, e.description, e.group, e.subgroup, e.gtin,
                                  e.image_urls, e.subject_name, e.product_version)
    else:  # the registry's newer product stays; only the producer's name may be news
        product = {"search_text": domain.search_text(held.data["name"], e.subject_name)}
    await _merge(tx, e.product_id, product | {
        "status": domain.ListingStatus.LISTED.value, "certified_at": envelope.time.isoformat(),
        "listed_at": clock.stamp(), "stars": e.stars,
        "producer": {"id": e.subject_id, "name": e.subject_name, "type": e.subject_type.value},
        "province": e.province, "province_key": domain.fold(e.province), "commune": e.commune,
        "certificate": {"id": e.certificate_id, "number": e.certificate_number,
                        "level": e.level, "decision_number": e.decision_number,
                        "decision_date": e.decision_date.isoformat(),
                        "valid_from": e.valid_from.isoformat(),
                        "valid_until": e.valid_until.isoformat()},
        "valid_until": e.valid_until.isoformat()})


async def _delist(tx: Transaction, product_id: str, certificate_id: str, reason: str,
                  on: str) -> None:
    held = await tx.get(LISTINGS.name, product_id)
    if held is None or held.data.get("certificate", {}).get("id") != certificate_id:
        return  # not the certificate this listing shows
    await tx.put(LISTINGS.name, product_id, held.data | {
        "status": domain.ListingStatus.DELISTED.value, "delisted_reason": reason,
        "delisted_on": on})


async def on_revoked(envelope: Envelope, tx: Transaction) -> None:
    e = CertificateRevoked.model_validate(envelope.data)
    await _delist(tx, e.product_id, e.certificate_id, "revoked", e.revoked_on.isoformat())


async def on_expired(envelope: Envelope, tx: Transaction) -> None:
    e = CertificateExpired.model_validate(envelope.data)
    await _delist(tx, e.product_id, e.certificate_id, "expired", e.expired_on.isoformat())


async def on_product_changed(envelope: Envelope, tx: Transaction) -> None:
    """The registry's own word on a product (renamed, described, illustrated, given a
    GTIN): kept for its listing, whether it is listed yet or not."""
    e = ProductState.model_validate(envelope.data)
    held = await tx.get(LISTINGS.name, e.product_id)
    data = held.data if held else {}
    if not snapshot_is_current(data, envelope.sequence):
        return
    producer = data.get("producer", {}).get("name", "")
    await _merge(tx, e.product_id, _product_fields(
        e.name, e.description, e.group, e.subgroup, e.gtin, e.image_urls, producer,
        envelope.sequence))


async def on_label(envelope: Envelope, tx: Transaction) -> None:
    e = LabelIssued.model_validate(envelope.data)
    await _merge(tx, e.product_id, {"scan_url": e.scan_url, "label_png_url": e.png_url,
                                    "label_svg_url": e.svg_url})
