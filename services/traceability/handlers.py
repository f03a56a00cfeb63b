"""Traceability's reactions: keep each product's trace profile (the registry's product, the
live certificate) and issue its QR label once, again when its GTIN changes."""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from services.traceability import domain
from services.traceability.labels import render_qr
from services.traceability.store import FORMER_GTINS, LABELS, PROFILES
from shared.clock import Clock
from shared.contracts.rating import CertificateExpired, CertificateRevoked, CurrentCertificate
from shared.contracts.registry import ProductGtinRetired, ProductState
from shared.contracts.traceability import LabelIssued
from shared.events.envelope import Envelope
from shared.ids import new_id
from shared.messaging import Outbox
from shared.messaging.inbox import snapshot_is_current
from shared.objects import ObjectStore
from shared.store import Document, DocumentStore, Transaction
from shared.validity import CertificateStatus


@dataclass
class Traceability:
    store: DocumentStore
    outbox: Outbox
    objects: ObjectStore
    renderer: Executor
    """Where label artwork is drawn (CPU-bound)."""
    public_url: str
    """Where this service answers: label artwork is downloaded from here."""
    scan_base_url: str
    """What labels encode: the scan page's public base."""
    clock: Clock

    async def on_certificate_in_force(self, envelope: Envelope, tx: Transaction) -> None:
        """Certified, renewed, up- or downgraded: the scan page shows this certificate, and
        the product as carried unless the registry has told of a newer version."""
        event = CurrentCertificate.model_validate(envelope.data)
        held = await tx.get(PROFILES.name, event.product_id)
        data = held.data if held else {}
        if snapshot_is_current(data, event.product_version):
            data = data | _product_fields(event.product_name, event.description, event.group,
                                          event.subgroup, event.gtin, event.image_urls,
                                          event.product_version)
        await tx.put(PROFILES.name, event.product_id, data | {
            "subject": {"id": event.subject_id, "name": event.subject_name,
                        "type": event.subject_type.value, "province": event.province,
                        "commune": event.commune},
            "certificate": {"id": event.certificate_id, "number": event.certificate_number,
                            "stars": event.stars, "score": event.score, "level": event.level,
                            "decision_number": event.decision_number,
                            "decision_date": event.decision_date.isoformat(),
                            "valid_from": event.valid_from.isoformat(),
                            "valid_until": event.valid_until.isoformat(),
                            "status": CertificateStatus.ACTIVE.value}})
        await self._issue_label(tx, event.product_id, data["gtin"])

    async def on_product_changed(self, envelope: Envelope, tx: Transaction) -> None:
        """The registry's own word on a product: the scan page shows it, and a GTIN given
        or changed after certification gets the product a new label."""
        event = ProductState.model_validate(envelope.data)
        held = await tx.get(PROFILES.name, event.product_id)
        data = held.data if held else {}
        if not snapshot_is_current(data, envelope.sequence):
            return
        data = data | _product_fields(event.name, event.description, event.group,
                                      event.subgroup, event.gtin, event.image_urls,
                                      envelope.sequence)
        await tx.put(PROFILES.name, event.product_id, data)
        if "certificate" in data:  # labelled products only: others get theirs when certified
            await self._issue_label(tx, event.product_id, event.gtin)

    async def on_revoked(self, envelope: Envelope, tx: Transaction) -> None:
        event = CertificateRevoked.model_validate(envelope.data)
        await _end(tx, event.product_id, event.certificate_id, {
            "status": CertificateStatus.REVOKED.value, "revocation_reason": event.reason,
            "revoked_on": event.revoked_on.isoformat()})

    async def on_expired(self, envelope: Envelope, tx: Transaction) -> None:
        event = CertificateExpired.model_validate(envelope.data)
        await _end(tx, event.product_id, event.certificate_id, {
            "status": CertificateStatus.EXPIRED.value, "expired_on": event.expired_on.isoformat()})

    async def _issue_label(self, tx: Transaction, product_id: str, gtin: str | None) -> None:
        """Render and store the label unless the product already has one for this URL
        (a GTIN added later changes the URL, and so the label)."""
        url = domain.scan_url(self.scan_base_url, product_id, gtin)
        held = await tx.get(LABELS.name, product_id)
        if held is not None and held.data["scan_url"] == url:
            return
        artwork = await asyncio.get_running_loop().run_in_executor(self.renderer, render_qr, url)
        # Storing twice on a retried event writes the same bytes to the same keys.
        png, svg = await asyncio.gather(
            self.objects.put(f"labels/{product_id}/qr.png", artwork.png, "image/png"),
            self.objects.put(f"labels/{product_id}/qr.svg", artwork.svg, "image/svg+xml"))
        data: dict[str, Any] = {"scan_url": url, "png_key": png.key, "svg_key": svg.key,
                                "label_id": held.data["label_id"] if held else new_id(),
                                "issued_at": self.clock.stamp()}
        doc = (await tx.insert(LABELS.name, product_id, data) if held is None else
               await tx.update(LABELS.name, product_id, data, expected_version=held.version))
        await self.outbox.emit(tx, self.label_issued(doc), aggregate_id=product_id,
                               sequence=doc.version)

    def label_issued(self, label: Document) -> LabelIssued:
        base = f"{self.public_url.rstrip('/')}/labels/{label.id}"
        return LabelIssued(product_id=label.id, label_id=label.data["label_id"],
                           scan_url=label.data["scan_url"], png_url=f"{base}/qr.png",
                           svg_url=f"{base}/qr.svg")

    async def on_gtin_retired(self, envelope: Envelope, tx: Transaction) -> None:
        event = ProductGtinRetired.model_validate(envelope.data)
        await tx.put(FORMER_GTINS.name, event.gtin, {"product_id": event.product_id})

    async def profile_by_gtin(self, gtin: str) -> Document | None:
        """The product carrying ``gtin`` now, or the one that carried it when a label still
        on the shelves was printed: a genuine label never goes dead."""
        page = await self.store.find(PROFILES.name, {"gtin": gtin}, limit=1)
        if page.items:
            return page.items[0]
        former = await self.store.get(FORMER_GTINS.name, gtin)
        return await self.store.get(PROFILES.name, former.data["product_id"]) if former else None


def _product_fields(name: str, description: str, group: str, subgroup: str,
                    gtin: str | None, image_urls: list[str],
                    version: int | None) -> dict[str, Any]:
    return {"gtin": gtin, "product_version": version,
            "product": {"name": name, "description": description, "group": group,
                        "subgroup": subgroup, "image_urls": image_urls}}


async def _end(tx: Transaction, product_id: str, certificate_id: str,
               changes: dict[str, Any]) -> None:
    """Mark the certificate the scan page shows as no longer in force."""
    profile = await tx.get(PROFILES.name, product_id)
    if profile is None or profile.data.get("certificate", {}).get("id") != certificate_id:
        return  # a certificate this service never showed: nothing to take down
    await tx.put(PROFILES.name, product_id, profile.data | {
        "certificate": profile.data["certificate"] | changes})
