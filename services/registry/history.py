"""Every change to an account, subject, product or dossier leaves a history entry, written in
the change's own transaction: no change goes unrecorded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.registry import domain
from services.registry.store import HISTORY
from shared.clock import Clock
from shared.ids import new_id
from shared.store import Document, Transaction


@dataclass(frozen=True)
class History:
    clock: Clock

    async def record(self, tx: Transaction, entity: str, after: Document,
                     before: dict[str, Any], by: str, action: str) -> None:
        """``entity`` changed from ``before`` to ``after`` by ``by`` (``action``)."""
        await tx.insert(HISTORY.name, new_id(), {
            "entity_key": f"{entity}:{after.id}", "entity": entity, "entity_id": after.id,
            "version": after.version, "action": action, "by": by,
            "at": self.clock.stamp(),
            "changes": domain.changed_fields(before, after.data)})
