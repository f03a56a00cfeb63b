"""A full disk stops rating's outbox relay; ``/readyz`` says so, and once space returns the
relay is started again by its supervisor and every event is delivered, without restarting
anything.

The disk is really full: SQLite's ``max_page_count`` is set to the file's size on the
connection that writes it, so every write that needs a page more fails with SQLITE_FULL
("database or disk is full"), as on a full file system. The embedded bus's file is where
the relay's write fails (its publish appends to it; deleting published events from the
store frees pages and succeeds even on a full store), and the service's own store is
filled too, as one disk would be. Workers are a stand-in (``InProcessWorker``): no work is
drawn here. And an outbox that lags, with no task down, is told apart from a bus outage."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

import aiosqlite
import httpx

from services.rating.app import build
from shared.messaging.contracts.rating import ProductCertified
from shared.messaging.events.codec import decode
from shared.platform.config import Settings
from shared.ports.bus import Message
from shared.ports.bus.local import LocalEventBus
from shared.ports.store.sqlite import SqliteDocumentStore
from tests.support.clocks import FixedClock
from tests.support.demo import wait_until
from tests.support.events import certified
from tests.support.service_tier import InProcessWorker

CERTIFIED = 20


async def fill(db: aiosqlite.Connection | None, *, full: bool) -> None:
    """Make the file ``db`` writes as full as a disk with no space left (``full``), or give
    the space back."""
    assert db is not None
    [(pages,)] = list(await db.execute_fetchall("PRAGMA page_count"))
    await db.execute(f"PRAGMA max_page_count = {pages if full else 1_073_741_823}")


async def test_a_relay_stopped_by_a_full_disk_is_reported_and_delivers_once_space_returns(
        make_settings: Callable[..., Settings]) -> None:
    runtime = build(make_settings(restart_backoff_seconds=0.05,
                                  restart_max_backoff_seconds=0.5,
                                  ready_outbox_lag_seconds=1.0), workers=InProcessWorker)
    assert isinstance(runtime.bus, LocalEventBus)
    assert isinstance(runtime.store, SqliteDocumentStore)
    app = runtime.fastapi_app()
    await runtime.start()
    bus_file, store_file = runtime.bus._db, runtime.store._writer  # the writers' own
    heard: set[str] = set()

    async def hear(batch: Sequence[Message]) -> None:
        heard.update(decode(message).id for message in batch)

    watching = await runtime.bus.subscribe("test-watcher", [ProductCertified.topic], hear)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://rating") as client:

            async def readiness() -> tuple[int, dict[str, Any]]:
                answer = await client.get("/readyz")
                return answer.status_code, answer.json()

            await wait_until(lambda: _is(readiness, 200, "ok"), within=10)

            await fill(bus_file, full=True)
            emitted = set()
            async with runtime.store.transaction() as tx:  # what certifying 20 products stores
                for n in range(CERTIFIED):
                    envelope = await runtime.outbox.emit(
                        tx, ProductCertified(**certified(f"c{n}", product_id=f"p{n}").model_dump()),
                        aggregate_id=f"p{n}", sequence=1)
                    emitted.add(envelope.id)
            await fill(store_file, full=True)

            await wait_until(lambda: _relay_down_and_lagging(readiness), within=15)
            status, report = await readiness()
            assert status == 200, report  # still serving: degraded, never out of rotation
            assert (report["ready"], report["status"]) == (True, "degraded")
            relay = report["tasks"]["relay"]
            assert relay["up"] is False and relay["error"] == "OperationalError", relay
            assert relay["down_since"] and relay["failures"] >= 1
            assert "disk" not in str(report)  # the error's class, never its message
            bus = report["checks"]["bus"]
            assert (bus["ok"], bus["outbox_backlog"], bus["outbox_lagging"]) == (
                True, CERTIFIED, True), bus
            assert heard == set()

            await fill(bus_file, full=False)
            await fill(store_file, full=False)

            async def all_delivered() -> bool:
                return heard == emitted

            await wait_until(all_delivered, within=15)
            await wait_until(lambda: _is(readiness, 200, "ok"), within=10)
            status, report = await readiness()
            assert report["tasks"]["relay"]["up"] is True
            assert report["tasks"]["relay"]["restarts"] >= 1
            assert report["checks"]["bus"]["outbox_backlog"] == 0
            assert "outbox_lagging" in report["checks"]["bus"]
    finally:
        await watching.cancel()
        await runtime.stop()


async def _is(readiness: Callable[[], Any], status: int, said: str) -> bool:
    answer, report = await readiness()
    return bool(answer == status and report["status"] == said)


async def _relay_down_and_lagging(readiness: Callable[[], Any]) -> bool:
    _, report = await readiness()
    relay = report["tasks"]["relay"]
    return bool(not relay["up"] and report["checks"]["bus"].get("outbox_lagging"))


async def test_an_outbox_that_lags_is_degraded_and_still_ready(
        make_settings: Callable[..., Settings]) -> None:
    """Events that wait longer than ``OCOP_READY_OUTBOX_LAG_SECONDS`` with no task down (a
    relay stuck, or one far behind: here, none runs: the ports are opened by hand and no
    background task started) make the service degraded, still ready; with the bus away the
    same wait is the outage's, and says so."""
    clock = FixedClock.on(date(2026, 11, 20))
    runtime = build(make_settings(ready_outbox_lag_seconds=60.0), clock=clock,
                    workers=InProcessWorker)
    await runtime.store.open()
    await runtime.objects.start()
    await runtime.bus.start(runtime.topics)
    try:
        async with runtime.store.transaction() as tx:
            for n in range(3):
                await runtime.outbox.emit(
                    tx, ProductCertified(**certified(f"c{n}", product_id=f"p{n}").model_dump()),
                    aggregate_id=f"p{n}", sequence=1)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.fastapi_app()),
                                     base_url="http://rating") as client:
            clock.instant += timedelta(seconds=59)
            waiting = await client.get("/readyz")
            assert waiting.status_code == 200, waiting.json()
            assert waiting.json()["checks"]["bus"] == {
                "ok": True, "outbox_relay": "ok", "outbox_backlog": 3,
                "outbox_oldest_seconds": 59.0, "outbox_lagging": False}
            assert waiting.json()["tasks"] == {}

            clock.instant += timedelta(minutes=1)
            lagging = await client.get("/readyz")
            report = lagging.json()
            assert lagging.status_code == 200, report
            assert (report["ready"], report["status"]) == (True, "degraded")
            assert report["checks"]["bus"]["outbox_oldest_seconds"] == 119.0
            assert report["checks"]["bus"]["outbox_lagging"] is True

            await runtime.bus.stop()  # the bus away: the wait is its outage's
            away = await client.get("/readyz")
            report = away.json()
            assert away.status_code == 200, report
            assert (report["ready"], report["status"]) == (True, "degraded")
            assert report["checks"]["bus"]["ok"] is False
            assert report["checks"]["bus"]["outbox_lagging"] is True
    finally:
        await runtime.bus.stop()
        await runtime.objects.close()
        await runtime.store.close()
