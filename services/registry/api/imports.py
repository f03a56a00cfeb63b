"""Imports of the lists offices keep (CSV or XLSX) into subjects and products."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from services.registry.api.deps import ImportsPart, may
from services.registry.imports.commands import ImportReport, reported
from services.registry.imports.rules import MAX_ROWS, parse
from services.registry.imports.template import TEMPLATES
from shared.files.tables import XLSX, read_table
from shared.files.templates import workbook
from shared.http.uploads import read_body
from shared.identity.auth import CurrentCaller
from shared.refusals.openapi import files

router = APIRouter()


class RowErrorOut(BaseModel):
    """One refused field of a row."""

    field: str
    """The field as the registry names it (``row``: the row as a whole)."""
    column: str | None
    """The header of its column, as the template (``GET /imports/{kind}/template``) writes
    it; null for the row as a whole."""
    message: str
    message_vi: str | None = None
    """Absent where the reason is a validation library's own words."""


class RowProblemOut(BaseModel):
    """A refused row: its number as the spreadsheet numbers it (the header is row 1). An
    all-or-nothing import refused carries the same list as ``rejected`` in its 422
    answer."""

    row: int
    errors: list[RowErrorOut]


class ImportOut(BaseModel):
    kind: Literal["subjects", "products"]
    created: int
    ids: list[str]
    rejected: list[RowProblemOut]
    mode: Literal["partial", "all-or-nothing"]


def _import_out(report: ImportReport) -> ImportOut:
    return ImportOut.model_validate({
        "kind": report.kind, "created": len(report.ids), "ids": report.ids,
        "rejected": reported(report.kind, report.rejected),
        "mode": "partial" if report.partial else "all-or-nothing"})


@router.post("/imports/{kind}", tags=["imports"],
             summary="Import subjects or products from a CSV or XLSX file (admin)",
             **may("import", openapi_extra={"requestBody": {"content": {
                 "text/csv": {"schema": {"type": "string"}},
                 XLSX: {"schema": {"type": "string", "format": "binary"}}}}}))
async def import_file(imports: ImportsPart, kind: Literal["subjects", "products"],
                      request: Request,
                      caller: CurrentCaller,
                      partial: bool = False) -> ImportOut:
    """The body is the file itself. Headers may be Vietnamese or English (e.g. 'Tên chủ
    thể' or 'name'); products name their subject by its tax or registration code. All
    rows are imported or none (422 with each refused row), unless partial=true."""
    data = await read_body(request, imports.registry.objects.max_bytes)
    table = await asyncio.to_thread(read_table, data,
                                    request.headers.get("content-type", ""),
                                    max_rows=MAX_ROWS)
    return _import_out(await imports.import_rows(caller, kind, parse(kind, table),
                                                 partial=partial))


@router.get("/imports/{kind}/template", tags=["imports"], response_class=Response,
            summary="The spreadsheet template of an import: XLSX (admin)",
            responses=files(XLSX, description="The workbook to fill: the headers this "
                                              "import reads, a guide to each column and "
                                              "the lists the cells choose from"),
            **may("import.template"))
async def import_template(kind: Literal["subjects", "products"]) -> Response:
    """Made from the importer's own columns, so the file filled in is the one
    ``POST /imports/{kind}`` reads."""
    data = await asyncio.to_thread(workbook, TEMPLATES[kind])
    return Response(data, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="mau-{kind}.xlsx"'})
