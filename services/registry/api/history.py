"""The change history: who changed what and when."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, JsonValue

from services.registry.api.deps import RegistryPart, may
from services.registry.history.queries import page as history_page
from shared.http.paging import Cursor, Limit, PageOut

router = APIRouter()


class FieldChangeOut(BaseModel):
    before: JsonValue = Field(alias="from")
    after: JsonValue = Field(alias="to")


class HistoryEntryOut(BaseModel):
    entity_key: str
    entity: Literal["user", "subject", "product", "dossier"]
    entity_id: str
    version: int
    action: str
    by: str
    at: str
    changes: dict[str, FieldChangeOut]
    """Field by field; a stored value is any JSON (``null`` when absent)."""
    id: str


@router.get("/history", tags=["history"], **may("history"),
            summary="Who changed what and when, newest first (admin)")
async def history(registry: RegistryPart,
                  entity: Literal["user", "subject", "product", "dossier"] | None = None,
                  entity_id: str | None = None, by: str | None = None,
                  limit: Limit = 50, cursor: Cursor = None) -> PageOut[HistoryEntryOut]:
    page = await history_page(registry.store, entity, entity_id, by, limit=limit,
                              after=cursor)
    return PageOut(items=[HistoryEntryOut.model_validate(d.data | {"id": d.id})
                          for d in page.items], next_cursor=page.next_cursor)
