"""The rating service's API as the pages call it: evaluations, certificates, summaries."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from pydantic import JsonValue, TypeAdapter

from services.web.clients import Answer, Client, Operation, Page, Queue, Unread


class Certificate(Answer):
    id: str
    number: str
    stars: int
    status: str
    decision_date: date
    valid_from: date
    valid_until: date
    revocation_reason: str | None = None
    """Why the office revoked it (its producer reads it)."""
    revoked_on: date | None = None
    verification_url: str | None = None
    """Its public verification page (its PDF's QR code)."""


CERTIFICATES = Operation("rating", "GET", "/certificates", Page[Certificate])


# -- the office's decisions: closing, recognition, certificates ----------------------------

class QueuedEvaluation(Answer):
    id: str
    product_id: str
    product_name: str | None
    evaluation_date: date
    status: str
    scored: int
    council_size: int | None
    stars: int | None
    recognisable: bool | None = None
    certificate_id: str | None


class EvaluationQueue(Page[QueuedEvaluation]):
    total: int


class EvaluationResult(Answer):
    score: float
    stars: int
    parts: dict[str, float]
    members: int
    recognisable: bool


class DecidedEvaluation(Answer):
    """An evaluation as the decisions read it: where it stands and its result."""

    id: str
    product_id: str
    evaluation_date: date
    level: str | None
    status: str
    result: EvaluationResult | None
    certificate_id: str | None


class IssuedCertificate(Answer):
    """A certificate as the office's pages read it."""

    id: str
    number: str
    product_id: str
    subject_id: str
    stars: int
    score: float
    level: str
    decision_number: str
    decision_date: date
    valid_from: date
    valid_until: date
    status: str
    revocation_reason: str | None = None
    authority: list[str] | None = None
    """Who recognised it: in Vietnamese, in English."""


class Expired(Answer):
    expired: int


EVALUATION_QUEUE = Operation("rating", "GET", "/evaluations", EvaluationQueue)
DECIDED_EVALUATION = Operation("rating", "GET", "/evaluations/{evaluation_id}",
                               DecidedEvaluation)
CLOSING = Operation("rating", "POST", "/evaluations/{evaluation_id}/closing", Unread)
RECOGNITION = Operation("rating", "POST", "/evaluations/{evaluation_id}/recognition",
                        IssuedCertificate)
ISSUED_CERTIFICATES = Operation("rating", "GET", "/certificates", Page[IssuedCertificate])
ISSUED_CERTIFICATE = Operation("rating", "GET", "/certificates/{certificate_id}",
                               IssuedCertificate)
CERTIFICATE_PDF = Operation("rating", "GET", "/certificates/{certificate_id}/pdf", Unread)
RENEWAL = Operation("rating", "POST", "/certificates/{certificate_id}/renewal",
                    IssuedCertificate)
REVOCATION = Operation("rating", "POST", "/certificates/{certificate_id}/revocation",
                       IssuedCertificate)
EXPIRY = Operation("rating", "POST", "/certificates/expiry", Expired)


class Rating(Client):
    async def certificates(self, product_id: str) -> Page[Certificate]:
        return await self.read(CERTIFICATES, params={"product_id": product_id})

    # -- the office's annual summary (models and operations at the end of the module) ------

    async def summary(self, year: int, province: str) -> Summary:
        """With the certificates expiring in the next ``SUMMARY_MONTHS`` months."""
        return await self.read(SUMMARY, str(year), params={
            "province": province, "expiring_within_months": SUMMARY_MONTHS})

    async def summary_file(self, year: int, province: str, format: str) -> httpx.Response:
        """The summary as a file (``xlsx``, ``pdf``), as the service sent it."""
        return await self.send(SUMMARY_FILE, str(year),
                               params={"province": province, "format": format})

    # -- the council member's score sheets (models and operations at the end of the module)

    async def to_score(self) -> Queue[ToScore]:
        return await self.read(TO_SCORE, params={"to_score": "true", "limit": 200})

    async def council_rounds(self) -> Queue[CouncilRound]:
        return await self.read(COUNCIL_ROUNDS, params={"limit": 200})

    async def scoring(self, evaluation_id: str) -> Scoring:
        return await self.read(SCORING, evaluation_id)

    async def submit_sheet(self, evaluation_id: str, body: dict[str, Any]) -> Scored:
        return await self.read(SCORE_SHEET, evaluation_id, json=body)

    async def my_sheets(self) -> Queue[MySheet]:
        return await self.read(MY_SHEETS, params={"limit": 200})

    # -- the commune officer's proposals (models and operations at the end of the module)

    async def commune_proposals(self, product_id: str | None = None
                                ) -> Queue[CommuneProposal]:
        return await self.read(COMMUNE_PROPOSALS, params={
            "limit": 500, **({"product_id": product_id} if product_id else {})})

    async def propose(self, body: dict[str, Any]) -> CommuneProposal:
        return await self.read(PROPOSAL, json=body)

    # -- the office's decisions

    async def evaluations_at(self, stage: str) -> EvaluationQueue:
        return await self.read(EVALUATION_QUEUE, params={"status": stage, "limit": 500})

    async def decided_evaluation(self, evaluation_id: str) -> DecidedEvaluation:
        return await self.read(DECIDED_EVALUATION, evaluation_id)

    async def close_evaluation(self, evaluation_id: str) -> None:
        await self.send(CLOSING, evaluation_id)

    async def recognise(self, evaluation_id: str, decision_number: str,
                        decision_date: str) -> IssuedCertificate:
        return await self.read(RECOGNITION, evaluation_id, json={
            "decision_number": decision_number, "decision_date": decision_date or None})

    async def issued_certificates(self, **filters: str | int | None
                                  ) -> Page[IssuedCertificate]:
        """``filters``: ``status``, ``expiring_within_months``, ``decided_in``."""
        return await self.read(ISSUED_CERTIFICATES, params={
            "limit": 1000, **{k: v for k, v in filters.items() if v not in (None, "")}})

    async def issued_certificate(self, certificate_id: str) -> IssuedCertificate:
        return await self.read(ISSUED_CERTIFICATE, certificate_id)

    async def certificate_pdf(self, certificate_id: str) -> httpx.Response:
        return await self.send(CERTIFICATE_PDF, certificate_id)

    async def renew_certificate(self, certificate_id: str, decision_number: str,
                                decision_date: str) -> IssuedCertificate:
        return await self.read(RENEWAL, certificate_id, json={
            "decision_number": decision_number, "decision_date": decision_date or None})

    async def revoke_certificate(self, certificate_id: str, reason: str) -> IssuedCertificate:
        return await self.read(REVOCATION, certificate_id, json={"reason": reason})

    async def expire_certificates(self) -> Expired:
        return await self.read(EXPIRY)

    # -- the office's inbox (models and operations at the end of the module)

    async def inbox_proposals(self) -> Queue[InboxProposal]:
        return await self.read(INBOX_PROPOSALS, params={"proposed": "true",
                                                          "opened": "false", "limit": 200})

    async def inbox_expiring(self, months: int) -> Page[InboxCertificate]:
        return await self.read(INBOX_EXPIRING, params={"expiring_within_months": months,
                                                 "limit": 200})

    async def office_history(self, by: str | None, entity: str | None
                             ) -> Page[RatingHistoryEntry]:
        """Rating's history, newest first: ``by``'s entries (None: everyone's, the council's
        sheets and the scheduled expiry included); ``entity``: one kind of record only."""
        return await self.read(RATING_HISTORY, params={
            "limit": 200, **({"by": by} if by else {}), **({"entity": entity} if entity else {})})


# -- the office's inbox (services/web/office/inbox.py) ------------------------------------

class InboxProposal(Answer):
    id: str
    product_id: str
    commune_code: str | None
    assessed_on: date
    notes: str
    by: str
    at: str


class InboxCertificate(Answer):
    id: str
    number: str
    product_id: str
    stars: int
    valid_until: date


INBOX_PROPOSALS = Operation("rating", "GET", "/proposals", Queue[InboxProposal])
INBOX_EXPIRING = Operation("rating", "GET", "/certificates", Page[InboxCertificate])


class HistoryChange(Answer):
    """What a field became (the history also keeps what it was, as ``from``)."""

    to: JsonValue = None


class RatingHistoryEntry(Answer):
    id: str
    entity: str
    entity_id: str
    action: str
    by: str
    at: str
    changes: dict[str, HistoryChange]


RATING_HISTORY = Operation("rating", "GET", "/history", Page[RatingHistoryEntry])


# -- the office prepares the rating: criteria tables, rounds, opening evaluations ---------
# (services/web/office/rounds.py)

class StarFloor(Answer):
    stars: int
    from_points: float


class CriteriaSet(Answer):
    code: str
    decision: str
    in_force_from: date
    star_floors: list[StarFloor]
    """How a council's average total becomes stars, highest first (1★ below the last)."""


class Criterion(Answer):
    code: str
    part: str
    name_vi: str
    name_en: str
    maximum: float


class CriteriaTable(Answer):
    id: str
    criteria_set: str
    group: str
    subgroup: str | None
    version: int
    source: str
    criteria: list[Criterion]
    loaded_at: str


class Round(Answer):
    id: str
    name: str
    level: str
    province: str
    opens_on: date
    closes_on: date
    council: str
    members: list[str]
    chair: str | None = None
    year: int


class Rounds(Page[Round]):
    total: int


class Proposal(Answer):
    id: str
    product_id: str
    assessed_on: date
    proposed: bool


class Proposals(Page[Proposal]):
    total: int


class ListedEvaluation(Answer):
    id: str
    product_id: str
    product_name: str | None
    evaluation_date: date
    round_id: str | None
    stage: str
    scored: int
    council_size: int | None
    stars: int | None
    opened_at: str


class ListedEvaluations(Page[ListedEvaluation]):
    total: int


class SheetTotal(Answer):
    member: str
    total: float


class OpenedEvaluation(Answer):
    id: str
    product_id: str
    evaluation_date: date
    criteria_set: str
    criteria_table: str | None
    round_id: str | None
    level: str | None
    status: str
    opened_at: str


class Outcome(Answer):
    """A closed evaluation's result, as its page (and the decision on it) reads it."""

    score: float
    stars: int
    recognisable: bool


class EvaluationSheets(OpenedEvaluation):
    result: Outcome | None
    certificate_id: str | None
    score_sheets: list[SheetTotal]


CRITERIA_SET_LIST = Operation("rating", "GET", "/criteria-sets", Unread)
"""A JSON list: read as ``list[CriteriaSet]``."""
CRITERIA_TABLE_LIST = Operation("rating", "GET", "/criteria-tables", Unread)
"""A JSON list: read as ``list[CriteriaTable]``, each as ``CRITERIA_TABLE`` answers."""
CRITERIA_TABLE = Operation("rating", "GET", "/criteria-tables/{table_id}", CriteriaTable)
CRITERIA_TABLE_FILE = Operation("rating", "POST", "/criteria-tables/file", CriteriaTable)
CRITERIA_TEMPLATE = Operation("rating", "GET", "/criteria-tables/template", Unread)
ROUND_LIST = Operation("rating", "GET", "/rounds", Rounds)
ROUND = Operation("rating", "GET", "/rounds/{round_id}", Round)
NEW_ROUND = Operation("rating", "POST", "/rounds", Round)
PROPOSAL_QUEUE = Operation("rating", "GET", "/proposals", Proposals)
EVALUATION_LIST = Operation("rating", "GET", "/evaluations", ListedEvaluations)
EVALUATION_SHEETS = Operation("rating", "GET", "/evaluations/{evaluation_id}",
                              EvaluationSheets)
NEW_EVALUATION = Operation("rating", "POST", "/evaluations", OpenedEvaluation)
TABLE_FILE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Preparation(Client):
    """What the office prepares before a council scores: criteria tables, rounds and
    their councils, the evaluations it opens."""

    async def criteria_sets(self) -> list[CriteriaSet]:
        answer = await self.send(CRITERIA_SET_LIST)
        return TypeAdapter(list[CriteriaSet]).validate_json(answer.content)

    async def criteria_tables(self, criteria_set: str) -> list[CriteriaTable]:
        answer = await self.send(CRITERIA_TABLE_LIST, params={"criteria_set": criteria_set})
        return TypeAdapter(list[CriteriaTable]).validate_json(answer.content)

    async def criteria_table(self, table_id: str) -> CriteriaTable:
        return await self.read(CRITERIA_TABLE, table_id)

    async def load_criteria_table(self, data: bytes, *, criteria_set: str, group: str,
                                  subgroup: str | None) -> CriteriaTable:
        """``data``: the XLSX file as uploaded."""
        params = {"criteria_set": criteria_set, "group": group}
        return await self.read(CRITERIA_TABLE_FILE, content=data, params=params | (
            {"subgroup": subgroup} if subgroup else {}), headers={"Content-Type": TABLE_FILE})

    async def criteria_template(self, criteria_set: str | None) -> httpx.Response:
        """The criteria table's template (XLSX) for ``criteria_set`` (None: the set in
        force) as the rating service sent it (its headers name the file)."""
        return await self.send(CRITERIA_TEMPLATE, params=(
            {"criteria_set": criteria_set} if criteria_set else {}))

    async def rounds(self, year: int | None) -> Rounds:
        return await self.read(ROUND_LIST, params={"limit": 1000} | (
            {"year": year} if year else {}))

    async def round(self, round_id: str) -> Round:
        return await self.read(ROUND, round_id)

    async def open_round(self, body: dict[str, Any]) -> Round:
        return await self.read(NEW_ROUND, json=body)

    async def proposals_waiting(self) -> Proposals:
        """The communes' proposals no evaluation took up yet, oldest first."""
        return await self.read(PROPOSAL_QUEUE, params={"proposed": "true", "opened": "false",
                                                       "limit": 1000})

    async def evaluations(self, filters: dict[str, str]) -> ListedEvaluations:
        """``filters``: the list's own (status, round_id), as the page was asked."""
        return await self.read(EVALUATION_LIST, params={**filters, "limit": 1000})

    async def evaluation(self, evaluation_id: str) -> EvaluationSheets:
        return await self.read(EVALUATION_SHEETS, evaluation_id)

    async def open_evaluation(self, body: dict[str, Any]) -> OpenedEvaluation:
        return await self.read(NEW_EVALUATION, json=body)


# -- the council member's score sheets (services/web/council) -----------------------------

class ToScore(Answer):
    """An evaluation waiting for the member's sheet."""

    id: str
    product_id: str
    product_name: str | None
    evaluation_date: date
    round_id: str | None
    scored: int
    council_size: int | None


class CouncilRound(Answer):
    id: str
    name: str
    council: str


class ScoringCriterion(Answer):
    code: str
    part: str
    name_vi: str
    name_en: str
    maximum: float


class PartMaxima(Answer):
    part_a: int
    part_b: int
    part_c: int


class CouncilSheet(Answer):
    member: str
    total: float


class Scoring(Answer):
    """An evaluation as its score sheet reads it: the criteria of the product's group (none
    when it is scored per part) and each part's maximum."""

    id: str
    product_id: str
    evaluation_date: date
    criteria_set: str
    round_id: str | None
    status: str
    maxima: PartMaxima
    criteria: list[ScoringCriterion] | None
    score_sheets: list[CouncilSheet]


class Scored(Answer):
    evaluation_id: str
    total: float


class MySheet(Answer):
    evaluation_id: str
    product_id: str | None
    product_name: str | None
    total: float
    part_a: float
    part_b: float
    part_c: float
    submitted_at: str


TO_SCORE = Operation("rating", "GET", "/evaluations", Queue[ToScore])
COUNCIL_ROUNDS = Operation("rating", "GET", "/rounds", Queue[CouncilRound])
SCORING = Operation("rating", "GET", "/evaluations/{evaluation_id}", Scoring)
SCORE_SHEET = Operation("rating", "POST", "/evaluations/{evaluation_id}/score-sheets", Scored)
MY_SHEETS = Operation("rating", "GET", "/score-sheets", Queue[MySheet])


# -- the commune officer's proposals (services/web/commune) -------------------------------

class CommuneProposal(Answer):
    id: str
    product_id: str
    assessed_on: date
    proposed: bool
    shortfalls: list[str]
    at: str
    evaluation_id: str | None = None
    """The evaluation the province opened on it."""


COMMUNE_PROPOSALS = Operation("rating", "GET", "/proposals", Queue[CommuneProposal])
PROPOSAL = Operation("rating", "POST", "/proposals", CommuneProposal)


# -- the office's annual summary (services/web/office/summary.py) --------------------------

SUMMARY_MONTHS = 12
"""The certificates expiring within the next year, by month."""


class Tally(Answer):
    products: int
    subjects: int


class CommuneStars(Answer):
    commune: str
    products: int
    by_stars: dict[str, int]


class GroupStars(Answer):
    group: str
    name_vi: str
    name_en: str
    products: int
    by_stars: dict[str, int]


class Recognised(Tally):
    by_stars: dict[str, int]
    by_group: list[GroupStars]
    by_commune: list[CommuneStars]


class ExpiringCertificate(Answer):
    number: str
    product_name: str
    subject_name: str
    stars: int
    valid_until: date


class Expiring(Answer):
    within_months: int
    until: date
    certificates: list[ExpiringCertificate]


class Summary(Answer):
    year: int
    as_of: date
    registered: Tally
    recognised: Recognised
    expiring: Expiring


SUMMARY = Operation("rating", "GET", "/summaries/{year}", Summary)
SUMMARY_FILE = Operation("rating", "GET", "/summaries/{year}", Unread)
