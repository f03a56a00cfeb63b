"""Rating commands before a decision (rounds, commune proposals, evaluations, score sheets,
results, the annual summary) and the reactions to the registry's events that keep the
local read model of products and subjects. Certificates are in ``certificates.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.rating import criteria, domain
from services.rating.access import RULES
from services.rating.criteria_tables import evaluation_table, table_for_product, table_id
from services.rating.store import (
    CERTIFICATES,
    EVALUATIONS,
    PRODUCTS,
    PROPOSALS,
    ROUNDS,
    SCORE_SHEETS,
    SUBJECTS,
)
from services.rating.summary import Locality, annual_summary
from shared.access import SubjectRef, check
from shared.auth import Caller
from shared.clock import Clock
from shared.contracts.registry import ProductState, SubjectState
from shared.events.envelope import Envelope
from shared.ids import new_id
from shared.refusals import BadRequest, Conflict, FieldError, NotFound
from shared.store import (
    Document,
    DocumentExists,
    DocumentStore,
    Reader,
    Transaction,
    find_all,
    get_existing,
)
from shared.text import fold

# --- read model of the registry --------------------------------------------------------

async def keep_product(envelope: Envelope, tx: Transaction) -> None:
    state = ProductState.model_validate(envelope.data)
    await tx.put(PRODUCTS.name, state.product_id, state.model_dump(mode="json") | {
        "registry_version": envelope.sequence})


async def keep_subject(envelope: Envelope, tx: Transaction) -> None:
    state = SubjectState.model_validate(envelope.data)
    await tx.put(SUBJECTS.name, state.subject_id, state.model_dump(mode="json") | {
        "province_key": fold(state.province)})


# --- commands ----------------------------------------------------------------------------

@dataclass
class Rating:
    """Rounds, proposals, evaluations and their results, and the annual summary."""

    store: DocumentStore
    clock: Clock

    async def open_round(self, caller: Caller, *, name: str, level: domain.Level,
                         province: str, opens_on: date, closes_on: date, council: str,
                         members: list[str]) -> Document:
        if closes_on < opens_on:
            raise bad_date("closes_on", "is before opens_on", "trước opens_on")
        domain.check_round(level, opens_on)
        async with self.store.transaction() as tx:
            return await tx.insert(ROUNDS.name, new_id(), {
                "name": name, "level": level.value, "province": province,
                "year": opens_on.year, "opens_on": opens_on.isoformat(),
                "closes_on": closes_on.isoformat(), "council": council,
                "members": sorted(set(members)), "opened_by": caller.user_id,
                "opened_at": self.clock.stamp()})

    async def propose(self, caller: Caller, product_id: str, assessed_on: date | None,
                      checks: dict[str, bool], notes: str) -> Document:
        """The commune's pre-assessment (on ``assessed_on``, by default today); the product
        is proposed when every criterion is met (Decision 1489/QĐ-TTg)."""
        assessed_on = assessed_on or self.clock.today()
        if assessed_on > self.clock.today():
            raise bad_date("assessed_on", "is in the future", "ở tương lai")
        shortfalls = domain.commune_shortfalls(checks)
        async with self.store.transaction() as tx:
            product = await _known_product(tx, product_id)
            subject = await get_existing(tx, SUBJECTS.name, product.data["subject_id"],
                                         "subject", "chủ thể")
            check(RULES["proposal.make"], caller, SubjectRef.of(subject.id, subject.data))
            return await tx.insert(PROPOSALS.name, new_id(), {
                "product_id": product_id, "assessed_on": assessed_on.isoformat(),
                "checks": checks, "proposed": not shortfalls, "shortfalls": shortfalls,
                "notes": notes, "by": caller.user_id, "at": self.clock.stamp()})

    async def open_evaluation(self, caller: Caller, product_id: str,
                              evaluation_date: date | None, round_id: str | None = None,
                              criteria_set: str | None = None) -> Document:
        on = evaluation_date or self.clock.today()
        if on > self.clock.today():
            raise bad_date("evaluation_date", "is in the future", "ở tương lai")
        criteria_set_in_force = criteria.check_criteria_set(criteria_set, on)
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
            table = await table_for_product(tx, criteria_set_in_force.code, product.data)
            return await tx.insert(EVALUATIONS.name, new_id(), {
                "product_id": product_id, "status": "open", "evaluation_date": on.isoformat(),
                "criteria_set": criteria_set_in_force.code,
                "criteria_table": table_id(table.key, table.version) if table else None,
                "round_id": round_id,
                "level": level.value if level else None,
                "opened_by": caller.user_id, "opened_at": self.clock.stamp()})

    async def evaluation(self, evaluation_id: str) -> tuple[Document, list[Document]]:
        doc = await get_existing(self.store, EVALUATIONS.name, evaluation_id, "evaluation",
                                 "đợt đánh giá")
        page = await self.store.find(SCORE_SHEETS.name, {"evaluation_id": evaluation_id},
                                     limit=1000)
        return doc, page.items

    async def results(self, product_id: str) -> list[dict[str, Any]]:
        """A product's closed evaluations: score, stars, parts and, below 3★, what fell
        short."""
        await _known_product(self.store, product_id)
        closed = [d async for d in find_all(self.store, EVALUATIONS.name,
                                            {"product_id": product_id, "status": "closed"})]
        return [{"evaluation_id": d.id, "evaluation_date": d.data["evaluation_date"],
                 "criteria_set": d.data["criteria_set"], "level": d.data.get("level"),
                 "certificate_id": d.data.get("certificate_id"), **d.data["result"]}
                for d in sorted(closed, key=lambda d: d.data["evaluation_date"])]

    async def score(self, caller: Caller, evaluation_id: str, *,
                    parts: dict[str, float] | None, by_criterion: dict[str, float] | None,
                    comment: str) -> Document:
        """One member's sheet: per criterion when the evaluation has a criteria table,
        else per part; every score within its maximum."""
        async with self.store.transaction() as tx:
            evaluation = await get_existing(tx, EVALUATIONS.name, evaluation_id, "evaluation",
                                            "đợt đánh giá")
            _check_open(evaluation)
            if evaluation.data.get("round_id"):
                held = await get_existing(tx, ROUNDS.name, evaluation.data["round_id"],
                                          "round", "đợt đánh giá")
                domain.check_member(caller.user_id, held.data["members"])
            table = await evaluation_table(tx, evaluation)
            totals = criteria.sheet_parts(_criteria_set(evaluation), table, parts, by_criterion)
            try:
                return await tx.insert(SCORE_SHEETS.name, f"{evaluation_id}:{caller.user_id}", {
                    "evaluation_id": evaluation_id, "member": caller.user_id,
                    "parts": totals, "criteria": by_criterion if table else None,
                    "total": round(sum(totals.values()), 2),
                    "comment": comment, "submitted_at": self.clock.stamp()})
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
                     for p in criteria.PARTS}
            table = await evaluation_table(tx, evaluation)
            by_criterion = ({c.code: domain.average([s.data["criteria"][c.code] for s in sheets])
                             for c in table.criteria} if table else None)
            score = domain.average([s.data["total"] for s in sheets])
            stars = domain.stars_for(score)
            level = council_level(evaluation)
            result = {"score": score, "stars": stars, "parts": parts, "criteria": by_criterion,
                      "members": len(sheets),
                      "recognisable": stars >= domain.RECOGNISED_MIN_STARS,
                      "proposed_to_central": domain.proposed_to_central(score, level),
                      "shortfalls": ([] if stars >= domain.RECOGNISED_MIN_STARS
                                     else criteria.shortfalls(_criteria_set(evaluation), parts,
                                                              table, by_criterion))}
            return await tx.update(EVALUATIONS.name, evaluation_id, evaluation.data | {
                "status": "closed", "result": result, "closed_by": caller.user_id,
                "closed_at": self.clock.stamp()}, expected_version=evaluation.version)

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

def council_level(evaluation: Document) -> domain.Level | None:
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


def _criteria_set(evaluation: Document) -> criteria.CriteriaSet:
    return criteria.find_set(evaluation.data["criteria_set"])


def _check_open(evaluation: Document) -> None:
    if evaluation.data["status"] != "open":
        raise Conflict("This evaluation is closed; its scores can no longer change.",
                       "Đợt đánh giá này đã kết thúc; điểm không thể thay đổi nữa.",
                       code="evaluation-closed")


def bad_date(field: str, reason: str, reason_vi: str) -> BadRequest:
    return BadRequest(f"{field} {reason}.", f"{field} {reason_vi}.", code="invalid-date",
                      errors=[FieldError(field, reason, reason_vi)])
