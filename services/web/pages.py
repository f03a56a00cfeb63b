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
from services.web.clients import Certificate, Dossier, ListedBatch, Product
from services.web.front import (
    LANG_COOKIE,
    Front,
    Visitor,
    WebFront,
    Writer,
    back_to,
    front_of,
    language,
    refused_json,
    render,
    wants_json,
)
from services.web.numbers import typed_number
from services.web.origin_form import FIELDS as EVENT_FIELDS
from services.web.origin_form import EventForm, event_body, photographed
from services.web.plain import plain
from services.web.sessions import (
    COOKIE,
    SIGN_IN_COOKIE,
    WebSession,
    sign_in_accepts,
    sign_in_token,
)
from services.web.workspace import ROAD, Standing, Validity, may_use, newest, standing
from shared.i18n import N_, words
from shared.i18n.language import LANGUAGES, pick_language
from shared.platform.clock import VIETNAM

router = APIRouter(include_in_schema=False)
PHOTO_LIMIT = 10 * 1024 * 1024
PASSWORD_FORM = ("current_password", "new_password")
DOCUMENT_FORM = ("file",)
CHANGE_FORM = ("name", "description")
BATCH_FORM = ("lot", "produced_on", "quantity", "unit", "area", "commune")
LABEL_FORM = ("count", "kind")
EVENT_FORM = (*EVENT_FIELDS, "photo")
"""Each form's fields: a refusal's note stands beside the one it is about."""
APP_WORDS = {"name": N_("The producer's OCOP workspace"), "short_name": N_("OCOP workspace"),
             "description": N_("An OCOP producer's products, batches and origin records — "
                               "even without signal.")}
"""What the installed app is called on the phone, and how it is described."""
APP_LOOK = {
    "start_url": "/", "scope": "/", "display": "standalone", "background_color": "#f6f7f5",
    "theme_color": "#0b6e4f", "icons": [
        {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"}]}


# -- signing in ---------------------------------------------------------------------------

def sign_in_form(request: Request, status: int = 200, **context: Any) -> Response:
    """The sign-in page, its form carrying a CSRF token that the browser holds in a cookie
    too: a sign-in posted from another site (login CSRF) has not got it."""
    token = sign_in_token(request.cookies.get(SIGN_IN_COOKIE))
    response = render(request, "sign_in.html", None, status=status, csrf=token, **context)
    response.set_cookie(SIGN_IN_COOKIE, token, httponly=True,
                        secure=front_of(request).secure_cookies, samesite="strict",
                        path="/sign-in")
    return response


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request) -> Response:
    return sign_in_form(request)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request, front: Front, username: Annotated[str, Form()] = "",
                  password: Annotated[str, Form()] = "",
                  csrf: Annotated[str, Form()] = "") -> Response:
    lang = language(request)
    if not sign_in_accepts(request.cookies.get(SIGN_IN_COOKIE), csrf):
        return sign_in_form(request, status=403, form={"username": username},
                            refusal=words(lang).gettext(
                                "The sign-in form is out of date, or was sent from another "
                                "site. Sign in again here."))
    address = request.client.host if request.client else ""
    try:
        # The registry counts failed sign-ins per client address: it is told the
        # person's, not the web front's. It believes the header only from the addresses
        # in its OCOP_TRUSTED_PROXIES, which name the web front's; this address is the
        # person's as the web front's own server found it (from its trusted proxies).
        issued = await front.registry(None).sign_in(username, password, address)
        me = await front.registry(issued.access_token).me()
    except Refused as refusal:
        return sign_in_form(request, status=refusal.status, form={"username": username},
                            refusal=plain(refusal, lang).message)
    if not may_use(me.role):
        return sign_in_form(request, status=403, form={"username": username},
                            refusal=words(lang).gettext(
                                "This workspace is for OCOP producers. Office, commune and "
                                "council staff have their own tools."))
    key, _ = await front.sessions.open(issued.access_token, issued.expires_in, me)
    response = back_to("/")
    response.set_cookie(COOKIE, key, httponly=True, secure=front.secure_cookies,
                        samesite="lax", max_age=front.sessions.hours * 3600, path="/")
    return response


@router.post("/sign-out")
async def sign_out(front: Front, session: Writer) -> Response:
    await front.sessions.close(session)
    response = back_to("/sign-in")
    response.delete_cookie(COOKIE, path="/")
    # The phone may be shared: what the pages kept for offline use goes too.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@router.get("/language/{lang}")
async def choose_language(lang: str, back: str = "/") -> Response:
    response = back_to(back if back.startswith("/") and not back.startswith("//") else "/")
    response.set_cookie(LANG_COOKIE, lang if lang in LANGUAGES else "vi",
                        max_age=365 * 86400, samesite="lax", path="/")
    return response


@router.get("/password", response_class=HTMLResponse)
async def password_page(request: Request, session: Visitor) -> Response:
    return render(request, "password.html", session)


@router.post("/password", response_class=HTMLResponse)
async def change_password(request: Request, front: Front, session: Writer,
                          current_password: Annotated[str, Form()] = "",
                          new_password: Annotated[str, Form()] = "") -> Response:
    try:
        issued = await front.registry(session.token).change_password(current_password,
                                                                      new_password)
    except Refused as refusal:
        said = plain(refusal, language(request), PASSWORD_FORM)
        return render(request, "password.html", session, status=refusal.status,
                      refusal=said.message, errors=said.fields)
    await front.sessions.renew_token(session, issued.access_token)
    return back_to("/?done=password_changed")


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


async def _product_state(front: WebFront, session: WebSession, product: Product
                         ) -> ProductState:
    dossier, certificates = await asyncio.gather(
        front.registry(session.token).dossier(product.id),
        front.rating(session.token).certificates(product.id))
    certificate = newest(certificates.items)
    today = front.clock.today()
    validity = (Validity(certificate.valid_until, today)
                if certificate and certificate.status == "active" else None)
    return ProductState(product, dossier, certificate, validity,
                        standing(product, dossier.stages, certificate))


@router.get("/", response_class=HTMLResponse)
async def products(request: Request, front: Front, session: Visitor) -> Response:
    found = await front.registry(session.token).products(session.subject_id)
    states = await asyncio.gather(*(_product_state(front, session, p) for p in found.items))
    return render(request, "products.html", session, states=states, road=ROAD)


async def _product_page(request: Request, front: WebFront, session: WebSession, product_id: str,
                        status: int = 200, **context: Any) -> Response:
    product = await front.registry(session.token).product(product_id)
    state = await _product_state(front, session, product)
    batches: list[ListedBatch] = []
    if state.validity is not None:
        batches = (await front.traceability(session.token).batches(product_id)).items
    # product.html reads each part of the state by its name
    return render(request, "product.html", session, status=status, road=ROAD,
                  batches=batches, **vars(state), **context)


@router.get("/products/{product_id}", response_class=HTMLResponse)
async def product_page(request: Request, front: Front, session: Visitor,
                       product_id: str) -> Response:
    return await _product_page(request, front, session, product_id)


@router.post("/products/{product_id}/documents", response_class=HTMLResponse)
async def add_document(request: Request, front: Front, session: Writer, product_id: str,
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
async def propose_change(request: Request, front: Front, session: Writer, product_id: str,
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
async def new_batch_page(request: Request, front: Front, session: Visitor,
                         product_id: str) -> Response:
    product = await front.registry(session.token).product(product_id)
    return render(request, "batch_new.html", session, product=product,
                  form={"produced_on": front.clock.today().isoformat(), "unit": "KGM"})


@router.post("/products/{product_id}/batches", response_class=HTMLResponse)
async def open_batch(request: Request, front: Front, session: Writer, product_id: str,
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
    batch, sheets, scans, alerts = await asyncio.gather(
        traceability.batch(batch_id), traceability.label_sheets(batch_id),
        traceability.scans(batch_id), traceability.anomalies(batch_id=batch_id))
    siblings = await traceability.batches(batch.product_id)
    now = front.clock.now().astimezone(VIETNAM)
    return render(request, "batch.html", session, status=status, batch=batch,
                  sheets=sheets.items, scans=scans, alerts=alerts.items,
                  inputs=[b for b in siblings.items if b.id != batch_id],
                  event_id=str(uuid4()), now=now.strftime("%Y-%m-%dT%H:%M"), **context)


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
async def batch_page(request: Request, front: Front, session: Visitor,
                     batch_id: str) -> Response:
    return await _batch_page(request, front, session, batch_id)


@router.post("/batches/{batch_id}/events", response_class=HTMLResponse)
async def record_event(request: Request, front: Front, session: Writer,
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


@router.post("/batches/{batch_id}/label-sheets", response_class=HTMLResponse)
async def print_labels(request: Request, front: Front, session: Writer, batch_id: str,
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
async def label_sheets(request: Request, front: Front, session: Visitor,
                       batch_id: str) -> Response:
    """The batch's sheets alone: what the page's script fetches again while one is being
    drawn, so the list moves to "ready" by itself."""
    sheets = await front.traceability(session.token).label_sheets(batch_id)
    return render(request, "sheets.html", session, sheets=sheets.items,
                  batch={"id": batch_id})


@router.get("/label-sheets/{sheet_id}/labels.pdf")
async def label_pdf(front: Front, session: Visitor, sheet_id: str) -> Response:
    answer = await front.traceability(session.token).labels_pdf(sheet_id)
    return Response(answer.content, media_type="application/pdf", headers={
        "Content-Disposition": answer.headers.get("content-disposition", "attachment"),
        "Cache-Control": "private, no-store"})


@router.get("/alerts", response_class=HTMLResponse)
async def alerts(request: Request, front: Front, session: Visitor) -> Response:
    found = await front.traceability(session.token).anomalies(limit=100)
    return render(request, "alerts.html", session, alerts=found.items)


@router.get("/app.webmanifest")
async def app_manifest(request: Request, lang: str | None = None) -> Response:
    """The installable app's manifest in the language of the page that links it: named by
    ``?lang=``, as a browser fetches a manifest without cookies."""
    said = words(pick_language(lang, request.headers.get("accept-language")))
    return JSONResponse({**{key: said.gettext(message) for key, message in APP_WORDS.items()},
                         "lang": said.lang, **APP_LOOK},
                        media_type="application/manifest+json",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/offline", response_class=HTMLResponse)
async def offline(request: Request) -> Response:
    """What the phone shows for a page it has not kept, without signal."""
    return render(request, "offline.html", None)
