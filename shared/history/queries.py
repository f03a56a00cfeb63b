"""Reading the change history back."""

from __future__ import annotations

from typing import Any

from shared.history.recorder import HISTORY
from shared.ports.store import Page, Reader
from shared.refusals import BadRequest


async def page(reader: Reader, entity: str | None, entity_id: str | None, by: str | None, *,
               limit: int, after: str | None, entity_needed: str) -> Page:
    """Newest first: of one record (``entity`` and ``entity_id``), one kind of record, or one
    person's changes (``by``). ``entity_needed``: the catalog message refusing a record's
    id without its kind (it names the service's kinds)."""
    if entity_id and not entity:
        raise BadRequest(entity_needed, code="entity-needed")
    where: dict[str, Any] = {}
    if entity and entity_id:
        where["entity_key"] = f"{entity}:{entity_id}"
    elif entity:
        where["entity"] = entity
    if by:
        where["by"] = by
    return await reader.find(HISTORY.name, where or None, order_by="-at", limit=limit,
                             after=after)
