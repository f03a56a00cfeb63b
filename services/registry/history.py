"""Every change to an account, subject, product or dossier leaves a history entry, written in
the change's own transaction: no change goes unrecorded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.registry import domain
from services.registry.store import HISTORY
from shared.clock import Clock
from shared.ids import new_id
from shared.refusals import BadRequest
from shared.store import Page, Reader, Transaction


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
            "changes": domain.changed_fields(before, after)})

    async def page(self, reader: Reader, entity: str | None, entity_id: str | None,
                   by: str | None, *, limit: int, after: str | None) -> Page:
        """Newest first: of one record (``entity`` and ``entity_id``), one kind of record,
        or one person's changes (``by``)."""
        if entity_id and not entity:
            raise BadRequest("Name the kind of record too: entity=user, subject, product or "
                             "dossier.",
                             "Hãy ghi cả loại hồ sơ: entity=user, subject, product hoặc "
                             "dossier.", code="entity-needed")
        where: dict[str, Any] = {}
        if entity and entity_id:
            where["entity_key"] = f"{entity}:{entity_id}"
        elif entity:
            where["entity"] = entity
        if by:
            where["by"] = by
        return await reader.find(HISTORY.name, where or None, order_by="-at", limit=limit,
                                 after=after)
