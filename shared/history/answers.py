"""The history at the HTTP edge: a page of entries, the same shape in every service."""

from __future__ import annotations

from pydantic import BaseModel, Field, JsonValue

from shared.http.paging import PageOut
from shared.ports.store import Page


class FieldChangeOut(BaseModel):
    before: JsonValue = Field(alias="from")
    after: JsonValue = Field(alias="to")


class HistoryEntryOut(BaseModel):
    entity_key: str
    entity: str
    """The kind of record (the service's ``GET /history`` lists its kinds)."""
    entity_id: str
    version: int
    action: str
    by: str
    """The account that acted (its username), or ``system`` for a scheduled job."""
    at: str
    changes: dict[str, FieldChangeOut]
    """Field by field; a stored value is any JSON (``null`` when absent)."""
    id: str


def history_out(page: Page) -> PageOut[HistoryEntryOut]:
    return PageOut(items=[HistoryEntryOut.model_validate(d.data | {"id": d.id})
                          for d in page.items], next_cursor=page.next_cursor)
