"""Certificate commands: recognition decisions, renewal, revocation, the expiry sweep, and
each certificate's PDF. Every change names the product's certificate in force and says so
in an event, ordered per product."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.rating import domain
from services.rating.certificate_pdf import Drawing, render_certificate
from services.rating.handlers import bad_date, council_level
from services.rating.store import (
    CERTIFICATES,
    COUNTERS,
    EVALUATIONS,
    PRODUCTS,
    RECOGNITIONS,
    SUBJECTS,
)
from shared.auth import Caller
from shared.clock import Clock
from shared.contracts.rating import (
    CertificateDowngraded,
    CertificateExpired,
    CertificateRenewed,
    CertificateRevoked,
    CertificateUpgraded,
    CurrentCertificate,
    ProductCertified,
)
from shared.ids import new_id
from shared.messaging import Outbox
from shared.objects import ObjectStore
from shared.refusals import Conflict
from shared.store import (
    Document,
    DocumentStore,
    StaleVersion,
    Transaction,
    find_all,
    get_existing,
)


@dataclass(frozen=True)
class Standing:
    certificate: Document
    product: dict[str, Any]
    subject: dict[str, Any]
    status: domain.CertificateStatus
    """Its state today."""
    current_id: str | None
    """The product's certificate in force now, when it is another one."""


@dataclass
class Certificates:
    store: DocumentStore
    outbox: Outbox
    objects: ObjectStore
    renderer: Executor
    """Where certificate PDFs are drawn (CPU-bound)."""
    public_url: str
    """Where this service is reached: the certificates' verification pages are under it."""
    clock: Clock
    _background: set[asyncio.Task[Any]] = field(default_factory=set)

    async def recognise(self, caller: Caller, evaluation_id: str, *, decision_number: str,
                        decision_date: date | None, level: domain.Level | None) -> Document:
        """The recognition decision (quyết định công nhận) and its certificate, decided on
        ``decision_date`` (by default today)."""
        decision_date = decision_date or self.clock.today()
        async with self.store.transaction() as tx:
            evaluation = await get_existing(tx, EVALUATIONS.name, evaluation_id, "evaluation",
                                            "đợt đánh giá")
            if evaluation.data["status"] != "closed":
                raise Conflict("Close the evaluation first: the council's result decides the "
                               "stars (POST /evaluations/{id}/closing).",
                               "Hãy kết thúc đợt đánh giá trước: kết quả của hội đồng quyết "
                               "định số sao (POST /evaluations/{id}/closing).",
                               code="evaluation-not-closed")
            if evaluation.data.get("certificate_id"):
                raise Conflict("This evaluation has already led to a certificate.",
                               "Đợt đánh giá này đã được cấp giấy chứng nhận.",
                               code="already-recognised")
            result = evaluation.data["result"]
            domain.check_recognisable(result["stars"], result["score"])
            domain.check_recognising_council(result["stars"], council_level(evaluation))
            if decision_date > self.clock.today():
                raise bad_date("decision_date", "is in the future", "ở tương lai")
            if decision_date < date.fromisoformat(evaluation.data["evaluation_date"]):
                raise bad_date("decision_date", "is before the evaluation",
                                "trước ngày đánh giá")
            level = domain.check_level(result["stars"], decision_date, level)
            certificate = await self._issue(
                tx, caller, product_id=evaluation.data["product_id"],
                evaluation_id=evaluation_id, stars=result["stars"], score=result["score"],
                level=level, decision_number=decision_number, decision_date=decision_date)
            await tx.update(EVALUATIONS.name, evaluation_id, evaluation.data | {
                "certificate_id": certificate.id}, expected_version=evaluation.version)
            return certificate

    async def renew(self, caller: Caller, certificate_id: str, *, decision_number: str,
                    decision_date: date | None, level: domain.Level | None) -> Document:
        """Re-recognition (công nhận lại): a new certificate at the same stars, decided
        before the old one expires; valid 36 months from the new decision."""
        decision_date = decision_date or self.clock.today()
        if decision_date > self.clock.today():
            raise bad_date("decision_date", "is in the future", "ở tương lai")
        async with self.store.transaction() as tx:
            held = await get_existing(tx, CERTIFICATES.name, certificate_id, "certificate",
                                      "giấy chứng nhận")
            c = held.data
            domain.check_renewable(c["status"], date.fromisoformat(c["valid_from"]),
                                   date.fromisoformat(c["valid_until"]), decision_date)
            level = domain.check_level(c["stars"], decision_date, level)
            return await self._issue(
                tx, caller, product_id=c["product_id"], evaluation_id=c["evaluation_id"],
                stars=c["stars"], score=c["score"], level=level,
                decision_number=decision_number, decision_date=decision_date)

    async def _issue(self, tx: Transaction, caller: Caller, *, product_id: str,
                     evaluation_id: str, stars: int, score: float, level: domain.Level,
                     decision_number: str, decision_date: date) -> Document:
        """A new certificate in force for the product; the one it replaces is superseded,
        and the event says how the two relate (certified, renewed, up- or downgraded)."""
        product = await get_existing(tx, PRODUCTS.name, product_id, "product", "sản phẩm")
        subject = await get_existing(tx, SUBJECTS.name, product.data["subject_id"],
                                     "subject", "chủ thể")
        authority = domain.issuing_authority(level, decision_date, subject.data["province"],
                                             subject.data.get("district"))
        certificate = await tx.insert(CERTIFICATES.name, new_id(), {
            "number": await self._next_number(tx, decision_date.year),
            "product_id": product_id, "subject_id": product.data["subject_id"],
            "evaluation_id": evaluation_id, "stars": stars, "score": score,
            "level": level.value, "authority": list(authority),
            "decision_number": decision_number,
            "decision_date": decision_date.isoformat(), "valid_from": decision_date.isoformat(),
            "valid_until": domain.valid_until(decision_date).isoformat(),
            "status": domain.CertificateStatus.ACTIVE.value,
            "recognised_by": caller.user_id, "recognised_at": self.clock.stamp()})
        previous, sequence = await self._set_current(tx, product_id, certificate.id)
        previous_stars = None
        if previous:
            replaced = await self._set_status(tx, previous, domain.CertificateStatus.SUPERSEDED)
            previous_stars = replaced.data["stars"]
        event = in_force_event(domain.change_of(previous_stars, stars), certificate,
                               product.data, subject.data, previous_stars)
        await self.outbox.emit(tx, event, subject=product_id, sequence=sequence)
        tx.on_commit(lambda: self._soon(self.certificate_pdf(certificate.id)))
        return certificate

    def _soon(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run ``work`` after the request, keeping a reference until it is done."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def standing(self, certificate_id: str) -> Standing:
        """A certificate with its product and subject, its state today and the product's
        certificate in force now (when another one is)."""
        certificate = await get_existing(self.store, CERTIFICATES.name, certificate_id,
                                         "certificate", "giấy chứng nhận")
        product = await get_existing(self.store, PRODUCTS.name,
                                     certificate.data["product_id"], "product", "sản phẩm")
        subject = await get_existing(self.store, SUBJECTS.name,
                                     certificate.data["subject_id"], "subject", "chủ thể")
        recognition = await self.store.get(RECOGNITIONS.name, certificate.data["product_id"])
        current = recognition.data.get("certificate_id") if recognition else None
        return Standing(certificate, product.data, subject.data,
                        domain.live_status(certificate.data, self.clock.today()),
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
        certificate = standing.certificate.data
        drawing = Drawing(self.authority(certificate, standing.subject),
                          self.verify_url(certificate_id), standing.status.value)
        pdf = await asyncio.get_running_loop().run_in_executor(
            self.renderer, render_certificate, certificate, standing.product,
            standing.subject, drawing)
        await self.objects.put(key, pdf, "application/pdf")
        return pdf

    @staticmethod
    def authority(certificate: dict[str, Any], subject: dict[str, Any]) -> tuple[str, str]:
        """Who signed the certificate: named at issue (certificates issued before that was
        kept are named from their subject now)."""
        if "authority" in certificate:
            vi, en = certificate["authority"]
            return vi, en
        return domain.issuing_authority(domain.Level(certificate["level"]),
                                        date.fromisoformat(certificate["decision_date"]),
                                        subject["province"], subject.get("district"))

    async def expire_due(self, on: date) -> int:
        """The daily sweep: every certificate in force past its last valid day expires."""
        expired = 0
        due = [d.id async for d in find_all(self.store, CERTIFICATES.name, {
            "status": domain.CertificateStatus.ACTIVE.value,
            "valid_until": {"$lt": on.isoformat()}})]
        for certificate_id in due:
            try:
                expired += await self._expire(certificate_id, on)
            except StaleVersion:  # another replica's sweep got there first
                continue
        return expired

    async def _expire(self, certificate_id: str, on: date) -> int:
        async with self.store.transaction() as tx:
            held = await get_existing(tx, CERTIFICATES.name, certificate_id, "certificate",
                                      "giấy chứng nhận")
            if not domain.is_due_to_expire(held.data["status"],
                                           date.fromisoformat(held.data["valid_until"]), on):
                return 0
            await tx.update(CERTIFICATES.name, certificate_id, held.data | {
                "status": domain.CertificateStatus.EXPIRED.value, "expired_on": on.isoformat()},
                expected_version=held.version)
            product_id = held.data["product_id"]
            _, sequence = await self._set_current(tx, product_id, None)
            await self.outbox.emit(tx, CertificateExpired(
                product_id=product_id, certificate_id=certificate_id,
                certificate_number=held.data["number"], expired_on=on),
                subject=product_id, sequence=sequence)
            return 1

    async def revoke(self, caller: Caller, certificate_id: str, reason: str) -> Document:
        async with self.store.transaction() as tx:
            current = await get_existing(tx, CERTIFICATES.name, certificate_id, "certificate",
                                         "giấy chứng nhận")
            domain.check_may_revoke(current.data["status"])
            revoked_on = self.clock.today()
            doc = await tx.update(CERTIFICATES.name, certificate_id, current.data | {
                "status": domain.CertificateStatus.REVOKED.value, "revocation_reason": reason,
                "revoked_on": revoked_on.isoformat(), "revoked_by": caller.user_id},
                expected_version=current.version)
            product_id = current.data["product_id"]
            _, sequence = await self._set_current(tx, product_id, None)
            await self.outbox.emit(tx, CertificateRevoked(
                product_id=product_id, certificate_id=certificate_id,
                certificate_number=current.data["number"], reason=reason,
                revoked_on=revoked_on), subject=product_id, sequence=sequence)
            return doc

    async def _set_current(self, tx: Transaction, product_id: str,
                           certificate_id: str | None) -> tuple[str | None, int]:
        """Point the product at its current certificate: the one it replaces, and the new
        version of the product's recognition, which orders the product's events."""
        held = await tx.get(RECOGNITIONS.name, product_id)
        data = {"certificate_id": certificate_id, "changed_at": self.clock.stamp()}
        if held is None:
            return None, (await tx.insert(RECOGNITIONS.name, product_id, data)).version
        doc = await tx.update(RECOGNITIONS.name, product_id, data, expected_version=held.version)
        return held.data["certificate_id"], doc.version

    async def _set_status(self, tx: Transaction, certificate_id: str,
                          status: domain.CertificateStatus) -> Document:
        doc = await get_existing(tx, CERTIFICATES.name, certificate_id, "certificate",
                                 "giấy chứng nhận")
        return await tx.update(CERTIFICATES.name, certificate_id,
                               doc.data | {"status": status.value},
                               expected_version=doc.version)

    async def _next_number(self, tx: Transaction, year: int) -> str:
        key = f"certificate-{year}"
        held = await tx.get(COUNTERS.name, key)
        if held is None:
            await tx.insert(COUNTERS.name, key, {"value": 1})
            value = 1
        else:
            value = int(held.data["value"]) + 1
            await tx.update(COUNTERS.name, key, {"value": value},
                            expected_version=held.version)
        return f"OCOP-{year}-{value:05d}"



def in_force_event(change: domain.Change, certificate: Document, product: dict[str, Any],
                   subject: dict[str, Any], previous_stars: int | None) -> CurrentCertificate:
    c = certificate.data
    fields: dict[str, Any] = dict(
        product_id=c["product_id"], product_name=product["name"],
        description=product["description"], group=product["group"],
        subgroup=product["subgroup"], gtin=product["gtin"], image_urls=product["image_urls"],
        subject_id=c["subject_id"], subject_name=subject["name"], subject_type=subject["type"],
        province=subject["province"], commune=subject["commune"], score=c["score"],
        stars=c["stars"], certificate_id=certificate.id, certificate_number=c["number"],
        level=c["level"], decision_number=c["decision_number"],
        decision_date=c["decision_date"], valid_from=c["valid_from"],
        valid_until=c["valid_until"], product_version=product.get("registry_version"))
    if change is domain.Change.UPGRADED:
        return CertificateUpgraded(**fields, previous_stars=previous_stars)
    if change is domain.Change.DOWNGRADED:
        return CertificateDowngraded(**fields, previous_stars=previous_stars)
    if change is domain.Change.RENEWED:
        return CertificateRenewed(**fields)
    return ProductCertified(**fields)
