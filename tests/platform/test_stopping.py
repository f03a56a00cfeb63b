"""A service stopping: every resource is released even when releasing one of them fails
(a store left open keeps its connection's thread, and so the process, alive)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from shared.messaging.collections import OUTBOX
from shared.platform.config import Settings
from shared.ports.bus import open_bus
from tests.support.demo import (
    Projector,
    build_consumer,
    build_producer,
    change_counter,
    wait_until,
)


async def test_a_failing_step_of_stopping_does_not_keep_the_others_from_running(
        make_settings: Callable[..., Settings]) -> None:
    runtime = build_producer(make_settings())
    released: list[str] = []

    async def worker() -> None:
        released.append("worker")

    async def broken() -> None:
        raise OSError("the device went away")

    runtime.close_on_stop(worker)
    runtime.close_on_stop(broken)  # released first: the last registered
    await runtime.start()
    with pytest.raises(OSError, match="went away"):
        await runtime.stop()
    assert released == ["worker"]
    with pytest.raises(RuntimeError, match="not open"):
        await runtime.store.get("counters", "any")


async def test_a_stopped_consumer_on_a_shared_bus_leaves_its_events_for_later(
        make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture) -> None:
    """The bus outlives a service stopped on it (``ocop run``'s shared bus, a test's): the
    service's subscription ends with it, so nothing is delivered to its closed store (a
    batch once met it, failed, and was retried every second; before that it spun the event
    loop), and the group's events wait for its next start."""
    settings = make_settings()
    bus = open_bus(settings.bus_url_resolved())
    await bus.start([])
    projector = Projector()
    producer, consumer = build_producer(settings, bus), build_consumer(settings, projector, bus)
    await producer.start()
    await consumer.start()
    await consumer.stop()
    try:
        await change_counter(producer, "after-stop", 1)

        async def published() -> bool:
            return await producer.store.count(OUTBOX.name) == 0

        await wait_until(published, within=15)
        await asyncio.sleep(0.5)  # time a lingering consumer would have had to receive it
        assert projector.calls == 0
        assert not [r for r in caplog.records if "handler failed" in r.getMessage()]
        again = build_consumer(settings, projector, bus)
        await again.start()
        try:
            async def applied() -> bool:
                return projector.calls == 1

            await wait_until(applied, within=15)
        finally:
            await again.stop()
    finally:
        await producer.stop()
        await bus.stop()
