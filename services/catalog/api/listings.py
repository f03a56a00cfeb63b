"""The listings: public reads (narrowed by a channel's key), the change log, and what a
product's producer says of its listing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field, HttpUrl

from services.catalog.api.caching import cache_for, still_fresh
from services.catalog.api.deps import (
    CatalogPart,
    ListingsPart,
    OptionalChannel,
    PublisherPart,
    may,
    scope_of,
)
from shared.http.paging import Cursor, Limit, PageOut
from shared.identity.access import Scope
from shared.messaging.contracts.catalog import ListingState, OfferAvailability

MAX_PRICE_VND = 1_000_000_000
"""A thousand million đồng: more is a typing slip (an OCOP product is food, a craft…)."""
StarCount = Annotated[int, Field(ge=3, le=5)]
"""Listed products have 3 to 5 stars; the bound applies to each value, not to the list."""

router = APIRouter(tags=["listings"])


class ChangeOut(BaseModel):
    """One event of the listings stream, in CloudEvents' terms."""

    cursor: str
    """Resume after this change: pass it as ``since``."""
    id: str
    type: str
    subject: str
    """The product id (the stream's message key)."""
    time: datetime
    dataschema: str | None
    data: dict[str, object]


class ChangesOut(BaseModel):
    items: list[ChangeOut]
    next_cursor: str
    """Where to resume; given even when nothing changed, so polling can carry on."""


class OfferIn(BaseModel):
    url: HttpUrl = Field(description="The product's https page on the channel's site")
    price: int | None = Field(None, gt=0, le=MAX_PRICE_VND, description=(
        "Its price there in Vietnamese đồng (VND), whole đồng: 45000 for 45.000 ₫; the "
        "channel's feed and the product page's schema.org Offer carry it"))
    availability: OfferAvailability | None = Field(None, description=(
        "Whether it can be bought there now (Merchant Center's values)"))


@router.get("/listings", summary="OCOP products on sale: filter, search, page (public)",
            **may("listing.read"))
async def list_listings(
        catalog: CatalogPart, publisher: PublisherPart, channel: OptionalChannel,
        response: Response,
        q: Annotated[str | None, Query(max_length=200, description=(
            "Words of the name or producer; diacritics and case are ignored"))] = None,
        stars: Annotated[list[StarCount] | None, Query(description=(
            "Star counts to include (repeat for several: stars=4&stars=5)"))] = None,
        group: Annotated[str | None, Query(max_length=40)] = None,
        province: Annotated[str | None, Query(max_length=100)] = None,
        sort: Literal["name", "-stars", "stars", "-certified"] = "name",
        limit: Limit = 20, cursor: Cursor = None) -> PageOut[ListingState]:
    found, next_cursor = await catalog.search(q=q, stars=stars, group=group,
                                              province=province, sort=sort, limit=limit,
                                              after=cursor, scope=scope_of(channel))
    cache_for(response, channel)
    return PageOut(items=[publisher.state(listing) for listing in found],
                   next_cursor=next_cursor)


@router.get("/listings/changes", summary=(
    "Every change of the listings since a cursor, withdrawals included (public; resumable)"),
            **may("listing.read"))
async def listing_changes(
        catalog: CatalogPart, channel: OptionalChannel, response: Response,
        since: Annotated[str | None, Query(max_length=100, description=(
            "'next_cursor' of the previous answer; leave out to start from the first change"
        ))] = None,
        limit: Limit = 100) -> ChangesOut:
    found, next_cursor = await catalog.changes(since, scope_of(channel), limit)
    response.headers["Cache-Control"] = "no-store"
    return ChangesOut(next_cursor=next_cursor, items=[ChangeOut(
        cursor=c.cursor, id=c.event_id, type=c.type, subject=c.product_id, time=c.time,
        dataschema=c.dataschema, data=c.data) for c in found])


@router.get("/listings/{product_id}", summary="One listed product (public)",
            response_model=ListingState, **may("listing.read"))
async def get_listing(product_id: str, catalog: CatalogPart, publisher: PublisherPart,
                      channel: OptionalChannel, request: Request, response: Response
                      ) -> ListingState | Response:
    """With ``If-None-Match`` and the ETag of a copy still current: 304, no body."""
    listing = await catalog.listing(product_id, scope_of(channel))
    etag = f"{listing.id}-{listing.version}"
    cache_for(response, channel, etag=etag)
    if still_fresh(request, etag):
        return Response(status_code=304, headers=dict(response.headers))
    return publisher.state(listing)


@router.post("/listings/{product_id}/withdrawal", status_code=status.HTTP_204_NO_CONTENT,
             response_class=Response,
             summary="Take the product off the catalog (its producer or the office)",
             **may("listing.withdraw", Scope.PATH))
async def withdraw(product_id: str, keeper: ListingsPart) -> None:
    """Channels are told at once (a ``ListingWithdrawn`` event, reason ``withdrawn``); the
    next certificate event (renewal, a new rating) lists the product again."""
    await keeper.withdraw(product_id)


@router.put("/listings/{product_id}/offers/{channel_id}",
            summary="Record where the product is sold on a channel (its producer)",
            **may("offer.write", Scope.PATH))
async def sell_at(product_id: str, channel_id: str, body: OfferIn, keeper: ListingsPart,
                  publisher: PublisherPart) -> ListingState:
    return publisher.state(await keeper.sell_at(product_id, channel_id, str(body.url),
                                                body.price, body.availability))


@router.delete("/listings/{product_id}/offers/{channel_id}",
               summary="No longer sold on that channel (its producer)",
               **may("offer.write", Scope.PATH))
async def stop_selling_at(product_id: str, channel_id: str, keeper: ListingsPart,
                          publisher: PublisherPart) -> ListingState:
    return publisher.state(await keeper.stop_selling_at(product_id, channel_id))
