"""The producer's annual cycle in its workspace: registering a product, proposing each stage
(ý tưởng → phương án → hồ sơ), submitting it for evaluation, and its certificate's PDF.
Each form sends one call to the registry, which keeps every rule (the order of the stages,
the checklist complete…); its refusal is shown beside the form that was sent."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from services.web.backend import Refused
from services.web.front import Front, Producer, ProducerWriter, back_to, language, render
from services.web.plain import plain
from services.web.producer.pages import _product_page
from services.web.sessions import WebSession
from shared.ocop.vocabulary import GROUPS_148_2023

router = APIRouter(include_in_schema=False)
PRODUCT_FORM = ("name", "group", "subgroup", "description", "gtin")
STAGE_FORM = ("note",)
"""Each form's fields: a refusal's note stands beside the one it is about."""


def _new_product(request: Request, session: WebSession, status: int = 200, **context: Any
                 ) -> Response:
    return render(request, "producer/product_new.html", session, status=status,
                  groups=list(GROUPS_148_2023.values()), **context)


@router.get("/products/new", response_class=HTMLResponse)
async def new_product(request: Request, session: Producer) -> Response:
    return _new_product(request, session)


@router.post("/products", response_class=HTMLResponse)
async def register_product(request: Request, front: Front, session: ProducerWriter,
                           name: Annotated[str, Form()] = "",
                           group: Annotated[str, Form()] = "",
                           subgroup: Annotated[str, Form()] = "",
                           description: Annotated[str, Form()] = "",
                           gtin: Annotated[str, Form()] = "") -> Response:
    form = {"name": name, "group": group, "subgroup": subgroup, "description": description,
            "gtin": gtin}
    try:
        made = await front.registry(session.token).register_product({
            "subject_id": session.subject_id, "name": name, "group": group,
            "subgroup": subgroup, "description": description, "gtin": gtin.strip() or None})
    except Refused as refusal:
        said = plain(refusal, language(request), PRODUCT_FORM)
        return _new_product(request, session, status=refusal.status, form=form,
                            refusal=said.message, errors=said.fields)
    return back_to(f"/products/{made.id}?done=product_registered#stages")


@router.post("/products/{product_id}/cycle", response_class=HTMLResponse)
async def propose_stage(request: Request, front: Front, session: ProducerWriter,
                        product_id: str, stage: Annotated[str, Form()] = "",
                        note: Annotated[str, Form()] = "") -> Response:
    try:
        await front.registry(session.token).propose_stage(product_id, stage, note)
    except Refused as refusal:
        said = plain(refusal, language(request), STAGE_FORM)
        return await _product_page(request, front, session, product_id,
                                   status=refusal.status,
                                   stage_refusal=(stage, said.message),
                                   errors=said.fields, form={"note": note})
    return back_to(f"/products/{product_id}?done=stage_proposed#stage-{stage}")


@router.post("/products/{product_id}/submission", response_class=HTMLResponse)
async def submit_product(request: Request, front: Front, session: ProducerWriter,
                         product_id: str) -> Response:
    try:
        await front.registry(session.token).submit_product(product_id)
    except Refused as refusal:
        said = plain(refusal, language(request))
        return await _product_page(request, front, session, product_id,
                                   status=refusal.status, submit_refusal=said.message)
    return back_to(f"/products/{product_id}?done=product_submitted")


@router.get("/certificates/{certificate_id}.pdf")
async def certificate_pdf(front: Front, session: Producer, certificate_id: str) -> Response:
    return await front.certificate_pdf(session.token, certificate_id)
