"""The inbox: what makes every consumer idempotent.

Inside the handler's own transaction we keep, per aggregate, the sequence of the newest
event applied. An event that is not newer (a redelivery, a replay, or an older event
arriving late) is acknowledged and changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from shared.events.envelope import Envelope
from shared.messaging.collections import INBOX
from shared.store import Transaction


async def accept(tx: Transaction, envelope: Envelope, now: datetime) -> bool:
    """Record ``envelope`` as applied; False if an equal or newer one was applied already."""
    held = await tx.get(INBOX.name, envelope.aggregate_key)
    if held is not None and int(held.data["sequence"]) >= envelope.sequence:
        return False
    await tx.put(INBOX.name, envelope.aggregate_key, {
        "sequence": envelope.sequence, "event_id": envelope.id, "type": envelope.type,
        "applied_at": now.isoformat()})
    return True


def snapshot_is_current(held_version: int | None, version: int | None) -> bool:
    """For a read model fed by two sources (e.g. a product from the registry's events and
    from the rating events' snapshots of it): may a snapshot of ``version`` replace what is
    held at ``held_version``? Unversioned snapshots (older producers) always may."""
    return version is None or version >= (held_version or 0)
