"""The commands on listings: its producer's word (where the product is sold, and taking it
off the catalog), and the one way any change is made (``Listings.change``, which the
reactions to other services' events, ``services/catalog/reactions.py``, use too).

Each loads the listing, lets it apply the news (``model.Listing``), keeps it, and — when a
channel would see a difference — announces it on the listings stream and in the change log,
in the same transaction (with a delivery for each webhook endpoint that wants it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.catalog.listings import changes, rules
from services.catalog.listings.model import Listing, News
from services.catalog.listings.publishing import Publisher
from services.catalog.listings.rules import ListingStatus
from services.catalog.store import LISTINGS, channels, listings
from services.catalog.webhooks.commands import Webhooks
from shared.messaging import Outbox
from shared.messaging.contracts.catalog import OfferAvailability
from shared.platform.clock import Clock
from shared.ports.store import Document, DocumentStore, Transaction

Apply = Callable[[Listing], bool | None]
"""A change to a listing; returning False means it changed nothing (keep nothing)."""


@dataclass(frozen=True)
class Listings:
    store: DocumentStore
    outbox: Outbox
    publisher: Publisher
    clock: Clock
    webhooks: Webhooks

    async def change(self, tx: Transaction, product_id: str, apply: Apply, *,
                     listed_before: bool = False) -> Listing:
        """``listed_before``: the change is its producer's word, about a product the catalog
        has listed (NotFound otherwise); events may come about a product not yet known."""
        held = await listings.get_or_none(tx, product_id)
        if listed_before and (held is None or held.producer is None):
            raise rules.not_listed()
        listing = held or Listing(product_id)
        before = listing.face()
        if apply(listing) is False:
            return listing
        await listings.keep(tx, listing)
        if (news := listing.news_since(before)) is not None:
            event = self.publisher.event(listing, news)
            envelope = await self.outbox.emit(
                tx, event, aggregate_id=listing.id, sequence=listing.version,
                dataschema=self.publisher.schema_url(event.event_type))
            await self.webhooks.fan_out(tx, await changes.append(tx, envelope, listing), listing)
        return listing

    async def restate(self, docs: Sequence[Document]) -> int:
        """Say the listings' current messages on the listings stream again, each at its own
        version (the reconciliation of the compacted stream: a record the broker lost comes
        back; consumers holding that version ignore it). Not a change: neither numbered in
        the change log nor sent to webhooks. A product never listed has nothing to say; how
        many were said."""
        said = 0
        async with self.store.transaction() as tx:
            held = await tx.get_many(LISTINGS.name, (doc.id for doc in docs))
            for listing in map(listings.load, held.values()):
                if listing.status is None:
                    continue
                news = News.CHANGED if listing.status is ListingStatus.LISTED else News.WITHDRAWN
                event = self.publisher.event(listing, news)
                # Read in the transaction: a change committed meanwhile has a newer version,
                # and the next round says it again if this message landed after it.
                await self.outbox.emit(tx, event, aggregate_id=listing.id,
                                       sequence=listing.version,
                                       dataschema=self.publisher.schema_url(event.event_type))
                said += 1
        return said

    async def _producers_change(self, product_id: str, apply: Apply) -> Listing:
        """(Who may is the access table's ``listing.withdraw``/``offer.write``.)"""
        async with self.store.transaction() as tx:
            return await self.change(tx, product_id, apply, listed_before=True)

    async def withdraw(self, product_id: str) -> Listing:
        today = self.clock.today()
        return await self._producers_change(product_id,
                                            lambda listing: listing.withdraw(today))

    async def sell_at(self, product_id: str, channel_id: str, url: str,
                      price: int | None = None,
                      availability: OfferAvailability | None = None) -> Listing:
        channel = await channels.get(self.store, channel_id)
        rules.check_sold_at(channel, url)
        return await self._producers_change(product_id, lambda listing: listing.sell_at(
            channel.id, channel.name, url, price, availability))

    async def stop_selling_at(self, product_id: str, channel_id: str) -> Listing:
        return await self._producers_change(product_id,
                                            lambda listing: listing.stop_selling_at(channel_id))
