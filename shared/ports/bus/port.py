"""Event bus port: topics, keyed messages, consumer groups with committed offsets."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    topic: str
    key: str
    headers: dict[str, bytes]
    value: bytes
    partition: int = 0
    offset: int = field(default=-1, compare=False)


MessageHandler = Callable[[Message], Awaitable[None]]
BatchHandler = Callable[[Sequence[Message]], Awaitable[None]]
GapHandler = Callable[[], Awaitable[None]]

BATCH_MAX = 500
"""Messages handed to a consumer group's handler at most at once (``EventBus.subscribe``)."""

_TOPIC_CONFIGS: dict[str, dict[str, str]] = {}


def compacted_topic(name: str) -> str:
    """Declare ``name`` a compacted topic (Kafka's ``cleanup.policy=compact``): the broker
    keeps at least the last message of every key, so the topic itself is the current state
    of what it describes and a new subscriber rebuilds that state from its beginning."""
    _TOPIC_CONFIGS[name] = {"cleanup.policy": "compact"}
    return name


def topic_config(name: str) -> dict[str, str]:
    """The broker settings a topic is created with (none: the broker's defaults)."""
    return dict(_TOPIC_CONFIGS.get(name, {}))


@dataclass
class Subscription:
    """A consumer group's consumption in this process: a service that stops on a bus that
    others go on using cancels it before closing its store (a batch cut short is not
    committed, and is delivered again)."""

    tasks: list[asyncio.Task[None]]

    async def cancel(self) -> None:
        await cancel_all(self.tasks)


class BusUnavailable(Exception):
    """The broker cannot take messages now; the caller keeps them and tries again later."""


class EventBus(Protocol):
    async def start(self, topics: Iterable[str]) -> None:
        """Connect and create ``topics`` if missing. Must not fail when the broker is down:
        publishing then raises BusUnavailable until it is back."""
        ...

    async def stop(self) -> None: ...

    async def check(self) -> None:
        """Raise if the broker cannot be reached (used by /readyz)."""
        ...

    async def publish(self, messages: Sequence[Message]) -> None:
        """Returns once the broker holds every message; raises BusUnavailable otherwise."""
        ...

    async def subscribe(self, group: str, topics: Sequence[str],
                        handler: BatchHandler) -> Subscription:
        """Consume ``topics`` as consumer group ``group`` in the background, in batches:
        each call of ``handler`` gets the messages of one partition that are already there
        (at least one, at most ``BATCH_MAX``), in order. Their offsets are committed only
        after ``handler`` returned; a handler that raises is given the same batch again.
        Consuming goes on until the subscription is cancelled or the bus stops."""
        ...

    async def watch(self, topics: Sequence[str], handler: MessageHandler,
                    gap: GapHandler) -> None:
        """Hear, in the background, every message published on ``topics`` from now on, in
        this process alone (each replica hears each message: no group, nothing committed;
        a handler's failure is logged and the message skipped). ``gap`` is awaited once
        listening has begun and after any gap in it (a reconnect), when messages may have
        been missed: for signals such as 'drop your cached pages'."""
        ...


async def cancel_all(tasks: list[asyncio.Task[Any]]) -> None:
    """Cancel background tasks (consumers, jobs, drawings) and wait until each has stopped;
    one that ended in an error is logged, not raised: the service is stopping anyway."""
    for task in tasks:
        task.cancel()
    for task, result in zip(tasks, await asyncio.gather(*tasks, return_exceptions=True),
                            strict=True):
        if isinstance(result, Exception):
            log.error("%s ended in an error while stopping", task.get_name(), exc_info=result)
    tasks.clear()


async def handle_until_done(handler: BatchHandler, batch: Sequence[Message], *,
                            pause_seconds: float = 1.0) -> None:
    """At-least-once delivery: call ``handler`` until it returns, pausing after a failure.

    The consumer runner already turns failures into retries and dead letters, so this loop
    only spins on failures of the store itself (which must not lose the messages)."""
    while True:
        try:
            await handler(batch)
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(
                "handler failed on %s[%s]@%s..%s; delivering again", batch[0].topic,
                batch[0].partition, batch[0].offset, batch[-1].offset)
            await asyncio.sleep(pause_seconds)
