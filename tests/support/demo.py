"""A tiny producer/consumer pair built on the real ServiceRuntime, for messaging tests.

The producer keeps counters and emits ``CounterChanged`` through the outbox; the consumer
projects them into a read model and, for every event it applies, counts the applications
per event id, so a test can see an event applied twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from shared.messaging.events.contracts import EventContract, contract
from shared.messaging.events.envelope import Envelope
from shared.platform.config import Settings
from shared.platform.runtime import ServiceRuntime, runtime_of
from shared.ports.bus import EventBus
from shared.ports.store import Collection, Transaction

TOPIC = "ocop.test.counters"


@contract("vn.ocop.test.counter.changed.v1", topic=TOPIC)
class CounterChanged(EventContract):
    counter_id: str
    value: int


COUNTERS = Collection("counters")
PROJECTION = Collection("projected", indexes=("value",))
APPLICATIONS = Collection("applications")


async def change_counter(runtime: ServiceRuntime, counter_id: str, value: int) -> int:
    """One state change and its event, in one transaction; returns the new version."""
    async with runtime.store.transaction() as tx:
        current = await tx.get(COUNTERS.name, counter_id)
        if current is None:
            doc = await tx.insert(COUNTERS.name, counter_id, {"value": value})
        else:
            doc = await tx.update(COUNTERS.name, counter_id, {"value": value},
                                  expected_version=current.version)
        await runtime.outbox.emit(tx, CounterChanged(counter_id=counter_id, value=value),
                                  aggregate_id=counter_id, sequence=doc.version)
    return doc.version


class ChangeRequest(BaseModel):
    value: int


def producer_router() -> APIRouter:
    router = APIRouter()

    @router.post("/counters/{counter_id}")
    async def post_counter(counter_id: str, body: ChangeRequest,
                           runtime: Annotated[ServiceRuntime, Depends(runtime_of)]
                           ) -> dict[str, int]:
        return {"version": await change_counter(runtime, counter_id, body.value)}

    return router


@dataclass
class Projector:
    """The consumer's handler; ``failing`` subjects raise, to exercise retries."""

    failing: set[str] = field(default_factory=set)
    calls: int = 0

    async def __call__(self, envelope: Envelope, tx: Transaction) -> None:
        self.calls += 1
        if envelope.aggregate_id in self.failing:
            raise RuntimeError(f"cannot project {envelope.aggregate_id} (test failure)")
        data = CounterChanged.model_validate(envelope.data)
        await tx.put(PROJECTION.name, data.counter_id,
                     {"value": data.value, "sequence": envelope.sequence})
        applied = await tx.get(APPLICATIONS.name, envelope.id)
        await tx.put(APPLICATIONS.name, envelope.id,
                     {"count": (applied.data["count"] if applied else 0) + 1})


def build_producer(settings: Settings, bus: EventBus | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime("demo_producer", settings, collections=[COUNTERS],
                             publishes=[CounterChanged], bus=bus,
                             open_writes=("/counters/",))  # a demo: no accounts
    runtime.include(producer_router())
    return runtime


def build_consumer(settings: Settings, projector: Projector,
                   bus: EventBus | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime("demo_consumer", settings, collections=[PROJECTION, APPLICATIONS],
                             bus=bus)
    runtime.handle(CounterChanged, projector)
    return runtime


async def wait_until(predicate: Callable[[], Awaitable[bool]], within: float = 30.0,
                     interval: float = 0.05) -> None:
    """Poll an async ``predicate`` until it is true; fail the test with a clear message."""
    deadline = time.monotonic() + within
    while True:
        if await predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(interval)
