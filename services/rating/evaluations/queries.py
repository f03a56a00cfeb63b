"""Reading evaluations back: one with its score sheets, a product's results, the product an
evaluation is about (from the registry's read model), and the queues: evaluations by stage,
the commune's proposals, rounds with their councils."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from services.rating.evaluations.model import (
    Evaluation,
    EvaluationStatus,
    Proposal,
    Round,
    ScoreSheet,
)
from services.rating.store import (
    EVALUATIONS,
    PRODUCTS,
    PROPOSALS,
    ROUNDS,
    SCORE_SHEETS,
    evaluations,
    proposals,
    rounds,
    score_sheets,
)
from shared.identity.access import Visibility
from shared.identity.auth import Caller, Role
from shared.ports.store import Document, DocumentStore, Filter, Reader
from shared.ports.store.cursor import encode_cursor
from shared.refusals import N_, NotFound


async def known_product(reader: Reader, product_id: str) -> Document:
    product = await reader.get(PRODUCTS.name, product_id)
    if product is None:
        raise NotFound(N_("The rating service knows no product '%(product)s'. If it was "
                          "just registered, try again in a moment."),
                       code="product-unknown", product=product_id)
    return product


class Stage(StrEnum):
    """Where an evaluation stands, as a queue asks for it."""

    OPEN = "open"
    """Council members are scoring."""
    CLOSED = "closed"
    """Decided and led to no certificate: awaiting the decision, or below 3★."""
    RECOGNISED = "recognised"
    """Led to a certificate."""


STAGES: dict[Stage, dict[str, Any]] = {
    Stage.OPEN: {"status": EvaluationStatus.OPEN.value},
    Stage.CLOSED: {"status": EvaluationStatus.CLOSED.value, "certificate_id": None},
    Stage.RECOGNISED: {"status": EvaluationStatus.CLOSED.value,
                       "certificate_id": {"$ne": None}},
}
"""Each stage as a store filter over the model's states."""


@dataclass(frozen=True)
class Queued:
    """An evaluation in a queue, with how many members scored it of how many sit on its
    council (``council_size``: None outside rounds, where any council member may score)."""

    evaluation: Evaluation
    product_name: str | None
    scored: int
    council_size: int | None

    @property
    def stage(self) -> Stage:
        if self.evaluation.status is EvaluationStatus.OPEN:
            return Stage.OPEN
        return Stage.RECOGNISED if self.evaluation.certificate_id else Stage.CLOSED


@dataclass(frozen=True)
class ListedSheet:
    """A score sheet in a member's list, with the product its evaluation is about."""

    sheet: ScoreSheet
    product_id: str | None
    product_name: str | None


T = TypeVar("T")


@dataclass(frozen=True)
class Queue(Generic[T]):
    """One page of a queue and how many records it holds in all."""

    items: list[T]
    next_cursor: str | None
    total: int


def _narrowed(where: dict[str, Any], field: str, allowed: list[str | None]) -> dict[str, Any]:
    """``where`` with ``field`` kept within ``allowed`` (a value asked for outside it
    matches nothing)."""
    asked = where.get(field)
    return where | {field: {"$in": allowed if asked is None
                            else [asked] if asked in allowed else []}}


@dataclass
class Evaluations:
    """An evaluation with its score sheets, a product's results, and the queues."""

    store: DocumentStore

    async def evaluation(self, evaluation_id: str) -> tuple[Evaluation, list[ScoreSheet]]:
        return (await evaluations.get(self.store, evaluation_id),
                await score_sheets.find(self.store, {"evaluation_id": evaluation_id}))

    async def results(self, product_id: str) -> list[Evaluation]:
        """A product's closed evaluations, oldest first."""
        await known_product(self.store, product_id)
        closed = await evaluations.find(self.store, {"product_id": product_id,
                                                     "status": EvaluationStatus.CLOSED.value})
        return sorted(closed, key=lambda e: e.evaluation_date)

    async def queue(self, caller: Caller, *, stage: Stage | None = None,
                    round_id: str | None = None, product_id: str | None = None,
                    to_score: bool = False, limit: int = 50, after: str | None = None
                    ) -> Queue[Queued]:
        """Evaluations by stage, round and product; ``to_score``: the open ones the caller
        has not scored yet. A council member sees those of the rounds whose council it sits
        on and those held outside rounds (which any member scores, ``Rating.score``). Open
        ones come oldest first (an inbox), the others newest first."""
        where: dict[str, Any] = {k: v for k, v in (("round_id", round_id),
                                                   ("product_id", product_id)) if v}
        if stage is not None:
            where |= STAGES[stage]
        if caller.role is Role.COUNCIL_MEMBER:
            where = _narrowed(where, "round_id", [*await self._councils_of(caller), None])
        scored: set[str] = set()
        if to_score:
            where |= STAGES[Stage.OPEN]
            # A member's sheets over the years: hundreds at most.
            scored = {s.evaluation_id
                      for s in await score_sheets.find(self.store, {"member": caller.user_id})}
        order = ("evaluation_date" if where.get("status") == EvaluationStatus.OPEN.value
                 else "-evaluation_date")
        docs, next_cursor = await self._page_without(where, order, scored, limit, after)
        total = await self.store.count(EVALUATIONS.name, where)
        if scored:
            total -= await self.store.count(EVALUATIONS.name,
                                            where | {"id": {"$in": sorted(scored)}})
        return Queue(await self._queued([evaluations.load(d) for d in docs]), next_cursor,
                     total)

    async def _councils_of(self, caller: Caller) -> list[str]:
        """The rounds whose council the caller sits on (a province holds a few a year)."""
        return [r.id for r in await rounds.find(self.store) if caller.user_id in r.members]

    async def _page_without(self, where: Filter, order: str, left_out: set[str], limit: int,
                            after: str | None) -> tuple[list[Document], str | None]:
        """A page of ``where`` in ``order`` without the documents of ``left_out`` (one
        more is looked for, to know whether a next page holds any)."""
        kept: list[Document] = []
        while len(kept) <= limit:
            page = await self.store.find(EVALUATIONS.name, where, order_by=order, limit=limit,
                                         after=after)
            kept += [doc for doc in page.items if doc.id not in left_out]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        if len(kept) <= limit:
            return kept, None
        return kept[:limit], encode_cursor(kept[limit - 1], order.lstrip("-"))

    async def _queued(self, page: list[Evaluation]) -> list[Queued]:
        ids = [e.id for e in page]
        sheets = Counter(s.evaluation_id for s in await score_sheets.find(
            self.store, {"evaluation_id": {"$in": ids}})) if ids else Counter[str]()
        councils = await self.store.get_many(ROUNDS.name, {e.round_id for e in page
                                                           if e.round_id})
        products = await self.store.get_many(PRODUCTS.name, {e.product_id for e in page})
        return [Queued(e, products[e.product_id].data.get("name")
                       if e.product_id in products else None, sheets[e.id],
                       len(councils[e.round_id].data["members"])
                       if e.round_id in councils else None)
                for e in page]

    async def proposal_queue(self, visible: Visibility, *, commune: str | None = None,
                        product_id: str | None = None, proposed: bool | None = None,
                        opened: bool | None = None,
                        limit: int = 50, after: str | None = None) -> Queue[Proposal]:
        """The commune's proposals, oldest first; a commune officer's only its commune's.
        ``opened``: whether an evaluation was opened on it."""
        where: dict[str, Any] = {k: v for k, v in (("commune_code", commune),
                                                   ("product_id", product_id),
                                                   ("proposed", proposed)) if v is not None}
        if opened is not None:
            where["evaluation_id"] = {"$ne": None} if opened else None
        if not visible.everything:
            where = _narrowed(where, "commune_code", [visible.commune_code])
        page = await self.store.find(PROPOSALS.name, where, limit=limit, after=after)
        return Queue([proposals.load(d) for d in page.items], page.next_cursor,
                     await self.store.count(PROPOSALS.name, where))

    async def round_list(self, *, year: int | None = None, limit: int = 50,
                     after: str | None = None) -> Queue[Round]:
        """Rounds with their councils, the latest year first."""
        where = {"year": year} if year is not None else None
        page = await self.store.find(ROUNDS.name, where, order_by="-year", limit=limit,
                                     after=after)
        return Queue([rounds.load(d) for d in page.items], page.next_cursor,
                     await self.store.count(ROUNDS.name, where))

    async def one_round(self, round_id: str) -> Round:
        return await rounds.get(self.store, round_id)

    async def sheet_list(self, caller: Caller, *, member: str | None = None,
                         limit: int = 50, after: str | None = None) -> Queue[ListedSheet]:
        """Score sheets, the latest first: a council member's only its own."""
        where: dict[str, Any] = {"member": member} if member else {}
        if caller.role is Role.COUNCIL_MEMBER:
            where = _narrowed(where, "member", [caller.user_id])
        page = await self.store.find(SCORE_SHEETS.name, where, order_by="-submitted_at",
                                     limit=limit, after=after)
        sheets = [score_sheets.load(d) for d in page.items]
        held = await self.store.get_many(EVALUATIONS.name, {s.evaluation_id for s in sheets})
        product_of = {e: doc.data["product_id"] for e, doc in held.items()}
        names = await self.store.get_many(PRODUCTS.name, set(product_of.values()))
        listed = [ListedSheet(s, product_of.get(s.evaluation_id),
                              names[product_of[s.evaluation_id]].data.get("name")
                              if product_of.get(s.evaluation_id) in names else None)
                  for s in sheets]
        return Queue(listed, page.next_cursor,
                     await self.store.count(SCORE_SHEETS.name, where))
