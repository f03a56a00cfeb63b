"""Evaluation rules: stars from a council's average, the levels that hold rounds and who
sits on their councils, and the commune's proposal (criteria sets and tables are in
``criteria/rules.py``, who recognises a result in ``certificates/rules.py``). Pure functions
and data, no I/O."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from shared.refusals import N_, BadRequest, FieldError, Forbidden

RECOGNISED_MIN_STARS = 3
STAR_FLOORS = ((5, 90), (4, 70), (3, 50), (2, 30))
"""(stars, the lowest average total that gives them); below the last, 1★."""


def stars_for(score: float) -> int:
    """1★ < 30; 2★ 30–49; 3★ 50–69; 4★ 70–89; 5★ ≥ 90 (on the members' average)."""
    for stars, floor in STAR_FLOORS:
        if score >= floor:
            return stars
    return 1


def average(totals: list[float]) -> float:
    return round(sum(totals) / len(totals), 2)


class Level(StrEnum):
    """Cấp công nhận."""

    DISTRICT = "district"
    PROVINCE = "province"
    CENTRAL = "central"


PROCEDURE_1489_FROM = date(2025, 7, 6)
"""Decision 1489/QĐ-TTg: from this day the commune proposes, the province recognises 3★
and 4★ and proposes 5★ to the centre (districts no longer rate)."""


def round_levels(on: date) -> tuple[Level, ...]:
    """Which levels hold rating rounds on ``on``: districts until 5 July 2025; after that
    the commune only pre-assesses and proposes, so rounds are provincial or central."""
    if on >= PROCEDURE_1489_FROM:
        return (Level.PROVINCE, Level.CENTRAL)
    return (Level.DISTRICT, Level.PROVINCE, Level.CENTRAL)


def check_round(level: Level, opens_on: date) -> None:
    allowed = round_levels(opens_on)
    if level not in allowed:
        names = ", ".join(allowed)
        raise BadRequest(
            N_("On %(day)s rating rounds are held at %(levels)s level, not %(level)s."),
            code="wrong-level", day=opens_on.isoformat(), levels=names, level=str(level),
            errors=[FieldError("level", N_("use one of %(levels)s"), {"levels": names})])


def check_in_round(evaluation_date: date, opens_on: date, closes_on: date) -> None:
    if not opens_on <= evaluation_date <= closes_on:
        raise BadRequest(
            N_("The evaluation date lies outside the round (%(opens_on)s – %(closes_on)s)."),
            code="outside-round", opens_on=opens_on.isoformat(),
            closes_on=closes_on.isoformat(),
            errors=[FieldError("evaluation_date", N_("outside the round"))])


def check_member(member: str, members: list[str]) -> None:
    """Only the round's council scores its products (thành viên hội đồng)."""
    if member not in members:
        raise Forbidden(N_("You are not a member of this round's council."),
                        code="not-a-member")


def check_chair(chair: str | None, members: list[str]) -> None:
    """The council's chair (chủ tịch hội đồng) sits on it."""
    if chair is not None and chair not in members:
        raise BadRequest(N_("The chair must be one of the council's members."),
                         code="chair-not-a-member",
                         errors=[FieldError("chair", N_("not one of the council's members"))])


COMMUNE_CRITERIA = {"origin": N_("Local origin of idea and raw materials"),
                    "local_labour": N_("Local labour"), "idea": N_("Product idea"),
                    "local_identity": N_("Local identity")}
"""What the commune pre-assesses from 6 July 2025 (Decision 1489/QĐ-TTg)."""
CENTRAL_PROPOSAL_SCORE = 90


def commune_shortfalls(checks: dict[str, bool]) -> list[str]:
    """The pre-assessed criteria a product does not meet; none: the commune proposes it."""
    return [name for name in COMMUNE_CRITERIA if not checks.get(name)]


def needs_commune_proposal(evaluation_date: date, level: Level | None) -> bool:
    return evaluation_date >= PROCEDURE_1489_FROM and level is not Level.CENTRAL


def proposed_to_central(score: float, level: Level | None) -> bool:
    """A result of 90 points or more below the central level goes up for 5★."""
    return score >= CENTRAL_PROPOSAL_SCORE and level is not Level.CENTRAL
