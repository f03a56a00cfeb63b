"""The council member's pages: the evaluations waiting for their sheet, the score sheet
(tablet first) and the sheets already submitted. Each loads what it shows from the rating
and registry APIs with the member's own token; the sheet sends one call, and the rating
service checks every score (who may score, each criterion within its maximum)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.web.backend import Refused
from services.web.clients.rating import Preparation
from services.web.council import sheet
from services.web.front import (
    CouncilMember,
    CouncilWriter,
    Front,
    WebFront,
    back_to,
    language,
    render,
)
from services.web.plain import plain
from services.web.sessions import WebSession

router = APIRouter(include_in_schema=False)


@router.get("/council", response_class=HTMLResponse)
async def to_score(request: Request, front: Front, session: CouncilMember) -> Response:
    rating = front.rating(session.token)
    waiting, rounds = await asyncio.gather(rating.to_score(), rating.council_rounds())
    products = await asyncio.gather(*(front.registry(session.token).scored_product(e.product_id)
                                      for e in waiting.items))
    return render(request, "council/to_score.html", session, waiting=waiting,
                  products={p.id: p for p in products},
                  rounds={r.id: r for r in rounds.items},
                  submitted=request.query_params.get("scored", ""),
                  group_name=sheet.group_name)


@router.get("/council/scored", response_class=HTMLResponse)
async def scored(request: Request, front: Front, session: CouncilMember) -> Response:
    sheets = await front.rating(session.token).my_sheets()
    return render(request, "council/scored.html", session, sheets=sheets)


async def _sheet_page(request: Request, front: WebFront, session: WebSession,
                      evaluation_id: str, status: int = 200, **context: Any) -> Response:
    rating = front.rating(session.token)
    scoring, rounds, sets = await asyncio.gather(
        rating.scoring(evaluation_id), rating.council_rounds(),
        Preparation(front.backend, session.token).criteria_sets())
    product = await front.registry(session.token).scored_product(scoring.product_id)
    mine = next((s for s in scoring.score_sheets if s.member == session.username), None)
    return render(request, "council/sheet.html", session, status=status, scoring=scoring,
                  product=product, held_round=next(
                      (r for r in rounds.items if r.id == scoring.round_id), None),
                  rows=sheet.rows(scoring), maxima=sheet.part_maxima(scoring),
                  parts=sheet.PARTS, part_names=sheet.PART_NAMES,
                  stars_floors=sheet.stars_attribute(sets, scoring.criteria_set), mine=mine,
                  group_name=sheet.group_name, **context)


@router.get("/council/evaluations/{evaluation_id}", response_class=HTMLResponse)
async def sheet_page(request: Request, front: Front, session: CouncilMember,
                     evaluation_id: str) -> Response:
    return await _sheet_page(request, front, session, evaluation_id)


@router.post("/council/evaluations/{evaluation_id}", response_class=HTMLResponse)
async def submit_sheet(request: Request, front: Front, session: CouncilWriter,
                       evaluation_id: str) -> Response:
    lang = language(request)
    rating = front.rating(session.token)
    scoring = await rating.scoring(evaluation_id)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        await rating.submit_sheet(evaluation_id, sheet.sheet_body(scoring, form, lang))
    except Refused as refusal:
        said = plain(sheet.beside_rows(refusal, scoring), lang, sheet.form_fields(scoring))
        return await _sheet_page(request, front, session, evaluation_id,
                                 status=refusal.status, refusal=said.message,
                                 errors=said.fields, form=form)
    return back_to(f"/council?done=sheet_submitted&scored={evaluation_id}")
