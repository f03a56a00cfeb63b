"""The history of the office's decisions (and the council's sheets): who did what and when."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from services.rating.api.deps import RatingPart, may
from shared.history import page as history_page
from shared.history.answers import HistoryEntryOut, history_out
from shared.http.paging import Cursor, Limit, PageOut
from shared.refusals import N_

router = APIRouter()

Entity = Literal["round", "criteria_table", "evaluation", "score_sheet", "certificate"]


@router.get("/history", tags=["history"], **may("history"),
            summary="Who decided what and when, newest first (admin)")
async def history(rating: RatingPart, entity: Entity | None = None,
                  entity_id: str | None = None, by: str | None = None,
                  limit: Limit = 50, cursor: Cursor = None) -> PageOut[HistoryEntryOut]:
    return history_out(await history_page(
        rating.store, entity, entity_id, by, limit=limit, after=cursor,
        entity_needed=N_("Name the kind of record too: entity=round, criteria_table, "
                         "evaluation, score_sheet or certificate.")))
