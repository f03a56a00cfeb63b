"""The outbox relay: publishes stored events in order and forgets them once the broker has
them. A broker outage only delays it; it retries with backoff and loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from opentelemetry import trace
from opentelemetry.trace import SpanKind

from shared.messaging.collections import OUTBOX
from shared.messaging.events.codec import encode
from shared.messaging.events.envelope import Envelope
from shared.messaging.outbox import Outbox
from shared.platform.supervision import Health
from shared.platform.telemetry import context_from, current_trace_headers, mark_error
from shared.ports.bus import BusUnavailable, EventBus, Message
from shared.ports.store import DocumentStore

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 5.0


class OutboxRelay:
    def __init__(self, store: DocumentStore, bus: EventBus, outbox: Outbox,
                 tracer: trace.Tracer, *, batch_size: int = 500,
                 poll_seconds: float = 0.5) -> None:
        self.store = store
        self.bus = bus
        self.outbox = outbox
        self.tracer = tracer
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.bus_down = False

    async def run(self, health: Health | None = None) -> None:
        """Publish until cancelled; wakes on every committed event, polls as a fallback
        (another replica's events, or events left by a previous run).

        A bus that is down is waited for here (``health`` is told of the outage); any
        other error (the embedded bus's file full, a store that fails) is raised, for the
        runtime's supervisor to start it again (``shared.platform.supervision``). Each
        round that publishes, or finds nothing to, tells ``health`` it works."""
        backoff = 0.05
        while True:
            self.outbox.pending.clear()
            try:
                published = await self.publish_pending()
            except BusUnavailable as exc:
                if not self.bus_down:
                    log.warning("bus unavailable, events stay in the outbox: %s", exc)
                self.bus_down = True
                if health is not None:
                    health.failing(exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            if self.bus_down:
                log.info("bus available again; outbox draining")
            self.bus_down = False
            if health is not None:
                health.well()
            backoff = 0.05
            if published < self.batch_size:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a
                # cancellation that lands as the event is set, and the relay never stops.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.poll_seconds):
                        await self.outbox.pending.wait()

    async def publish_pending(self) -> int:
        """Publish one batch, oldest first; returns how many were published."""
        page = await self.store.find(OUTBOX.name, order_by="id", limit=self.batch_size)
        if not page.items:
            return 0
        spans = []
        messages: list[Message] = []
        for doc in page.items:
            envelope = Envelope.from_json(doc.data["event"])
            topic = doc.data["topic"]
            span = self.tracer.start_span(
                f"{topic} publish", kind=SpanKind.PRODUCER,
                context=context_from(envelope.traceparent, envelope.tracestate),
                attributes={"messaging.system": "kafka", "messaging.operation.type": "publish",
                            "messaging.destination.name": topic,
                            "messaging.message.id": envelope.id,
                            "cloudevents.event_type": envelope.type})
            spans.append(span)
            # The consumer's span becomes a child of this publish span.
            messages.append(encode(envelope.with_trace(*current_trace_headers(span)), topic))
        try:
            await self.bus.publish(messages)
        except BaseException as exc:
            for span in spans:
                mark_error(span, exc)
                span.end()
            raise
        for span in spans:
            span.end()
        async with self.store.transaction() as tx:
            for doc in page.items:
                await tx.delete(OUTBOX.name, doc.id)
        return len(page.items)
