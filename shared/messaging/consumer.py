"""The consumer runner: decodes, deduplicates, applies, retries and dead-letters events.

For each event type a service handles there is one handler ``(envelope, tx)``; it writes
its effects into ``tx``, the same transaction that records the event in the inbox, so an
effect is stored exactly once whatever the bus delivers. Only after that transaction
commits does the bus commit the message's offset.

The bus hands over what one partition has ready (a burst: an import, a sheet of labels);
its events are applied in order in as few transactions as ``TOGETHER_SECONDS`` of work
allow, one commit each. If one of them fails, the transaction is rolled back, the events
before it are applied together again and the failing one on its own, with retries and at
last a dead letter, so a bad event never holds back the others.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.trace import SpanKind

from shared.messaging import deadletters
from shared.messaging.collections import DEAD_LETTERS
from shared.messaging.events.codec import UndecodableMessage, decode
from shared.messaging.events.envelope import Envelope
from shared.messaging.inbox import Inbox
from shared.platform.clock import Clock
from shared.platform.supervision import Health
from shared.platform.telemetry import context_from, messaging_span
from shared.ports.bus import EventBus, Message, Subscription
from shared.ports.store import DocumentStore, Transaction

log = logging.getLogger(__name__)

EventHandler = Callable[[Envelope, Transaction], Awaitable[None]]
TOGETHER_SECONDS = 0.05
"""Work after which a batch's transaction commits and the rest goes on in another: bounds
how long a burst holds the store's write lock, and how late its first effects show."""


class Outcome(enum.Enum):
    APPLIED = "applied"
    IGNORED = "ignored"
    """Already applied, or older than what the service holds."""
    DEAD_LETTERED = "dead-lettered"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    backoff_seconds: float = 0.1
    max_backoff_seconds: float = 5.0

    def delay(self, failed_attempt: int) -> float:
        return min(self.backoff_seconds * 2 ** (failed_attempt - 1), self.max_backoff_seconds)


class EventConsumer:
    """One consumer group per service, named after it."""

    def __init__(self, service: str, store: DocumentStore,
                 handlers: Mapping[str, tuple[str, EventHandler]], tracer: trace.Tracer,
                 retry: RetryPolicy, clock: Clock) -> None:
        """``handlers``: event type -> (topic it arrives on, handler)."""
        self.group = service
        self.store = store
        self.handlers = dict(handlers)
        self.tracer = tracer
        self.retry = retry
        self.clock = clock
        self._subscription: Subscription | None = None

    @property
    def topics(self) -> Sequence[str]:
        return sorted({topic for topic, _ in self.handlers.values()})

    async def start(self, bus: EventBus) -> None:
        if self.handlers:
            self._subscription = await bus.subscribe(self.group, self.topics, self.on_messages)

    async def run(self, bus: EventBus, health: Health) -> None:
        """Consume until cancelled, as a supervised task (``shared.platform.supervision``):
        a batch the store refuses is delivered again by the bus (``health`` hears of it
        each time, and of the next batch applied); a consumption that ends in an error
        (the embedded bus's file unreadable, say) is raised, and started again from the
        offsets committed."""
        if not self.handlers:
            health.well()
            await asyncio.Event().wait()  # nothing to consume; runs until cancelled

        async def handled(batch: Sequence[Message]) -> None:
            try:
                await self.on_messages(batch)
            except Exception as exc:
                health.failing(exc)
                raise
            health.well()

        subscription = await bus.subscribe(self.group, self.topics, handled)
        health.well()
        try:
            await asyncio.gather(*subscription.tasks)
        finally:  # the error (or the stop) ends each of its tasks; raised once, above
            for task in subscription.tasks:
                task.cancel()
            await asyncio.gather(*subscription.tasks, return_exceptions=True)

    async def stop(self) -> None:
        """Stop consuming (before the store closes: the bus may go on for others)."""
        if self._subscription is not None:
            await self._subscription.cancel()
            self._subscription = None

    async def on_messages(self, batch: Sequence[Message]) -> None:
        ready: list[tuple[Envelope, str]] = []
        for message in batch:
            try:
                envelope = decode(message)
            except UndecodableMessage as exc:
                log.error("dead-lettering an undecodable message on %s: %s", message.topic,
                          exc)
                await deadletters.record(self.store, topic=message.topic, error=exc,
                                         attempts=1, at=self.clock.now(), message=message)
                continue
            if envelope.type in self.handlers:
                ready.append((envelope, message.topic))
        limit = len(ready)
        while ready:
            applied, failed = await self._apply_together(ready[:limit])
            limit = len(ready)
            if failed is None:
                del ready[:applied]
            elif failed > 0:  # rolled back: those before it together, then it first
                limit = failed
            elif failed == 0:  # on its own, with retries and, at last, a dead letter
                await self.process(*ready[0])
                del ready[:1]
            else:  # the commit failed, for one of them or for none: each on its own
                for envelope, topic in ready[:applied]:
                    await self.process(envelope, topic)
                del ready[:applied]

    async def _apply_together(self, ready: Sequence[tuple[Envelope, str]]
                              ) -> tuple[int, int | None]:
        """Apply the first events of ``ready`` in one transaction, for up to
        ``TOGETHER_SECONDS``: how many it took, and, if it was rolled back, the index of
        the event that failed (-1: the commit failed). A failure before the first event
        is raised."""
        started, count, handling = time.monotonic(), 0, False
        try:
            async with self.store.transaction() as tx:
                applied = await Inbox.read(tx, (envelope for envelope, _ in ready))
                for envelope, topic in ready:
                    handling = True
                    with self._span(envelope, topic) as span:
                        await self._apply(envelope, tx, applied, span)
                    handling = False
                    count += 1
                    if time.monotonic() - started > TOGETHER_SECONDS:
                        break
                await applied.write(tx)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if count == 0 and not handling:
                # Before any event: the store itself failed (or is closed). Nothing was
                # applied; the bus delivers the batch again after a pause.
                raise
            if len(ready) > 1:
                log.info("%d events applied together were rolled back (%s); the one that "
                         "failed is applied on its own", count + handling, exc)
            return count + handling, count if handling else -1
        return count, None

    async def _apply(self, envelope: Envelope, tx: Transaction, applied: Inbox,
                     span: trace.Span) -> Outcome:
        if not applied.accept(envelope, self.clock.now()):
            span.set_attribute("ocop.outcome", Outcome.IGNORED.value)
            return Outcome.IGNORED
        await self.handlers[envelope.type][1](envelope, tx)
        span.set_attribute("ocop.outcome", Outcome.APPLIED.value)
        return Outcome.APPLIED

    @contextmanager
    def _span(self, envelope: Envelope, topic: str) -> Iterator[trace.Span]:
        attributes = {"messaging.system": "kafka", "messaging.operation.type": "process",
                      "messaging.destination.name": topic, "messaging.consumer.group.name":
                      self.group, "messaging.message.id": envelope.id,
                      "cloudevents.event_type": envelope.type,
                      "cloudevents.event_subject": envelope.aggregate_id}
        parent = context_from(envelope.traceparent, envelope.tracestate)
        with messaging_span(self.tracer, f"{envelope.type} process", SpanKind.CONSUMER, parent,
                            attributes) as span:
            yield span

    async def process(self, envelope: Envelope, topic: str) -> Outcome:
        """Apply with retries; after the last failed attempt, store a dead letter."""
        outcome, error, attempts = await self._apply_with_retries(envelope, topic)
        if error is None:
            return outcome
        letter = await deadletters.record(self.store, topic=topic, error=error,
                                          attempts=attempts, at=self.clock.now(),
                                          event=envelope)
        log.error("dead-lettered %s %s (%s) after %d attempts as %s: %s", envelope.type,
                  envelope.aggregate_id, envelope.id, attempts, letter, error)
        return Outcome.DEAD_LETTERED

    async def replay(self, letter_id: str) -> Outcome:
        """Apply a dead letter again; it is removed once applied (or found superseded)."""
        letter = await deadletters.get_letter(self.store, letter_id)
        if letter is None:
            raise LookupError(f"no dead letter {letter_id}")
        if letter.event is None or letter.event.type not in self.handlers:
            raise ValueError(f"dead letter {letter_id} holds no event this service handles")
        outcome, error, attempts = await self._apply_with_retries(letter.event, letter.topic)
        async with self.store.transaction() as tx:
            if error is None:
                await tx.delete(DEAD_LETTERS.name, letter_id)
                return outcome
            doc = await tx.get(DEAD_LETTERS.name, letter_id)
            if doc is not None:
                await tx.update(DEAD_LETTERS.name, letter_id, doc.data | {
                    "attempts": doc.data["attempts"] + attempts,
                    "error": deadletters.describe(error),
                    "failed_at": self.clock.now().isoformat()}, expected_version=doc.version)
        return Outcome.DEAD_LETTERED

    async def _apply_with_retries(self, envelope: Envelope, topic: str
                                  ) -> tuple[Outcome, BaseException | None, int]:
        with self._span(envelope, topic) as span:
            error: BaseException | None = None
            for attempt in range(1, self.retry.attempts + 1):
                try:
                    async with self.store.transaction() as tx:
                        applied = await Inbox.read(tx, [envelope])
                        outcome = await self._apply(envelope, tx, applied, span)
                        await applied.write(tx)
                    return outcome, None, attempt
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    error = exc
                    log.warning("attempt %d/%d of %s on %s failed: %s", attempt,
                                self.retry.attempts, envelope.type, envelope.aggregate_id, exc)
                    if attempt < self.retry.attempts:
                        await asyncio.sleep(self.retry.delay(attempt))
            span.set_attribute("ocop.outcome", Outcome.DEAD_LETTERED.value)
            return Outcome.DEAD_LETTERED, error, self.retry.attempts
