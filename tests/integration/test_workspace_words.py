"""What the producers' workspace says to a person, read as they read it: every refusal a
form can meet (an empty field, a word where a number goes, a day in the future, a step's
missing detail), in Vietnamese and in English, beside the field it is about and in words a
producer can act on; numbers typed with the Vietnamese decimal comma; dates as dd/mm/yyyy;
and a first visit asked to sign in, not told its session ended.

The platform on its embedded defaults, and the workspace, really served over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from shared.config import Settings
from tests.integration.test_batches import GTIN, PASSWORD
from tests.support.clocks import SYSTEM_CLOCK, today
from tests.support.platform import User, certified_product, cooperative_with_council
from tests.support.platform import office_signed_in as signed_in


@dataclass
class Tea:
    """A certified tea of a cooperative, with a batch produced two days ago."""

    producer: User
    office: User
    product_id: str
    batch_id: str
    produced_on: date


async def with_a_batch(office: User) -> Tea:
    coop = await cooperative_with_council(office, PASSWORD)
    made = await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                   (today() - timedelta(days=30)).isoformat(), GTIN)
    produced_on = today() - timedelta(days=2)
    batch = await coop.producer.call(
        "POST", "traceability", f"/products/{made['product_id']}/batches", expect=201,
        json={"lot": "CHE-01", "produced_on": produced_on.isoformat(), "quantity": 50,
              "unit": "KGM"})
    return Tea(coop.producer, office, made["product_id"], batch["id"], produced_on)


async def test_a_harvest_is_not_recorded_in_the_future(
        make_settings: Callable[..., Settings]) -> None:
    """Later than now is refused, naming the time; a phone whose clock runs a minute or two
    fast is not."""
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office:
        tea = await with_a_batch(office)
        path = f"/batches/{tea.batch_id}/events"
        now = SYSTEM_CLOCK.now()
        harvest = {"step": "harvest", "place": {"name": "Đồi chè"}}
        tomorrow = await tea.producer.call(
            "POST", "traceability", path, expect=400,
            json=harvest | {"happened_at": (now + timedelta(days=1)).isoformat()})
        assert [e["field"] for e in tomorrow["errors"]] == ["happened_at"], tomorrow
        assert "tương lai" in tomorrow["detail_vi"], tomorrow
        await tea.producer.call("POST", "traceability", path, expect=201,
                                json=harvest | {"happened_at": (
                                    now + timedelta(minutes=2)).isoformat()})
