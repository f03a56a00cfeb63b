"""Evaluations: rounds and their councils, the commune's proposals, evaluations, council
members' score sheets, closing, and a product's results."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from services.rating import store as repositories
from services.rating.api.deps import EvaluationsPart, RatingPart, may, visible
from services.rating.api.models import CriterionOut, PartMaximaOut, per_part
from services.rating.criteria import rules as criteria
from services.rating.criteria.queries import evaluation_table
from services.rating.criteria.rules import Shortfall
from services.rating.evaluations.commands import Rating
from services.rating.evaluations.model import (
    Evaluation,
    EvaluationResult,
    EvaluationStatus,
    Proposal,
    Round,
    ScoreSheet,
)
from services.rating.evaluations.queries import ListedSheet, Queued, Stage
from services.rating.evaluations.rules import COMMUNE_CRITERIA, Level
from shared.http.fields import EraDate, FreeText, Line, Place
from shared.http.paging import Cursor, Limit, QueueOut
from shared.identity.access import Scope
from shared.identity.auth import CurrentCaller
from shared.refusals import N_, BadRequest, FieldError

Score = Annotated[float, Field(allow_inf_nan=False)]
Note = Annotated[str, FreeText(2000)]
RoundName = Annotated[str, Line(3, 200)]
Username = Annotated[str, Line(3, 64)]


class ProposalIn(BaseModel):
    """The commune's pre-assessment (đánh giá sơ bộ) of its own criteria."""

    product_id: str
    assessed_on: EraDate | None = Field(None, description="Default: today")
    origin: bool = Field(description="Idea and raw materials of local origin")
    local_labour: bool = Field(description="Uses local labour")
    idea: bool = Field(description="A product idea worth developing")
    local_identity: bool = Field(description="Carries the locality's identity")
    notes: Note = ""


class RoundIn(BaseModel):
    name: RoundName = Field(examples=["Đợt 1 năm 2026"])
    level: Level
    province: Place
    opens_on: EraDate
    closes_on: EraDate
    council: RoundName = Field(description="The council's name")
    members: list[Username] = Field(min_length=1, max_length=50,
                               description="Usernames of the council's members")
    chair: Username | None = Field(None, description="The council's chair (chủ tịch hội "
                                                     "đồng): one of its members")


class EvaluationIn(BaseModel):
    product_id: str
    evaluation_date: EraDate | None = Field(None, description="Default: today. Decides the "
                                                           "criteria set in force.")
    round_id: str | None = Field(None, description="The round whose council scores it: "
                                                   "then only its members may score")
    criteria_set: str | None = Field(None, description="Default: the set in force on the "
                                                       "evaluation date; naming another is "
                                                       "refused", examples=["148/2023"])


class ScoreSheetIn(BaseModel):
    """Per criterion when the evaluation has a criteria table (its 'criteria'), else per
    part."""

    criteria: dict[str, Score] | None = Field(
        None, description="Criterion code → score, for every criterion of the evaluation's "
                          "table", examples=[{"A1": 4, "A2": 3.5}])
    part_a: Score | None = Field(None, description="Part A: product and community strength")
    part_b: Score | None = Field(None, description="Part B: marketing capability")
    part_c: Score | None = Field(None, description="Part C: product quality")
    comment: Note = ""

    def parts(self) -> dict[str, float] | None:
        given = {"A": self.part_a, "B": self.part_b, "C": self.part_c}
        if all(v is None for v in given.values()):
            return None
        missing = [p for p, v in given.items() if v is None]
        if missing:
            raise BadRequest(N_("Give all three part totals."), code="missing-parts",
                             errors=[FieldError(f"part_{p.lower()}", N_("required"))
                                     for p in missing])
        return {p: float(v) for p, v in given.items() if v is not None}


class EvaluationOut(BaseModel):
    """An evaluation with the maxima its sheets are checked against: the parts', and each
    criterion's (``criteria``) when it is scored on a criteria table."""

    id: str
    version: int
    product_id: str
    evaluation_date: date
    criteria_set: str
    criteria_table: str | None
    round_id: str | None
    level: Level | None
    opened_by: str
    opened_at: str
    status: EvaluationStatus
    result: EvaluationResult | None
    closed_by: str | None
    closed_at: str | None
    certificate_id: str | None
    maxima: PartMaximaOut
    criteria: list[CriterionOut] | None


class ScoreSheetOut(BaseModel):
    """A member's sheet: the criteria's scores when it is scored on a criteria table, and
    the part totals."""

    member: str
    total: float
    criteria: dict[str, float] | None
    part_a: float
    part_b: float
    part_c: float


class EvaluationWithSheetsOut(EvaluationOut):
    score_sheets: list[ScoreSheetOut]


class QueuedEvaluationOut(BaseModel):
    """An evaluation in a queue: where it stands and how many members scored it, of how
    many sit on its council (``council_size``: None outside rounds, where any council
    member may score)."""

    id: str
    product_id: str
    product_name: str | None
    evaluation_date: date
    criteria_set: str
    round_id: str | None
    level: Level | None
    status: EvaluationStatus
    stage: Stage
    scored: int
    council_size: int | None
    stars: int | None
    recognisable: bool | None = None
    """Closed at 3★ or more: a recognition decision may follow (None while open)."""
    certificate_id: str | None
    opened_at: str
    closed_at: str | None


class ScoredOut(BaseModel):
    evaluation_id: str
    member: str
    total: float


class ResultOut(BaseModel):
    """A closed evaluation's result: score, stars, parts and, below 3★, what fell short
    (``criteria`` and ``proposed_to_central`` are absent from results closed before
    either existed)."""

    evaluation_id: str
    evaluation_date: date
    criteria_set: str
    level: Level | None
    certificate_id: str | None
    score: float
    stars: int
    parts: dict[str, float]
    criteria: dict[str, float] | None = None
    members: int
    recognisable: bool
    proposed_to_central: bool | None = None
    shortfalls: list[Shortfall]


class ProposalOut(BaseModel):
    id: str
    product_id: str
    subject_id: str | None
    commune_code: str | None
    """The subject's commune by its official code (None on proposals made before it was
    kept)."""
    assessed_on: date
    checks: dict[str, bool]
    proposed: bool
    shortfalls: list[str]
    """The criteria the commune found unmet."""
    notes: str
    by: str
    at: str
    evaluation_id: str | None = None
    """The evaluation opened on it; null: none yet."""


class RoundOut(BaseModel):
    id: str
    name: str
    level: Level
    province: str
    opens_on: date
    closes_on: date
    council: str
    members: list[str]
    chair: str | None = None
    """None: no chair named (rounds opened before the chair was kept)."""
    opened_by: str
    opened_at: str
    year: int


def _evaluation_fields(evaluation: Evaluation, table: criteria.CriteriaTable | None
                       ) -> dict[str, Any]:
    return {"id": evaluation.id, "version": evaluation.version,
            **repositories.evaluations.dump(evaluation),
            "maxima": per_part(evaluation.criteria_set_in_use.maxima),
            "criteria": [c.__dict__ for c in table.criteria] if table else None}


def evaluation_out(evaluation: Evaluation, table: criteria.CriteriaTable | None
                   ) -> EvaluationOut:
    return EvaluationOut.model_validate(_evaluation_fields(evaluation, table))


def evaluation_with_sheets_out(evaluation: Evaluation, table: criteria.CriteriaTable | None,
                               sheets: list[ScoreSheet]) -> EvaluationWithSheetsOut:
    return EvaluationWithSheetsOut.model_validate(_evaluation_fields(evaluation, table) | {
        "score_sheets": [{"member": s.member, "total": s.total, "criteria": s.criteria,
                          **per_part(s.parts)} for s in sheets]})


def queued_out(queued: Queued) -> QueuedEvaluationOut:
    e = queued.evaluation
    return QueuedEvaluationOut(
        id=e.id, product_id=e.product_id, product_name=queued.product_name,
        evaluation_date=e.evaluation_date, criteria_set=e.criteria_set, round_id=e.round_id,
        level=e.level, status=e.status, stage=queued.stage, scored=queued.scored,
        council_size=queued.council_size, stars=e.result["stars"] if e.result else None,
        recognisable=e.result["recognisable"] if e.result else None,
        certificate_id=e.certificate_id, opened_at=e.opened_at, closed_at=e.closed_at)


def proposal_out(proposal: Proposal) -> ProposalOut:
    return ProposalOut.model_validate({"id": proposal.id,
                                       **repositories.proposals.dump(proposal)})


def round_out(held: Round) -> RoundOut:
    return RoundOut.model_validate({"id": held.id, **repositories.rounds.dump(held)})


def result_out(evaluation: Evaluation) -> ResultOut:
    return ResultOut.model_validate({
        "evaluation_id": evaluation.id, "evaluation_date": evaluation.evaluation_date,
        "criteria_set": evaluation.criteria_set, "level": evaluation.level,
        "certificate_id": evaluation.certificate_id, **evaluation.closed_result()})


router = APIRouter(tags=["evaluations"])


async def evaluation_with_table(rating: Rating, evaluation: Evaluation) -> EvaluationOut:
    return evaluation_out(evaluation, await evaluation_table(rating.store,
                                                             evaluation.criteria_table))


@router.post("/evaluations", status_code=status.HTTP_201_CREATED,
             summary="Open the evaluation of a submitted product (admin)",
             **may("evaluation.open"))
async def open_evaluation(rating: RatingPart, body: EvaluationIn,
                          caller: CurrentCaller
                          ) -> EvaluationOut:
    return await evaluation_with_table(rating, await rating.open_evaluation(
        caller, body.product_id, body.evaluation_date, body.round_id, body.criteria_set))


@router.post("/proposals", status_code=status.HTTP_201_CREATED,
             summary="The commune's pre-assessment and proposal (from 6 July 2025)",
             **may("proposal.make", Scope.BODY))
async def propose(rating: RatingPart, body: ProposalIn,
                  caller: CurrentCaller
                  ) -> ProposalOut:
    checks = body.model_dump(include=set(COMMUNE_CRITERIA))
    return proposal_out(await rating.propose(caller, body.product_id, body.assessed_on, checks,
                                             body.notes))


@router.post("/rounds", status_code=status.HTTP_201_CREATED,
             summary="Open an evaluation round with its council (admin)",
             **may("round.open"))
async def open_round(rating: RatingPart, body: RoundIn,
                     caller: CurrentCaller
                     ) -> RoundOut:
    return round_out(await rating.open_round(caller, **body.model_dump()))


@router.get("/rounds", summary="Rounds with their councils' members, the latest year first",
            **may("round.read"))
async def list_rounds(evaluations: EvaluationsPart,
                      year: Annotated[int | None, Query(ge=2018, le=2100)] = None,
                      limit: Limit = 50, cursor: Cursor = None) -> QueueOut[RoundOut]:
    found = await evaluations.round_list(year=year, limit=limit, after=cursor)
    return QueueOut(items=[round_out(r) for r in found.items], next_cursor=found.next_cursor,
                    total=found.total)


@router.get("/rounds/{round_id}", summary="A round with its council's members",
            **may("round.read"))
async def get_round(evaluations: EvaluationsPart, round_id: str) -> RoundOut:
    return round_out(await evaluations.one_round(round_id))


@router.get("/proposals", summary="The communes' proposals, oldest first: the office's "
                                  "all, a commune officer's its commune's",
            **may("proposal.read", Scope.LIST))
async def list_proposals(
        evaluations: EvaluationsPart, caller: CurrentCaller,
        commune: Annotated[str | None, Query(max_length=10,
                                             description="Official commune code")] = None,
        product_id: str | None = None,
        proposed: Annotated[bool | None, Query(
            description="true: proposed for evaluation; false: held back by the commune"
        )] = None,
        opened: Annotated[bool | None, Query(
            description="false: no evaluation opened on it yet (the office's queue); true: "
                        "an evaluation was opened on it")] = None,
        limit: Limit = 50, cursor: Cursor = None) -> QueueOut[ProposalOut]:
    found = await evaluations.proposal_queue(
        visible("proposal.read", caller), commune=commune, product_id=product_id,
        proposed=proposed, opened=opened, limit=limit, after=cursor)
    return QueueOut(items=[proposal_out(p) for p in found.items],
                    next_cursor=found.next_cursor, total=found.total)


@router.get("/evaluations", summary="Evaluations by stage, round and product: the office's "
                                    "all, a council member's its councils'",
            **may("evaluation.list"))
async def list_evaluations(
        evaluations: EvaluationsPart, caller: CurrentCaller,
        status: Annotated[Stage | None, Query(
            description="open: being scored (oldest first); closed: decided without a "
                        "certificate; recognised: led to one")] = None,
        round_id: str | None = None, product_id: str | None = None,
        to_score: Annotated[bool, Query(
            description="true: only the open ones you have not scored yet")] = False,
        limit: Limit = 50, cursor: Cursor = None) -> QueueOut[QueuedEvaluationOut]:
    found = await evaluations.queue(caller, stage=status, round_id=round_id,
                                    product_id=product_id, to_score=to_score, limit=limit,
                                    after=cursor)
    return QueueOut(items=[queued_out(q) for q in found.items],
                    next_cursor=found.next_cursor, total=found.total)


@router.get("/products/{product_id}/results",
            summary="A product's results, with what fell short: for the office, the "
                    "council, its producer and its commune", **may("result.read",
                                                                   Scope.PATH),
            response_model_exclude_unset=True)
async def results(evaluations: EvaluationsPart, product_id: str) -> list[ResultOut]:
    return [result_out(e) for e in await evaluations.results(product_id)]


@router.get("/evaluations/{evaluation_id}",
            summary="An evaluation with its score sheets and result",
            **may("evaluation.read"))
async def get_evaluation(evaluations: EvaluationsPart, evaluation_id: str
                         ) -> EvaluationWithSheetsOut:
    evaluation, sheets = await evaluations.evaluation(evaluation_id)
    return evaluation_with_sheets_out(evaluation, await evaluation_table(
        evaluations.store, evaluation.criteria_table), sheets)


@router.post("/evaluations/{evaluation_id}/score-sheets",
             status_code=status.HTTP_201_CREATED,
             summary="A council member's score sheet (one per member)",
             **may("evaluation.score"))
async def score(rating: RatingPart, evaluation_id: str, body: ScoreSheetIn,
                caller: CurrentCaller
                ) -> ScoredOut:
    sheet = await rating.score(caller, evaluation_id, parts=body.parts(),
                               by_criterion=body.criteria, comment=body.comment)
    return ScoredOut(evaluation_id=evaluation_id, member=sheet.member, total=sheet.total)


@router.post("/evaluations/{evaluation_id}/closing",
             summary="Close the evaluation: average, stars, and for 1–2★ what fell short",
             **may("evaluation.close"))
async def close(rating: RatingPart, evaluation_id: str,
                caller: CurrentCaller) -> EvaluationOut:
    return await evaluation_with_table(rating, await rating.close(caller, evaluation_id))


class ListedSheetOut(BaseModel):
    """A member's score sheet in a list: the evaluation and product it scored, its total
    and when it was submitted."""

    evaluation_id: str
    product_id: str | None
    product_name: str | None
    member: str
    total: float
    part_a: float
    part_b: float
    part_c: float
    submitted_at: str


def listed_sheet_out(listed: ListedSheet) -> ListedSheetOut:
    sheet = listed.sheet
    return ListedSheetOut.model_validate({
        "evaluation_id": sheet.evaluation_id, "product_id": listed.product_id,
        "product_name": listed.product_name, "member": sheet.member, "total": sheet.total,
        "submitted_at": sheet.submitted_at, **per_part(sheet.parts)})


@router.get("/score-sheets", summary="Score sheets, the latest first: the office's all, a "
                                     "council member's its own", **may("sheet.list"))
async def list_score_sheets(
        evaluations: EvaluationsPart, caller: CurrentCaller,
        member: Annotated[str | None, Query(max_length=64,
                                            description="Only this member's")] = None,
        limit: Limit = 50, cursor: Cursor = None) -> QueueOut[ListedSheetOut]:
    found = await evaluations.sheet_list(caller, member=member, limit=limit, after=cursor)
    return QueueOut(items=[listed_sheet_out(s) for s in found.items],
                    next_cursor=found.next_cursor, total=found.total)
