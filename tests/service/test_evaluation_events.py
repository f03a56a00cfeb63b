"""Rating tells a round's council that a product waits for their score sheets:
``EvaluationOpened`` when an evaluation opens in a round, naming the council's members and
the day the round closes, keyed by the evaluation id at its version, in the opening's own
transaction. An evaluation opened outside a round names no council: nothing is said."""

from __future__ import annotations

from datetime import date

from services.rating.evaluations.commands import Rating
from services.rating.evaluations.model import Round
from services.rating.evaluations.rules import Level
from shared.messaging.contracts.rating import EvaluationOpened
from shared.refusals import Conflict
from tests.support.refusals import refused
from tests.support.service_stories import OFFICE, PROVINCE, Office

TODAY = date(2026, 3, 2)
CHECKS = dict.fromkeys(("origin", "local_labour", "idea", "local_identity"), True)


async def proposed_product(office: Office) -> str:
    """A submitted product its commune proposed (as 1489/QĐ-TTg asks) today."""
    product_id = await office.submitted_product(TODAY)
    await office.rating.part(Rating).propose(OFFICE, product_id, TODAY, CHECKS, "")
    return product_id


async def spring_round(office: Office) -> Round:
    return await office.rating.part(Rating).open_round(
        OFFICE, name="Đợt 1 năm 2026", level=Level.PROVINCE, province=PROVINCE,
        opens_on=date(2026, 3, 1), closes_on=date(2026, 3, 31), council="Hội đồng tỉnh",
        members=["hoi-dong-2", "council"], chair="council")


async def test_an_evaluation_opened_in_a_round_tells_its_council(office: Office) -> None:
    held = await spring_round(office)
    product_id = await proposed_product(office)
    await office.rating.relay()

    evaluation = await office.rating.part(Rating).open_evaluation(OFFICE, product_id, TODAY,
                                                                  held.id)
    (opened,) = await office.rating.outbox()
    assert opened.type == EvaluationOpened.event_type
    assert (opened.aggregate_id, opened.sequence) == (evaluation.id, evaluation.version)
    product = await office.rating.store.get("products", product_id)
    assert product is not None
    assert opened.data == {
        "evaluation_id": evaluation.id, "product_id": product_id,
        "subject_id": product.data["subject_id"], "product_name": "Chè Tân Cương",
        "round_id": held.id, "round_name": "Đợt 1 năm 2026",
        "members": ["council", "hoi-dong-2"], "closes_on": "2026-03-31"}


async def test_an_evaluation_opened_outside_a_round_tells_no_one(office: Office) -> None:
    product_id = await proposed_product(office)
    await office.rating.relay()
    await office.rating.part(Rating).open_evaluation(OFFICE, product_id, TODAY)
    assert await office.rating.outbox() == []


async def test_a_refused_opening_tells_no_one(office: Office) -> None:
    held = await spring_round(office)
    product_id = await proposed_product(office)
    rating = office.rating.part(Rating)
    await rating.open_evaluation(OFFICE, product_id, TODAY, held.id)
    await office.rating.relay()
    with refused(Conflict, "evaluation-open"):
        await rating.open_evaluation(OFFICE, product_id, TODAY, held.id)
    assert await office.rating.outbox() == []
