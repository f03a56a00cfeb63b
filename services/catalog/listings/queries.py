"""What the public and sales channels ask of the catalog: listings they may see, filtered,
searched, sorted; every public listing, for feeds; the change log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from services.catalog.channels.model import Scope
from services.catalog.listings import changes, rules
from services.catalog.listings.model import Listing, public_where
from services.catalog.store import LISTINGS, listings
from shared.platform.clock import Clock
from shared.ports.store import DocumentStore
from shared.ports.store.tiers import find_in_tiers
from shared.refusals import N_, Forbidden

SORTS = {"name": "name_key", "-stars": "-stars", "stars": "stars",
         "-certified": "-certified_at"}
"""The public's sort orders and the stored field each sorts on."""
EVERYTHING = Scope()
"""What the public sees: every listing."""


def scoped_where(day_where: dict[str, Any], scope: Scope) -> dict[str, Any]:
    where = dict(day_where)
    if scope.provinces:
        where["province_key"] = {"$in": scope.province_keys}
    if scope.groups:
        where["group"] = {"$in": scope.groups}
    return where


@dataclass(frozen=True)
class Catalog:
    store: DocumentStore
    clock: Clock

    async def search(self, *, q: str | None, stars: list[int] | None, group: str | None,
                     province: str | None, sort: str, limit: int, after: str | None,
                     scope: Scope = EVERYTHING) -> tuple[list[Listing], str | None]:
        """A page of public listings matching every filter given within ``scope``, and the
        next page's cursor. ``q``: each word begins a word of the name or the producer's,
        diacritics and case aside; those with every word in the name come first."""
        where = scoped_where(public_where(self.clock.today()), scope)
        if stars:
            where["stars"] = {"$in": stars}
        if group:
            where["group"] = group if not scope.groups or group in scope.groups else {
                "$in": []}
        if province:
            key = rules.fold(province)
            where["province_key"] = (key if not scope.provinces or key in scope.province_keys
                                     else {"$in": []})
        if terms := rules.search_terms(q or ""):
            page = await find_in_tiers(
                self.store, LISTINGS.name,
                [where | {"$text": match} for match in rules.ranked_matches(terms)],
                order_by=SORTS[sort], limit=limit, after=after)
        else:
            page = await self.store.find(LISTINGS.name, where, order_by=SORTS[sort],
                                         limit=limit, after=after)
        return [listings.load(d) for d in page.items], page.next_cursor

    async def listing(self, product_id: str, scope: Scope = EVERYTHING) -> Listing:
        """A public listing, NotFound that says why it may not be one, or Forbidden if it
        is outside what the channel may carry."""
        listing = await listings.get_or_none(self.store, product_id)
        if listing is None or not listing.is_public(self.clock.today()):
            raise rules.not_listed()
        if not scope.allows(listing.province_key, listing.group):
            raise Forbidden(N_("This listing is outside what the OCOP office lets your "
                               "channel carry (by province or product group); ask the office "
                               "to widen it."), code="outside-channel-scope")
        return listing

    async def every_listing(self, scope: Scope = EVERYTHING) -> AsyncIterator[Listing]:
        """Every public listing within ``scope``, by name, page by page (for feeds)."""
        where, after = scoped_where(public_where(self.clock.today()), scope), None
        while True:
            page = await self.store.find(LISTINGS.name, where, order_by="name_key",
                                         limit=1000, after=after)
            for doc in page.items:
                yield listings.load(doc)
            if page.next_cursor is None:
                return
            after = page.next_cursor

    async def changes(self, since: str | None, scope: Scope, limit: int
                      ) -> tuple[list[changes.Change], str]:
        """Changes after ``since`` within ``scope``, and the cursor to resume from."""
        found, resume = await changes.since(self.store, since, scope, limit)
        return found, changes.encode_cursor(resume)

    async def last_change(self) -> tuple[int, str | None]:
        """The latest change's number and time (feeds' ETag and Last-Modified)."""
        return await changes.latest(self.store)
