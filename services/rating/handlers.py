"""Rating commands before a decision (rounds, commune proposals, evaluations, score sheets,
results) and the reactions to the registry's events that keep the local read model of
products and subjects. Certificates are in ``certificates/``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.rating import domain
from services.rating.access import RULES
from services.rating.criteria import rules as criteria
from services.rating.criteria.queries import evaluation_table, table_for_product
from services.rating.criteria.rules import table_id
from services.rating.model import Evaluation, EvaluationStatus, Proposal, Round, ScoreSheet
from services.rating.store import (
    ON_SALE,
    PRODUCTS,
    SUBJECTS,
    evaluations,
    proposals,
    rounds,
    score_sheets,
)
from shared.access import SubjectRef, check
from shared.auth import Caller
from shared.clock import Clock
from shared.contracts.catalog import ListingState, ListingWithdrawn
from shared.contracts.registry import ProductState, SubjectState
from shared.events.envelope import Envelope
from shared.ids import new_id
from shared.messaging.inbox import snapshot_is_current
from shared.refusals import Conflict, NotFound
from shared.store import (
    Document,
    DocumentExists,
    DocumentStore,
    Reader,
    Transaction,
    get_existing,
)
from shared.text import fold

# --- read models of the registry and of the catalog's listings ---------------------------

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


# --- commands ----------------------------------------------------------------------------

@dataclass
class Rating:
    """Rounds, proposals, evaluations and their results: each command loads its
    aggregates, lets them decide (``model.py``) and saves them."""

    store: DocumentStore
    clock: Clock

    async def open_round(self, caller: Caller, *, name: str, level: domain.Level,
                         province: str, opens_on: date, closes_on: date, council: str,
                         members: list[str]) -> Round:
        held = Round.open(new_id(), name=name, level=level, province=province,
                          opens_on=opens_on, closes_on=closes_on, council=council,
                          members=members, by=caller.user_id, at=self.clock.stamp())
        async with self.store.transaction() as tx:
            return await rounds.add(tx, held)

    async def propose(self, caller: Caller, product_id: str, assessed_on: date | None,
                      checks: dict[str, bool], notes: str) -> Proposal:
        """The commune's pre-assessment (on ``assessed_on``, by default today)."""
        async with self.store.transaction() as tx:
            product = await _known_product(tx, product_id)
            subject = await get_existing(tx, SUBJECTS.name, product.data["subject_id"],
                                         "subject", "chủ thể")
            check(RULES["proposal.make"], caller, SubjectRef.of(subject.id, subject.data))
            return await proposals.add(tx, Proposal.assess(
                new_id(), product_id, assessed_on=assessed_on or self.clock.today(),
                today=self.clock.today(), checks=checks, notes=notes, by=caller.user_id,
                at=self.clock.stamp()))

    async def open_evaluation(self, caller: Caller, product_id: str,
                              evaluation_date: date | None, round_id: str | None = None,
                              criteria_set: str | None = None) -> Evaluation:
        on = evaluation_date or self.clock.today()
        in_force = criteria.check_criteria_set(criteria_set, on)
        async with self.store.transaction() as tx:
            held_round = await rounds.get(tx, round_id) if round_id else None
            if held_round is not None:  # a date outside the round is refused first
                held_round.check_holds(on)
            product = await _known_product(tx, product_id)
            table = await table_for_product(tx, in_force.code, product.data)
            evaluation = Evaluation.open(
                new_id(), product.data, on=on,
                today=self.clock.today(), criteria_set=in_force.code,
                criteria_table=table_id(table.key, table.version) if table else None,
                held_round=held_round,
                others=await evaluations.find(tx, {"product_id": product_id}),
                proposals=await proposals.find(tx, {"product_id": product_id}),
                by=caller.user_id, at=self.clock.stamp())
            return await evaluations.add(tx, evaluation)

    async def evaluation(self, evaluation_id: str) -> tuple[Evaluation, list[ScoreSheet]]:
        return (await evaluations.get(self.store, evaluation_id),
                await score_sheets.find(self.store, {"evaluation_id": evaluation_id}))

    async def results(self, product_id: str) -> list[Evaluation]:
        """A product's closed evaluations, oldest first."""
        await _known_product(self.store, product_id)
        closed = await evaluations.find(self.store, {"product_id": product_id,
                                                     "status": EvaluationStatus.CLOSED.value})
        return sorted(closed, key=lambda e: e.evaluation_date)

    async def score(self, caller: Caller, evaluation_id: str, *,
                    parts: dict[str, float] | None, by_criterion: dict[str, float] | None,
                    comment: str) -> ScoreSheet:
        """One member's sheet; only the round's council scores a round's evaluation."""
        async with self.store.transaction() as tx:
            evaluation = await evaluations.get(tx, evaluation_id)
            evaluation.check_open()
            if evaluation.round_id:
                (await rounds.get(tx, evaluation.round_id)).check_member(caller.user_id)
            sheet = evaluation.score(caller.user_id,
                                     await evaluation_table(tx, evaluation.criteria_table),
                                     parts=parts, by_criterion=by_criterion, comment=comment,
                                     at=self.clock.stamp())
            try:
                return await score_sheets.add(tx, sheet)
            except DocumentExists:
                raise Conflict("You have already scored this product in this evaluation.",
                               "Bạn đã chấm điểm sản phẩm này trong đợt đánh giá này.",
                               code="already-scored") from None

    async def close(self, caller: Caller, evaluation_id: str) -> Evaluation:
        """The council's result (``Evaluation.close``)."""
        async with self.store.transaction() as tx:
            evaluation = await evaluations.get(tx, evaluation_id)
            evaluation.close(await score_sheets.find(tx, {"evaluation_id": evaluation_id}),
                             await evaluation_table(tx, evaluation.criteria_table),
                             by=caller.user_id, at=self.clock.stamp())
            return await evaluations.save(tx, evaluation)


async def _known_product(reader: Reader, product_id: str) -> Document:
    product = await reader.get(PRODUCTS.name, product_id)
    if product is None:
        raise NotFound(
            f"The rating service knows no product '{product_id}'. If it was just "
            "registered, try again in a moment.",
            f"Dịch vụ đánh giá chưa có sản phẩm '{product_id}'. Nếu sản phẩm vừa được "
            "đăng ký, hãy thử lại sau giây lát.", code="product-unknown")
    return product
