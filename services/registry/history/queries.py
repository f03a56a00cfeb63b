"""Reading the change history back."""

from __future__ import annotations

from typing import Any

from services.registry.store import HISTORY
from shared.ports.store import Page, Reader
from shared.refusals import N_, BadRequest


async def page(reader: Reader, entity: str | None, entity_id: str | None, by: str | None, *,
               limit: int, after: str | None) -> Page:
    """Newest first: of one record (``entity`` and ``entity_id``), one kind of record, or one
    person's changes (``by``)."""
    if entity_id and not entity:
        raise BadRequest(N_("Name the kind of record too: entity=user, subject, product or "
                            "dossier."), code="entity-needed")
    where: dict[str, Any] = {}
    if entity and entity_id:
        where["entity_key"] = f"{entity}:{entity_id}"
    elif entity:
        where["entity"] = entity
    if by:
        where["by"] = by
    return await reader.find(HISTORY.name, where or None, order_by="-at", limit=limit,
                             after=after)
