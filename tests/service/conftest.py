"""The service tier: each service's commands and event handlers over a temporary SQLite
store, as its ``app.py`` wires them, with a fixed clock the test moves
(``tests/support/service_tier.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date

import pytest

from shared.platform.config import Settings
from tests.support.clocks import FixedClock
from tests.support.service_stories import Office
from tests.support.service_tier import Running, ServiceTier


@pytest.fixture
def clock() -> FixedClock:
    """Where every service of the test reads the date; a test moves it (``clock.instant``)."""
    return FixedClock.on(date(2026, 3, 2))


@pytest.fixture
def tier(make_settings: Callable[..., Settings], clock: FixedClock) -> ServiceTier:
    return ServiceTier(make_settings(), clock)


@pytest.fixture
async def registry(tier: ServiceTier) -> AsyncIterator[Running]:
    async with tier.running("registry") as service:
        yield service


@pytest.fixture
async def rating(tier: ServiceTier) -> AsyncIterator[Running]:
    async with tier.running("rating") as service:
        yield service


@pytest.fixture
async def traceability(tier: ServiceTier) -> AsyncIterator[Running]:
    async with tier.running("traceability") as service:
        yield service


@pytest.fixture
async def catalog(tier: ServiceTier) -> AsyncIterator[Running]:
    async with tier.running("catalog") as service:
        yield service


@pytest.fixture
def office(tier: ServiceTier, registry: Running, rating: Running) -> Office:
    return Office(tier, registry, rating)
