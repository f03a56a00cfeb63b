"""What the public asks of the catalog: listings it may see, filtered, searched, sorted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.catalog import domain
from services.catalog.model import Listing, public_where
from services.catalog.store import LISTINGS, listings
from shared.clock import Clock
from shared.refusals import NotFound
from shared.store import DocumentStore

SORTS = {"name": "name_key", "-stars": "-stars", "stars": "stars",
         "-certified": "-certified_at"}
"""The public's sort orders and the stored field each sorts on."""


@dataclass(frozen=True)
class Catalog:
    store: DocumentStore
    clock: Clock

    async def search(self, *, q: str | None, stars: list[int] | None, group: str | None,
                     province: str | None, sort: str, limit: int,
                     after: str | None) -> tuple[list[Listing], str | None]:
        """A page of public listings matching every filter given (``q``: each word, in the
        name or the producer's, diacritics and case aside) and the next page's cursor."""
        where: dict[str, Any] = public_where(self.clock.today())
        if stars:
            where["stars"] = {"$in": stars}
        if group:
            where["group"] = group
        if province:
            where["province_key"] = domain.fold(province)
        if terms := domain.search_terms(q or ""):
            where["search_text"] = {"$contains": terms}
        page = await self.store.find(LISTINGS.name, where, order_by=SORTS[sort], limit=limit,
                                     after=after)
        return [listings.load(d) for d in page.items], page.next_cursor

    async def listing(self, product_id: str) -> Listing:
        """A public listing, or NotFound that says why it may not be one."""
        listing = await listings.get_or_none(self.store, product_id)
        if listing is None or not listing.is_public(self.clock.today()):
            raise NotFound("This product is not listed as an OCOP product (it may never have "
                           "been certified, or its certificate was revoked or has expired).",
                           "Sản phẩm này không có trong danh mục OCOP (có thể chưa từng được "
                           "công nhận, hoặc giấy chứng nhận đã bị thu hồi hay hết hạn).",
                           code="not-listed")
        return listing
