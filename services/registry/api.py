"""Registry endpoints: sign-in, accounts, subjects (chủ thể) and their products."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field, JsonValue

from services.registry.access import RULES
from services.registry.accounts.commands import Accounts
from services.registry.dossiers.commands import Dossiers, DossierView
from services.registry.dossiers.rules import DOCUMENT_NAMES, CycleStep, DocumentType
from services.registry.history.queries import page as history_page
from services.registry.imports.commands import ImportReport, Imports
from services.registry.imports.rules import MAX_ROWS, parse
from services.registry.store import PRODUCTS, SUBJECTS
from services.registry.subjects.commands import Registry
from services.registry.subjects.model import Product, Subject
from services.registry.subjects.rules import PendingIdentity
from shared.access import Gate, Scope, path_owner
from shared.auth import CurrentCaller, Role, public_pem
from shared.documents import DOCUMENT_FORMATS, MAX_DOCUMENT_BYTES, attachment
from shared.fields import EraDate, FreeText, Line, Name, PatchIn, Place
from shared.images import WebWidth
from shared.openapi_problems import files
from shared.paging import Cursor, Limit, PageOut
from shared.refusals import BadRequest
from shared.runtime import part
from shared.tables import XLSX, read_table
from shared.uploads import read_body
from shared.vocabulary import SubjectType

Title = Annotated[str, FreeText(100)]
Description = Annotated[str, FreeText(5000)]
ProvinceCode = Annotated[str, Field(pattern=r"^[0-9]{1,2}$", examples=["56"],
                                    description="Official code of the province or city "
                                                "(from 1 July 2025)")]
CommuneCode = Annotated[str, Field(pattern=r"^[0-9]{1,5}$", examples=["22714"],
                                   description="Official code of the commune, ward or "
                                               "special zone (from 1 July 2025)")]
FullName = Annotated[str, FreeText(200)]
Note = Annotated[str, FreeText(2000)]


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class UserIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)
    role: Role
    subject_id: str | None = Field(None, description="Required for producers: their subject")
    commune: Place | None = Field(None, description="For commune officers: the commune, or "
                                                    "commune_code")
    province: Place | None = Field(None, description="For commune officers: the province, "
                                                      "or province_code")
    commune_code: CommuneCode | None = None
    province_code: ProvinceCode | None = None
    full_name: FullName = ""


class MeOut(BaseModel):
    username: str
    role: Role
    subject_id: str | None


class AccessIn(BaseModel):
    disabled: bool = Field(description="true: sign-in refused, and the account's tokens end "
                                       "at once in every service")


class AccessOut(BaseModel):
    username: str
    disabled: bool


class PasswordChangeIn(BaseModel):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200, description="At least 10 characters")


class UserOut(BaseModel):
    username: str
    role: Role
    subject_id: str | None
    commune: str | None = None
    province: str | None = None
    commune_code: str | None = None
    province_code: str | None = None
    full_name: str


class Person(BaseModel):
    """A representative or contact (người đại diện, người liên hệ)."""

    name: Name
    title: Title = Field("", examples=["Giám đốc"])
    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9 .-]{7,16}$")
    email: str | None = Field(None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SubjectIn(BaseModel):
    type: SubjectType
    name: Name
    code: str = Field(max_length=40, description="Tax code (enterprise, cooperative) or "
                                                 "registration number")
    province: Place | None = Field(None, description="As it is named since 1 July 2025 "
                                                     "(or give province_code)")
    commune: Place | None = Field(None, description="The commune or ward as it is since 1 "
                                                    "July 2025 (or give commune_code); with "
                                                    "or without diacritics when that names "
                                                    "one commune of the province")
    province_code: ProvinceCode | None = None
    commune_code: CommuneCode | None = None
    district: Place | None = Field(None, description="Former district (huyện): required for "
                                                     "records made before 1 July 2025, "
                                                     "refused after")
    registered_on: EraDate | None = Field(None, description="Default: today")
    representatives: list[Person] = Field(default_factory=list, max_length=20)


class SubjectPatch(PatchIn):
    clearable = frozenset({"district"})

    name: Name | None = None
    code: str | None = Field(None, max_length=40)
    province: Place | None = None
    commune: Place | None = None
    province_code: ProvinceCode | None = None
    commune_code: CommuneCode | None = None
    district: Place | None = Field(None, description="null removes it")
    registered_on: EraDate | None = None
    representatives: list[Person] | None = Field(None, max_length=20)


class SubjectOut(SubjectIn):
    id: str
    version: int
    province: str
    commune: str
    """Official names (``shared.localities``)."""
    province_code: str | None
    commune_code: str | None
    """None only on a subject kept from before codes whose names name no single commune:
    ``locality_problem`` says why, and no commune officer sees it until corrected."""
    locality_problem: str | None = None


class ProductIn(BaseModel):
    subject_id: str
    name: Name
    group: str = Field(max_length=40,
                       description="Product group of Decision 148/QĐ-TTg, e.g. 'food'")
    subgroup: str = Field(max_length=60, description="Its sub-group, e.g. 'fresh_produce'")
    description: Description = ""
    gtin: str | None = Field(None, max_length=14, description="GTIN-8/12/13/14, if it has one")
    registered_on: EraDate | None = Field(None, description="Default: today")


class ProductPatch(PatchIn):
    clearable = frozenset({"gtin"})

    name: Name | None = None
    group: str | None = Field(None, max_length=40)
    subgroup: str | None = Field(None, max_length=60)
    description: Description | None = None
    gtin: str | None = Field(None, max_length=14, description="Empty string or null removes it")


class ProductOut(BaseModel):
    id: str
    version: int
    subject_id: str
    name: str
    group: str
    subgroup: str
    description: str
    gtin: str | None
    image_urls: list[str]
    status: str
    registered_on: date | None
    paper_dossier: str | None = None
    """Set when the office submitted the product on a dossier held on paper."""
    former_gtins: list[str] = []
    """GTINs it carried before: labels printed with them still find it."""
    pending_identity_change: PendingIdentity | None = None
    """A change of name, group or GTIN waiting for the office: what, by whom, when."""


class IdentityDecisionIn(BaseModel):
    approve: bool = Field(description="true: the change applies; false: it is dropped")
    note: Note = ""


class ImageOut(BaseModel):
    image_id: str
    url: str


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


class RowProblemOut(BaseModel):
    row: int
    errors: list[dict[str, str]]
    """Each refused field: field, message and message_vi."""


class ImportOut(BaseModel):
    kind: Literal["subjects", "products"]
    created: int
    ids: list[str]
    rejected: list[RowProblemOut]
    mode: Literal["partial", "all-or-nothing"]


class FieldChangeOut(BaseModel):
    before: JsonValue = Field(alias="from")
    after: JsonValue = Field(alias="to")


class HistoryEntryOut(BaseModel):
    entity_key: str
    entity: Literal["user", "subject", "product", "dossier"]
    entity_id: str
    version: int
    action: str
    by: str
    at: str
    changes: dict[str, FieldChangeOut]
    """Field by field; a stored value is any JSON (``null`` when absent)."""
    id: str


def _subject_out(subject: Subject) -> SubjectOut:
    return SubjectOut(id=subject.id, version=subject.version, type=subject.type,
                      name=subject.name, code=subject.code, province=subject.province,
                      commune=subject.commune, province_code=subject.province_code,
                      commune_code=subject.commune_code,
                      locality_problem=subject.locality_problem, district=subject.district,
                      registered_on=subject.registered_on,
                      representatives=[Person(**p) for p in subject.representatives])


def _dossier_out(view: DossierView) -> DossierOut:
    dossier = view.dossier
    return DossierOut(
        product_id=dossier.id,
        documents=[ListedDocumentOut.model_validate(
            {**d, "name_vi": DOCUMENT_NAMES[d["type"]][0]}) for d in dossier.documents],
        missing=[MissingDocumentOut(type=t, name_vi=DOCUMENT_NAMES[t][0],
                                    name_en=DOCUMENT_NAMES[t][1]) for t in view.missing],
        complete=not view.missing, stages=dossier.stages(), cycle=dossier.cycle)


def _import_out(report: ImportReport) -> ImportOut:
    return ImportOut.model_validate({
        "kind": report.kind, "created": len(report.ids), "ids": report.ids,
        "rejected": [p.as_dict() for p in report.rejected],
        "mode": "partial" if report.partial else "all-or-nothing"})


def _changes(patch: BaseModel) -> dict[str, Any]:
    changes = patch.model_dump(mode="json", exclude_unset=True)
    if not changes:
        raise BadRequest("Nothing to change: send at least one field.",
                         "Không có gì để thay đổi: hãy gửi ít nhất một trường.",
                         code="empty-change")
    return changes


PaperDossier = Annotated[str, Line(5, 500)]


class SubmissionIn(BaseModel):
    paper_dossier: PaperDossier | None = Field(
        None,
        description="Office only: where the dossier is held on paper, for a product "
                    "submitted without an accepted dossier here (records from before the "
                    "platform)", examples=["Hồ sơ giấy lưu tại Phòng Kinh tế huyện, 2024"])


class CycleMoveIn(BaseModel):
    stage: Literal["idea", "plan", "dossier"] = Field(
        description="idea (ý tưởng sản phẩm), plan (phương án kinh doanh), dossier (hồ sơ)")
    status: Literal["proposed", "accepted", "rejected"]
    note: Note = ""


RegistryPart = Annotated[Registry, Depends(part(Registry))]
AccountsPart = Annotated[Accounts, Depends(part(Accounts))]
DossiersPart = Annotated[Dossiers, Depends(part(Dossiers))]
ImportsPart = Annotated[Imports, Depends(part(Imports))]
router = APIRouter()
gate = Gate(RULES, path_owner(lambda request: part(Registry)(request).store, PRODUCTS.name,
                              SUBJECTS.name))
may, visible = gate.rule, gate.visible



def product_out(registry: Registry, product: Product) -> ProductOut:
    state = registry.product_state(product)
    return ProductOut(id=product.id, version=product.version,
                      paper_dossier=product.paper_dossier, former_gtins=product.former_gtins,
                      pending_identity_change=product.pending_identity,
                      **{k: v for k, v in state.items() if k != "product_id"})


@router.post("/auth/token", tags=["auth"], summary="Sign in: a token for the other calls",
             **may("auth.sign_in"))
async def sign_in(accounts: AccountsPart, body: LoginIn, request: Request) -> TokenOut:
    address = request.client.host if request.client else "unknown"
    issued = await accounts.login(body.username, body.password, address)
    return TokenOut(access_token=issued.token, expires_in=issued.expires_in)


@router.get("/auth/public-key", tags=["auth"], response_class=PlainTextResponse,
            summary="The public key (PEM) that verifies tokens: OCOP_AUTH_PUBLIC_KEY",
            **may("auth.public_key"))
async def public_key(accounts: AccountsPart) -> str:
    return public_pem(accounts.issuer.public_key)


@router.get("/users/me", tags=["auth"], summary="Who the token speaks for",
            **may("account.own"))
async def me(caller: CurrentCaller) -> MeOut:
    return MeOut(username=caller.username, role=caller.role, subject_id=caller.subject_id)


@router.put("/users/me/password", tags=["auth"],
            summary="Change your own password: your other sign-ins end",
            **may("account.own"))
async def change_password(accounts: AccountsPart, body: PasswordChangeIn,
                          caller: CurrentCaller) -> TokenOut:
    issued = await accounts.change_password(caller, body.current_password,
                                            body.new_password)
    return TokenOut(access_token=issued.token, expires_in=issued.expires_in)


@router.post("/users", tags=["auth"], status_code=status.HTTP_201_CREATED,
             summary="Create an account (admin)", **may("account.manage"))
async def create_user(accounts: AccountsPart, body: UserIn,
                      caller: CurrentCaller) -> UserOut:
    user = await accounts.create_user(body.username, body.password, body.role,
                                      body.subject_id, body.full_name,
                                      created_by=caller.user_id, commune=body.commune,
                                      province=body.province, commune_code=body.commune_code,
                                      province_code=body.province_code)
    return UserOut(username=user.id, role=user.role, subject_id=user.subject_id,
                   commune=user.commune, province=user.province,
                   commune_code=user.commune_code, province_code=user.province_code,
                   full_name=user.full_name)


@router.put("/users/{username}/access", tags=["auth"],
            summary="Disable or enable an account (admin)", **may("account.manage"))
async def set_access(accounts: AccountsPart, username: str, body: AccessIn,
                     caller: CurrentCaller
                     ) -> AccessOut:
    user = await accounts.set_disabled(caller, username, body.disabled)
    return AccessOut(username=user.id, disabled=user.disabled)


@router.post("/subjects", tags=["subjects"], status_code=status.HTTP_201_CREATED,
             summary="Register a subject (chủ thể) (admin)", **may("subject.register"))
async def register_subject(registry: RegistryPart, body: SubjectIn,
                           caller: CurrentCaller
                           ) -> SubjectOut:
    return _subject_out(await registry.register_subject(caller, **body.model_dump()))


@router.patch("/subjects/{subject_id}", tags=["subjects"], summary="Change a subject (admin)",
              **may("subject.change"))
async def update_subject(registry: RegistryPart, subject_id: str, body: SubjectPatch,
                         caller: CurrentCaller
                         ) -> SubjectOut:
    return _subject_out(await registry.update_subject(caller, subject_id, _changes(body)))


@router.get("/subjects/{subject_id}", tags=["subjects"], summary="One subject",
            **may("subject.read", Scope.PATH))
async def get_subject(registry: RegistryPart, subject_id: str) -> SubjectOut:
    return _subject_out(await registry.subject(subject_id))


@router.get("/subjects", tags=["subjects"], **may("subject.read", Scope.LIST),
            summary="Subjects, optionally of one province; a producer sees its own, a "
                    "commune officer its commune's")
async def list_subjects(registry: RegistryPart, caller: CurrentCaller,
                        limit: Limit = 50, cursor: Cursor = None,
                        province: str | None = None) -> PageOut[SubjectOut]:
    found, next_cursor = await registry.subjects(visible("subject.read", caller), province,
                                                 limit=limit, after=cursor)
    return PageOut(items=[_subject_out(s) for s in found], next_cursor=next_cursor)


@router.post("/products", tags=["products"], status_code=status.HTTP_201_CREATED,
             summary="Register a product (admin, or the subject's producer)",
             **may("product.change", Scope.BODY))
async def register_product(registry: RegistryPart, body: ProductIn,
                           caller: CurrentCaller) -> ProductOut:
    return product_out(registry, await registry.register_product(caller, **body.model_dump()))


@router.get("/products", tags=["products"], **may("product.read", Scope.LIST),
            summary="Products, optionally of one subject; a producer sees its own "
                    "subject's, a commune officer its commune's")
async def list_products(registry: RegistryPart, caller: CurrentCaller,
                        subject_id: str | None = None,
                        identity_change: Annotated[Literal["pending"] | None, Query(
                            description="pending: only products whose change of name, "
                                        "group or GTIN waits for the office")] = None,
                        limit: Limit = 50, cursor: Cursor = None) -> PageOut[ProductOut]:
    found, next_cursor = await registry.products(
        visible("product.read", caller), subject_id, limit=limit, after=cursor,
        identity_pending=identity_change == "pending")
    return PageOut(items=[product_out(registry, p) for p in found], next_cursor=next_cursor)


@router.get("/products/{product_id}", tags=["products"], summary="One product",
            **may("product.read", Scope.PATH))
async def get_product(registry: RegistryPart, product_id: str) -> ProductOut:
    return product_out(registry, await registry.product(product_id))


@router.patch("/products/{product_id}", tags=["products"],
              summary="Change a product (admin, or the subject's producer); once "
                      "submitted, a producer's change of name, group or GTIN waits for "
                      "the office",
              **may("product.change", Scope.PATH))
async def update_product(registry: RegistryPart, product_id: str, body: ProductPatch,
                         caller: CurrentCaller) -> ProductOut:
    return product_out(registry, await registry.update_product(caller, product_id, _changes(body)))


@router.post("/products/{product_id}/identity-change", tags=["products"],
             summary="Approve or reject a submitted product's change of name, group or "
                     "GTIN (office)", **may("product.identity.decide"))
async def decide_identity(registry: RegistryPart, product_id: str, body: IdentityDecisionIn,
                          caller: CurrentCaller) -> ProductOut:
    return product_out(registry, await registry.decide_identity(caller, product_id, body.approve,
                                                      body.note))


@router.post("/products/{product_id}/images", tags=["products"],
             status_code=status.HTTP_201_CREATED,
             summary="Add an image: the body is the JPEG, PNG or WebP file itself",
             **may("product.change", Scope.PATH))
async def add_image(registry: RegistryPart, product_id: str, request: Request,
                    caller: CurrentCaller) -> ImageOut:
    data = await read_body(request, registry.objects.max_bytes)
    url = await registry.add_image(caller, product_id,
                                   request.headers.get("content-type", ""), data)
    return ImageOut(image_id=url.rsplit("/", 1)[-1], url=url)


@router.get("/products/{product_id}/images/{image_id}", tags=["products"],
            summary="A product image at a web width, as WebP (public)",
            response_class=Response, responses=files("image/webp", description="The image"),
            **may("product.image"))
async def get_image(registry: RegistryPart, product_id: str, image_id: str,
                    w: Annotated[WebWidth, Query(description=(
                        "Width in pixels (a smaller image is not enlarged)"))] = WebWidth.WIDE
                    ) -> Response:
    data, content_type = await registry.image(product_id, image_id, int(w))
    return Response(data, media_type=content_type,
                    headers={"Cache-Control": "public, max-age=86400, immutable"})


@router.post("/products/{product_id}/documents", tags=["dossiers"],
             status_code=status.HTTP_201_CREATED,
             summary="Add a document to the dossier: the body is the PDF, JPEG or PNG",
             **may("product.change", Scope.PATH))
async def add_document(dossiers: DossiersPart, product_id: str, type: DocumentType,
                       request: Request,
                       caller: CurrentCaller
                       ) -> DocumentOut:
    data = await read_body(request, MAX_DOCUMENT_BYTES)
    return DocumentOut.model_validate(await dossiers.add_document(
        caller, product_id, type, request.headers.get("content-type", ""), data))


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


@router.post("/products/{product_id}/submission", tags=["products"],
             summary="Submit the product for evaluation (nộp đánh giá)",
             **may("product.submit", Scope.PATH))
async def submit_product(registry: RegistryPart, product_id: str,
                         caller: CurrentCaller,
                         body: SubmissionIn | None = None) -> ProductOut:
    """Once the office has accepted the product's dossier."""
    return product_out(registry, await registry.submit_product(
        caller, product_id, body.paper_dossier if body else None))


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


@router.get("/history", tags=["history"], **may("history"),
            summary="Who changed what and when, newest first (admin)")
async def history(registry: RegistryPart,
                  entity: Literal["user", "subject", "product", "dossier"] | None = None,
                  entity_id: str | None = None, by: str | None = None,
                  limit: Limit = 50, cursor: Cursor = None) -> PageOut[HistoryEntryOut]:
    page = await history_page(registry.store, entity, entity_id, by, limit=limit,
                              after=cursor)
    return PageOut(items=[HistoryEntryOut.model_validate(d.data | {"id": d.id})
                          for d in page.items], next_cursor=page.next_cursor)
