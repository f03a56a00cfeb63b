"""Recognitions decided at the same moment on PostgreSQL, whose transactions run side by side
(SQLite's take turns): every certificate is numbered from the year's counter, so all but the
first find it changed or just made by another. Found by ``bench/faults.py``, where two
writers' recognitions were refused 409 (``stale-version``, ``already-exists``) until the
certificates' commands ran their transaction again on such a conflict; renewals too."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date

from pydantic import SecretStr

from shared.platform.config import Settings
from tests.support.clocks import FixedClock
from tests.support.service_stories import OFFICE, Office
from tests.support.service_tier import ServiceTier

DAY = date(2026, 3, 2)


async def test_recognitions_decided_at_once_each_take_the_next_number(
        make_settings: Callable[..., Settings], postgres_database: str) -> None:
    tier = ServiceTier(make_settings(store_url=SecretStr(postgres_database)),
                       FixedClock.on(DAY))
    async with tier.running("registry") as registry, tier.running("rating") as rating:
        office = Office(tier, registry, rating)
        evaluations = [await office.evaluated(await office.submitted_product(DAY), 4, DAY)
                       for _ in range(4)]
        certificates = await asyncio.gather(*(office.recognised(evaluation, DAY)
                                              for evaluation in evaluations))
        renewed = await asyncio.gather(*(office.certificates.renew(
            OFFICE, certificate.id, decision_number="13/QĐ-UBND",
            decision_date=DAY, level=None) for certificate in certificates[:2]))
    numbers = [c.number for c in [*certificates, *renewed]]
    assert len(set(numbers)) == 6, numbers
