"""Document endpoints: a producer files a lab report or an area certificate (the body is
the PDF, JPEG or PNG itself) and cites its URL in a lab-test event or an area
certificate; anyone downloads it, as the scan page that cites it is public — as a file
to save, never opened in the platform's own pages (``shared.files.documents.attachment``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel

from services.traceability.api.deps import may
from services.traceability.documents.commands import Filing
from services.traceability.documents.model import DocumentKind, OriginDocument
from shared.files.documents import MAX_DOCUMENT_BYTES, attachment
from shared.http.fields import Line
from shared.http.paging import Cursor, Limit, PageOut
from shared.http.uploads import answer_upload, read_body, upload_answers
from shared.identity.access import Scope
from shared.identity.auth import CurrentCaller
from shared.platform.runtime import part
from shared.refusals.openapi import files

FilingPart = Annotated[Filing, Depends(part(Filing))]
router = APIRouter(tags=["documents"])


class DocumentOut(BaseModel):
    """A filed document as anyone may read of it (not who uploaded it)."""

    id: str
    url: str
    """Where it is downloaded: the URL an event or an area certificate cites."""
    product_id: str
    kind: DocumentKind
    title: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: str

    @classmethod
    def of(cls, filing: Filing, document: OriginDocument) -> DocumentOut:
        return cls(id=document.id, url=filing.url(document), product_id=document.product_id,
                   kind=document.kind, title=document.title,
                   content_type=document.content_type, size=document.size,
                   sha256=document.sha256, uploaded_at=document.uploaded_at)


@router.post("/products/{product_id}/origin-documents", status_code=status.HTTP_201_CREATED,
             summary="File a lab report, an area certificate or a photo of a certified "
                     "product: the body is the PDF, JPEG or PNG (at most 10 MB); cite the URL "
                     "returned. The same file again (a retry) returns the one already filed, "
                     "with 200",
             responses=upload_answers(DocumentOut), **may("origin.record", Scope.PATH))
async def file_document(filing: FilingPart, caller: CurrentCaller, request: Request,
                        response: Response, product_id: str,
                        kind: Annotated[DocumentKind, Query(description=(
                            "lab_report, area_certificate, photo or other"))],
                        title: Annotated[str, Line(1, 200), Query(description=(
                            "What it is, e.g. 'Phiếu kết quả thử nghiệm số 118'"))]
                        ) -> DocumentOut:
    data = await read_body(request, MAX_DOCUMENT_BYTES)
    upload = await filing.add(caller, product_id, kind, title,
                              request.headers.get("content-type", ""), data)
    answer_upload(response, upload.new)
    return DocumentOut.of(filing, upload.kept)


@router.get("/products/{product_id}/origin-documents",
            summary="A product's filed documents, newest first (public)", **may("origin.read"))
async def product_documents(filing: FilingPart, product_id: str, limit: Limit = 50,
                            cursor: Cursor = None) -> PageOut[DocumentOut]:
    found, next_cursor = await filing.of_product(product_id, limit, cursor)
    return PageOut(items=[DocumentOut.of(filing, d) for d in found], next_cursor=next_cursor)


@router.get("/origin-documents/{origin_document_id}", summary="A filed document itself (public)",
            response_class=Response,
            responses=files("application/pdf", "image/jpeg", "image/png"), **may("origin.read"))
async def get_document(filing: FilingPart, origin_document_id: str) -> Response:
    document, data = await filing.file(origin_document_id)
    extension = document.key.rsplit(".", 1)[-1]
    return Response(data, media_type=document.content_type, headers={
        "Content-Disposition": attachment(f"{document.id}.{extension}"),
        "Cache-Control": "public, max-age=86400, immutable",
        "Digest": f"sha-256={document.sha256}"})
