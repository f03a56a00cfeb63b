"""Products (sản phẩm): registering, changing and listing them, the changes of identity the
office decides on, their photos, and their submission to the council."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from services.registry.api.deps import RegistryPart, may, visible
from services.registry.api.models import Description, Note, patch_changes
from services.registry.subjects.commands import Registry
from services.registry.subjects.model import Certification, IdentityDecision, Product
from services.registry.subjects.rules import PendingIdentity
from shared.files.images import WebWidth
from shared.http.fields import EraDate, Line, Name, PatchIn
from shared.http.paging import Cursor, Limit, QueueOut
from shared.http.uploads import answer_upload, read_body, upload_answers
from shared.identity.access import Scope
from shared.identity.auth import CurrentCaller
from shared.refusals.openapi import files

router = APIRouter()


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
    last_identity_decision: IdentityDecision | None = None
    """The office's latest decision on such a change: what was asked, approved or not,
    its note for the producer, who decided and when; null: none decided yet."""
    certification: Certification | None = None
    """Its latest certificate: in force (certified), expired or revoked; null: never
    certified. ``status`` says only where it stands in the registry's own steps."""


class IdentityDecisionIn(BaseModel):
    approve: bool = Field(description="true: the change applies; false: it is dropped")
    note: Note = ""


class ImageOut(BaseModel):
    image_id: str
    url: str


PaperDossier = Annotated[str, Line(5, 500)]


class SubmissionIn(BaseModel):
    paper_dossier: PaperDossier | None = Field(
        None,
        description="Office only: where the dossier is held on paper, for a product "
                    "submitted without an accepted dossier here (records from before the "
                    "platform)", examples=["Hồ sơ giấy lưu tại Phòng Kinh tế huyện, 2024"])


def product_out(registry: Registry, product: Product) -> ProductOut:
    state = registry.product_state(product)
    return ProductOut(id=product.id, version=product.version,
                      paper_dossier=product.paper_dossier, former_gtins=product.former_gtins,
                      pending_identity_change=product.pending_identity,
                      last_identity_decision=product.last_identity_decision,
                      certification=product.certification,
                      **{k: v for k, v in state.items() if k != "product_id"})


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
                        certification: Annotated[
                            Literal["certified", "expired", "revoked", "none"] | None, Query(
                                description="Only products whose latest certificate is in "
                                            "force, expired or revoked, or that were never "
                                            "certified (none)")] = None,
                        limit: Limit = 50, cursor: Cursor = None) -> QueueOut[ProductOut]:
    found, next_cursor, total = await registry.products(
        visible("product.read", caller), subject_id, limit=limit, after=cursor,
        identity_pending=identity_change == "pending", certification=certification)
    return QueueOut(items=[product_out(registry, p) for p in found], next_cursor=next_cursor,
                    total=total)


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
    return product_out(registry, await registry.update_product(caller, product_id,
                                                               patch_changes(body)))


@router.post("/products/{product_id}/identity-change", tags=["products"],
             summary="Approve or reject a submitted product's change of name, group or "
                     "GTIN (office)", **may("product.identity.decide"))
async def decide_identity(registry: RegistryPart, product_id: str, body: IdentityDecisionIn,
                          caller: CurrentCaller) -> ProductOut:
    return product_out(registry, await registry.decide_identity(caller, product_id, body.approve,
                                                      body.note))


@router.post("/products/{product_id}/images", tags=["products"],
             status_code=status.HTTP_201_CREATED,
             summary="Add an image: the body is the JPEG, PNG or WebP file itself. The same "
                     "file again (a retry) returns the image already added, with 200",
             responses=upload_answers(ImageOut), **may("product.change", Scope.PATH))
async def add_image(registry: RegistryPart, product_id: str, request: Request,
                    response: Response, caller: CurrentCaller) -> ImageOut:
    data = await read_body(request, registry.objects.max_bytes)
    upload = await registry.add_image(caller, product_id,
                                      request.headers.get("content-type", ""), data)
    answer_upload(response, upload.new)
    return ImageOut(image_id=upload.kept.rsplit("/", 1)[-1], url=upload.kept)


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


@router.post("/products/{product_id}/submission", tags=["products"],
             summary="Submit the product for evaluation (nộp đánh giá)",
             **may("product.submit", Scope.PATH))
async def submit_product(registry: RegistryPart, product_id: str,
                         caller: CurrentCaller,
                         body: SubmissionIn | None = None) -> ProductOut:
    """Once the office has accepted the product's dossier."""
    return product_out(registry, await registry.submit_product(
        caller, product_id, body.paper_dossier if body else None))
