"""Repairs: what reconciliation (``shared.messaging.reconciliation``) changed in a
service's read model — each one an alarm that the bus lost an event the service should
have had.

A consumer applies a restated event through its inbox like any other; where it had applied
the original, the inbox ignores it. Where the handler finds the restated state changes its
read model, it records a repair in its own transaction: a document in ``REPAIRS`` (when,
which aggregate, what changed, from which event) and, once that commits, a WARNING log line
with the ids. Operators read them, with their count, at ``GET /operations/repairs``
(``RepairsOut``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from shared.messaging.collections import REPAIRS
from shared.messaging.events.envelope import Envelope
from shared.platform.clock import Clock
from shared.platform.ids import new_id
from shared.ports.store import Reader, Transaction

log = logging.getLogger(__name__)
LATEST = 50
"""How many repairs the operations answer lists (newest first); ``total`` counts them all."""


@dataclass(frozen=True)
class Repairs:
    """Records the repairs of one service (``service``: its name, in the log line)."""

    service: str
    clock: Clock

    async def record(self, tx: Transaction, envelope: Envelope, *, kind: str,
                     aggregate_id: str, change: str) -> None:
        """``kind``: what was repaired (``listing``, ``profile``); ``change``: how (a code:
        ``listed``, ``delisted``, …); ``envelope``: the restated event that repaired it."""
        at = self.clock.now()
        await tx.insert(REPAIRS.name, new_id(), {
            "at": at.isoformat(), "kind": kind, "aggregate_id": aggregate_id, "change": change,
            "event_type": envelope.type, "event_source": envelope.source,
            "event_subject": envelope.aggregate_id, "sequence": envelope.sequence})
        tx.on_commit(lambda: log.warning(
            "%s: reconciliation repaired %s %s (%s) from %s %s sequence %d: the bus lost an "
            "event this service should have had", self.service, kind, aggregate_id, change,
            envelope.source, envelope.aggregate_id, envelope.sequence))


class RepairOut(BaseModel):
    """One repair: a read model changed by a restated event, so an event had been lost."""

    id: str
    at: datetime
    kind: str
    """What was repaired: ``listing`` (catalog), ``profile`` (traceability's scan page)."""
    aggregate_id: str
    """Its id (a product's)."""
    change: str
    """What the repair did: ``listed``, ``delisted``, ``certificate-shown``,
    ``certificate-ended``."""
    event_type: str
    """The restated event that repaired it, its source, subject and sequence."""
    event_source: str
    event_subject: str
    sequence: int


class RepairsOut(BaseModel):
    """The alarm: how many repairs this service's reconciliation made, and the latest."""

    total: int
    """Every repair recorded: more than zero means the bus lost events at least once."""
    latest: list[RepairOut]
    """The latest (up to 50), newest first."""


async def repairs(reader: Reader) -> RepairsOut:
    """The service's repairs: their count and the latest."""
    page = await reader.find(REPAIRS.name, order_by="-at", limit=LATEST)
    return RepairsOut(total=await reader.count(REPAIRS.name),
                      latest=[RepairOut(id=d.id, **d.data) for d in page.items])
