"""Certificate reconciliation: rating says again, product by product, where each product's
certification stands — its certificate in force, or its last one revoked or expired — as a
``CertificateRestated`` event with the sequence of the product's latest certificate event
(its recognition's version). Consumers that applied that event ignore it; one whose broker
lost it is repaired and raises an alarm (``shared.messaging.repairs``). A sweep over the
products' recognitions, a slice a run (``shared.messaging.reconciliation``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.rating.certificates.commands import Certificates
from services.rating.certificates.model import Certificate, Recognition
from services.rating.store import CERTIFICATES, PRODUCTS, SUBJECTS, certificates, recognitions
from shared.messaging import Outbox
from shared.messaging.reconciliation import Sweep, SweepRun
from shared.ocop.validity import CertificateStatus
from shared.ports.store import Document, DocumentStore, Transaction

ENDED = (CertificateStatus.REVOKED.value, CertificateStatus.EXPIRED.value)


@dataclass(frozen=True)
class CertificateReconciliation:
    store: DocumentStore
    outbox: Outbox
    certificates: Certificates
    """Where the verification pages are (``Certificates.verify_url``)."""
    sweep: Sweep
    """Over ``RECOGNITIONS``: one per product that ever had a certificate."""

    async def run(self) -> SweepRun:
        """Say the next slice of products' certification again."""
        return await self.sweep.run(self.store, self._restate)

    async def _restate(self, docs: Sequence[Document]) -> int:
        said = 0
        async with self.store.transaction() as tx:
            for doc in docs:
                said += await self._restate_one(tx, doc.id)
        return said

    async def _restate_one(self, tx: Transaction, product_id: str) -> bool:
        recognition = await recognitions.get_or_none(tx, product_id)
        if recognition is None:
            return False
        latest = await self._latest(tx, recognition)
        product = await tx.get(PRODUCTS.name, recognition.id)
        subject = (await tx.get(SUBJECTS.name, latest.subject_id)
                   if latest is not None else None)
        if latest is None or product is None or subject is None:
            return False
        event = latest.restated(product.data, subject.data,
                                self.certificates.verify_url(latest.id))
        if event is None:
            return False
        # The version of the recognition as read: if a decision commits meanwhile, its own
        # event has a newer sequence and this one is ignored wherever it arrives.
        await self.outbox.emit(tx, event, aggregate_id=recognition.id,
                               sequence=recognition.version)
        return True

    @staticmethod
    async def _latest(tx: Transaction, recognition: Recognition) -> Certificate | None:
        """The product's certificate in force, else its last one (revoked or expired)."""
        if recognition.certificate_id is not None:
            return await certificates.get(tx, recognition.certificate_id)
        page = await tx.find(CERTIFICATES.name, {"product_id": recognition.id,
                                                 "status": {"$in": list(ENDED)}},
                             order_by="-decision_date", limit=1)
        return certificates.load(page.items[0]) if page.items else None
