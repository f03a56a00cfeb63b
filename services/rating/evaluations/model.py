"""Evaluation aggregates: rounds, the commune's proposals, evaluations with their score
sheets and results. Each method checks its rule (named in ``rules.py``,
``criteria/rules.py`` and, for recognition, ``certificates/rules.py``) and changes the
aggregate, or refuses with a ``shared.refusals`` error. Pure: no I/O, no clock of its own
(the day is an argument)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, NotRequired

from typing_extensions import TypedDict  # pydantic reads only this TypedDict on Python 3.11

from services.rating.certificates import rules as recognition
from services.rating.criteria import rules as criteria
from services.rating.evaluations import rules
from services.rating.evaluations.rules import Level
from shared.messaging.contracts.rating import EvaluationOpened
from shared.refusals import N_, BadRequest, Conflict, FieldError, Term


def bad_date(field_name: str, reason: str) -> BadRequest:
    """``reason``: a catalog message, what is wrong with the date."""
    return BadRequest(N_("%(field)s %(reason)s."), code="invalid-date", field=field_name,
                      reason=Term(reason), errors=[FieldError(field_name, reason)])


def check_not_future(field_name: str, day: date, today: date) -> None:
    if day > today:
        raise bad_date(field_name, N_("is in the future"))


@dataclass
class Round:
    """An evaluation round (đợt đánh giá) with its council (hội đồng)."""

    id: str
    name: str
    level: Level
    province: str
    opens_on: date
    closes_on: date
    council: str
    members: list[str]
    opened_by: str
    opened_at: str
    year: int = 0
    chair: str | None = None
    """The council's chair (chủ tịch hội đồng), one of its members (None: rounds opened
    before it was kept, or none named)."""
    version: int = 0

    @classmethod
    def open(cls, round_id: str, *, name: str, level: Level, province: str, opens_on: date,
             closes_on: date, council: str, members: list[str], by: str, at: str,
             chair: str | None = None) -> Round:
        if closes_on < opens_on:
            raise bad_date("closes_on", N_("is before the day the round opens"))
        rules.check_round(level, opens_on)
        rules.check_chair(chair, members)
        return cls(round_id, name, level, province, opens_on, closes_on, council,
                   sorted(set(members)), by, at, year=opens_on.year, chair=chair)

    def check_holds(self, evaluation_date: date) -> None:
        rules.check_in_round(evaluation_date, self.opens_on, self.closes_on)

    def check_member(self, user_id: str) -> None:
        rules.check_member(user_id, self.members)


@dataclass
class Proposal:
    """The commune's pre-assessment (đánh giá sơ bộ) of a product, from 6 July 2025."""

    id: str
    product_id: str
    assessed_on: date
    checks: dict[str, bool]
    proposed: bool
    shortfalls: list[str]
    notes: str
    by: str
    at: str
    subject_id: str | None = None
    commune_code: str | None = None
    """The subject's commune by its official code, whose officer sees the proposal (None:
    proposals made before it was kept, or names that name no known commune)."""
    evaluation_id: str | None = None
    """The evaluation opened on this proposal (None: not yet opened, the office's queue)."""
    version: int = 0

    @classmethod
    def assess(cls, proposal_id: str, product_id: str, *, subject_id: str,
               commune_code: str | None, assessed_on: date, today: date,
               checks: dict[str, bool], notes: str, by: str, at: str) -> Proposal:
        """Proposed when every criterion the commune assesses is met."""
        check_not_future("assessed_on", assessed_on, today)
        shortfalls = rules.commune_shortfalls(checks)
        return cls(proposal_id, product_id, assessed_on, checks, not shortfalls, shortfalls,
                   notes, by, at, subject_id, commune_code)

    def take_up(self, evaluation_id: str) -> None:
        """An evaluation was opened on it: it leaves the office's queue."""
        self.evaluation_id = evaluation_id


class EvaluationResult(TypedDict):
    """A council's result: the members' average (``score``) and the stars it gives, each
    part's average and, scored criterion by criterion, each criterion's; below 3★, what
    fell short. (Results closed before criteria tables, and before the central proposal,
    lack ``criteria`` and ``proposed_to_central``.)"""

    score: float
    stars: int
    parts: dict[str, float]
    criteria: NotRequired[dict[str, float] | None]
    members: int
    recognisable: bool
    proposed_to_central: NotRequired[bool]
    shortfalls: list[criteria.Shortfall]


class EvaluationStatus(StrEnum):
    OPEN = "open"
    """Council members are scoring."""
    CLOSED = "closed"
    """The result is decided; scores no longer change."""


@dataclass
class ScoreSheet:
    """One council member's scores (phiếu chấm), one per member and evaluation."""

    id: str
    evaluation_id: str
    member: str
    parts: dict[str, float]
    criteria: dict[str, float] | None
    total: float
    comment: str
    submitted_at: str
    version: int = 0


@dataclass
class Evaluation:
    """A product's evaluation by a council: open, scored by its members, then closed with a
    result; a result of 3★ or more may lead to one certificate."""

    id: str
    product_id: str
    evaluation_date: date
    criteria_set: str
    criteria_table: str | None
    round_id: str | None
    level: Level | None
    """The council's level: its round's, or unstated outside rounds."""
    opened_by: str
    opened_at: str
    status: EvaluationStatus = EvaluationStatus.OPEN
    result: EvaluationResult | None = None
    closed_by: str | None = None
    closed_at: str | None = None
    certificate_id: str | None = None
    version: int = 0

    @classmethod
    def open(cls, evaluation_id: str, product: dict[str, Any], *, on: date, today: date,
             criteria_set: str, criteria_table: str | None, held_round: Round | None,
             others: list[Evaluation], proposals: list[Proposal], by: str, at: str
             ) -> Evaluation:
        """Open the evaluation of a submitted product with none open; from 6 July 2025 the
        commune must have proposed it, and the central level evaluates only products
        proposed to it (``others``: the product's earlier evaluations)."""
        check_not_future("evaluation_date", on, today)
        level = None
        if held_round is not None:
            held_round.check_holds(on)
            level = held_round.level
        if product["status"] != "submitted":
            raise Conflict(N_("This product has not been submitted for evaluation; the "
                              "producer submits it first (POST /products/{id}/submission)."),
                           code="not-submitted")
        if any(e.status is EvaluationStatus.OPEN for e in others):
            raise Conflict(N_("This product already has an open evaluation."),
                           code="evaluation-open")
        if rules.needs_commune_proposal(on, level):
            check_proposed_by_commune(proposals, on)
        if level is Level.CENTRAL:
            check_proposed_to_central(others)
        return cls(evaluation_id, product["product_id"], on, criteria_set, criteria_table,
                   held_round.id if held_round else None, level, by, at)

    def opened(self, product: dict[str, Any], held_round: Round | None
               ) -> EvaluationOpened | None:
        """What its council is told once it is open: each member has a sheet to fill in by
        the day the round closes (``product``: rating's read model of the registry's
        product). None outside a round: no council is named to tell, the office scores it
        with whoever it asks."""
        if held_round is None or held_round.id != self.round_id:
            return None
        return EvaluationOpened(
            evaluation_id=self.id, product_id=self.product_id,
            subject_id=product["subject_id"], product_name=product["name"],
            round_id=held_round.id, round_name=held_round.name, members=held_round.members,
            closes_on=held_round.closes_on)

    @property
    def criteria_set_in_use(self) -> criteria.CriteriaSet:
        return criteria.find_set(self.criteria_set)

    def check_open(self) -> None:
        if self.status is not EvaluationStatus.OPEN:
            raise Conflict(N_("This evaluation is closed; its scores can no longer change."),
                           code="evaluation-closed")

    def score(self, member: str, table: criteria.CriteriaTable | None, *,
              parts: dict[str, float] | None, by_criterion: dict[str, float] | None,
              comment: str, at: str) -> ScoreSheet:
        """A member's sheet: per criterion when the evaluation has a criteria table, else
        per part; every score within its maximum. (The round's membership is checked by
        ``Round.check_member``.)"""
        self.check_open()
        totals = criteria.sheet_parts(self.criteria_set_in_use, table, parts, by_criterion)
        return ScoreSheet(f"{self.id}:{member}", self.id, member, totals,
                          by_criterion if table else None, round(sum(totals.values()), 2),
                          comment, at)

    def close(self, sheets: list[ScoreSheet], table: criteria.CriteriaTable | None, *,
              by: str, at: str) -> None:
        """The council's result: the members' average decides the stars; below 3★ it says
        what fell short, from 90 points below the central level it goes up for 5★."""
        self.check_open()
        if not sheets:
            raise Conflict(N_("No council member has scored this product yet."),
                           code="no-score-sheets")
        parts = {p: rules.average([s.parts[p] for s in sheets]) for p in criteria.PARTS}
        by_criterion = ({c.code: rules.average([(s.criteria or {})[c.code] for s in sheets])
                         for c in table.criteria} if table else None)
        score = rules.average([s.total for s in sheets])
        stars = rules.stars_for(score)
        recognisable = stars >= rules.RECOGNISED_MIN_STARS
        self.result = {
            "score": score, "stars": stars, "parts": parts, "criteria": by_criterion,
            "members": len(sheets), "recognisable": recognisable,
            "proposed_to_central": rules.proposed_to_central(score, self.level),
            "shortfalls": [] if recognisable else criteria.shortfalls(
                self.criteria_set_in_use, parts, table, by_criterion)}
        self.status, self.closed_by, self.closed_at = EvaluationStatus.CLOSED, by, at

    def closed_result(self) -> EvaluationResult:
        """The council's result; refused while the evaluation is open."""
        if self.status is not EvaluationStatus.CLOSED or self.result is None:
            raise Conflict(N_("Close the evaluation first: the council's result decides the "
                              "stars (POST /evaluations/{id}/closing)."),
                           code="evaluation-not-closed")
        return self.result

    def recognise(self, decision_date: date, today: date, level: Level | None) -> Level:
        """Check that this result may be recognised on ``decision_date``; the level that
        recognises it (``level``, if given, must be that one)."""
        result = self.closed_result()
        if self.certificate_id:
            raise Conflict(N_("This evaluation has already led to a certificate."),
                           code="already-recognised")
        stars = result["stars"]
        recognition.check_recognisable(stars, result["score"])
        recognition.check_recognising_council(stars, self.level)
        check_not_future("decision_date", decision_date, today)
        if decision_date < self.evaluation_date:
            raise bad_date("decision_date", N_("is before the evaluation"))
        return recognition.check_level(stars, decision_date, level)


def proposals_taken_up(proposals: list[Proposal], on: date) -> list[Proposal]:
    """The commune's proposals an evaluation opened ``on`` takes up: those proposing the
    product by then that no evaluation took up yet."""
    return [p for p in proposals
            if p.proposed and p.assessed_on <= on and p.evaluation_id is None]


def check_proposed_by_commune(proposals: list[Proposal], on: date) -> None:
    if not any(p.proposed and p.assessed_on <= on for p in proposals):
        raise Conflict(N_("Since 6 July 2025 the commune pre-assesses a product and proposes "
                          "it before the province evaluates it (POST /proposals)."),
                       code="not-proposed-by-commune")


def check_proposed_to_central(earlier: list[Evaluation]) -> None:
    if not any(e.result and e.result.get("proposed_to_central") for e in earlier
               if e.status is EvaluationStatus.CLOSED):
        raise Conflict(N_("The central level evaluates products proposed with %(score)s "
                          "points or more; this one was not."),
                       code="not-proposed-to-central", score=rules.CENTRAL_PROPOSAL_SCORE)
