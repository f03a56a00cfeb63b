"""The criteria sets (bộ tiêu chí) and the criteria tables the office loads from each
decision's appendix, as JSON or a spreadsheet."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from services.rating.api.deps import LoadedTablesPart, TablesPart, may
from services.rating.api.models import CriterionOut, PartMaximaOut, per_part
from services.rating.criteria import rules as criteria
from services.rating.criteria.commands import criteria_from_rows
from services.rating.criteria.template import criteria_template
from services.rating.evaluations.rules import STAR_FLOORS
from shared.files.tables import XLSX, read_table
from shared.files.templates import workbook
from shared.http.fields import FreeText, Line
from shared.http.uploads import read_body
from shared.identity.auth import CurrentCaller
from shared.ports.store import Document
from shared.refusals.openapi import files

MAX_TABLE_FILE_BYTES = 2_000_000
MAX_CRITERIA = 200
CriterionName = Annotated[str, Line(2, 500)]
CriterionNameEn = Annotated[str, FreeText(500)]


class CriterionIn(BaseModel):
    code: str = Field(min_length=1, max_length=20, examples=["A1"])
    part: Literal["A", "B", "C"]
    name_vi: CriterionName
    name_en: CriterionNameEn = ""
    maximum: float = Field(gt=0, le=40, allow_inf_nan=False)


class CriteriaTableIn(BaseModel):
    """A criteria set's table for one product group (or sub-group), from its appendix."""

    criteria_set: str = Field(examples=["148/2023"])
    group: str = Field(min_length=2, max_length=60, examples=["food"])
    subgroup: str | None = Field(None, max_length=60, description="Only where the appendix "
                                                                  "gives the sub-group its "
                                                                  "own table")
    source: str | None = Field(None, min_length=3, max_length=300,
                               description="Where the table comes from. Default: the "
                                           "decision's appendix",
                               examples=["Phụ lục III, Quyết định 148/QĐ-TTg ngày 24/02/2023"])
    criteria: list[CriterionIn] = Field(min_length=3, max_length=MAX_CRITERIA)


class StarFloorOut(BaseModel):
    stars: int
    from_points: float = Field(description="The lowest average total that gives these stars")


class CriteriaSetOut(BaseModel):
    code: str
    decision: str
    in_force_from: date
    maxima: PartMaximaOut
    star_floors: list[StarFloorOut] = Field(
        description="How a council's average total becomes stars, highest first; below the "
                    "last floor, 1 star")


class CriteriaTableOut(BaseModel):
    id: str
    criteria_set: str
    group: str
    subgroup: str | None
    version: int
    source: str
    criteria: list[CriterionOut]
    loaded_by: str
    loaded_at: str


def table_out(doc: Document) -> CriteriaTableOut:
    return CriteriaTableOut.model_validate(doc.data | {"id": doc.id})


router = APIRouter(tags=["criteria"])


@router.get("/criteria-sets",
            summary="The criteria sets (bộ tiêu chí) and when each came into force",
            **may("criteria.read"))
async def criteria_sets() -> list[CriteriaSetOut]:
    return [CriteriaSetOut.model_validate({
        "code": s.code, "decision": s.decision, "in_force_from": s.in_force_from,
        "maxima": per_part(s.maxima),
        "star_floors": [{"stars": stars, "from_points": floor} for stars, floor in STAR_FLOORS]})
        for s in criteria.CRITERIA_SETS]


@router.post("/criteria-tables", status_code=status.HTTP_201_CREATED,
             summary="Load the next version of a group's criteria table (admin)",
             **may("criteria.load"))
async def load_table(tables: TablesPart, body: CriteriaTableIn,
                     caller: CurrentCaller
                     ) -> CriteriaTableOut:
    """Each part's criteria must add up to the part's maximum in the decision.
    Evaluations opened from now on are scored criterion by criterion on this version;
    those already open keep the version (or the part totals) they opened with."""
    rows = [criteria.Criterion(c.code, c.part, c.name_vi, c.name_en or c.name_vi,
                               c.maximum) for c in body.criteria]
    return table_out(await tables.load(caller, criteria_set=body.criteria_set,
                                       group=body.group, subgroup=body.subgroup,
                                       criteria=rows, source=body.source))


@router.post("/criteria-tables/file",
             status_code=status.HTTP_201_CREATED,
             summary="Load a group's criteria table from a CSV or XLSX file (admin)",
             **may("criteria.load", openapi_extra={"requestBody": {"content": {
                 "text/csv": {"schema": {"type": "string"}},
                 XLSX: {"schema": {"type": "string", "format": "binary"}}}}}))
async def load_table_file(tables: TablesPart, request: Request,
                          caller: CurrentCaller,
                          criteria_set: Annotated[str, Query(examples=["148/2023"])],
                          group: Annotated[str, Query(min_length=2, max_length=60)],
                          subgroup: Annotated[str | None, Query(max_length=60)] = None,
                          source: Annotated[str | None,
                                            Query(min_length=3, max_length=300)] = None
                          ) -> CriteriaTableOut:
    """The body is the file: one row per criterion with the columns code (Mã), part
    (Phần: A, B or C), name (Tên tiêu chí), name_en (optional) and maximum (Điểm tối
    đa)."""
    data = await read_body(request, MAX_TABLE_FILE_BYTES)
    rows = await asyncio.to_thread(read_table, data,
                                   request.headers.get("content-type", ""),
                                   max_rows=MAX_CRITERIA)
    return table_out(await tables.load(caller, criteria_set=criteria_set, group=group,
                                       subgroup=subgroup, criteria=criteria_from_rows(rows),
                                       source=source))


@router.get("/criteria-tables/template", response_class=Response,
            summary="The spreadsheet template of a criteria table: XLSX (admin)",
            responses=files(XLSX, description="The workbook to fill: the headers "
                                              "POST /criteria-tables/file reads, a guide "
                                              "to each column and the set's parts"),
            **may("criteria.template"))
async def table_template(tables: TablesPart,
                         criteria_set: Annotated[str | None,
                                                 Query(examples=["148/2023"],
                                                       description="Default: the set in "
                                                                   "force today")] = None
                         ) -> Response:
    """Made from the table importer's own columns, so the file filled in is the one
    ``POST /criteria-tables/file`` reads; its parts (and their maxima) are the set's."""
    chosen = (criteria.find_set(criteria_set) if criteria_set
              else criteria.criteria_set_on(tables.clock.today()))
    data = await asyncio.to_thread(workbook, criteria_template(chosen))
    name = f"mau-bang-tieu-chi-{chosen.code.replace('/', '-')}.xlsx"
    return Response(data, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/criteria-tables",
            summary="The latest version of each loaded criteria table",
            **may("criteria.read"))
async def current_tables(tables: LoadedTablesPart, criteria_set: str | None = None
                         ) -> list[CriteriaTableOut]:
    return [table_out(d) for d in await tables.current(criteria_set)]


@router.get("/criteria-tables/{table_id}",
            summary="One version of a criteria table", **may("criteria.read"))
async def get_table(tables: LoadedTablesPart, table_id: str) -> CriteriaTableOut:
    return table_out(await tables.get(table_id))
