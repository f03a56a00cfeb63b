"""The commune officer's pages: the commune's products and where each stands, the stages
waiting for the commune's decision, and the pre-assessment of Decision 1489/QĐ-TTg. Each
loads what it shows from the registry and rating APIs with the officer's own token (which
lets it see its own commune's records only); each form sends one call."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from services.web.backend import Refused
from services.web.commune import standing
from services.web.council.sheet import group_name
from services.web.front import (
    CommuneOfficer,
    CommuneWriter,
    Front,
    WebFront,
    back_to,
    language,
    render,
)
from services.web.plain import plain
from services.web.sessions import WebSession

router = APIRouter(include_in_schema=False)


async def _products_page(request: Request, front: WebFront, session: WebSession,
                         status: int = 200, **context: Any) -> Response:
    registry = front.registry(session.token)
    products, subjects, waiting, proposals = await asyncio.gather(
        registry.commune_products(), registry.commune_subjects(), registry.commune_stages(),
        front.rating(session.token).commune_proposals())
    dossiers = await asyncio.gather(*(registry.dossier(p.id) for p in products.items))
    names = {s.id: s.name for s in subjects.items}
    latest = standing.latest_proposals(proposals.items)
    rows = [standing.Row(p, names.get(p.subject_id, ""), d.stages, latest.get(p.id))
            for p, d in zip(products.items, dossiers, strict=True)]
    return render(request, "commune/products.html", session, status=status, rows=rows,
                  total=products.total, waiting=waiting, stages=standing.STAGES,
                  stage_names=standing.STAGE_NAMES,
                  stage_status_names=standing.STAGE_STATUS_NAMES, group_name=group_name,
                  **context)


@router.get("/commune", response_class=HTMLResponse)
async def products(request: Request, front: Front, session: CommuneOfficer) -> Response:
    return await _products_page(request, front, session)


@router.post("/commune/products/{product_id}/stages/{stage}", response_class=HTMLResponse)
async def decide_stage(request: Request, front: Front, session: CommuneWriter,
                       product_id: str, stage: str,
                       status: Annotated[str, Form()] = "",
                       note: Annotated[str, Form()] = "") -> Response:
    lang = language(request)
    try:
        await front.registry(session.token).commune_decision(product_id, stage, status, note)
    except Refused as refusal:
        said = plain(refusal, lang, standing.STAGE_FORM)
        return await _products_page(request, front, session, status=refusal.status,
                                    refusal=said.message,
                                    stage_refused=(product_id, stage),
                                    errors=said.fields, form={"note": note})
    done = "stage_accepted" if status == "accepted" else "stage_returned"
    return back_to(f"/commune?done={done}#waiting")


async def _pre_assessment_page(request: Request, front: WebFront, session: WebSession,
                               product_id: str, status: int = 200,
                               **context: Any) -> Response:
    product, proposals = await asyncio.gather(
        front.registry(session.token).scored_product(product_id),
        front.rating(session.token).commune_proposals(product_id))
    context.setdefault("form", {"assessed_on": front.clock.today().isoformat()})
    return render(request, "commune/pre_assessment.html", session, status=status,
                  product=product, latest=proposals.items[-1] if proposals.items else None,
                  criteria=standing.CRITERIA, group_name=group_name, **context)


@router.get("/commune/products/{product_id}/pre-assessment", response_class=HTMLResponse)
async def pre_assessment(request: Request, front: Front, session: CommuneOfficer,
                         product_id: str) -> Response:
    return await _pre_assessment_page(request, front, session, product_id)


@router.post("/commune/products/{product_id}/pre-assessment", response_class=HTMLResponse)
async def propose(request: Request, front: Front, session: CommuneWriter,
                  product_id: str) -> Response:
    lang = language(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        made = await front.rating(session.token).propose({
            "product_id": product_id, "assessed_on": form.get("assessed_on") or None,
            "notes": form.get("notes", ""), **standing.answers(form)})
    except Refused as refusal:
        said = plain(standing.unanswered_said(refusal), lang, standing.PRE_ASSESSMENT_FORM)
        return await _pre_assessment_page(request, front, session, product_id,
                                          status=refusal.status, refusal=said.message,
                                          errors=said.fields, form=form)
    done = "proposed" if made.proposed else "held_back"
    return back_to(f"/commune/products/{product_id}/pre-assessment?done={done}#result")
