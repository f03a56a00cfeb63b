"""The office prepares the rating: the criteria table of each product group (the template,
the upload, the table shown back), the rounds with their councils, and the evaluations it
opens on the communes' proposals. Each page loads what it shows from the services' APIs
with the office's own token and each form sends one call; the rating service keeps every
rule (a table's parts adding up, a round's level and dates, who may be evaluated when)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from services.web.backend import Refused
from services.web.clients.rating import TABLE_FILE, Preparation
from services.web.clients.registry import Councils, Product
from services.web.front import Front, Office, OfficeWriter, WebFront, back_to, language, render
from services.web.office.preparation import (
    LEVEL_NAMES,
    OPENING_FORM,
    PART_NAMES,
    ROUND_FORM,
    STAGE_NAMES,
    TABLE_FORM,
    group_choices,
    group_name,
    group_rows,
    in_force,
    round_message,
    round_notes,
    row_refusals,
    scored_of,
    seats,
    stage_of,
    subgroup_choices,
    table_message,
    table_parts,
)
from services.web.plain import plain
from services.web.sessions import WebSession
from services.web.typed import typed_day
from shared.i18n import N_

router = APIRouter(include_in_schema=False)
TABLE_LIMIT = 2 * 1024 * 1024
"""An uploaded table's size the page sends on (the rating service caps it too)."""
NO_FILE = N_("Choose the filled criteria table (XLSX) to upload.")
NAMES = {"level_names": LEVEL_NAMES, "part_names": PART_NAMES, "stage_names": STAGE_NAMES}
"""The tables of names these pages read (message ids)."""


def _preparation(front: WebFront, session: WebSession) -> Preparation:
    return Preparation(front.backend, session.token)


def _page(request: Request, template: str, session: WebSession, status: int = 200,
          **context: Any) -> Response:
    return render(request, template, session, status=status, **NAMES, **context)


# -- criteria tables ----------------------------------------------------------------------

async def _criteria_page(request: Request, front: WebFront, session: WebSession,
                         status: int = 200, **context: Any) -> Response:
    preparation = _preparation(front, session)
    sets = await preparation.criteria_sets()
    current = in_force(sets, front.clock.today())
    chosen = request.query_params.get("set") or (current.code if current else "")
    tables = await preparation.criteria_tables(chosen) if chosen else []
    lang = language(request)
    form = {"criteria_set": chosen} | context.pop("form", {})
    return _page(request, "office/criteria.html", session, status=status, sets=sets,
                 chosen=chosen, rows=group_rows(tables, lang), groups=group_choices(lang),
                 subgroups=subgroup_choices(lang),
                 form=form, **context)


@router.get("/office/criteria", response_class=HTMLResponse)
async def criteria(request: Request, front: Front, session: Office) -> Response:
    return await _criteria_page(request, front, session)


@router.get("/office/criteria/template.xlsx")
async def criteria_template(request: Request, front: Front, session: Office) -> Response:
    # The rating service makes it from its table importer's own columns and the set's parts.
    answer = await _preparation(front, session).criteria_template(
        request.query_params.get("set") or None)
    return Response(answer.content, media_type=TABLE_FILE, headers={
        "Content-Disposition": answer.headers.get("content-disposition", "attachment"),
        "Cache-Control": "private, no-cache"})


@router.post("/office/criteria", response_class=HTMLResponse)
async def load_table(request: Request, front: Front, session: OfficeWriter,
                     criteria_set: Annotated[str, Form()] = "",
                     group: Annotated[str, Form()] = "",
                     subgroup: Annotated[str, Form()] = "",
                     file: UploadFile | None = None) -> Response:
    form = {"criteria_set": criteria_set, "group": group, "subgroup": subgroup}
    lang = language(request)
    data = await file.read(TABLE_LIMIT + 1) if file is not None else b""
    try:
        if not data:
            raise Refused.said(400, NO_FILE)
        loaded = await _preparation(front, session).load_criteria_table(
            data, criteria_set=criteria_set, group=group, subgroup=subgroup or None)
    except Refused as refusal:
        said = plain(refusal, lang, TABLE_FORM)
        errors = said.fields if data else {"file": said.message}
        return await _criteria_page(request, front, session, status=refusal.status,
                                    refusal=table_message(refusal, lang, said.message),
                                    errors=errors, form=form,
                                    bad_rows=row_refusals(refusal, lang))
    return back_to(f"/office/criteria/{loaded.id}?done=criteria_loaded")


@router.get("/office/criteria/{table_id}", response_class=HTMLResponse)
async def criteria_table(request: Request, front: Front, session: Office,
                         table_id: str) -> Response:
    table = await _preparation(front, session).criteria_table(table_id)
    parts = table_parts(table)
    return _page(request, "office/criteria_table.html", session, table=table, parts=parts,
                 total=sum(p.subtotal for p in parts),
                 group=group_name(table.group, None, language(request)),
                 subgroup=(group_name(table.group, table.subgroup, language(request))
                           if table.subgroup else None))


# -- rounds and their councils --------------------------------------------------------------

@router.get("/office/rounds", response_class=HTMLResponse)
async def rounds(request: Request, front: Front, session: Office,
                 year: str = "") -> Response:
    chosen = int(year) if year.isdigit() else None
    found = await _preparation(front, session).rounds(chosen)
    return _page(request, "office/rounds.html", session, rounds=found.items,
                 total=found.total, year=chosen or "")


async def _new_round_page(request: Request, front: WebFront, session: WebSession,
                          status: int = 200, **context: Any) -> Response:
    members = await Councils(front.backend, session.token).council_members()
    return _page(request, "office/rounds_new.html", session, status=status,
                 members=members.items, **context)


@router.get("/office/rounds/new", response_class=HTMLResponse)
async def new_round(request: Request, front: Front, session: Office) -> Response:
    today = front.clock.today()
    return await _new_round_page(request, front, session, form={
        "level": "province", "opens_on": today.strftime("%d/%m/%Y"),
        "closes_on": (today + timedelta(days=30)).strftime("%d/%m/%Y"), "members": []})


@router.post("/office/rounds", response_class=HTMLResponse)
async def open_round(request: Request, front: Front, session: OfficeWriter) -> Response:
    sent = await request.form()
    form: dict[str, Any] = {name: str(sent.get(name) or "") for name in ROUND_FORM}
    form["members"] = [str(m) for m in sent.getlist("members")]
    try:
        held = await _preparation(front, session).open_round(
            {**form, "opens_on": _iso(typed_day(form["opens_on"], "opens_on")),
             "closes_on": _iso(typed_day(form["closes_on"], "closes_on")),
             "chair": form["chair"] or None})
    except Refused as refusal:
        lang = language(request)
        said = plain(refusal, lang, ROUND_FORM)
        return await _new_round_page(request, front, session, status=refusal.status,
                                     refusal=round_message(refusal, lang, said.message),
                                     form=form,
                                     errors=round_notes(refusal, lang, said.fields))
    return back_to(f"/office/rounds/{held.id}?done=round_opened")


@router.get("/office/rounds/{round_id}", response_class=HTMLResponse)
async def round_page(request: Request, front: Front, session: Office,
                     round_id: str) -> Response:
    preparation = _preparation(front, session)
    held, evaluations, members = await asyncio.gather(
        preparation.round(round_id), preparation.evaluations({"round_id": round_id}),
        Councils(front.backend, session.token).council_members())
    return _page(request, "office/rounds_one.html", session, round=held,
                 council=seats(held, [], members.items), evaluations=evaluations.items,
                 scored_of=scored_of)


# -- evaluations --------------------------------------------------------------------------

async def _evaluations_page(request: Request, front: WebFront, session: WebSession,
                            status: int = 200, **context: Any) -> Response:
    preparation = _preparation(front, session)
    asked = {name: value for name in ("status", "round_id")
             if (value := request.query_params.get(name))}
    listed, waiting, held = await asyncio.gather(
        preparation.evaluations(asked), preparation.proposals_waiting(),
        preparation.rounds(None))
    registry = front.registry(session.token)
    products: list[Product] = list(await asyncio.gather(
        *(registry.product(p.product_id) for p in waiting.items)))
    return _page(request, "office/evaluations.html", session, status=status,
                 evaluations=listed.items, total=listed.total, asked=asked,
                 proposals=list(zip(waiting.items, products, strict=True)),
                 rounds=held.items, round_names={r.id: r.name for r in held.items},
                 scored_of=scored_of, **context)


@router.get("/office/evaluations", response_class=HTMLResponse)
async def evaluations(request: Request, front: Front, session: Office) -> Response:
    return await _evaluations_page(request, front, session)


@router.post("/office/evaluations", response_class=HTMLResponse)
async def open_evaluation(request: Request, front: Front, session: OfficeWriter,
                          product_id: Annotated[str, Form()],
                          round_id: Annotated[str, Form()] = "") -> Response:
    try:
        opened = await _preparation(front, session).open_evaluation(
            {"product_id": product_id, "round_id": round_id or None})
    except Refused as refusal:
        said = plain(refusal, language(request), OPENING_FORM)
        # the round decides the evaluation's dates: a date outside it is said at the round
        note = said.fields.get("round_id") or said.fields.get("evaluation_date")
        return await _evaluations_page(
            request, front, session, status=refusal.status, refusal=said.message,
            refused_product=product_id, errors={"round_id": note} if note else {},
            form={"round_id": round_id})
    return back_to(f"/office/evaluations/{opened.id}?done=evaluation_opened")


@router.get("/office/evaluations/{evaluation_id}", response_class=HTMLResponse)
async def evaluation(request: Request, front: Front, session: Office,
                     evaluation_id: str) -> Response:
    preparation = _preparation(front, session)
    opened, members = await asyncio.gather(
        preparation.evaluation(evaluation_id),
        Councils(front.backend, session.token).council_members())
    product, held = await asyncio.gather(
        front.registry(session.token).product(opened.product_id),
        preparation.round(opened.round_id) if opened.round_id else _nothing())
    council = seats(held, opened.score_sheets, members.items)
    return _page(request, "office/evaluations_one.html", session, evaluation=opened,
                 product=product, round=held, council=council, stage=stage_of(opened),
                 scored=sum(1 for s in council if s.total is not None))


async def _nothing() -> None:
    return None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
