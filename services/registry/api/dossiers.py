"""A product's dossier (hồ sơ): its documents with the checklist, and the annual cycle."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from services.registry.api.deps import DossiersPart, may, visible
from services.registry.api.models import CommuneCode, Note
from services.registry.dossiers.commands import DossierView
from services.registry.dossiers.queries import Waiting
from services.registry.dossiers.queries import waiting as waiting_stages
from services.registry.dossiers.rules import DOCUMENT_NAMES, CycleStep, Decider, DocumentType
from shared.files.documents import DOCUMENT_FORMATS, MAX_DOCUMENT_BYTES, attachment
from shared.http.paging import Cursor, Limit, QueueOut
from shared.http.uploads import answer_upload, read_body, upload_answers
from shared.i18n import words
from shared.identity.access import Scope
from shared.identity.auth import CurrentCaller
from shared.refusals.openapi import files

router = APIRouter()


class DocumentOut(BaseModel):
    """A document of the dossier (the file itself: GET …/documents/{document_id})."""

    id: str
    type: DocumentType
    size: int
    content_type: str
    by: str
    at: str


class ListedDocumentOut(DocumentOut):
    name_vi: str


class MissingDocumentOut(BaseModel):
    type: DocumentType
    name_vi: str
    name_en: str


class DossierOut(BaseModel):
    product_id: str
    documents: list[ListedDocumentOut]
    missing: list[MissingDocumentOut]
    """What the product's group requires and the dossier lacks."""
    complete: bool
    stages: dict[str, str]
    """Each stage's latest status."""
    cycle: list[CycleStep]


class CycleMoveIn(BaseModel):
    stage: Literal["idea", "plan", "dossier"] = Field(
        description="idea (ý tưởng sản phẩm), plan (phương án kinh doanh), dossier (hồ sơ)")
    status: Literal["proposed", "accepted", "rejected"]
    note: Note = ""


class WaitingStageOut(BaseModel):
    """A stage proposed and waiting for a decision, with the product it is of."""

    product_id: str
    product_name: str
    subject_id: str
    subject_name: str
    stage: str
    """idea, plan or dossier."""
    waiting_for: Decider
    """Whose queue it is in: the commune (idea, plan) or the office (dossier); either
    may decide it."""
    proposed_by: str
    proposed_at: str
    note: str


def _waiting_out(item: Waiting) -> WaitingStageOut:
    stage = item.stage
    return WaitingStageOut(product_id=item.product_id, product_name=item.product_name,
                           subject_id=stage["subject_id"], subject_name=item.subject_name,
                           stage=stage["stage"], waiting_for=stage["waiting_for"],
                           proposed_by=stage["by"], proposed_at=stage["at"], note=stage["note"])


def _dossier_out(view: DossierView) -> DossierOut:
    dossier = view.dossier
    return DossierOut(
        product_id=dossier.id,
        documents=[ListedDocumentOut.model_validate(
            {**d, "name_vi": words("vi").gettext(DOCUMENT_NAMES[d["type"]])})
            for d in dossier.documents],
        missing=[MissingDocumentOut(type=t, name_vi=words("vi").gettext(DOCUMENT_NAMES[t]),
                                    name_en=words("en").gettext(DOCUMENT_NAMES[t]))
                 for t in view.missing],
        complete=not view.missing, stages=dossier.stages(), cycle=dossier.cycle)


@router.post("/products/{product_id}/documents", tags=["dossiers"],
             status_code=status.HTTP_201_CREATED,
             summary="Add a document to the dossier: the body is the PDF, JPEG or PNG. The "
                     "same file again as the same type (a retry) returns the document already "
                     "added, with 200",
             responses=upload_answers(DocumentOut), **may("product.change", Scope.PATH))
async def add_document(dossiers: DossiersPart, product_id: str, type: DocumentType,
                       request: Request, response: Response,
                       caller: CurrentCaller
                       ) -> DocumentOut:
    data = await read_body(request, MAX_DOCUMENT_BYTES)
    upload = await dossiers.add_document(caller, product_id, type,
                                         request.headers.get("content-type", ""), data)
    answer_upload(response, upload.new)
    return DocumentOut.model_validate(upload.kept)


@router.get("/products/{product_id}/documents/{document_id}", tags=["dossiers"],
            summary="One document of the dossier", response_class=Response,
            responses=files(*DOCUMENT_FORMATS, description="The document as it was added"),
            **may("product.read", Scope.PATH))
async def get_document(dossiers: DossiersPart, product_id: str, document_id: str) -> Response:
    data, content_type, name = await dossiers.document(product_id, document_id)
    return Response(data, media_type=content_type,
                    headers={"Cache-Control": "private, max-age=300",
                             "Content-Disposition": attachment(name)})


@router.get("/products/{product_id}/dossier", tags=["dossiers"],
            summary="The dossier: documents, what is still missing, the annual cycle",
            **may("product.read", Scope.PATH))
async def dossier(dossiers: DossiersPart, product_id: str) -> DossierOut:
    return _dossier_out(await dossiers.view(product_id))


@router.post("/products/{product_id}/cycle", tags=["dossiers"],
             summary="Propose (producer) or accept/reject (office, commune) a stage",
             **may("product.cycle", Scope.PATH))
async def move(dossiers: DossiersPart, product_id: str, body: CycleMoveIn,
               caller: CurrentCaller) -> DossierOut:
    return _dossier_out(await dossiers.move(caller, product_id, body.stage, body.status,
                                            body.note))


@router.get("/dossier-stages", tags=["dossiers"], **may("product.cycle.decide", Scope.LIST),
            summary="Stages proposed and waiting for a decision, oldest first (office; a "
                    "commune officer sees its commune's)")
async def list_waiting_stages(
        dossiers: DossiersPart, caller: CurrentCaller,
        waiting_for: Annotated[Decider | None, Query(
            description="office or commune: only the stages in that one's queue")] = None,
        commune: Annotated[CommuneCode | None, Query(
            description="Official code of the commune whose subjects' stages to list")] = None,
        limit: Limit = 50, cursor: Cursor = None) -> QueueOut[WaitingStageOut]:
    found, next_cursor, total = await waiting_stages(
        dossiers.store, visible("product.cycle.decide", caller), waiting_for, commune,
        limit=limit, after=cursor)
    return QueueOut(items=[_waiting_out(w) for w in found], next_cursor=next_cursor,
                    total=total)
