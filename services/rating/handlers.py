"""Rating commands (evaluations, score sheets, recognition, revocation) and the reactions
to the registry's events that keep the local read model of products and subjects."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from services.rating import domain
from services.rating.certificate_pdf import render_certificate
from services.rating.store import (
    CERTIFICATES,
    COUNTERS,
    EVALUATIONS,
    PRODUCTS,
    PROPOSALS,
    RECOGNITIONS,
    ROUNDS,
    SCORE_SHEETS,
    SUBJECTS,
)
from services.rating.summary import Locality, annual_summary
from shared.auth import Caller, Role
from shared.contracts.rating import (
    CertificateDowngraded,
    CertificateExpired,
    CertificateRenewed,
    CertificateRevoked,
    CertificateUpgraded,
    CurrentCertificate,
    ProductCertified,
)
from shared.contracts.registry import ProductState, SubjectState
from shared.errors import BadRequest, Conflict, FieldError, Forbidden, NotFound
from shared.events.envelope import Envelope
from shared.ids import new_id
from shared.messaging import Outbox
from shared.objects import ObjectStore
from shared.store import (
    Document,
    DocumentExists,
    DocumentStore,
    Reader,
    StaleVersion,
    Transaction,
    find_all,
    get_existing,
)
from shared.text import fold


def _now() -> str:
    return datetime.now(UTC).isoformat()


def today() -> date:
    return datetime.now(UTC).date()


# --- read model of the registry --------------------------------------------------------

async def keep_product(envelope: Envelope, tx: Transaction) -> None:
    state = ProductState.model_validate(envelope.data)
    await tx.put(PRODUCTS.name, state.product_id, state.model_dump(mode="json"))


async def keep_subject(envelope: Envelope, tx: Transaction) -> None:
    state = SubjectState.model_validate(envelope.data)
    await tx.put(SUBJECTS.name, state.subject_id, state.model_dump(mode="json") | {
        "province_key": fold(state.province)})


# --- commands ----------------------------------------------------------------------------

@dataclass
class Rating:
    store: DocumentStore
    outbox: Outbox
    objects: ObjectStore
    renderer: Executor
    """Where certificate PDFs are drawn (CPU-bound)."""
    _background: set[asyncio.Task[Any]] = field(default_factory=set)

    async def open_round(self, caller: Caller, *, name: str, level: domain.Level,
                         province: str, opens_on: date, closes_on: date, council: str,
                         members: list[str]) -> Document:
        if closes_on < opens_on:
            raise _bad_date("closes_on", "is before opens_on", "trước opens_on")
        domain.check_round(level, opens_on)
        async with self.store.transaction() as tx:
            return await tx.insert(ROUNDS.name, new_id(), {
                "name": name, "level": level.value, "province": province,
                "year": opens_on.year, "opens_on": opens_on.isoformat(),
                "closes_on": closes_on.isoformat(), "council": council,
                "members": sorted(set(members)), "opened_by": caller.user_id,
                "opened_at": _now()})

    async def propose(self, caller: Caller, product_id: str, assessed_on: date,
                      checks: dict[str, bool], notes: str) -> Document:
        """The commune's pre-assessment; the product is proposed when every criterion is
        met (Decision 1489/QĐ-TTg)."""
        if assessed_on > today():
            raise _bad_date("assessed_on", "is in the future", "ở tương lai")
        shortfalls = domain.commune_shortfalls(checks)
        async with self.store.transaction() as tx:
            product = await _known_product(tx, product_id)
            if caller.role is Role.COMMUNE_OFFICER:
                subject = await get_existing(tx, SUBJECTS.name, product.data["subject_id"],
                                             "subject", "chủ thể")
                domain.check_own_commune(caller.commune, caller.province, subject.data)
            return await tx.insert(PROPOSALS.name, new_id(), {
                "product_id": product_id, "assessed_on": assessed_on.isoformat(),
                "checks": checks, "proposed": not shortfalls, "shortfalls": shortfalls,
                "notes": notes, "by": caller.user_id, "at": _now()})

    async def open_evaluation(self, caller: Caller, product_id: str,
                              evaluation_date: date | None, round_id: str | None = None,
                              criteria_set: str | None = None) -> Document:
        on = evaluation_date or today()
        if on > today():
            raise _bad_date("evaluation_date", "is in the future", "ở tương lai")
        criteria = domain.check_criteria_set(criteria_set, on)
        async with self.store.transaction() as tx:
            level = None
            if round_id is not None:
                held = await get_existing(tx, ROUNDS.name, round_id, "round", "đợt đánh giá")
                domain.check_in_round(on, date.fromisoformat(held.data["opens_on"]),
                                      date.fromisoformat(held.data["closes_on"]))
                level = domain.Level(held.data["level"])
            product = await _known_product(tx, product_id)
            if product.data["status"] != "submitted":
                raise Conflict("This product has not been submitted for evaluation; the "
                               "producer submits it first (POST /products/{id}/submission).",
                               "Sản phẩm này chưa được nộp để đánh giá; chủ thể cần nộp trước "
                               "(POST /products/{id}/submission).", code="not-submitted")
            open_ones = await tx.count(EVALUATIONS.name, {"product_id": product_id,
                                                          "status": "open"})
            if open_ones:
                raise Conflict("This product already has an open evaluation.",
                               "Sản phẩm này đang có một đợt đánh giá chưa kết thúc.",
                               code="evaluation-open")
            if domain.needs_commune_proposal(on, level):
                await _check_proposed_by_commune(tx, product_id, on)
            if level is domain.Level.CENTRAL:
                await _check_proposed_to_central(tx, product_id)
            return await tx.insert(EVALUATIONS.name, new_id(), {
                "product_id": product_id, "status": "open", "evaluation_date": on.isoformat(),
                "criteria_set": criteria.code, "round_id": round_id,
                "level": level.value if level else None,
                "opened_by": caller.user_id, "opened_at": _now()})

    async def evaluation(self, evaluation_id: str) -> tuple[Document, list[Document]]:
        doc = await get_existing(self.store, EVALUATIONS.name, evaluation_id, "evaluation",
                                 "đợt đánh giá")
        page = await self.store.find(SCORE_SHEETS.name, {"evaluation_id": evaluation_id},
                                     limit=1000)
        return doc, page.items

    async def results(self, caller: Caller, product_id: str) -> list[dict[str, Any]]:
        """A product's closed evaluations: score, stars, parts and, below 3★, what fell
        short. The producer sees its own products' results."""
        product = await _known_product(self.store, product_id)
        if caller.role not in (Role.ADMIN, Role.COUNCIL_MEMBER) and not caller.owns_subject(
                product.data["subject_id"]):
            raise Forbidden("You may see only the results of your own subject's products.",
                            "Bạn chỉ được xem kết quả sản phẩm của chủ thể mình.",
                            code="not-your-product")
        closed = [d async for d in find_all(self.store, EVALUATIONS.name,
                                            {"product_id": product_id, "status": "closed"})]
        return [{"evaluation_id": d.id, "evaluation_date": d.data["evaluation_date"],
                 "criteria_set": d.data["criteria_set"], "level": d.data.get("level"),
                 "certificate_id": d.data.get("certificate_id"), **d.data["result"]}
                for d in sorted(closed, key=lambda d: d.data["evaluation_date"])]

    async def score(self, caller: Caller, evaluation_id: str, scores: dict[str, float],
                    comment: str) -> Document:
        async with self.store.transaction() as tx:
            evaluation = await get_existing(tx, EVALUATIONS.name, evaluation_id, "evaluation",
                                            "đợt đánh giá")
            _check_open(evaluation)
            if evaluation.data.get("round_id"):
                held = await get_existing(tx, ROUNDS.name, evaluation.data["round_id"],
                                          "round", "đợt đánh giá")
                domain.check_member(caller.user_id, held.data["members"])
            criteria = _criteria(evaluation)
            domain.check_scores(criteria, scores)
            try:
                return await tx.insert(SCORE_SHEETS.name, f"{evaluation_id}:{caller.user_id}", {
                    "evaluation_id": evaluation_id, "member": caller.user_id,
                    "parts": scores, "total": round(sum(scores.values()), 2),
                    "comment": comment, "submitted_at": _now()})
            except DocumentExists:
                raise Conflict("You have already scored this product in this evaluation.",
                               "Bạn đã chấm điểm sản phẩm này trong đợt đánh giá này.",
                               code="already-scored") from None

    async def close(self, caller: Caller, evaluation_id: str) -> Document:
        """The council's result: the members' average decides the stars."""
        async with self.store.transaction() as tx:
            evaluation = await get_existing(tx, EVALUATIONS.name, evaluation_id, "evaluation",
                                            "đợt đánh giá")
            _check_open(evaluation)
            sheets = (await tx.find(SCORE_SHEETS.name, {"evaluation_id": evaluation_id},
                                    limit=1000)).items
            if not sheets:
                raise Conflict("No council member has scored this product yet.",
                               "Chưa có thành viên hội đồng nào chấm điểm sản phẩm này.",
                               code="no-score-sheets")
            parts = {p: domain.average([s.data["parts"][p] for s in sheets])
                     for p in domain.PARTS}
            score = domain.average([s.data["total"] for s in sheets])
            stars = domain.stars_for(score)
            level = _level(evaluation)
            result = {"score": score, "stars": stars, "parts": parts, "members": len(sheets),
                      "recognisable": stars >= domain.RECOGNISED_MIN_STARS,
                      "proposed_to_central": domain.proposed_to_central(score, level),
                      "shortfalls": ([] if stars >= domain.RECOGNISED_MIN_STARS
                                     else domain.shortfalls(_criteria(evaluation), parts))}
            return await tx.update(EVALUATIONS.name, evaluation_id, evaluation.data | {
                "status": "closed", "result": result, "closed_by": caller.user_id,
                "closed_at": _now()}, expected_version=evaluation.version)

    async def recognise(self, caller: Caller, evaluation_id: str, *, decision_number: str,
                        decision_date: date, level: domain.Level | None) -> Document:
        """The recognition decision (quyết định công nhận) and its certificate."""
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
            domain.check_recognising_council(result["stars"], _level(evaluation))
            if decision_date > today():
                raise _bad_date("decision_date", "is in the future", "ở tương lai")
            if decision_date < date.fromisoformat(evaluation.data["evaluation_date"]):
                raise _bad_date("decision_date", "is before the evaluation",
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
                    decision_date: date, level: domain.Level | None) -> Document:
        """Re-recognition (công nhận lại): a new certificate at the same stars, decided
        before the old one expires; valid 36 months from the new decision."""
        if decision_date > today():
            raise _bad_date("decision_date", "is in the future", "ở tương lai")
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
        certificate = await tx.insert(CERTIFICATES.name, new_id(), {
            "number": await self._next_number(tx, decision_date.year),
            "product_id": product_id, "subject_id": product.data["subject_id"],
            "evaluation_id": evaluation_id, "stars": stars, "score": score,
            "level": level.value, "decision_number": decision_number,
            "decision_date": decision_date.isoformat(), "valid_from": decision_date.isoformat(),
            "valid_until": domain.valid_until(decision_date).isoformat(),
            "status": domain.CertificateStatus.ACTIVE.value,
            "recognised_by": caller.user_id, "recognised_at": _now()})
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

    async def certificate_pdf(self, certificate_id: str) -> bytes:
        """The certificate's PDF from the object store; drawn and stored on first need (at
        issue, just after the decision commits, so it is usually there already)."""
        key = f"certificates/{certificate_id}.pdf"
        if await self.objects.stat(key) is not None:
            return (await self.objects.get(key)).data
        certificate = await get_existing(self.store, CERTIFICATES.name, certificate_id,
                                         "certificate", "giấy chứng nhận")
        product = await get_existing(self.store, PRODUCTS.name,
                                     certificate.data["product_id"], "product", "sản phẩm")
        subject = await get_existing(self.store, SUBJECTS.name,
                                     certificate.data["subject_id"], "subject", "chủ thể")
        pdf = await asyncio.get_running_loop().run_in_executor(
            self.renderer, render_certificate, certificate.data, product.data, subject.data)
        await self.objects.put(key, pdf, "application/pdf")
        return pdf

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
            revoked_on = today()
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

    async def summary(self, year: int, locality: Locality, *, as_of: date,
                      expiring_within_months: int) -> dict[str, Any]:
        """The annual summary of a locality, from this service's own records."""
        subjects = {d.id: d.data async for d in find_all(
            self.store, SUBJECTS.name, {"province_key": fold(locality.province)})}
        local = [sid for sid, s in subjects.items() if locality.contains(s)]
        products: dict[str, dict[str, Any]] = {}
        certificates: list[dict[str, Any]] = []
        for chunk in (local[i:i + 500] for i in range(0, len(local), 500)):
            where = {"subject_id": {"$in": chunk}}
            products |= {d.id: d.data async for d in find_all(self.store, PRODUCTS.name, where)}
            certificates += [d.data | {"id": d.id}
                             async for d in find_all(self.store, CERTIFICATES.name, where)]
        return annual_summary(year, locality, subjects, products, certificates, as_of=as_of,
                              expiring_within_months=expiring_within_months)

    async def _set_current(self, tx: Transaction, product_id: str,
                           certificate_id: str | None) -> tuple[str | None, int]:
        """Point the product at its current certificate: the one it replaces, and the new
        version of the product's recognition, which orders the product's events."""
        held = await tx.get(RECOGNITIONS.name, product_id)
        data = {"certificate_id": certificate_id, "changed_at": _now()}
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
        valid_until=c["valid_until"])
    if change is domain.Change.UPGRADED:
        return CertificateUpgraded(**fields, previous_stars=previous_stars)
    if change is domain.Change.DOWNGRADED:
        return CertificateDowngraded(**fields, previous_stars=previous_stars)
    if change is domain.Change.RENEWED:
        return CertificateRenewed(**fields)
    return ProductCertified(**fields)


def _level(evaluation: Document) -> domain.Level | None:
    """The council's level: its round's, or unstated for an evaluation outside rounds."""
    level = evaluation.data.get("level")
    return domain.Level(level) if level else None


async def _known_product(reader: Reader, product_id: str) -> Document:
    product = await reader.get(PRODUCTS.name, product_id)
    if product is None:
        raise NotFound(
            f"The rating service knows no product '{product_id}'. If it was just "
            "registered, try again in a moment.",
            f"Dịch vụ đánh giá chưa có sản phẩm '{product_id}'. Nếu sản phẩm vừa được "
            "đăng ký, hãy thử lại sau giây lát.", code="product-unknown")
    return product


async def _check_proposed_by_commune(tx: Transaction, product_id: str, on: date) -> None:
    proposals = (await tx.find(PROPOSALS.name, {"product_id": product_id}, limit=1000)).items
    if not any(p.data["proposed"] and p.data["assessed_on"] <= on.isoformat()
               for p in proposals):
        raise Conflict("Since 6 July 2025 the commune pre-assesses a product and proposes it "
                       "before the province evaluates it (POST /proposals).",
                       "Từ ngày 6/7/2025, UBND xã đánh giá sơ bộ và đề xuất sản phẩm trước "
                       "khi tỉnh đánh giá (POST /proposals).", code="not-proposed-by-commune")


async def _check_proposed_to_central(tx: Transaction, product_id: str) -> None:
    earlier = (await tx.find(EVALUATIONS.name, {"product_id": product_id,
                                                "status": "closed"}, limit=1000)).items
    if not any(e.data["result"].get("proposed_to_central") for e in earlier):
        raise Conflict(f"The central level evaluates products proposed with "
                       f"{domain.CENTRAL_PROPOSAL_SCORE} points or more; this one was not.",
                       f"Cấp Trung ương đánh giá sản phẩm được đề xuất với từ "
                       f"{domain.CENTRAL_PROPOSAL_SCORE} điểm trở lên; sản phẩm này chưa được "
                       "đề xuất.", code="not-proposed-to-central")


def _criteria(evaluation: Document) -> domain.CriteriaSet:
    return next(s for s in domain.CRITERIA_SETS if s.code == evaluation.data["criteria_set"])


def _check_open(evaluation: Document) -> None:
    if evaluation.data["status"] != "open":
        raise Conflict("This evaluation is closed; its scores can no longer change.",
                       "Đợt đánh giá này đã kết thúc; điểm không thể thay đổi nữa.",
                       code="evaluation-closed")


def _bad_date(field: str, reason: str, reason_vi: str) -> BadRequest:
    return BadRequest(f"{field} {reason}.", f"{field} {reason_vi}.", code="invalid-date",
                      errors=[FieldError(field, reason, reason_vi)])
