"""Rating's aggregates: rounds, the commune's proposals, evaluations with their score sheets,
and certificates. Each method checks its rule (named in ``domain.py`` and ``criteria/rules.py``)
and changes the aggregate, or refuses with a ``shared.refusals`` error; a certificate's
changes return the contract event that announces them. Pure: no I/O, no clock of its own
(the day is an argument)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, NotRequired

from typing_extensions import TypedDict  # pydantic reads only this TypedDict on Python 3.11

from services.rating import domain
from services.rating.criteria import rules as criteria
from services.rating.domain import Level
from shared.contracts.rating import (
    CertificateDowngraded,
    CertificateExpired,
    CertificateRenewed,
    CertificateRevoked,
    CertificateUpgraded,
    CurrentCertificate,
    ProductCertified,
)
from shared.refusals import BadRequest, Conflict, FieldError
from shared.validity import CertificateStatus, status_on


def bad_date(field_name: str, reason: str, reason_vi: str) -> BadRequest:
    return BadRequest(f"{field_name} {reason}.", f"{field_name} {reason_vi}.",
                      code="invalid-date", errors=[FieldError(field_name, reason, reason_vi)])


def check_not_future(field_name: str, day: date, today: date) -> None:
    if day > today:
        raise bad_date(field_name, "is in the future", "ở tương lai")


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
    version: int = 0

    @classmethod
    def open(cls, round_id: str, *, name: str, level: Level, province: str, opens_on: date,
             closes_on: date, council: str, members: list[str], by: str, at: str) -> Round:
        if closes_on < opens_on:
            raise bad_date("closes_on", "is before opens_on", "trước opens_on")
        domain.check_round(level, opens_on)
        return cls(round_id, name, level, province, opens_on, closes_on, council,
                   sorted(set(members)), by, at, year=opens_on.year)

    def check_holds(self, evaluation_date: date) -> None:
        domain.check_in_round(evaluation_date, self.opens_on, self.closes_on)

    def check_member(self, user_id: str) -> None:
        domain.check_member(user_id, self.members)


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
    version: int = 0

    @classmethod
    def assess(cls, proposal_id: str, product_id: str, *, assessed_on: date, today: date,
               checks: dict[str, bool], notes: str, by: str, at: str) -> Proposal:
        """Proposed when every criterion the commune assesses is met."""
        check_not_future("assessed_on", assessed_on, today)
        shortfalls = domain.commune_shortfalls(checks)
        return cls(proposal_id, product_id, assessed_on, checks, not shortfalls, shortfalls,
                   notes, by, at)


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
            raise Conflict("This product has not been submitted for evaluation; the producer "
                           "submits it first (POST /products/{id}/submission).",
                           "Sản phẩm này chưa được nộp để đánh giá; chủ thể cần nộp trước "
                           "(POST /products/{id}/submission).", code="not-submitted")
        if any(e.status is EvaluationStatus.OPEN for e in others):
            raise Conflict("This product already has an open evaluation.",
                           "Sản phẩm này đang có một đợt đánh giá chưa kết thúc.",
                           code="evaluation-open")
        if domain.needs_commune_proposal(on, level):
            check_proposed_by_commune(proposals, on)
        if level is Level.CENTRAL:
            check_proposed_to_central(others)
        return cls(evaluation_id, product["product_id"], on, criteria_set, criteria_table,
                   held_round.id if held_round else None, level, by, at)

    @property
    def criteria_set_in_use(self) -> criteria.CriteriaSet:
        return criteria.find_set(self.criteria_set)

    def check_open(self) -> None:
        if self.status is not EvaluationStatus.OPEN:
            raise Conflict("This evaluation is closed; its scores can no longer change.",
                           "Đợt đánh giá này đã kết thúc; điểm không thể thay đổi nữa.",
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
            raise Conflict("No council member has scored this product yet.",
                           "Chưa có thành viên hội đồng nào chấm điểm sản phẩm này.",
                           code="no-score-sheets")
        parts = {p: domain.average([s.parts[p] for s in sheets]) for p in criteria.PARTS}
        by_criterion = ({c.code: domain.average([(s.criteria or {})[c.code] for s in sheets])
                         for c in table.criteria} if table else None)
        score = domain.average([s.total for s in sheets])
        stars = domain.stars_for(score)
        recognisable = stars >= domain.RECOGNISED_MIN_STARS
        self.result = {
            "score": score, "stars": stars, "parts": parts, "criteria": by_criterion,
            "members": len(sheets), "recognisable": recognisable,
            "proposed_to_central": domain.proposed_to_central(score, self.level),
            "shortfalls": [] if recognisable else criteria.shortfalls(
                self.criteria_set_in_use, parts, table, by_criterion)}
        self.status, self.closed_by, self.closed_at = EvaluationStatus.CLOSED, by, at

    def closed_result(self) -> EvaluationResult:
        """The council's result; refused while the evaluation is open."""
        if self.status is not EvaluationStatus.CLOSED or self.result is None:
            raise Conflict("Close the evaluation first: the council's result decides the "
                           "stars (POST /evaluations/{id}/closing).",
                           "Hãy kết thúc đợt đánh giá trước: kết quả của hội đồng quyết "
                           "định số sao (POST /evaluations/{id}/closing).",
                           code="evaluation-not-closed")
        return self.result

    def recognise(self, decision_date: date, today: date, level: Level | None) -> Level:
        """Check that this result may be recognised on ``decision_date``; the level that
        recognises it (``level``, if given, must be that one)."""
        result = self.closed_result()
        if self.certificate_id:
            raise Conflict("This evaluation has already led to a certificate.",
                           "Đợt đánh giá này đã được cấp giấy chứng nhận.",
                           code="already-recognised")
        stars = result["stars"]
        domain.check_recognisable(stars, result["score"])
        domain.check_recognising_council(stars, self.level)
        check_not_future("decision_date", decision_date, today)
        if decision_date < self.evaluation_date:
            raise bad_date("decision_date", "is before the evaluation", "trước ngày đánh giá")
        return domain.check_level(stars, decision_date, level)


def check_proposed_by_commune(proposals: list[Proposal], on: date) -> None:
    if not any(p.proposed and p.assessed_on <= on for p in proposals):
        raise Conflict("Since 6 July 2025 the commune pre-assesses a product and proposes it "
                       "before the province evaluates it (POST /proposals).",
                       "Từ ngày 6/7/2025, UBND xã đánh giá sơ bộ và đề xuất sản phẩm trước "
                       "khi tỉnh đánh giá (POST /proposals).", code="not-proposed-by-commune")


def check_proposed_to_central(earlier: list[Evaluation]) -> None:
    if not any(e.result and e.result.get("proposed_to_central") for e in earlier
               if e.status is EvaluationStatus.CLOSED):
        raise Conflict(f"The central level evaluates products proposed with "
                       f"{domain.CENTRAL_PROPOSAL_SCORE} points or more; this one was not.",
                       f"Cấp Trung ương đánh giá sản phẩm được đề xuất với từ "
                       f"{domain.CENTRAL_PROPOSAL_SCORE} điểm trở lên; sản phẩm này chưa được "
                       "đề xuất.", code="not-proposed-to-central")


@dataclass
class Certificate:
    """A recognition decision's certificate (giấy chứng nhận), valid 36 months."""

    id: str
    number: str
    product_id: str
    subject_id: str
    evaluation_id: str
    stars: int
    score: float
    level: Level
    decision_number: str
    decision_date: date
    valid_from: date
    valid_until: date
    recognised_by: str
    recognised_at: str
    authority: tuple[str, str] | None = None
    """Who signed it (Vietnamese, English); kept from issue on."""
    status: CertificateStatus = CertificateStatus.ACTIVE
    revocation_reason: str | None = None
    revoked_on: date | None = None
    revoked_by: str | None = None
    expired_on: date | None = None
    version: int = 0

    @classmethod
    def issue(cls, certificate_id: str, number: str, *, product_id: str, subject_id: str,
              evaluation_id: str, stars: int, score: float, level: Level,
              decision_number: str, decision_date: date, authority: tuple[str, str],
              by: str, at: str) -> Certificate:
        return cls(certificate_id, number, product_id, subject_id, evaluation_id, stars,
                   score, level, decision_number, decision_date, decision_date,
                   domain.valid_until(decision_date), by, at, authority)

    def state_on(self, day: date) -> CertificateStatus:
        """Its state on ``day``: expired once past its last valid day, sweep or no sweep."""
        return status_on(self.status, self.valid_until, day)

    def check_renewable(self, decision_date: date) -> None:
        domain.check_renewable(self.status, self.valid_from, self.valid_until, decision_date)

    def supersede(self) -> None:
        """A renewal, upgrade or downgrade replaced it."""
        self.status = CertificateStatus.SUPERSEDED

    def revoke(self, reason: str, on: date, by: str) -> CertificateRevoked:
        domain.check_may_revoke(self.status)
        self.status, self.revocation_reason = CertificateStatus.REVOKED, reason
        self.revoked_on, self.revoked_by = on, by
        return CertificateRevoked(product_id=self.product_id, certificate_id=self.id,
                                  certificate_number=self.number, reason=reason,
                                  revoked_on=on)

    def expire(self, on: date) -> CertificateExpired | None:
        """The sweep on ``on``: an active certificate past its last valid day expires
        (None: it is not due, or no longer active)."""
        if self.state_on(on) is not CertificateStatus.EXPIRED \
                or self.status is not CertificateStatus.ACTIVE:
            return None
        self.status, self.expired_on = CertificateStatus.EXPIRED, on
        return CertificateExpired(product_id=self.product_id, certificate_id=self.id,
                                  certificate_number=self.number, expired_on=on)

    def in_force_event(self, product: dict[str, Any], subject: dict[str, Any],
                       previous_stars: int | None, verification_url: str | None = None
                       ) -> CurrentCertificate:
        """The event that puts this certificate in force, saying how it relates to the one
        it replaces (certified, renewed, up- or downgraded), and where anyone can check it
        (``verification_url``: its public verification page)."""
        fields: dict[str, Any] = dict(
            product_id=self.product_id, product_name=product["name"],
            description=product["description"], group=product["group"],
            subgroup=product["subgroup"], gtin=product["gtin"],
            image_urls=product["image_urls"], subject_id=self.subject_id,
            subject_name=subject["name"], subject_type=subject["type"],
            province=subject["province"], commune=subject["commune"], score=self.score,
            stars=self.stars, certificate_id=self.id, certificate_number=self.number,
            level=self.level.value, decision_number=self.decision_number,
            decision_date=self.decision_date, valid_from=self.valid_from,
            valid_until=self.valid_until, product_version=product.get("registry_version"),
            verification_url=verification_url)
        if previous_stars is None:  # none in force before it
            return ProductCertified(**fields)
        change = domain.change_of(previous_stars, self.stars)
        if change is domain.Change.UPGRADED:
            return CertificateUpgraded(**fields, previous_stars=previous_stars)
        if change is domain.Change.DOWNGRADED:
            return CertificateDowngraded(**fields, previous_stars=previous_stars)
        return CertificateRenewed(**fields)


@dataclass
class Recognition:
    """Which certificate a product holds in force now. Its version orders the product's
    certificate events (their ``sequence``), so consumers apply them in order."""

    id: str
    """The product's id."""
    certificate_id: str | None = None
    changed_at: str | None = None
    version: int = 0

    def point_at(self, certificate_id: str | None, at: str) -> str | None:
        """Hold ``certificate_id`` (None: none in force); the one it held before."""
        previous, self.certificate_id, self.changed_at = self.certificate_id, certificate_id, at
        return previous


@dataclass
class CertificateCounter:
    """Numbers the year's certificates: OCOP-2026-00001, …"""

    id: str
    value: int = 0
    version: int = 0

    def next_number(self, year: int) -> str:
        self.value += 1
        return f"OCOP-{year}-{self.value:05d}"
