"""Who recognises a result, and on which day: the level and the signing authority by the
decision date (districts until 5 July 2025, then the province under 1489/QĐ-TTg; the
ministry's name from 1 March 2025), the rounds, proposals and criteria of each period, and
no evaluation or decision dated after today in Việt Nam — which on New Year's night there
is already the new year, numbered in it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.rating.evaluations.commands import Rating
from services.rating.evaluations.model import Evaluation
from services.rating.evaluations.rules import Level
from services.rating.store import certificates, evaluations
from shared.messaging.contracts.rating import ProductCertified
from shared.refusals import BadRequest, Conflict
from tests.support.clocks import FixedClock
from tests.support.refusals import refused
from tests.support.service_stories import COUNCIL, OFFICE, PROVINCE, Office

BEFORE_THE_REFORM = date(2024, 6, 3)
"""When the subjects below were registered: with their district."""
PROPOSED = dict.fromkeys(("origin", "local_labour", "idea", "local_identity"), True)


def named(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


@pytest.mark.parametrize(("stars", "registered_on", "evaluated_on", "decided_on", "level"), [
    (3, BEFORE_THE_REFORM, date(2025, 7, 4), date(2025, 7, 5), Level.DISTRICT),
    (3, BEFORE_THE_REFORM, date(2025, 7, 4), date(2025, 7, 6), Level.PROVINCE),
    (4, BEFORE_THE_REFORM, date(2025, 7, 4), date(2025, 7, 5), Level.PROVINCE),
    (3, date(2025, 7, 1), date(2025, 7, 6), date(2025, 7, 6), Level.PROVINCE),
], ids=named)
async def test_the_decision_date_decides_the_level_that_recognises_3_and_4_stars(
        office: Office, stars: int, registered_on: date, evaluated_on: date, decided_on: date,
        level: Level) -> None:
    certificate = await office.certified(decided_on, stars=stars, evaluated_on=evaluated_on,
                                         registered_on=registered_on)
    stored = await certificates.get(office.rating.store, certificate.id)
    assert stored.level is level
    (certified,) = await office.rating.outbox()
    assert certified.data["level"] == level.value


@pytest.mark.parametrize(("stars", "decided_on", "signed_by"), [
    (3, date(2025, 6, 30), "Ủy ban nhân dân huyện Đại Từ"),
    (3, date(2025, 7, 6), "Ủy ban nhân dân tỉnh Thái Nguyên"),
    (4, date(2025, 6, 30), "Ủy ban nhân dân tỉnh Thái Nguyên"),
], ids=named)
async def test_a_certificate_names_the_committee_that_signs_on_its_decision_date(
        office: Office, stars: int, decided_on: date, signed_by: str) -> None:
    certificate = await office.certified(decided_on, stars=stars,
                                         registered_on=BEFORE_THE_REFORM)
    stored = await certificates.get(office.rating.store, certificate.id)
    assert stored.authority is not None and stored.authority[0] == signed_by


async def test_a_district_level_asked_for_after_5_july_2025_is_refused(office: Office) -> None:
    product_id = await office.submitted_product(BEFORE_THE_REFORM)
    evaluation = await office.evaluated(product_id, 3, date(2025, 7, 4))
    with refused(BadRequest, "wrong-level"):
        await office.recognised(evaluation, date(2025, 7, 6), Level.DISTRICT)
    assert await office.rating.outbox() == []


async def five_stars(office: Office, decided_on: date) -> Evaluation:
    """A product proposed to the central level by the province (90 points in February
    2025), evaluated by the ministry's council in a round that ends on ``decided_on``."""
    product_id = await office.submitted_product(date(2025, 1, 6))
    provincial = await office.evaluated(product_id, 5, date(2025, 2, 10))
    assert provincial.result is not None and provincial.result["proposed_to_central"]
    held = await office.rating.part(Rating).open_round(
        OFFICE, name="Đánh giá 5 sao 2025", level=Level.CENTRAL, province=PROVINCE,
        opens_on=date(2025, 2, 15), closes_on=decided_on, council="Hội đồng Trung ương",
        members=[COUNCIL.user_id])
    return await office.evaluated(product_id, 5, date(2025, 2, 20), round_id=held.id)


@pytest.mark.parametrize(("decided_on", "ministry"), [
    (date(2025, 2, 28), "Bộ Nông nghiệp và Phát triển nông thôn"),
    (date(2025, 3, 1), "Bộ Nông nghiệp và Môi trường"),
], ids=named)
async def test_5_stars_are_recognised_by_the_ministry_of_the_decision_date(
        office: Office, decided_on: date, ministry: str) -> None:
    certificate = await office.recognised(await five_stars(office, decided_on), decided_on)
    assert certificate.level is Level.CENTRAL
    assert certificate.authority is not None and certificate.authority[0] == ministry


@pytest.mark.parametrize(("opens_on", "district_rounds"), [
    (date(2025, 7, 5), True), (date(2025, 7, 6), False)], ids=named)
async def test_districts_hold_rating_rounds_until_5_july_2025(
        office: Office, opens_on: date, district_rounds: bool) -> None:
    office.on(opens_on)
    rating = office.rating.part(Rating)

    async def round_at(level: Level) -> None:
        await rating.open_round(OFFICE, name="Đợt 1", level=level, province=PROVINCE,
                                opens_on=opens_on, closes_on=date(2025, 9, 30),
                                council="Hội đồng", members=[COUNCIL.user_id])

    await round_at(Level.PROVINCE)
    if district_rounds:
        await round_at(Level.DISTRICT)
    else:
        with refused(BadRequest, "wrong-level"):
            await round_at(Level.DISTRICT)


@pytest.mark.parametrize(("evaluated_on", "proposal_needed"), [
    (date(2025, 7, 5), False), (date(2025, 7, 6), True)], ids=named)
async def test_from_6_july_2025_the_commune_proposes_a_product_before_its_evaluation(
        office: Office, evaluated_on: date, proposal_needed: bool) -> None:
    product_id = await office.submitted_product(BEFORE_THE_REFORM)
    office.on(evaluated_on)
    rating = office.rating.part(Rating)
    if proposal_needed:
        with refused(Conflict, "not-proposed-by-commune"):
            await rating.open_evaluation(OFFICE, product_id, evaluated_on)
        await rating.propose(OFFICE, product_id, evaluated_on, PROPOSED, "")
    opened = await rating.open_evaluation(OFFICE, product_id, evaluated_on)
    assert opened.evaluation_date == evaluated_on


async def test_a_proposal_assessed_after_the_evaluation_date_does_not_count(
        office: Office) -> None:
    product_id = await office.submitted_product(BEFORE_THE_REFORM)
    office.on(date(2025, 7, 8))
    rating = office.rating.part(Rating)
    await rating.propose(OFFICE, product_id, date(2025, 7, 8), PROPOSED, "")
    with refused(Conflict, "not-proposed-by-commune"):
        await rating.open_evaluation(OFFICE, product_id, date(2025, 7, 7))


@pytest.mark.parametrize(("evaluated_on", "criteria_set"), [
    (date(2023, 2, 23), "1048/2019"), (date(2023, 2, 24), "148/2023")], ids=named)
async def test_an_evaluation_is_scored_by_the_criteria_set_in_force_on_its_date(
        office: Office, evaluated_on: date, criteria_set: str) -> None:
    product_id = await office.submitted_product(date(2023, 1, 9))
    evaluation = await office.evaluated(product_id, 4, evaluated_on)
    assert evaluation.criteria_set == criteria_set


NEW_YEARS = [2027, 2031]


def new_years_night(year: int) -> datetime:
    """Half past midnight on 1 January ``year`` in Hà Nội: 31 December in UTC."""
    return datetime(year - 1, 12, 31, 17, 30, tzinfo=UTC)


@pytest.mark.parametrize("year", NEW_YEARS)
async def test_an_evaluation_dated_today_in_viet_nam_is_opened_and_tomorrow_refused(
        office: Office, clock: FixedClock, year: int) -> None:
    product_id = await office.submitted_product(date(year - 1, 12, 1))
    clock.instant = new_years_night(year)
    rating = office.rating.part(Rating)
    await rating.propose(OFFICE, product_id, None, PROPOSED, "")
    with refused(BadRequest, "invalid-date"):
        await rating.open_evaluation(OFFICE, product_id, date(year, 1, 2))
    opened = await rating.open_evaluation(OFFICE, product_id, None)
    assert opened.evaluation_date == date(year, 1, 1)


@pytest.mark.parametrize("year", NEW_YEARS)
async def test_a_recognition_dated_after_today_in_viet_nam_is_refused(
        office: Office, clock: FixedClock, year: int) -> None:
    product_id = await office.submitted_product(date(year - 1, 12, 1))
    evaluation = await office.evaluated(product_id, 4, date(year - 1, 12, 31))
    clock.instant = new_years_night(year).replace(hour=16, minute=59)  # 23:59 in Hà Nội
    with refused(BadRequest, "invalid-date"):
        await office.certificates.recognise(OFFICE, evaluation.id, decision_number="1/QĐ-UBND",
                                            decision_date=date(year, 1, 1), level=None)
    assert await office.rating.outbox() == []
    held = await evaluations.get(office.rating.store, evaluation.id)
    assert held.certificate_id is None


@pytest.mark.parametrize("year", NEW_YEARS)
async def test_on_new_years_night_in_viet_nam_a_decision_is_of_the_new_year_and_numbered_in_it(
        office: Office, clock: FixedClock, year: int) -> None:
    last_of_the_old = await office.certified(date(year - 1, 12, 31))
    product_id = await office.submitted_product(date(year - 1, 12, 1))
    evaluation = await office.evaluated(product_id, 4, date(year - 1, 12, 31))
    await office.tier.settle()

    clock.instant = new_years_night(year)
    certificate = await office.certificates.recognise(
        OFFICE, evaluation.id, decision_number="1/QĐ-UBND", decision_date=None, level=None)
    assert last_of_the_old.number == f"OCOP-{year - 1}-00001"
    assert certificate.number == f"OCOP-{year}-00001"
    assert certificate.decision_date == date(year, 1, 1)
    assert certificate.valid_until == date(year + 2, 12, 31)
    (certified,) = await office.rating.outbox()
    assert certified.type == ProductCertified.event_type
    assert certified.data["decision_date"] == f"{year}-01-01"
