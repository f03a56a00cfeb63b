"""The outbox relay stops when its service stops, whatever moment the stop lands on.

On Python 3.11, ``asyncio.wait_for`` swallows a cancellation that arrives in the instant
after the awaited event was set and before ``wait_for`` wakes: the relay then kept
publishing, and the service's stop waited for it forever (a platform test hung in its
teardown). The relay waits with ``asyncio.timeout`` instead."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from opentelemetry import trace

from shared.messaging import OUTBOX
from shared.messaging.outbox import Outbox
from shared.messaging.relay import OutboxRelay
from shared.ports.store import open_store
from tests.support.clocks import SYSTEM_CLOCK
from tests.support.service_tier import HandBus


@pytest.mark.parametrize("turns", range(6))
async def test_a_stop_landing_as_an_event_is_committed_stops_the_relay(
        tmp_path: Path, turns: int) -> None:
    """``turns``: how many turns of the event loop pass between the commit and the stop
    (on Python 3.11, two was the instant wait_for swallowed)."""
    store = open_store(f"sqlite:///{tmp_path / 'relay.db'}", [OUTBOX], service="test")
    await store.open()
    outbox = Outbox("test", SYSTEM_CLOCK)
    relay = OutboxRelay(store, HandBus(), outbox, trace.get_tracer("test"), poll_seconds=30)
    running = asyncio.create_task(relay.run())
    for _ in range(20):  # until it waits for the next commit
        await asyncio.sleep(0)
    outbox.pending.set()  # a commit
    for _ in range(turns):
        await asyncio.sleep(0)
    running.cancel()  # the service stops
    try:
        async with asyncio.timeout(5):
            await running
    except TimeoutError:
        await store.close()  # a relay that ignored its stop ends on its closed store
        pytest.fail("the relay went on publishing after its service stopped")
    except asyncio.CancelledError:
        assert running.cancelled()
    await store.close()
