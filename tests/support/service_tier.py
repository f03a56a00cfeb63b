"""The service tier's harness: each service composed by its own ``app.build``, run without
HTTP and without starting its background jobs, on a temporary SQLite store (the settings'
``sqlite://{data_dir}/{service}.db`` under the test's ``tmp_path``), with a ``FixedClock``
for its clock and the test's hand for its bus.

``build`` is given the test's ``clock=`` and ``workers=`` (and its bus), so the commands, the
consumers' handlers and the outbox are wired exactly as in production. What is not run
here, and why:

- the worker processes: the work runs in the test's process (``InProcessWorker``, made by
  the runtime in their place); a spawned process per service would cost seconds, and the
  workers have their own tests;
- the bus's transport: the outbox relay publishes onto a ``HandBus``, and a service takes
  what was published when the test says so (``ServiceTier.settle``), through the consumer
  the bus would call; Kafka and the embedded bus are the contract and platform tiers'.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from shared.messaging import OUTBOX
from shared.messaging.events.envelope import Envelope
from shared.platform.config import Settings
from shared.platform.runtime import ServiceRuntime
from shared.ports.bus import Message
from shared.ports.bus.port import BatchHandler, GapHandler, MessageHandler, Subscription
from shared.ports.store import DocumentStore, find_all
from tests.support.clocks import FixedClock

T = TypeVar("T")


class InProcessWorker:
    """A worker process's stand-in (``shared.platform.workers.WorkerProcess``, as the runtime's
    ``workers``): each piece of work runs at once, in this process, off the event loop."""

    def __init__(self, warm_up: Callable[..., Any], *args: Any, background: bool = False,
                 lazy: bool = False) -> None:
        self.restarts = 0

    async def run(self, work: Callable[..., T], *args: Any, share: str = "") -> T:
        return await asyncio.to_thread(work, *args)

    async def check(self) -> None:
        return None

    async def close(self, grace: float = 0) -> None:
        return None


@dataclass
class HandBus:
    """The bus as the service tier needs it: one log the relay appends to, read by each
    consumer group from where it stopped, when the test hands it over."""

    log: list[Message] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)
    """Per consumer group, how many messages of the log it has been handed."""

    async def start(self, topics: Iterable[str]) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def check(self) -> None:
        return None

    async def publish(self, messages: Sequence[Message]) -> None:
        self.log.extend(messages)

    async def subscribe(self, group: str, topics: Sequence[str],
                        handler: BatchHandler) -> Subscription:
        raise NotImplementedError("the service tier hands messages over: ServiceTier.settle")

    async def watch(self, topics: Sequence[str], handler: MessageHandler,
                    gap: GapHandler) -> None:
        raise NotImplementedError("the service tier does not start its services")

    def unread(self, group: str, topics: Sequence[str]) -> list[Message]:
        """What ``group`` has not been handed yet, on ``topics``; now counted as handed."""
        start, self.read[group] = self.read.get(group, 0), len(self.log)
        return [m for m in self.log[start:] if m.topic in topics]


@dataclass
class Running:
    """One service as its ``app.build`` composes it: its store open, not serving."""

    runtime: ServiceRuntime
    bus: HandBus

    @property
    def store(self) -> DocumentStore:
        return self.runtime.store

    def part(self, kind: type[T]) -> T:
        """The part its routes would be given (``runtime.provide``)."""
        given = self.runtime.parts[kind]
        assert isinstance(given, kind)
        return given

    async def outbox(self) -> list[Envelope]:
        """The events its commands wrote that the relay has not published yet, oldest
        first."""
        return [Envelope.from_json(doc.data["event"])
                async for doc in find_all(self.store, OUTBOX.name)]

    async def run_job(self, name: str) -> Any:
        """Run once what the service schedules as ``name`` (``runtime.every``), as its
        timer would: the job itself, so the test sees which day it passes on."""
        return await self.runtime.job(name)()

    async def relay(self) -> int:
        """Publish the outbox, as the relay does (the rows go once published)."""
        published = 0
        while moved := await self.runtime.relay.publish_pending():
            published += moved
        return published

    async def consume(self) -> int:
        """Take what was published on the topics it consumes since it last took, as its
        consumer takes a batch from the bus; how many of them it handles."""
        consumer = self.runtime.consumer
        batch = self.bus.unread(consumer.group, consumer.topics)
        if batch:
            await consumer.on_messages(batch)
        return len(batch)


@dataclass
class ServiceTier:
    """The services of one test, sharing its settings, its clock and its bus."""

    settings: Settings
    clock: FixedClock
    bus: HandBus = field(default_factory=HandBus)
    services: list[Running] = field(default_factory=list)

    @contextlib.asynccontextmanager
    async def running(self, name: str) -> AsyncIterator[Running]:
        """``name`` built by ``services/<name>/app.py``, its store open until the end."""
        app = importlib.import_module(f"services.{name}.app")
        runtime: ServiceRuntime = app.build(self.settings, bus=self.bus, clock=self.clock,
                                            workers=InProcessWorker)
        service = Running(runtime, self.bus)
        await runtime.store.open()
        await runtime.objects.start()
        self.services.append(service)
        try:
            yield service
        finally:
            self.services.remove(service)
            await runtime.stop()

    async def settle(self) -> None:
        """Every event published, and taken by every service that handles it, until none
        is left: what the bus and the consumers do while a test waits."""
        while True:
            moved = 0
            for service in self.services:
                moved += await service.relay()
            for service in self.services:
                moved += await service.consume()
            if not moved:
                return
