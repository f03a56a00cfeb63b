"""A batch's days: produced today in Việt Nam at the latest (on New Year's night and on
29 February there, while UTC is still on the day before), and nothing recorded of it before
the day it was produced, as that day is written where the event happened."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.traceability.origin.commands import Origin
from services.traceability.origin.forms import BatchIn
from services.traceability.origin.model import Batch
from services.traceability.store import batches
from shared.messaging.contracts.traceability import BatchOpened, OriginEventRecorded
from shared.refusals import BadRequest
from tests.support.clocks import FixedClock
from tests.support.refusals import refused
from tests.support.service_stories import OFFICE, Office
from tests.support.service_tier import Running

DAY = timedelta(days=1)
DAYS_THAT_MATTER = [  # the instant, today in Việt Nam
    (datetime(2026, 3, 2, 9, 0, tzinfo=UTC), date(2026, 3, 2)),
    (datetime(2026, 12, 31, 17, 30, tzinfo=UTC), date(2027, 1, 1)),
    (datetime(2028, 2, 28, 17, 30, tzinfo=UTC), date(2028, 2, 29)),
    (datetime(2030, 12, 31, 17, 30, tzinfo=UTC), date(2031, 1, 1)),
]


def named(value: object) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


async def certified_product(office: Office, decided_on: date) -> str:
    """A product certified on ``decided_on``, known to traceability."""
    certificate = await office.certified(decided_on)
    await office.tier.settle()
    return certificate.product_id


def batch(lot: str, produced_on: date) -> BatchIn:
    return BatchIn(lot=lot, produced_on=produced_on, quantity=120, unit="KGM")


@pytest.mark.parametrize(("instant", "today"), DAYS_THAT_MATTER, ids=named)
async def test_a_batch_is_produced_today_in_viet_nam_at_the_latest(
        office: Office, traceability: Running, clock: FixedClock, instant: datetime,
        today: date) -> None:
    product_id = await certified_product(office, date(today.year - 1, 6, 1))
    clock.instant = instant
    origin = traceability.part(Origin)
    with refused(BadRequest, "batch-dates"):
        await origin.open_batch(OFFICE, product_id, batch("TOMORROW", today + DAY))
    opened = await origin.open_batch(OFFICE, product_id, batch("TODAY", today))

    stored = await batches.get(traceability.store, opened.id)
    assert stored.dates.produced_on == today
    (announced,) = await traceability.outbox()
    assert announced.type == BatchOpened.event_type
    assert announced.data["produced_on"] == today.isoformat()


async def opened_on_new_years_day(office: Office, traceability: Running,
                                  clock: FixedClock) -> Batch:
    product_id = await certified_product(office, date(2026, 1, 2))
    clock.instant = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 on 1 January there
    return await traceability.part(Origin).open_batch(OFFICE, product_id,
                                                      batch("NY-2027", date(2027, 1, 1)))


def harvested(batch: Batch, event_time: str, offset: str = "+07:00") -> dict[str, Any]:
    """An EPCIS document of another system: the batch's harvest at ``event_time``, which
    happened where the time is ``offset``."""
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument", "schemaVersion": "2.0",
        "creationDate": "2026-12-31T17:45:00Z",
        "epcisBody": {"eventList": [{
            "type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning",
            "eventTime": event_time, "eventTimeZoneOffset": offset,
            "quantityList": [{"epcClass": batch.identifier, "quantity": 120, "uom": "KGM"}],
            "readPoint": {"id": "urn:vn:ocop:place:xa-tan-cuong-doi-che"}}]}}


@pytest.mark.parametrize("event_time", [
    "2027-01-01T00:20:00+07:00", "2026-12-31T17:20:00Z"], ids=["local time", "UTC"])
async def test_an_event_on_the_production_day_where_it_happened_is_recorded(
        office: Office, traceability: Running, clock: FixedClock, event_time: str) -> None:
    opened = await opened_on_new_years_day(office, traceability, clock)
    (record,) = await traceability.part(Origin).capture(OFFICE, harvested(opened, event_time))
    assert record.batch_ids == [opened.id]
    recorded = [e for e in await traceability.outbox()
                if e.type == OriginEventRecorded.event_type]
    assert [e.data["record_id"] for e in recorded] == [record.id]


@pytest.mark.parametrize("event_time", [
    "2026-12-31T23:50:00+07:00", "2026-12-31T16:50:00Z"], ids=["local time", "UTC"])
async def test_an_event_the_day_before_the_production_day_where_it_happened_is_refused(
        office: Office, traceability: Running, clock: FixedClock, event_time: str) -> None:
    opened = await opened_on_new_years_day(office, traceability, clock)
    with refused(BadRequest, "event-before-batch"):
        await traceability.part(Origin).capture(OFFICE, harvested(opened, event_time))
    stored = await batches.get(traceability.store, opened.id)
    assert stored.length == 0
