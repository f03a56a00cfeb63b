"""Catalog endpoints: the public listings of OCOP products, with filters and search."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.catalog import domain
from services.catalog.access import RULES
from services.catalog.store import LISTINGS
from shared.access import Gate
from shared.clock import Clock
from shared.paging import Cursor, Limit, PageOut
from shared.refusals import NotFound
from shared.store import Document, DocumentStore
from shared.vocabulary import SUBJECT_TYPE_NAMES, SubjectType, group_names

StarCount = Annotated[int, Field(ge=3, le=5)]
"""Listed products have 3 to 5 stars; the bound applies to each value, not to the list."""

SORTS = {"name": "name_key", "-stars": "-stars", "stars": "stars",
         "-certified": "-certified_at"}


class Named(BaseModel):
    code: str
    name_vi: str
    name_en: str


class Producer(BaseModel):
    id: str
    name: str
    type: Named


class Certificate(BaseModel):
    number: str
    level: str
    decision_number: str
    decision_date: str
    valid_from: str
    valid_until: str


class ListingOut(BaseModel):
    product_id: str
    name: str
    description: str
    stars: int
    group: Named
    subgroup: Named
    producer: Producer
    province: str
    commune: str
    gtin: str | None
    image_urls: list[str]
    certificate: Certificate
    scan_url: str | None
    label_png_url: str | None
    listed_at: str | None


def listing_out(doc: Document) -> ListingOut:
    d = doc.data
    group_vi, group_en = group_names(d["group"])
    sub_vi, sub_en = group_names(d["group"], d["subgroup"])
    type_vi, type_en = SUBJECT_TYPE_NAMES[SubjectType(d["producer"]["type"])]
    return ListingOut(
        product_id=doc.id, name=d["name"], description=d["description"], stars=d["stars"],
        group=Named(code=d["group"], name_vi=group_vi, name_en=group_en),
        subgroup=Named(code=d["subgroup"], name_vi=sub_vi, name_en=sub_en),
        producer=Producer(id=d["producer"]["id"], name=d["producer"]["name"],
                          type=Named(code=d["producer"]["type"], name_vi=type_vi,
                                     name_en=type_en)),
        province=d["province"], commune=d["commune"], gtin=d["gtin"],
        image_urls=d["image_urls"], certificate=Certificate(**{
            k: v for k, v in d["certificate"].items() if k != "id"}),
        scan_url=d.get("scan_url"), label_png_url=d.get("label_png_url"),
        listed_at=d.get("listed_at"))


def build_router(store: DocumentStore, clock: Clock) -> APIRouter:
    router = APIRouter(tags=["listings"])
    may = Gate(RULES).rule

    @router.get("/listings", summary="OCOP products on sale: filter, search, page (public)",
                **may("listing.read"))
    async def list_listings(
            q: Annotated[str | None, Query(max_length=200, description=(
                "Words of the name or producer; diacritics and case are ignored"))] = None,
            stars: Annotated[list[StarCount] | None, Query(description=(
                "Star counts to include (repeat for several: stars=4&stars=5)"))] = None,
            group: Annotated[str | None, Query(max_length=40)] = None,
            province: Annotated[str | None, Query(max_length=100)] = None,
            sort: Literal["name", "-stars", "stars", "-certified"] = "name",
            limit: Limit = 20, cursor: Cursor = None) -> PageOut[ListingOut]:
        where = domain.public_where(clock.today())
        if stars:
            where["stars"] = {"$in": stars}
        if group:
            where["group"] = group
        if province:
            where["province_key"] = domain.fold(province)
        terms = domain.search_terms(q or "")
        if terms:
            where["search_text"] = {"$contains": terms}
        page = await store.find(LISTINGS.name, where, order_by=SORTS[sort], limit=limit,
                                after=cursor)
        return PageOut(items=[listing_out(d) for d in page.items], next_cursor=page.next_cursor)

    @router.get("/listings/{product_id}", summary="One listed product (public)",
                **may("listing.read"))
    async def get_listing(product_id: str) -> ListingOut:
        doc = await store.get(LISTINGS.name, product_id)
        if doc is None or not domain.is_public(doc.data, clock.today()):
            raise NotFound("This product is not listed as an OCOP product (it may never have "
                           "been certified, or its certificate was revoked or has expired).",
                           "Sản phẩm này không có trong danh mục OCOP (có thể chưa từng được "
                           "công nhận, hoặc giấy chứng nhận đã bị thu hồi hay hết hạn).",
                           code="not-listed")
        return listing_out(doc)

    return router
