"""The annual summary's year is the year of each decision's date, and its date is today in
Việt Nam: a decision on New Year's night there counts in the new year; certificates
"expiring within 6 months" of 31 August run to the end of February, 29th included."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.rating.summaries.queries import Locality, Summaries
from tests.support.clocks import FixedClock
from tests.support.service_stories import OFFICE, PROVINCE, Office


async def summary(office: Office, year: int) -> dict[str, Any]:
    """The province's summary of ``year`` as the office asks for it today."""
    return await office.rating.part(Summaries).summary(
        year, Locality(PROVINCE), as_of=office.tier.clock.today(), expiring_within_months=6)


@pytest.mark.parametrize("year", [2027, 2031])
async def test_a_decision_on_new_years_night_in_viet_nam_counts_in_the_new_year(
        office: Office, clock: FixedClock, year: int) -> None:
    await office.certified(date(year - 1, 12, 31), stars=4)
    product_id = await office.submitted_product(date(year - 1, 12, 1))
    evaluation = await office.evaluated(product_id, 3, date(year - 1, 12, 31))
    clock.instant = datetime(year - 1, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 in Hà Nội
    await office.certificates.recognise(OFFICE, evaluation.id, decision_number="1/QĐ-UBND",
                                        decision_date=None, level=None)

    old_year, new_year = await summary(office, year - 1), await summary(office, year)
    assert new_year["as_of"] == f"{year}-01-01"
    assert (old_year["registered"]["products"], new_year["registered"]["products"]) == (2, 0)
    assert old_year["recognised"]["by_stars"] == {"3": 0, "4": 1, "5": 0}
    assert new_year["recognised"]["by_stars"] == {"3": 1, "4": 0, "5": 0}


@pytest.mark.parametrize(("today", "until"), [
    (date(2026, 8, 31), date(2027, 2, 28)), (date(2027, 8, 31), date(2028, 2, 29))],
    ids=str)
async def test_certificates_expiring_within_6_months_of_31_august_run_to_the_end_of_february(
        office: Office, clock: FixedClock, today: date, until: date) -> None:
    for decided_on in (date(until.year - 3, 3, 1), date(until.year - 3, 3, 2)):
        await office.certified(decided_on)  # in force through the end of February, 1 March
    clock.instant = datetime(today.year, 8, 30, 17, 30, tzinfo=UTC)  # 31 August there
    report = await summary(office, today.year)
    assert report["as_of"] == today.isoformat()
    assert report["expiring"]["until"] == until.isoformat()
    assert [c["valid_until"] for c in report["expiring"]["certificates"]] == [
        until.isoformat()]
