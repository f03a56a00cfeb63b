"""The transactional outbox: events are stored in the same transaction as their change."""

from __future__ import annotations

import asyncio

from shared.messaging.collections import OUTBOX
from shared.messaging.events.contracts import EventContract
from shared.messaging.events.envelope import Envelope
from shared.platform.clock import Clock
from shared.platform.telemetry import current_trace_headers
from shared.ports.store import Transaction


class Outbox:
    """``await outbox.emit(tx, ProductCertified(…), aggregate_id=product_id,
    sequence=version)``: the event of a change to the aggregate ``aggregate_id`` (its
    CloudEvents ``subject``), which the change brought to version ``sequence``."""

    def __init__(self, service: str, clock: Clock) -> None:
        self.source = f"/ocop/{service}"
        self.clock = clock
        self.pending = asyncio.Event()
        """Set after a transaction with events commits, so the relay publishes at once."""

    async def emit(self, tx: Transaction, payload: EventContract, *, aggregate_id: str,
                   sequence: int, dataschema: str | None = None) -> Envelope:
        """``dataschema``: the URL of ``payload``'s published JSON Schema, for events that
        outsiders read."""
        traceparent, tracestate = current_trace_headers()
        envelope = Envelope(type=payload.event_type, source=self.source, aggregate_id=aggregate_id,
                            sequence=sequence, data=payload.model_dump(mode="json"),
                            time=self.clock.now(),
                            traceparent=traceparent, tracestate=tracestate,
                            dataschema=dataschema)
        await tx.insert(OUTBOX.name, envelope.id, {"topic": payload.topic,
                                                   "event": envelope.to_json()})
        tx.on_commit(self.pending.set)
        return envelope
