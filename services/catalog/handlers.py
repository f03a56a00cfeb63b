"""The catalog's reactions: a product with a certificate in force is listed (at its current
stars), a revoked or expired one delisted, and a label's scan link is added whenever it
arrives (before or after the certificate)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.catalog import domain
from services.catalog.store import LISTINGS
from shared.contracts.rating import CertificateExpired, CertificateRevoked, CurrentCertificate
from shared.contracts.traceability import LabelIssued
from shared.events.envelope import Envelope
from shared.store import Transaction


async def _merge(tx: Transaction, product_id: str, changes: dict[str, Any]) -> None:
    held = await tx.get(LISTINGS.name, product_id)
    await tx.put(LISTINGS.name, product_id, (held.data if held else {}) | changes)


async def on_certificate_in_force(envelope: Envelope, tx: Transaction) -> None:
    """Certified, renewed, up- or downgraded: the listing shows the certificate carried."""
    e = CurrentCertificate.model_validate(envelope.data)
    await _merge(tx, e.product_id, {
        "status": "listed", "certified_at": envelope.time.isoformat(),
        "listed_at": datetime.now(UTC).isoformat(),
        "name": e.product_name, "name_key": domain.fold(e.product_name),
        "search_text": domain.search_text(e.product_name, e.subject_name),
        "description": e.description, "group": e.group, "subgroup": e.subgroup,
        "gtin": e.gtin, "image_urls": e.image_urls, "stars": e.stars,
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
        "status": "delisted", "delisted_reason": reason, "delisted_on": on})


async def on_revoked(envelope: Envelope, tx: Transaction) -> None:
    e = CertificateRevoked.model_validate(envelope.data)
    await _delist(tx, e.product_id, e.certificate_id, "revoked", e.revoked_on.isoformat())


async def on_expired(envelope: Envelope, tx: Transaction) -> None:
    e = CertificateExpired.model_validate(envelope.data)
    await _delist(tx, e.product_id, e.certificate_id, "expired", e.expired_on.isoformat())


async def on_label(envelope: Envelope, tx: Transaction) -> None:
    e = LabelIssued.model_validate(envelope.data)
    await _merge(tx, e.product_id, {"scan_url": e.scan_url, "label_png_url": e.png_url,
                                    "label_svg_url": e.svg_url})
