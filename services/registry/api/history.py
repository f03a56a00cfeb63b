"""The change history: who changed what and when."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from services.registry.api.deps import RegistryPart, may
from shared.history import page as history_page
from shared.history.answers import HistoryEntryOut, history_out
from shared.http.paging import Cursor, Limit, PageOut
from shared.refusals import N_

router = APIRouter()


@router.get("/history", tags=["history"], **may("history"),
            summary="Who changed what and when, newest first (admin)")
async def history(registry: RegistryPart,
                  entity: Literal["user", "subject", "product", "dossier"] | None = None,
                  entity_id: str | None = None, by: str | None = None,
                  limit: Limit = 50, cursor: Cursor = None) -> PageOut[HistoryEntryOut]:
    return history_out(await history_page(
        registry.store, entity, entity_id, by, limit=limit, after=cursor,
        entity_needed=N_("Name the kind of record too: entity=user, subject, product or "
                         "dossier.")))
