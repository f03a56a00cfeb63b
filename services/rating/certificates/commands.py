"""Certificate commands: recognition decisions, renewal, revocation, the expiry sweep, and
each certificate's PDF. Every change names the product's certificate in force and says so
in an event, ordered per product."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.rating.certificates import rules
from services.rating.certificates.model import Certificate, CertificateCounter, Recognition
from services.rating.certificates.pdf import Drawing, render_certificate
from services.rating.evaluations.model import check_not_future
from services.rating.evaluations.rules import Level
from services.rating.store import (
    CERTIFICATES,
    PRODUCTS,
    SUBJECTS,
    certificates,
    counters,
    evaluations,
    recognitions,
)
from shared.history import History
from shared.i18n import N_
from shared.identity.auth import Caller
from shared.messaging import Outbox
from shared.ocop.validity import CertificateStatus
from shared.platform.clock import Clock
from shared.platform.ids import new_id
from shared.platform.workers import Worker
from shared.ports.bus.port import cancel_all
from shared.ports.objects import ObjectStore
from shared.ports.store import (
    DocumentStore,
    StaleVersion,
    Transaction,
    find_all,
    get_existing,
    retried,
)


@dataclass(frozen=True)
class Standing:
    certificate: Certificate
    product: dict[str, Any]
    subject: dict[str, Any]
    status: CertificateStatus
    """Its state today."""
    current_id: str | None
    """The product's certificate in force now, when it is another one."""


@dataclass
class Certificates:
    store: DocumentStore
    outbox: Outbox
    objects: ObjectStore
    renderer: Worker
    """Where certificate PDFs are drawn (CPU-bound)."""
    public_url: str
    """Where this service is reached: the certificates' verification pages are under it."""
    clock: Clock
    _background: set[asyncio.Task[Any]] = field(default_factory=set)

    async def recognise(self, caller: Caller, evaluation_id: str, *, decision_number: str,
                        decision_date: date | None, level: Level | None
                        ) -> Certificate:
        """The recognition decision (quyết định công nhận) and its certificate, decided on
        ``decision_date`` (by default today)."""
        decision_date = decision_date or self.clock.today()

        async def recognised(tx: Transaction) -> Certificate:
            evaluation = await evaluations.get(tx, evaluation_id)
            asked = evaluation.recognise(decision_date, self.clock.today(), level)
            result = evaluation.closed_result()
            certificate = await self._issue(
                tx, caller, product_id=evaluation.product_id, evaluation_id=evaluation_id,
                stars=result["stars"], score=result["score"], level=asked,
                decision_number=decision_number, decision_date=decision_date)
            evaluation.certificate_id = certificate.id
            await evaluations.save(tx, evaluation)
            await self._decided(tx, caller.user_id, certificate, {}, "recognised")
            return certificate

        return await retried(self.store, recognised)

    async def renew(self, caller: Caller, certificate_id: str, *, decision_number: str,
                    decision_date: date | None, level: Level | None) -> Certificate:
        """Re-recognition (công nhận lại): a new certificate at the same stars, decided
        before the old one expires; valid 36 months from the new decision."""
        decision_date = decision_date or self.clock.today()
        check_not_future("decision_date", decision_date, self.clock.today())

        async def renewed(tx: Transaction) -> Certificate:
            held = await certificates.get(tx, certificate_id)
            held.check_renewable(decision_date)
            certificate = await self._issue(
                tx, caller, product_id=held.product_id, evaluation_id=held.evaluation_id,
                stars=held.stars, score=held.score,
                level=rules.check_level(held.stars, decision_date, level),
                decision_number=decision_number, decision_date=decision_date)
            await self._decided(tx, caller.user_id, certificate, {}, "renewed",
                                renews=certificate_id)
            return certificate

        return await retried(self.store, renewed)

    async def _decided(self, tx: Transaction, by: str, certificate: Certificate,
                       before: dict[str, Any], action: str, **more: Any) -> None:
        """The history's entry for a decision on ``certificate`` (``before``: what it was
        before it, empty for a new one)."""
        await History(self.clock).record(tx, "certificate", certificate.id,
                                         certificate.version, before,
                                         certificates.dump(certificate) | more, by, action)

    async def _issue(self, tx: Transaction, caller: Caller, *, product_id: str,
                     evaluation_id: str, stars: int, score: float, level: Level,
                     decision_number: str, decision_date: date) -> Certificate:
        """A new certificate in force for the product; the one it replaces is superseded,
        and the event says how the two relate (certified, renewed, up- or downgraded).
        Numbered from the year's counter, which every decision bumps: its callers run it
        ``retried``, so of two decisions at once (two officers, two replicas, on
        PostgreSQL) the later takes the next number rather than answering 409."""
        product = await get_existing(tx, PRODUCTS.name, product_id, N_("product"))
        subject = await get_existing(tx, SUBJECTS.name, product.data["subject_id"],
                                     N_("subject"))
        counter_id = f"certificate-{decision_date.year}"
        counter = await counters.get_or_new(tx, counter_id,
                                            lambda: CertificateCounter(counter_id))
        certificate = await certificates.add(tx, Certificate.issue(
            new_id(), counter.next_number(decision_date.year), product_id=product_id,
            subject_id=subject.id, evaluation_id=evaluation_id, stars=stars, score=score,
            level=level, decision_number=decision_number, decision_date=decision_date,
            authority=rules.issuing_authority(level, decision_date, subject.data["province"],
                                               subject.data.get("district")),
            by=caller.user_id, at=self.clock.stamp()))
        await counters.keep(tx, counter)
        previous_id, sequence = await self._set_current(tx, product_id, certificate.id)
        previous_stars = None
        if previous_id:
            replaced = await certificates.get(tx, previous_id)
            replaced.supersede()
            previous_stars = (await certificates.save(tx, replaced)).stars
        await self.outbox.emit(tx, certificate.in_force_event(
            product.data, subject.data, previous_stars,
            self.verify_url(certificate.id)),
                               aggregate_id=product_id, sequence=sequence)
        tx.on_commit(lambda: self._soon(self.certificate_pdf(certificate.id)))
        return certificate

    def _soon(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run ``work`` after the request, keeping a reference until it is done."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def close(self) -> None:
        """Stop drawing: the service is stopping (a PDF not drawn is drawn on first read)."""
        await cancel_all(list(self._background))

    async def standing(self, certificate_id: str) -> Standing:
        """A certificate with its product and subject, its state today and the product's
        certificate in force now (when another one is)."""
        certificate = await certificates.get(self.store, certificate_id)
        product = await get_existing(self.store, PRODUCTS.name, certificate.product_id,
                                     N_("product"))
        subject = await get_existing(self.store, SUBJECTS.name, certificate.subject_id,
                                     N_("subject"))
        recognition = await recognitions.get_or_none(self.store, certificate.product_id)
        current = recognition.certificate_id if recognition else None
        return Standing(certificate, product.data, subject.data,
                        certificate.state_on(self.clock.today()),
                        current if current != certificate_id else None)

    def verify_url(self, certificate_id: str) -> str:
        """The public page that shows the certificate's state today (its PDF's QR code)."""
        return f"{self.public_url.rstrip('/')}/verify/{certificate_id}"

    async def certificate_pdf(self, certificate_id: str) -> bytes:
        """The certificate's PDF as it stands today — stamped once it is revoked, expired
        or replaced. One drawing per state, kept in the object store; the active one is
        drawn at issue, just after the decision commits."""
        standing = await self.standing(certificate_id)
        key = f"certificates/{certificate_id}/{standing.status.value}.pdf"
        if await self.objects.stat(key) is not None:
            return (await self.objects.get(key)).data
        certificate = standing.certificate
        drawing = Drawing(self.authority(certificate, standing.subject),
                          self.verify_url(certificate_id), standing.status.value)
        pdf = await self.renderer.run(render_certificate, certificates.dump(certificate),
                                      standing.product, standing.subject, drawing)
        await self.objects.put(key, pdf, "application/pdf")
        return pdf

    @staticmethod
    def authority(certificate: Certificate, subject: dict[str, Any]) -> tuple[str, str]:
        """Who signed the certificate: named at issue (certificates issued before that was
        kept are named from their subject now)."""
        return certificate.authority or rules.issuing_authority(
            certificate.level, certificate.decision_date, subject["province"],
            subject.get("district"))

    async def sweep(self, on: date) -> int:
        """The scheduled sweep of ``on``: the certificates past their last valid day expire,
        then those nearing it remind their producers (``remind_due``). How many expired."""
        expired = await self.expire_due(on)
        await self.remind_due(on)
        return expired

    async def remind_due(self, on: date) -> int:
        """Each certificate in force whose reminder of its coming end is due ``on`` (6
        months before its last valid day, then 1: ``rules.reminder_due``) says so once
        (``CertificateExpiring``): the reminder is remembered on the certificate, so the
        next sweep, another replica's or one after a restart does not say it again. How
        many reminders were sent."""
        candidates: dict[str, None] = {}
        for months in rules.REMINDER_MONTHS:
            not_yet = [None, *(m for m in rules.REMINDER_MONTHS if m > months)]
            async for doc in find_all(self.store, CERTIFICATES.name, {
                    "status": CertificateStatus.ACTIVE.value,
                    "valid_until": {"$gte": on.isoformat(),
                                    "$lte": rules.reminder_horizon(on, months).isoformat()},
                    "reminded_months_left": {"$in": not_yet}}):
                candidates[doc.id] = None
        reminded = 0
        for certificate_id in candidates:
            try:
                reminded += await self._remind(certificate_id, on)
            except StaleVersion:  # another replica's sweep got there first
                continue
        return reminded

    async def _remind(self, certificate_id: str, on: date) -> int:
        async with self.store.transaction() as tx:
            certificate = await certificates.get(tx, certificate_id)
            product = await get_existing(tx, PRODUCTS.name, certificate.product_id,
                                         N_("product"))
            event = certificate.remind(on, product.data["name"])
            if event is None:
                return 0
            await certificates.save(tx, certificate)
            # The product's recognition orders its events: the reminder takes its turn.
            recognition = await recognitions.get(tx, certificate.product_id)
            await recognitions.save(tx, recognition)
            await self.outbox.emit(tx, event, aggregate_id=certificate.product_id,
                                   sequence=recognition.version)
            return 1

    async def expire_due(self, on: date, by: str = "system") -> int:
        """The daily sweep: every certificate in force past its last valid day expires;
        ``by``: the office's account that asked, or ``system`` for the scheduled job."""
        expired = 0
        due = [d.id async for d in find_all(self.store, CERTIFICATES.name, {
            "status": CertificateStatus.ACTIVE.value,
            "valid_until": {"$lt": on.isoformat()}})]
        for certificate_id in due:
            try:
                expired += await self._expire(certificate_id, on, by)
            except StaleVersion:  # another replica's sweep got there first
                continue
        return expired

    async def _expire(self, certificate_id: str, on: date, by: str) -> int:
        async with self.store.transaction() as tx:
            certificate = await certificates.get(tx, certificate_id)
            before = certificates.dump(certificate)
            event = certificate.expire(on)
            if event is None:
                return 0
            await certificates.save(tx, certificate)
            await self._decided(tx, by, certificate, before, "expired")
            _, sequence = await self._set_current(tx, certificate.product_id, None)
            await self.outbox.emit(tx, event, aggregate_id=certificate.product_id,
                                   sequence=sequence)
            return 1

    async def revoke(self, caller: Caller, certificate_id: str, reason: str) -> Certificate:
        async with self.store.transaction() as tx:
            certificate = await certificates.get(tx, certificate_id)
            before = certificates.dump(certificate)
            event = certificate.revoke(reason, self.clock.today(), caller.user_id)
            await certificates.save(tx, certificate)
            await self._decided(tx, caller.user_id, certificate, before, "revoked")
            _, sequence = await self._set_current(tx, certificate.product_id, None)
            await self.outbox.emit(tx, event, aggregate_id=certificate.product_id,
                                   sequence=sequence)
            return certificate

    async def _set_current(self, tx: Transaction, product_id: str,
                           certificate_id: str | None) -> tuple[str | None, int]:
        """Point the product at its current certificate: the one it replaces, and the new
        version of the product's recognition, which orders the product's events."""
        recognition = await recognitions.get_or_new(tx, product_id,
                                                    lambda: Recognition(product_id))
        previous = recognition.point_at(certificate_id, self.clock.stamp())
        await recognitions.keep(tx, recognition)
        return previous, recognition.version

