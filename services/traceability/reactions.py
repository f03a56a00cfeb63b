"""Traceability's reactions: keep each product's trace profile (the registry's product, the
live certificate, where the catalog says it is sold) and issue its QR label once, again
when its GTIN changes. Each loads the aggregate (``model``), lets it apply the news, keeps
it and emits what it announces."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from services.traceability.labels.artwork import render_qr
from services.traceability.profiles import rules
from services.traceability.profiles.model import Label, TraceProfile
from services.traceability.store import FORMER_GTINS, labels, profile_carrying, profiles
from shared.messaging import Outbox
from shared.messaging.contracts.catalog import ListingState, ListingWithdrawn, Offer
from shared.messaging.contracts.rating import (
    CertificateExpired,
    CertificateRestated,
    CertificateRevoked,
    CurrentCertificate,
)
from shared.messaging.contracts.registry import ProductGtinRetired, ProductState
from shared.messaging.events.envelope import Envelope
from shared.messaging.repairs import Repairs
from shared.platform.clock import Clock
from shared.platform.ids import new_id
from shared.platform.workers import PUBLIC_SHARE, Worker
from shared.ports.objects import ObjectContent, ObjectNotFound, ObjectStore
from shared.ports.store import DocumentStore, Transaction


@dataclass
class Traceability:
    store: DocumentStore
    outbox: Outbox
    objects: ObjectStore
    worker: Worker
    """Where label artwork is drawn (CPU-bound work, off the event loop)."""
    public_url: str
    """Where this service answers: label artwork is downloaded from here."""
    scan_base_url: str
    """What labels encode: the scan page's public base."""
    clock: Clock
    shown_changed: Callable[[], None]
    """Called once a change to what a scan shows has committed (``ScanPages.changed``)."""
    repairs: Repairs
    """Where what rating's reconciliation repaired is recorded (an alarm)."""

    async def on_certificate_in_force(self, envelope: Envelope, tx: Transaction) -> None:
        event = CurrentCertificate.model_validate(envelope.data)
        profile = await self._profile(tx, event.product_id)
        profile.show_certificate(event)
        await profiles.keep(tx, profile)
        await self._issue_label(tx, profile)

    async def on_certificate_restated(self, envelope: Envelope, tx: Transaction) -> None:
        """Rating's reconciliation: applied only if the inbox had not seen its sequence, so
        only where a certificate event was lost; a change it makes to the scan page is a
        repair, and an alarm (``shared.messaging.repairs``)."""
        event = CertificateRestated.model_validate(envelope.data)
        profile = await self._profile(tx, event.product_id)
        change = profile.reconcile(event)
        if change is None:
            return
        await profiles.keep(tx, profile)
        await self.repairs.record(tx, envelope, kind="profile", aggregate_id=profile.id,
                                  change=change)
        if event.ended is None:
            await self._issue_label(tx, profile)

    async def on_product_changed(self, envelope: Envelope, tx: Transaction) -> None:
        """The registry's own word on a product: the scan page shows it, and a GTIN given
        or changed after certification gets the product a new label."""
        event = ProductState.model_validate(envelope.data)
        profile = await self._profile(tx, event.product_id)
        if not profile.take_product(event, envelope.sequence):
            return
        await profiles.keep(tx, profile)
        if profile.certified:  # others get their label when certified
            await self._issue_label(tx, profile)

    async def on_revoked(self, envelope: Envelope, tx: Transaction) -> None:
        event = CertificateRevoked.model_validate(envelope.data)
        profile = await self._profile(tx, event.product_id)
        if profile.revoke(event):
            await profiles.save(tx, profile)

    async def on_expired(self, envelope: Envelope, tx: Transaction) -> None:
        event = CertificateExpired.model_validate(envelope.data)
        profile = await self._profile(tx, event.product_id)
        if profile.expire(event):
            await profiles.save(tx, profile)

    async def on_listing(self, envelope: Envelope, tx: Transaction) -> None:
        """The catalog's listing: the scan page shows where to buy the product, and links its
        page on the catalog."""
        listing = ListingState.model_validate(envelope.data)
        await self._take_listing(tx, listing.product_id, listing.offers, envelope.sequence,
                                 listing.page_url)

    async def on_listing_withdrawn(self, envelope: Envelope, tx: Transaction) -> None:
        withdrawn = ListingWithdrawn.model_validate(envelope.data)
        await self._take_listing(tx, withdrawn.product_id, [], envelope.sequence, None)

    async def _take_listing(self, tx: Transaction, product_id: str, offers: list[Offer],
                            version: int, page_url: str | None) -> None:
        profile = await self._profile(tx, product_id)
        if profile.take_listing(offers, version, page_url):
            await profiles.keep(tx, profile)

    async def _profile(self, tx: Transaction, product_id: str) -> TraceProfile:
        tx.on_commit(self.shown_changed)
        return await profiles.get_or_new(tx, product_id, lambda: TraceProfile(product_id))

    async def _issue_label(self, tx: Transaction, profile: TraceProfile) -> None:
        """Issue the label unless the product already has one for this URL (a GTIN added
        later changes the URL, and so the label)."""
        url = rules.scan_url(self.scan_base_url, profile.id, profile.gtin)
        label = await labels.get_or_new(tx, profile.id, lambda: Label(profile.id))
        if label.encodes(url):
            return
        label.issue(url, at=self.clock.stamp(), new_label_id=new_id())
        await labels.keep(tx, label)
        await self.outbox.emit(tx, label.issued(self.public_url), aggregate_id=profile.id,
                               sequence=label.version)

    async def on_gtin_retired(self, envelope: Envelope, tx: Transaction) -> None:
        event = ProductGtinRetired.model_validate(envelope.data)
        tx.on_commit(self.shown_changed)
        await tx.put(FORMER_GTINS.name, event.gtin, {"product_id": event.product_id})

    async def profile_by_gtin(self, gtin: str) -> TraceProfile | None:
        return await profile_carrying(self.store, gtin)

    async def profile(self, product_id: str) -> TraceProfile | None:
        return await profiles.get_or_none(self.store, product_id)

    async def label(self, product_id: str) -> Label:
        return await labels.get(self.store, product_id)

    async def artwork(self, product_id: str, kind: str) -> ObjectContent:
        """The label's QR code as ``png`` or ``svg``: kept, or drawn now and kept (two first
        requests at once both draw it, and store the same bytes)."""
        label = await self.label(product_id)
        with contextlib.suppress(ObjectNotFound):
            return await self.objects.get(label.artwork_key(kind))
        artwork = await self.worker.run(render_qr, label.scan_url, share=PUBLIC_SHARE)
        content = {"png": (artwork.png, "image/png"), "svg": (artwork.svg, "image/svg+xml")}
        await asyncio.gather(*(self.objects.put(label.artwork_key(drawn), data, content_type)
                               for drawn, (data, content_type) in content.items()))
        return ObjectContent(label.artwork_key(kind), *content[kind])
