"""Every change to an account, subject, product or dossier leaves a history entry, written in
the change's own transaction: no change goes unrecorded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.registry.history.rules import changed_fields
from services.registry.store import HISTORY
from shared.platform.clock import Clock
from shared.platform.ids import new_id
from shared.ports.store import Transaction


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
