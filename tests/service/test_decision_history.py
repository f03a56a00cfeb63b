"""Every decision the office takes in rating — a round opened, a criteria table loaded, an
evaluation opened and closed, a product recognised, a certificate renewed, revoked or
expired — and every score sheet a council member submits leaves its entry in rating's
history, written in the decision's own transaction: who, when, what (issue 31)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from services.rating.certificates.commands import Certificates
from services.rating.criteria.commands import CriteriaTables
from services.rating.criteria.rules import Criterion, criteria_set_on
from services.rating.evaluations.commands import Rating
from services.rating.evaluations.rules import Level
from shared.history import HISTORY
from shared.ports.store import find_all
from tests.support.clocks import FixedClock
from tests.support.service_stories import COUNCIL, OFFICE, PROVINCE, Office

DAY = timedelta(days=1)


async def history(office: Office) -> dict[str, dict[str, Any]]:
    """Rating's entries by action (each action once in these stories)."""
    return {d.data["action"]: d.data async for d in find_all(office.rating.store, HISTORY.name)}


async def test_an_evaluation_from_opening_to_revocation_leaves_who_did_what_and_when(
        office: Office, clock: FixedClock) -> None:
    product_id = await office.submitted_product(date(2026, 3, 2))
    evaluation = await office.evaluated(product_id, 4, date(2026, 3, 9))
    closed_at = clock.stamp()
    certificate = await office.recognised(evaluation, date(2026, 3, 16))
    recognised_at = clock.stamp()
    office.on(date(2026, 6, 1))
    await office.certificates.revoke(OFFICE, certificate.id, "Sản phẩm không đạt chất lượng")

    entries = await history(office)
    assert set(entries) == {"evaluation-opened", "sheet-submitted", "evaluation-closed",
                            "recognised", "revoked"}
    opened = entries["evaluation-opened"]
    assert (opened["entity"], opened["entity_id"], opened["by"], opened["at"]) == (
        "evaluation", evaluation.id, "office", closed_at)
    assert opened["changes"]["product_id"] == {"from": None, "to": product_id}
    sheet = entries["sheet-submitted"]
    assert (sheet["entity"], sheet["entity_id"], sheet["by"]) == (
        "score_sheet", f"{evaluation.id}:{COUNCIL.user_id}", COUNCIL.user_id)
    assert sheet["changes"]["total"]["to"] == 75.0
    closed = entries["evaluation-closed"]
    assert (closed["entity_id"], closed["by"], closed["at"]) == (evaluation.id, "office",
                                                                 closed_at)
    assert closed["changes"]["status"] == {"from": "open", "to": "closed"}
    assert closed["changes"]["stars"] == {"from": None, "to": 4}
    recognised = entries["recognised"]
    assert (recognised["entity"], recognised["entity_id"], recognised["by"],
            recognised["at"]) == ("certificate", certificate.id, "office", recognised_at)
    assert recognised["changes"]["decision_number"] == {"from": None, "to": "12/QĐ-UBND"}
    assert recognised["changes"]["stars"] == {"from": None, "to": 4}
    revoked = entries["revoked"]
    assert (revoked["entity_id"], revoked["by"], revoked["at"]) == (
        certificate.id, "office", clock.stamp())
    assert revoked["changes"]["status"] == {"from": "active", "to": "revoked"}
    assert revoked["changes"]["revocation_reason"] == {
        "from": None, "to": "Sản phẩm không đạt chất lượng"}


async def test_a_round_and_a_criteria_table_are_recorded_with_their_office_account(
        office: Office, clock: FixedClock) -> None:
    office.on(date(2026, 4, 1))
    held = await office.rating.part(Rating).open_round(
        OFFICE, name="Đợt 1 năm 2026", level=Level.PROVINCE, province=PROVINCE,
        opens_on=date(2026, 4, 1), closes_on=date(2026, 4, 30), council="Hội đồng tỉnh",
        members=[COUNCIL.user_id])
    in_force = criteria_set_on(date(2026, 4, 1))
    rows = [Criterion(f"{part}1", part, f"Tiêu chí {part}1", f"Criterion {part}1", top)
            for part, top in in_force.maxima.items()]
    table = await office.rating.part(CriteriaTables).load(
        OFFICE, criteria_set=in_force.code, group="food", subgroup=None, criteria=rows,
        source=None)

    entries = await history(office)
    opened = entries["round-opened"]
    assert (opened["entity"], opened["entity_id"], opened["by"], opened["at"]) == (
        "round", held.id, "office", clock.stamp())
    assert opened["changes"]["council"] == {"from": None, "to": "Hội đồng tỉnh"}
    loaded = entries["criteria-table-loaded"]
    assert (loaded["entity"], loaded["entity_id"], loaded["by"]) == (
        "criteria_table", table.id, "office")
    assert loaded["changes"]["group"] == {"from": None, "to": "food"}
    assert loaded["changes"]["criteria"] == {"from": None, "to": len(rows)}


async def test_renewal_and_expiry_name_the_office_or_the_scheduled_job(
        office: Office, clock: FixedClock) -> None:
    renewed_one = await office.certified(date(2026, 3, 2))
    swept_by_office = await office.certified(date(2026, 3, 2))
    swept_by_job = await office.certified(date(2026, 3, 3))
    await office.tier.settle()
    office.on(renewed_one.valid_until)
    renewed = await office.certificates.renew(OFFICE, renewed_one.id,
                                              decision_number="30/QĐ-UBND",
                                              decision_date=None, level=None)
    office.on(swept_by_office.valid_until + DAY)
    assert await office.rating.part(Certificates).expire_due(clock.today(), "office") == 1
    office_swept_at = clock.stamp()
    office.on(swept_by_job.valid_until + DAY)
    assert await office.rating.run_job("certificate expiry") == 1

    entries = [d.data async for d in find_all(office.rating.store, HISTORY.name)]
    (renewal,) = [e for e in entries if e["action"] == "renewed"]
    assert (renewal["entity_id"], renewal["by"]) == (renewed.id, "office")
    assert renewal["changes"]["renews"] == {"from": None, "to": renewed_one.id}
    expired = {e["entity_id"]: e for e in entries if e["action"] == "expired"}
    assert set(expired) == {swept_by_office.id, swept_by_job.id}
    assert (expired[swept_by_office.id]["by"], expired[swept_by_office.id]["at"]) == (
        "office", office_swept_at)
    assert (expired[swept_by_job.id]["by"], expired[swept_by_job.id]["at"]) == (
        "system", clock.stamp())
    assert expired[swept_by_job.id]["changes"]["status"] == {"from": "active",
                                                             "to": "expired"}
