"""Label sheet endpoints: a producer prints its batch's labels (the batch's own code, or one
serial per unit), follows the drawing's progress and downloads the PDF."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from services.traceability.api.deps import may
from services.traceability.labels.artwork import LabelArtwork
from services.traceability.labels.commands import Printing
from services.traceability.labels.model import (
    MAX_UNITS,
    LabelSheet,
    SheetKind,
    SheetLayout,
    SheetStatus,
)
from shared.files.tables import csv_text
from shared.http.paging import Cursor, Limit, PageOut
from shared.identity.access import Scope
from shared.identity.auth import CurrentCaller
from shared.platform.runtime import part
from shared.refusals.openapi import files

PrintingPart = Annotated[Printing, Depends(part(Printing))]


class SheetIn(BaseModel):
    """What the producer asks to print."""

    model_config = ConfigDict(extra="forbid")

    kind: SheetKind = Field(SheetKind.SERIAL, description=(
        "serial: one label per unit, each with its own unguessable serial (a copied code "
        "can be told from the genuine one); batch: every label the batch's own code"))
    count: int = Field(ge=1, le=MAX_UNITS, description="How many labels")
    label_width_mm: float = Field(50, ge=1, le=210, description="Label width in mm")
    label_height_mm: float = Field(30, ge=1, le=297, description="Label height in mm")
    per_page: int | None = Field(None, ge=1, description=(
        "Labels per A4 page; as many as fit by default"))


router = APIRouter(tags=["labels"])


class ProgressOut(BaseModel):
    drawn: int
    total: int
    percent: int


class SheetOut(BaseModel):
    """A label sheet: its progress while drawing; ``pdf_url`` once it is ready (absent, not
    null, before: its routes leave out the fields never set)."""

    id: str
    batch_id: str
    product_id: str
    kind: SheetKind
    count: int
    status: SheetStatus
    progress: ProgressOut
    label_width_mm: float
    label_height_mm: float
    per_page: int
    pages: int
    requested_at: str
    finished_at: str | None
    failure: str | None
    pdf_url: str | None = None

    @classmethod
    def of(cls, request: Request, sheet: LabelSheet) -> SheetOut:
        layout = sheet.layout
        out = cls(id=sheet.id, batch_id=sheet.batch_id, product_id=sheet.product_id,
                  kind=sheet.kind, count=sheet.count, status=sheet.status,
                  progress=ProgressOut(drawn=sheet.drawn, total=sheet.count,
                                       percent=round(100 * sheet.drawn / sheet.count)),
                  label_width_mm=layout.label_width, label_height_mm=layout.label_height,
                  per_page=layout.per_page, pages=layout.pages(sheet.count),
                  requested_at=sheet.requested_at, finished_at=sheet.finished_at or None,
                  failure=sheet.failure or None)
        if sheet.status is SheetStatus.READY:
            out.pdf_url = str(request.url_for("sheet_pdf", sheet_id=sheet.id))
        return out



@router.post("/batches/{batch_id}/label-sheets", status_code=status.HTTP_202_ACCEPTED,
             summary="Print labels for a batch: an A4 PDF drawn in the background (follow "
                     "its progress at the Location given)", response_model_exclude_unset=True,
             **may("sheet.print", Scope.PATH))
async def print_sheet(printing: PrintingPart, caller: CurrentCaller, request: Request,
                      response: Response, batch_id: str, body: SheetIn) -> SheetOut:
    layout = SheetLayout.chosen(body.label_width_mm, body.label_height_mm, body.per_page)
    sheet = await printing.request(caller, batch_id, kind=body.kind, count=body.count,
                                   layout=layout)
    response.headers["Location"] = str(request.url_for("label_sheet", sheet_id=sheet.id))
    return SheetOut.of(request, sheet)


@router.get("/batches/{batch_id}/label-sheets", summary="A batch's label sheets, newest first",
            response_model_exclude_unset=True, **may("sheet.read", Scope.PATH))
async def batch_sheets(printing: PrintingPart, request: Request, batch_id: str,
                       limit: Limit = 50, cursor: Cursor = None) -> PageOut[SheetOut]:
    found, next_cursor = await printing.sheets_of(batch_id, limit, cursor)
    return PageOut(items=[SheetOut.of(request, s) for s in found], next_cursor=next_cursor)


@router.get("/label-sheets/{sheet_id}", name="label_sheet",
            summary="A label sheet: its progress while drawing, its PDF's URL when ready",
            response_model_exclude_unset=True, **may("sheet.read", Scope.PATH))
async def label_sheet(printing: PrintingPart, request: Request, sheet_id: str) -> SheetOut:
    return SheetOut.of(request, await printing.sheet(sheet_id))


@router.get("/label-sheets/{sheet_id}/labels.pdf", name="sheet_pdf",
            summary="The label sheet's PDF (A4, print at 100 %)",
            response_class=Response, responses=files("application/pdf"),
            **may("sheet.read", Scope.PATH))
async def sheet_pdf(printing: PrintingPart, sheet_id: str) -> Response:
    sheet, pdf = await printing.pdf(sheet_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{sheet.pdf_name}"',
        "Cache-Control": "private, no-store"})


@router.get("/label-sheets/{sheet_id}/codes.csv",
            summary="The sheet's codes as CSV (serial, url): for a producer's own label "
                    "printer or packing line", response_class=Response,
            responses=files("text/csv"), **may("sheet.read", Scope.PATH))
async def sheet_codes(printing: PrintingPart, sheet_id: str) -> Response:
    sheet, codes = await printing.codes(sheet_id)
    rows = [["serial", "url"], *([code.serial or "", code.url] for code in codes)]
    return Response(csv_text(rows), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{sheet.pdf_name[:-4]}.csv"',
        "Cache-Control": "private, no-store"})


ARTWORK_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
Artwork = Literal["png", "svg"]


def _artwork(art: LabelArtwork, kind: Artwork, cache: str) -> Response:
    return Response(art.png if kind == "png" else art.svg, media_type=ARTWORK_TYPES[kind],
                    headers={"Cache-Control": cache})


@router.get("/label-sheets/{sheet_id}/units/{serial}/qr.{kind}",
            summary="One unit's QR code as png or svg (vector, with its quiet zone): for a "
                    "producer's own label design", response_class=Response,
            responses=files(*ARTWORK_TYPES.values()), **may("sheet.read", Scope.PATH))
async def unit_qr(printing: PrintingPart, sheet_id: str, serial: str, kind: Artwork
                  ) -> Response:
    return _artwork(await printing.artwork(sheet_id, serial), kind, "private, no-store")


@router.get("/batches/{batch_id}/qr.{kind}",
            summary="The batch's own QR code as png or svg (public: it is on every package "
                    "of the batch)", response_class=Response,
            responses=files(*ARTWORK_TYPES.values()), **may("batch.read"))
async def batch_qr(printing: PrintingPart, batch_id: str, kind: Artwork) -> Response:
    return _artwork(await printing.batch_artwork(batch_id), kind, "public, max-age=300")
