"""Catalog endpoints: the public listings of OCOP products, with filters and search."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from services.catalog.access import RULES
from services.catalog.model import Listing
from services.catalog.queries import Catalog
from shared.access import Gate
from shared.paging import Cursor, Limit, PageOut
from shared.runtime import part
from shared.vocabulary import SUBJECT_TYPE_NAMES, group_names

StarCount = Annotated[int, Field(ge=3, le=5)]
"""Listed products have 3 to 5 stars; the bound applies to each value, not to the list."""

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


def listing_out(listing: Listing) -> ListingOut:
    """A listing as channels read it: codes named in Vietnamese and English."""
    assert listing.producer and listing.certificate and listing.stars  # listed, so known
    group_vi, group_en = group_names(listing.group)
    sub_vi, sub_en = group_names(listing.group, listing.subgroup)
    type_vi, type_en = SUBJECT_TYPE_NAMES[listing.producer.type]
    c = listing.certificate
    return ListingOut(
        product_id=listing.id, name=listing.name, description=listing.description,
        stars=listing.stars,
        group=Named(code=listing.group, name_vi=group_vi, name_en=group_en),
        subgroup=Named(code=listing.subgroup, name_vi=sub_vi, name_en=sub_en),
        producer=Producer(id=listing.producer.id, name=listing.producer.name,
                          type=Named(code=listing.producer.type, name_vi=type_vi,
                                     name_en=type_en)),
        province=listing.province, commune=listing.commune, gtin=listing.gtin,
        image_urls=listing.image_urls, certificate=Certificate(
            number=c.number, level=c.level, decision_number=c.decision_number,
            decision_date=c.decision_date.isoformat(), valid_from=c.valid_from.isoformat(),
            valid_until=c.valid_until.isoformat()),
        scan_url=listing.scan_url, label_png_url=listing.label_png_url,
        listed_at=listing.listed_at)


router = APIRouter(tags=["listings"])
may = Gate(RULES).rule
CatalogPart = Annotated[Catalog, Depends(part(Catalog))]


@router.get("/listings", summary="OCOP products on sale: filter, search, page (public)",
            **may("listing.read"))
async def list_listings(
        catalog: CatalogPart,
        q: Annotated[str | None, Query(max_length=200, description=(
            "Words of the name or producer; diacritics and case are ignored"))] = None,
        stars: Annotated[list[StarCount] | None, Query(description=(
            "Star counts to include (repeat for several: stars=4&stars=5)"))] = None,
        group: Annotated[str | None, Query(max_length=40)] = None,
        province: Annotated[str | None, Query(max_length=100)] = None,
        sort: Literal["name", "-stars", "stars", "-certified"] = "name",
        limit: Limit = 20, cursor: Cursor = None) -> PageOut[ListingOut]:
    found, next_cursor = await catalog.search(q=q, stars=stars, group=group,
                                              province=province, sort=sort, limit=limit,
                                              after=cursor)
    return PageOut(items=[listing_out(listing) for listing in found], next_cursor=next_cursor)


@router.get("/listings/{product_id}", summary="One listed product (public)",
            **may("listing.read"))
async def get_listing(product_id: str, catalog: CatalogPart) -> ListingOut:
    return listing_out(await catalog.listing(product_id))
