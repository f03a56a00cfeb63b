"""The registry's dates: a record names its district (huyện) until 30 June 2025 and none
from 1 July 2025, when two-level local government began; nothing is registered after today
in Việt Nam, and a record made on New Year's night there is of the new year."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.registry.subjects.commands import Registry
from services.registry.subjects.model import Subject
from shared.messaging.contracts.registry import ProductRegistered, SubjectRegistered
from shared.ocop.vocabulary import SubjectType
from shared.refusals import BadRequest
from tests.support.clocks import FixedClock
from tests.support.service_stories import COMMUNE, DISTRICT, OFFICE, PROVINCE, move_to
from tests.support.service_tier import Running


def named(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


async def register(registry: Running, registered_on: date | None, district: str | None = None,
                   code: str = "THT-0001") -> Subject:
    return await registry.part(Registry).register_subject(
        OFFICE, type=SubjectType.COOPERATIVE_GROUP, name="Tổ hợp tác chè Tân Cương", code=code,
        province=PROVINCE, commune=COMMUNE, district=district, registered_on=registered_on)


def refused_field(caught: pytest.ExceptionInfo[BadRequest]) -> str:
    assert caught.value.code == "invalid-field" and caught.value.message_vi
    (error,) = caught.value.errors
    return error.field


@pytest.mark.parametrize(("registered_on", "district", "accepted"), [
    (date(2025, 6, 30), DISTRICT, True),
    (date(2025, 6, 30), None, False),
    (date(2025, 7, 1), None, True),
    (date(2025, 7, 1), DISTRICT, False),
], ids=named)
async def test_a_record_names_its_district_until_30_june_2025_and_none_from_1_july(
        registry: Running, clock: FixedClock, registered_on: date, district: str | None,
        accepted: bool) -> None:
    move_to(clock, date(2025, 7, 1))
    if not accepted:
        with pytest.raises(BadRequest) as caught:
            await register(registry, registered_on, district)
        assert refused_field(caught) == "district"
        assert await registry.outbox() == []
        return
    await register(registry, registered_on, district)
    (registered,) = await registry.outbox()
    assert registered.type == SubjectRegistered.event_type
    assert registered.data["district"] == district
    assert registered.data["registered_on"] == registered_on.isoformat()


@pytest.mark.parametrize("year", [2027, 2031])
async def test_a_record_made_on_new_years_night_in_viet_nam_is_of_the_new_year(
        registry: Running, clock: FixedClock, year: int) -> None:
    clock.instant = datetime(year - 1, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 in Hà Nội
    with pytest.raises(BadRequest) as caught:
        await register(registry, date(year, 1, 2))
    assert refused_field(caught) == "registered_on"

    subject = await register(registry, None)
    product = await registry.part(Registry).register_product(
        OFFICE, subject_id=subject.id, name="Chè Tân Cương", group="food", subgroup="tea")
    assert subject.registered_on == product.registered_on == date(year, 1, 1)
    subject_registered, product_registered = await registry.outbox()
    assert subject_registered.type == SubjectRegistered.event_type
    assert product_registered.type == ProductRegistered.event_type
    assert product_registered.data["registered_on"] == f"{year}-01-01"
