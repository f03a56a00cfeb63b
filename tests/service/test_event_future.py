"""An origin event dated later than now is refused, over HTTP, by the one rule that refuses a
batch produced in the future (``origin.model.in_the_future``): on New Year's night in Việt
Nam, while UTC is still on 31 December, what happened at 00:20 there is recorded, and what
is dated later than the few minutes a phone's clock may run ahead is not — from the
producer's form and from EPCIS capture alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.identity.auth import TokenIssuer, signing_key
from tests.support.batches import code_of
from tests.support.clocks import SYSTEM_CLOCK, FixedClock
from tests.support.service_stories import OFFICE, Office
from tests.support.service_tier import Running, ServiceTier

NEW_YEARS_NIGHT = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
"""00:30 on 1 January 2027 in Việt Nam."""


@pytest.fixture
async def api(tier: ServiceTier, traceability: Running) -> AsyncIterator[httpx.AsyncClient]:
    """Traceability's API as the office calls it (a token of the registry's key; its
    lifetime read on the machine's clock, as every service verifies it)."""
    token = TokenIssuer(signing_key(tier.settings), timedelta(hours=1),
                        SYSTEM_CLOCK).issue(OFFICE).token
    async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=traceability.runtime.fastapi_app()),
            base_url="http://traceability",
            headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def harvest(happened_at: str) -> dict[str, Any]:
    return {"step": "harvest", "happened_at": happened_at,
            "place": {"name": "Đồi chè Khuôn Ngàn", "commune": "Xã Tân Cương"}}


def captured(identifier: str, event_time: str) -> dict[str, Any]:
    return {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2026-12-31T17:30:00Z",
            "epcisBody": {"eventList": [{
                "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "packing",
                "eventTime": event_time, "eventTimeZoneOffset": "+07:00",
                "quantityList": [{"epcClass": identifier, "quantity": 120, "uom": "KGM"}],
                "readPoint": {"id": "urn:vn:ocop:place:xa-tan-cuong-xuong"}}]}}


async def test_today_in_viet_nam_is_recorded_and_later_refused_over_http(
        office: Office, tier: ServiceTier, clock: FixedClock,
        api: httpx.AsyncClient) -> None:
    certificate = await office.certified(date(2026, 1, 2))
    await tier.settle()
    clock.instant = NEW_YEARS_NIGHT
    batch = {"lot": "NY-2027", "quantity": 120, "unit": "KGM"}
    tomorrow = await api.post(f"/products/{certificate.product_id}/batches",
                              json=batch | {"produced_on": "2027-01-02"})
    assert tomorrow.status_code == 400 and code_of(tomorrow.json()) == "batch-dates"
    opened = await api.post(f"/products/{certificate.product_id}/batches",
                            json=batch | {"produced_on": "2027-01-01"})
    assert opened.status_code == 201, opened.text
    batch_id, identifier = opened.json()["id"], opened.json()["identifier"]

    recorded = await api.post(f"/batches/{batch_id}/events",
                              json=harvest("2027-01-01T00:20:00+07:00"))
    assert recorded.status_code == 201, recorded.text
    skewed = await api.post(f"/batches/{batch_id}/events",  # a phone 4 minutes fast
                            json=harvest("2027-01-01T00:34:00+07:00"))
    assert skewed.status_code == 201, skewed.text
    for later in ("2027-01-01T00:40:00+07:00", "2027-01-02T07:00:00+07:00"):
        refused = await api.post(f"/batches/{batch_id}/events", json=harvest(later))
        assert refused.status_code == 400 and code_of(refused.json()) == "event-in-future"
        assert [e["field"] for e in refused.json()["errors"]] == ["happened_at"]
        document = await api.post("/epcis/capture", json=captured(identifier, later))
        assert document.status_code == 400 and code_of(document.json()) == "event-in-future"
    packed = await api.post("/epcis/capture",
                            json=captured(identifier, "2027-01-01T00:25:00+07:00"))
    assert packed.status_code == 202, packed.text
    assert (await api.get(f"/batches/{batch_id}")).json()["length"] == 3
