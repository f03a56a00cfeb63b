"""Evaluation commands before a decision: rounds, commune proposals, evaluations, score
sheets and results. Certificates are in ``certificates/``; what the service does on other
services' events is ``reactions.py``'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.rating.access import RULES
from services.rating.criteria import rules as criteria
from services.rating.criteria.queries import evaluation_table, table_for_product
from services.rating.criteria.rules import table_id
from services.rating.evaluations.model import (
    Evaluation,
    Proposal,
    Round,
    ScoreSheet,
    proposals_taken_up,
)
from services.rating.evaluations.queries import known_product
from services.rating.evaluations.rules import Level
from services.rating.store import (
    SUBJECTS,
    evaluations,
    proposals,
    rounds,
    score_sheets,
)
from shared.history import History
from shared.identity.access import SubjectRef, check
from shared.identity.auth import Caller
from shared.messaging import Outbox
from shared.platform.clock import Clock
from shared.platform.ids import new_id
from shared.ports.store import (
    DocumentExists,
    DocumentStore,
    get_existing,
)
from shared.refusals import N_, Conflict


@dataclass
class Rating:
    """Rounds, proposals, evaluations and their results: each command loads its
    aggregates, lets them decide (``model.py``) and saves them (reading them back is
    ``queries.py``'s)."""

    store: DocumentStore
    clock: Clock
    outbox: Outbox

    @property
    def history(self) -> History:
        """Each office decision (and each submitted sheet) leaves an entry, in its own
        transaction."""
        return History(self.clock)

    async def open_round(self, caller: Caller, *, name: str, level: Level,
                         province: str, opens_on: date, closes_on: date, council: str,
                         members: list[str], chair: str | None = None) -> Round:
        held = Round.open(new_id(), name=name, level=level, province=province,
                          opens_on=opens_on, closes_on=closes_on, council=council,
                          members=members, by=caller.user_id, at=self.clock.stamp(),
                          chair=chair)
        async with self.store.transaction() as tx:
            held = await rounds.add(tx, held)
            await self.history.record(tx, "round", held.id, held.version, {},
                                      rounds.dump(held), caller.user_id, "round-opened")
            return held

    async def propose(self, caller: Caller, product_id: str, assessed_on: date | None,
                      checks: dict[str, bool], notes: str) -> Proposal:
        """The commune's pre-assessment (on ``assessed_on``, by default today)."""
        async with self.store.transaction() as tx:
            product = await known_product(tx, product_id)
            subject = await get_existing(tx, SUBJECTS.name, product.data["subject_id"],
                                         N_("subject"))
            owner = SubjectRef.of(subject.id, subject.data)
            check(RULES["proposal.make"], caller, owner)
            return await proposals.add(tx, Proposal.assess(
                new_id(), product_id, subject_id=subject.id, commune_code=owner.commune_known,
                assessed_on=assessed_on or self.clock.today(),
                today=self.clock.today(), checks=checks, notes=notes, by=caller.user_id,
                at=self.clock.stamp()))

    async def open_evaluation(self, caller: Caller, product_id: str,
                              evaluation_date: date | None, round_id: str | None = None,
                              criteria_set: str | None = None) -> Evaluation:
        """Open a product's evaluation on ``evaluation_date`` (by default today). In a
        round, its council's members are told (``EvaluationOpened``, keyed by the
        evaluation); outside a round no council is named, so no one is."""
        on = evaluation_date or self.clock.today()
        in_force = criteria.check_criteria_set(criteria_set, on)
        async with self.store.transaction() as tx:
            held_round = await rounds.get(tx, round_id) if round_id else None
            if held_round is not None:  # a date outside the round is refused first
                held_round.check_holds(on)
            product = await known_product(tx, product_id)
            held = await proposals.find(tx, {"product_id": product_id})
            table = await table_for_product(tx, in_force.code, product.data)
            evaluation = Evaluation.open(
                new_id(), product.data, on=on,
                today=self.clock.today(), criteria_set=in_force.code,
                criteria_table=table_id(table.key, table.version) if table else None,
                held_round=held_round,
                others=await evaluations.find(tx, {"product_id": product_id}),
                proposals=held,
                by=caller.user_id, at=self.clock.stamp())
            for taken in proposals_taken_up(held, on):  # out of the office's queue
                taken.take_up(evaluation.id)
                await proposals.save(tx, taken)
            evaluation = await evaluations.add(tx, evaluation)
            await self.history.record(tx, "evaluation", evaluation.id, evaluation.version, {},
                                      evaluations.dump(evaluation), caller.user_id,
                                      "evaluation-opened")
            if (told := evaluation.opened(product.data, held_round)) is not None:
                await self.outbox.emit(tx, told, aggregate_id=evaluation.id,
                                       sequence=evaluation.version)
            return evaluation

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
                sheet = await score_sheets.add(tx, sheet)
            except DocumentExists:
                raise Conflict(N_("You have already scored this product in this "
                                  "evaluation."), code="already-scored") from None
            await self.history.record(tx, "score_sheet", sheet.id, sheet.version, {},
                                      score_sheets.dump(sheet), caller.user_id,
                                      "sheet-submitted")
            return sheet

    async def close(self, caller: Caller, evaluation_id: str) -> Evaluation:
        """The council's result (``Evaluation.close``)."""
        async with self.store.transaction() as tx:
            evaluation = await evaluations.get(tx, evaluation_id)
            before = evaluations.dump(evaluation)
            evaluation.close(await score_sheets.find(tx, {"evaluation_id": evaluation_id}),
                             await evaluation_table(tx, evaluation.criteria_table),
                             by=caller.user_id, at=self.clock.stamp())
            evaluation = await evaluations.save(tx, evaluation)
            await self.history.record(tx, "evaluation", evaluation.id, evaluation.version,
                                      before, closed_fields(evaluations.dump(evaluation)),
                                      caller.user_id, "evaluation-closed")
            return evaluation


def closed_fields(evaluation: dict[str, Any]) -> dict[str, Any]:
    """What the history keeps of a closed evaluation: its status and the council's stars
    and score (the sheets' averages are the result's own record)."""
    result = evaluation.pop("result", None) or {}
    return evaluation | {"stars": result.get("stars"), "score": result.get("score")}
