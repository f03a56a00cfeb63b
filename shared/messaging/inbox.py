"""The inbox: what makes every consumer idempotent.

Inside the handler's own transaction we keep, per aggregate, the sequence of the newest
event applied. An event that is not newer (a redelivery, a replay, or an older event
arriving late) is acknowledged and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from shared.messaging.collections import INBOX
from shared.messaging.events.envelope import Envelope
from shared.ports.store import Transaction


class Inbox:
    """The inbox as one transaction sees it: the entries of its events' aggregates read in
    one query, and those it accepts written in one statement before it commits (a burst's
    transaction applies hundreds of events, and a read and a write each were two of the
    handful of trips to the store an event cost)."""

    def __init__(self, held: dict[str, int]) -> None:
        self._held = held
        self._accepted: dict[str, dict[str, Any]] = {}

    @classmethod
    async def read(cls, tx: Transaction, envelopes: Iterable[Envelope]) -> Inbox:
        """The entries of ``envelopes``' aggregates."""
        found = await tx.get_many(INBOX.name, (envelope.aggregate_key for envelope in envelopes))
        return cls({key: int(doc.data["sequence"]) for key, doc in found.items()})

    def accept(self, envelope: Envelope, now: datetime) -> bool:
        """Note ``envelope`` as applied; False if an equal or newer one was applied already.
        ``envelope``'s aggregate must be among those read."""
        held = self._held.get(envelope.aggregate_key)
        if held is not None and held >= envelope.sequence:
            return False
        self._held[envelope.aggregate_key] = envelope.sequence
        self._accepted[envelope.aggregate_key] = {
            "sequence": envelope.sequence, "event_id": envelope.id, "type": envelope.type,
            "applied_at": now.isoformat()}
        return True

    async def write(self, tx: Transaction) -> None:
        """Store what was accepted, in ``tx``: before it commits."""
        if self._accepted:
            await tx.put_many(INBOX.name, self._accepted)
            self._accepted = {}


def snapshot_is_current(held_version: int | None, version: int | None) -> bool:
    """For a read model fed by two sources (e.g. a product from the registry's events and
    from the rating events' snapshots of it): may a snapshot of ``version`` replace what is
    held at ``held_version``? Unversioned snapshots (older producers) always may."""
    return version is None or version >= (held_version or 0)
