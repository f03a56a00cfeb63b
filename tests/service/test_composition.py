"""Each service's ``app.build`` takes what a test hands it — the clock it reads the date
from, what makes its workers — and wires its parts with them, with nothing patched."""

from __future__ import annotations

import pytest

from services.registry.subjects.commands import Registry
from shared.platform.config import SERVICES
from tests.support.service_tier import InProcessWorker, ServiceTier


@pytest.mark.parametrize("name", SERVICES)
async def test_a_service_is_built_with_the_clock_and_workers_it_is_given(
        tier: ServiceTier, name: str) -> None:
    async with tier.running(name) as service:
        assert service.runtime.clock is tier.clock
        assert service.runtime.workers is InProcessWorker


async def test_its_workers_are_made_by_what_it_is_given(tier: ServiceTier) -> None:
    async with tier.running("registry") as registry:
        assert isinstance(registry.part(Registry).photos, InProcessWorker)


async def test_a_job_it_does_not_schedule_is_told_by_name(tier: ServiceTier) -> None:
    async with tier.running("rating") as rating:
        with pytest.raises(KeyError, match="no job named 'certificate expiries'"):
            rating.runtime.job("certificate expiries")
