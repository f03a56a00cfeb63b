"""The office registers: subjects (chủ thể) one by one, the accounts people sign in with,
and both subjects and products from a spreadsheet. Each page loads what it shows from the
registry with the office's own token and each form sends one call; the registry keeps
every rule (what a subject needs, who may have which account, all rows or none)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from services.web.backend import Refused
from services.web.clients.registry import XLSX, refused_rows
from services.web.front import Front, Office, OfficeWriter, WebFront, back_to, language, render
from services.web.office.registration_form import (
    ACCOUNT_FIELDS,
    ACCOUNT_FILTERS,
    ACCOUNT_FORM,
    CERTIFICATIONS,
    FILTER_ASKS,
    GROUPS,
    IMPORT_KINDS,
    PRODUCT_STATUSES,
    ROLES,
    SUBJECT_FIELDS,
    SUBJECT_FORM,
    SUBJECT_TYPES,
    for_the_form,
    row_errors,
)
from services.web.plain import plain
from services.web.sessions import WebSession
from services.web.typed import typed_day
from shared.i18n import N_, words
from shared.ocop.localities import provinces

router = APIRouter(include_in_schema=False)
FILE_LIMIT = 20 * 1024 * 1024
"""An uploaded spreadsheet's size the page sends on (the registry caps it too)."""
NAMES = {"provinces": [name for _, name in provinces()], "subject_types": SUBJECT_TYPES,
         "roles": ROLES, "certifications": CERTIFICATIONS,
         "product_statuses": PRODUCT_STATUSES, "import_kinds": IMPORT_KINDS, "groups": GROUPS}
"""The tables of names the registration pages read (message ids)."""
NOTHING_IMPORTED = N_("Nothing was imported: %(count)s row(s) were refused. Correct them in "
                      "the file and upload it again, or choose to keep the valid rows.")
NO_FILE = N_("Choose the filled spreadsheet (XLSX) to upload.")


def _page(request: Request, template: str, session: WebSession, status: int = 200,
          **context: Any) -> Response:
    return render(request, template, session, status=status, **NAMES, **context)


# -- subjects -----------------------------------------------------------------------------

@router.get("/office/subjects", response_class=HTMLResponse)
async def subjects(request: Request, front: Front, session: Office,
                   province: str = "") -> Response:
    found = await front.registry(session.token).subjects(province=province or None)
    return _page(request, "office/subjects.html", session, subjects=found.items,
                 province=province)


def _subject_form_page(request: Request, front: WebFront, session: WebSession,
                       status: int = 200, **context: Any) -> Response:
    today = front.clock.today()
    return _page(request, "office/subjects_new.html", session, status=status,
                 today=today, **context)


@router.get("/office/subjects/new", response_class=HTMLResponse)
async def new_subject(request: Request, front: Front, session: Office) -> Response:
    return _subject_form_page(request, front, session, form={
        "registered_on": front.clock.today().strftime("%d/%m/%Y")})


@router.post("/office/subjects", response_class=HTMLResponse)
async def register_subject(request: Request, front: Front, session: OfficeWriter) -> Response:
    sent = await request.form()
    form = {name: str(sent.get(name) or "").strip() for name in SUBJECT_FORM}
    lang = language(request)
    try:
        subject = await front.registry(session.token).register_subject(_subject_body(form))
    except Refused as refusal:
        said = plain(for_the_form(refusal, SUBJECT_FIELDS), lang, SUBJECT_FORM)
        return _subject_form_page(request, front, session, status=refusal.status, form=form,
                                  errors=said.fields, refusal=said.message)
    return back_to(f"/office/subjects/{subject.id}?done=subject_registered")


def _subject_body(form: dict[str, str]) -> dict[str, Any]:
    """``POST /subjects`` from the form as typed: a blank optional field is left out, so
    the registry says whether it was needed (a district before 1 July 2025)."""
    body: dict[str, Any] = {"type": form["type"] or None, "name": form["name"],
                            "code": form["code"], "province": form["province"] or None,
                            "commune": form["commune"] or None}
    if form["district"]:
        body["district"] = form["district"]
    if day := typed_day(form["registered_on"], "registered_on"):
        body["registered_on"] = day.isoformat()
    person = {k: form[f"rep_{k}"] for k in ("name", "title", "phone", "email")}
    if any(person.values()):
        body["representatives"] = [{**person, "phone": person["phone"] or None,
                                    "email": person["email"] or None}]
    return body


@router.get("/office/subjects/{subject_id}", response_class=HTMLResponse)
async def subject_page(request: Request, front: Front, session: Office,
                       subject_id: str) -> Response:
    registry = front.registry(session.token)
    subject, products, accounts = await asyncio.gather(
        registry.subject(subject_id), registry.subject_products(subject_id),
        registry.accounts({"role": "producer"}, limit=1000))
    return _page(request, "office/subjects_show.html", session, subject=subject,
                 products=products.items,
                 accounts=[a for a in accounts.items if a.subject_id == subject_id])


# -- accounts -----------------------------------------------------------------------------

async def _accounts_page(request: Request, front: WebFront, session: WebSession,
                         status: int = 200, **context: Any) -> Response:
    registry = front.registry(session.token)
    lang = language(request)
    filters = {k: v for k in ACCOUNT_FILTERS if (v := request.query_params.get(k, ""))}
    subjects_found = await registry.subjects()
    try:
        found = await registry.accounts(filters)
        accounts, total, filter_errors = found.items, found.total, {}
    except Refused as refusal:  # a filter the registry does not take, said beside it
        said = plain(for_the_form(refusal, {}, FILTER_ASKS), lang, ACCOUNT_FILTERS)
        accounts, total, filter_errors = [], 0, said.fields or {"role": said.message}
    subject_names = {s.id: s.name for s in subjects_found.items}
    return _page(request, "office/accounts.html", session, status=status, accounts=accounts,
                 total=total, filters=filters, filter_errors=filter_errors,
                 subjects=subjects_found.items, subject_names=subject_names, **context)


@router.get("/office/accounts", response_class=HTMLResponse)
async def accounts(request: Request, front: Front, session: Office) -> Response:
    chosen = request.query_params.get("subject_id", "")
    form = {"role": "producer", "subject_id": chosen} if chosen else {}
    return await _accounts_page(request, front, session, form=form)


@router.post("/office/accounts", response_class=HTMLResponse)
async def create_account(request: Request, front: Front, session: OfficeWriter) -> Response:
    sent = await request.form()
    form = {name: str(sent.get(name) or "").strip() for name in ACCOUNT_FORM}
    form["password"] = str(sent.get("password") or "")  # as typed, spaces and all
    body: dict[str, Any] = {"username": form["username"], "password": form["password"],
                            "role": form["role"] or None, "full_name": form["full_name"]}
    body |= {k: form[k] for k in ("subject_id", "province", "commune") if form[k]}
    try:
        await front.registry(session.token).create_account(body)
    except Refused as refusal:
        said = plain(for_the_form(refusal, ACCOUNT_FIELDS), language(request), ACCOUNT_FORM)
        return await _accounts_page(request, front, session, status=refusal.status,
                                    form=form | {"password": ""}, errors=said.fields,
                                    refusal=said.message)
    return back_to("/office/accounts?done=account_created")


@router.post("/office/accounts/{username}/access", response_class=HTMLResponse)
async def set_access(front: Front, session: OfficeWriter, username: str,
                     disabled: Annotated[str, Form()]) -> Response:
    off = disabled == "true"
    await front.registry(session.token).set_access(username, off)
    return back_to(f"/office/accounts?done={'account_disabled' if off else 'account_enabled'}")


# -- import from a spreadsheet ------------------------------------------------------------

@router.get("/office/import", response_class=HTMLResponse)
async def import_page(request: Request, session: Office) -> Response:
    return _page(request, "office/import.html", session, form={"kind": "subjects"})


@router.get("/office/import/{kind}/template.xlsx")
async def import_template(front: Front, session: Office, kind: str) -> Response:
    # The registry makes it from its importer's own columns, so the file the office fills
    # is the one the registry reads.
    answer = await front.registry(session.token).import_template(kind)
    return Response(answer.content, media_type=XLSX, headers={
        "Content-Disposition": answer.headers.get("content-disposition", "attachment"),
        "Cache-Control": "private, no-cache"})


@router.post("/office/import", response_class=HTMLResponse)
async def import_file(request: Request, front: Front, session: OfficeWriter,
                      kind: Annotated[str, Form()] = "subjects",
                      partial: Annotated[str, Form()] = "",
                      file: UploadFile | None = None) -> Response:
    lang = language(request)
    form = {"kind": kind, "partial": partial}
    data = await file.read(FILE_LIMIT + 1) if file is not None else b""
    if not data:
        return _page(request, "office/import.html", session, status=400, form=form,
                     errors={"file": _said(lang, NO_FILE)})
    try:
        imported = await front.registry(session.token).import_file(kind, data,
                                                                   partial=partial == "on")
    except Refused as refusal:
        problems = refused_rows(refusal)
        if not problems:  # the file as a whole: unreadable, a column missing, too large
            said = plain(refusal, lang, ("file",))
            return _page(request, "office/import.html", session, status=refusal.status,
                         form=form, errors={"file": said.fields.get("file", said.message)})
        rows, refused_count = row_errors(problems, lang), len(problems)
        return _page(request, "office/import_result.html", session, status=refusal.status,
                     kind=kind, created=0, refused_count=refused_count, rows=rows,
                     refusal=_said(lang, NOTHING_IMPORTED, count=refused_count))
    rows = row_errors(imported.rejected, lang)
    return _page(request, "office/import_result.html", session, kind=kind,
                 created=imported.created, refused_count=len(imported.rejected), rows=rows)


def _said(lang: str, message: str, **params: object) -> str:
    return words(lang).gettext(message, **params)
