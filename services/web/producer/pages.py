"""The producer's pages. Each loads what it shows from the services' APIs with the
producer's own token, and each form sends one call; the services keep every rule."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import uuid4

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from services.web.backend import Refused
from services.web.clients.rating import Certificate
from services.web.clients.registry import Dossier, Product
from services.web.clients.traceability import ListedBatch
from services.web.front import (
    Front,
    Producer,
    ProducerWriter,
    WebFront,
    back_to,
    language,
    refused_json,
    render,
    wants_json,
)
from services.web.plain import plain
from services.web.producer.certificate import (
    CertificateSeen,
    certificate_seen,
    earlier_certificates,
    kept_batch,
)
from services.web.producer.decisions import cycle_view, refused_change
from services.web.producer.origin_form import FIELDS as EVENT_FIELDS
from services.web.producer.origin_form import (
    FORM_STEPS,
    EventForm,
    amount_shown,
    event_body,
    kept_photos,
    one_record,
    photographed,
    prefilled,
    uncorrected,
)
from services.web.producer.workspace import Standing, Validity, newest, road, standing
from services.web.sessions import WebSession
from services.web.typed import typed_number
from shared.platform.clock import VIETNAM

router = APIRouter(include_in_schema=False)
PHOTO_LIMIT = 10 * 1024 * 1024
DOCUMENT_FORM = ("file",)
CHANGE_FORM = ("name", "description")
BATCH_FORM = ("lot", "produced_on", "quantity", "unit", "area", "commune")
LABEL_FORM = ("count", "kind")
EVENT_FORM = (*EVENT_FIELDS, "photo")
"""Each form's fields: a refusal's note stands beside the one it is about."""


# -- products -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ProductState:
    """A product as its pages show it: its dossier, the certificate that speaks for it,
    how long that holds and where the product stands."""

    product: Product
    dossier: Dossier
    certificate: Certificate | None
    validity: Validity | None
    standing: Standing
    road: tuple[Standing, ...]
    seen: CertificateSeen | None
    """How the certificate reads: in force, expiring, revoked, expired, replaced."""
    earlier: list[CertificateSeen]


async def _product_state(front: WebFront, session: WebSession, product: Product
                         ) -> ProductState:
    dossier, certificates = await asyncio.gather(
        front.registry(session.token).dossier(product.id),
        front.rating(session.token).certificates(product.id))
    certificate = newest(certificates.items)
    today = front.clock.today()
    validity = (Validity(certificate.valid_until, today)
                if certificate and certificate.status == "active" else None)
    now = standing(product, dossier.stages, certificate)
    return ProductState(product, dossier, certificate, validity, now, road(now),
                        certificate_seen(certificates.items, today),
                        earlier_certificates(certificates.items, today))


@router.get("/", response_class=HTMLResponse)
async def products(request: Request, front: Front, session: Producer) -> Response:
    found = await front.registry(session.token).products(session.subject_id)
    states = await asyncio.gather(*(_product_state(front, session, p) for p in found.items))
    return render(request, "products.html", session, states=states)


async def _product_page(request: Request, front: WebFront, session: WebSession, product_id: str,
                        status: int = 200, **context: Any) -> Response:
    product = await front.registry(session.token).product(product_id)
    state = await _product_state(front, session, product)
    traceability = front.traceability(session.token)
    batches: list[ListedBatch] = []
    if state.certificate is not None:  # those of an ended certificate stay, read-only
        batches = (await traceability.batches(product_id)).items
    kept = []
    if state.validity is None:
        kept = await asyncio.gather(*(kept_batch(traceability, b) for b in batches))
    # product.html reads each part of the state by its name
    return render(request, "product.html", session, status=status, batches=batches,
                  kept_batches=kept,
                  cycle=cycle_view(product.status, state.dossier.cycle),
                  refused_change=refused_change(product.last_identity_decision),
                  **vars(state), **context)


@router.get("/products/{product_id}", response_class=HTMLResponse)
async def product_page(request: Request, front: Front, session: Producer,
                       product_id: str) -> Response:
    return await _product_page(request, front, session, product_id)


@router.post("/products/{product_id}/documents", response_class=HTMLResponse)
async def add_document(request: Request, front: Front, session: ProducerWriter, product_id: str,
                       type: Annotated[str, Form()], file: UploadFile) -> Response:
    data = await file.read(PHOTO_LIMIT + 1)
    try:
        await front.registry(session.token).add_document(product_id, type, data,
                                                         file.content_type or "")
    except Refused as refusal:
        if wants_json(request):
            return refused_json(refusal, language(request), DOCUMENT_FORM)
        said = plain(refusal, language(request), DOCUMENT_FORM)
        return await _product_page(request, front, session, product_id,
                                   status=refusal.status, document_refusal=(
                                       type, said.fields.get("file", said.message)))
    if wants_json(request):
        return JSONResponse({"ok": True})
    return back_to(f"/products/{product_id}?done=uploaded_document#checklist")


@router.post("/products/{product_id}/changes", response_class=HTMLResponse)
async def propose_change(request: Request, front: Front, session: ProducerWriter, product_id: str,
                         name: Annotated[str, Form()] = "",
                         description: Annotated[str, Form()] = "") -> Response:
    try:
        changed = await front.registry(session.token).propose_change(product_id, name,
                                                                     description)
    except Refused as refusal:
        said = plain(refusal, language(request), CHANGE_FORM)
        return await _product_page(request, front, session, product_id,
                                   status=refusal.status, change_refusal=said.message,
                                   errors=said.fields,
                                   form={"name": name, "description": description})
    done = "change_sent" if changed.pending_identity_change else "change_saved"
    return back_to(f"/products/{product_id}?done={done}")


# -- batches ------------------------------------------------------------------------------

@router.get("/products/{product_id}/batches/new", response_class=HTMLResponse)
async def new_batch_page(request: Request, front: Front, session: Producer,
                         product_id: str) -> Response:
    product = await front.registry(session.token).product(product_id)
    return render(request, "batch_new.html", session, product=product,
                  form={"produced_on": front.clock.today().isoformat(), "unit": "KGM"})


@router.post("/products/{product_id}/batches", response_class=HTMLResponse)
async def open_batch(request: Request, front: Front, session: ProducerWriter, product_id: str,
                     lot: Annotated[str, Form()] = "", produced_on: Annotated[str, Form()] = "",
                     quantity: Annotated[str, Form()] = "", unit: Annotated[str, Form()] = "",
                     area: Annotated[str, Form()] = "",
                     commune: Annotated[str, Form()] = "") -> Response:
    form = {"lot": lot, "produced_on": produced_on, "quantity": quantity, "unit": unit,
            "area": area, "commune": commune}
    lang = language(request)
    try:
        body: dict[str, Any] = {"lot": lot, "produced_on": produced_on or None,
                                "quantity": typed_number(quantity, lang, "quantity"),
                                "unit": unit}
        if area or commune:  # either alone is refused by name, not dropped
            body["areas"] = [{"name": area, "commune": commune}]
        batch = await front.traceability(session.token).open_batch(product_id, body)
    except Refused as refusal:
        product = await front.registry(session.token).product(product_id)
        said = plain(refusal, lang, BATCH_FORM)
        return render(request, "batch_new.html", session, status=refusal.status,
                      product=product, form=form, refusal=said.message, errors=said.fields)
    return back_to(f"/batches/{batch.id}")


async def _batch_page(request: Request, front: WebFront, session: WebSession, batch_id: str,
                      status: int = 200, **context: Any) -> Response:
    traceability = front.traceability(session.token)
    batch, sheets, scans, alerts, records = await asyncio.gather(
        traceability.batch(batch_id), traceability.label_sheets(batch_id),
        traceability.scans(batch_id), traceability.anomalies(batch_id=batch_id),
        traceability.records(batch_id))
    siblings = await traceability.batches(batch.product_id)
    now = front.clock.now().astimezone(VIETNAM)
    return render(request, "batch.html", session, status=status, batch=batch,
                  sheets=sheets.items, scans=scans, alerts=alerts.items,
                  records=records.items, sequences={r.id: r.sequence for r in records.items},
                  form_steps=FORM_STEPS, amount=amount_shown,
                  inputs=[b for b in siblings.items if b.id != batch_id],
                  event_id=str(uuid4()), now=now.strftime("%Y-%m-%dT%H:%M"), **context)


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
async def batch_page(request: Request, front: Front, session: Producer,
                     batch_id: str) -> Response:
    return await _batch_page(request, front, session, batch_id)


@router.post("/batches/{batch_id}/events", response_class=HTMLResponse)
async def record_event(request: Request, front: Front, session: ProducerWriter,
                       batch_id: str) -> Response:
    """From the phone's queue (JSON answer) or a plain form post. The event id is made on
    the phone, so a queued event sent twice is recorded once; so is its photo (the same
    file is the same document)."""
    form = await EventForm.read(await request.form())
    lang = language(request)
    traceability = front.traceability(session.token)
    try:
        batch = await traceability.batch(batch_id)
        body = event_body(form, batch, lang)
        if form.photo is not None:
            filed = await traceability.file_origin_document(
                batch.product_id, form.photo_kind, form.photo_title(lang), form.photo.data,
                form.photo.content_type)
            body = photographed(body, form, filed.url)
        record = await traceability.record_event(batch_id, body)
    except Refused as refusal:
        if wants_json(request):
            return refused_json(refusal, lang, EVENT_FORM)
        said = plain(refusal, lang, EVENT_FORM)
        return await _batch_page(request, front, session, batch_id, status=refusal.status,
                                 refusal=said.message, errors=said.fields, form=form.fields)
    if wants_json(request):
        return JSONResponse({"ok": True, "record_id": record.id}, status_code=201)
    return back_to(f"/batches/{batch_id}#journey")


async def _correction_page(request: Request, front: WebFront, session: WebSession,
                           batch_id: str, record_id: str, status: int = 200,
                           **context: Any) -> Response:
    traceability = front.traceability(session.token)
    batch, records = await asyncio.gather(traceability.batch(batch_id),
                                          traceability.records(batch_id))
    record = one_record(records.items, record_id)
    siblings = await traceability.batches(batch.product_id)
    inputs = [b for b in siblings.items if b.id != batch_id]
    context.setdefault("form", prefilled(record, language(request), inputs))
    return render(request, "batch_correct.html", session, status=status, batch=batch,
                  record=record, inputs=inputs, form_steps=FORM_STEPS,
                  event_id=str(uuid4()), **context)


@router.get("/batches/{batch_id}/records/{record_id}/correct", response_class=HTMLResponse)
async def correction_page(request: Request, front: Front, session: Producer, batch_id: str,
                          record_id: str) -> Response:
    return await _correction_page(request, front, session, batch_id, record_id)


@router.post("/batches/{batch_id}/records/{record_id}/correct", response_class=HTMLResponse)
async def correct_record(request: Request, front: Front, session: ProducerWriter,
                         batch_id: str, record_id: str) -> Response:
    """The corrected event, sent at once: a correction needs a connection (the page says
    so); the service records it as an error declaration with the corrective event."""
    form = await EventForm.read(await request.form())
    lang = language(request)
    traceability = front.traceability(session.token)
    try:
        batch, records = await asyncio.gather(traceability.batch(batch_id),
                                              traceability.records(batch_id))
        body = kept_photos(event_body(form, batch, lang),
                           one_record(records.items, record_id))
        if form.photo is not None:
            filed = await traceability.file_origin_document(
                batch.product_id, form.photo_kind, form.photo_title(lang), form.photo.data,
                form.photo.content_type)
            body = photographed(body, form, filed.url)
        await traceability.correct_event(batch_id, record_id, body)
    except Refused as refusal:
        said = plain(uncorrected(refusal), lang, EVENT_FORM)
        return await _correction_page(request, front, session, batch_id, record_id,
                                      status=refusal.status, refusal=said.message,
                                      errors=said.fields, form=form.fields)
    return back_to(f"/batches/{batch_id}?done=record_corrected#records")


@router.post("/batches/{batch_id}/label-sheets", response_class=HTMLResponse)
async def print_labels(request: Request, front: Front, session: ProducerWriter, batch_id: str,
                       count: Annotated[str, Form()] = "",
                       kind: Annotated[str, Form()] = "serial") -> Response:
    lang = language(request)
    try:
        await front.traceability(session.token).print_labels(
            batch_id, typed_number(count, lang, "count"), kind)
    except Refused as refusal:
        said = plain(refusal, lang, LABEL_FORM)
        return await _batch_page(request, front, session, batch_id, status=refusal.status,
                                 sheet_refusal=said.message, errors=said.fields,
                                 form={"count": count})
    return back_to(f"/batches/{batch_id}#labels")


@router.get("/batches/{batch_id}/label-sheets", response_class=HTMLResponse)
async def label_sheets(request: Request, front: Front, session: Producer,
                       batch_id: str) -> Response:
    """The batch's sheets alone: what the page's script fetches again while one is being
    drawn, so the list moves to "ready" by itself."""
    sheets = await front.traceability(session.token).label_sheets(batch_id)
    return render(request, "sheets.html", session, sheets=sheets.items,
                  batch={"id": batch_id})


@router.get("/label-sheets/{sheet_id}/labels.pdf")
async def label_pdf(front: Front, session: Producer, sheet_id: str) -> Response:
    answer = await front.traceability(session.token).labels_pdf(sheet_id)
    return Response(answer.content, media_type="application/pdf", headers={
        "Content-Disposition": answer.headers.get("content-disposition", "attachment"),
        "Cache-Control": "private, no-store"})


@router.get("/alerts", response_class=HTMLResponse)
async def alerts(request: Request, front: Front, session: Producer) -> Response:
    found = await front.traceability(session.token).anomalies(limit=100)
    return render(request, "alerts.html", session, alerts=found.items)
