"""Writing the history: an entry per change, in the change's own transaction, so no change
goes unrecorded (and none is recorded that did not happen)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.history.rules import changed_fields
from shared.platform.clock import Clock
from shared.platform.ids import new_id
from shared.ports.store import Collection, Transaction


def history_collection() -> Collection:
    """A service's history collection (one per service, in its own store) and the fields
    its reading query filters and orders on."""
    return Collection("history", indexes=("entity_key", "entity", "by", "at"))


HISTORY = history_collection()
"""Who changed what and when; put in a service's ``COLLECTIONS``."""


@dataclass(frozen=True)
class History:
    clock: Clock

    async def record(self, tx: Transaction, entity: str, entity_id: str, version: int,
                     before: dict[str, Any], after: dict[str, Any], by: str,
                     action: str) -> None:
        """``entity`` ``entity_id`` changed from ``before`` to ``after`` (now at ``version``)
        by ``by`` (``action``)."""
        await tx.insert(HISTORY.name, new_id(), {
            "entity_key": f"{entity}:{entity_id}", "entity": entity, "entity_id": entity_id,
            "version": version, "action": action, "by": by, "at": self.clock.stamp(),
            "changes": changed_fields(before, after)})
