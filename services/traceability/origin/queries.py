"""The read side of origin: a product's batches, a batch and its history, the check of its
hash chain, and events as an EPCIS query answers them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.traceability.origin import epcis
from services.traceability.origin.commands import event_hashes_in
from services.traceability.origin.model import (
    Batch,
    ChainLink,
    ChainReport,
    OriginRecord,
    verify,
)
from services.traceability.origin.query import (
    MAX_MATCHED,
    EventQuery,
    Page,
    answered,
    collection,
    more_than_asked,
    too_large,
)
from services.traceability.store import (
    EPCIS_EVENTS,
    EPCIS_TERMS,
    EPCIS_VOCABULARY,
    LINKS,
    LOTS,
    RECORDS,
    batches,
    links,
    lot_key,
    records,
)
from shared.platform.clock import Clock
from shared.platform.workers import PUBLIC_SHARE, Worker
from shared.ports.store import Document, DocumentStore, find_all
from shared.ports.store.cursor import encode_cursor


@dataclass
class Histories:
    store: DocumentStore
    worker: Worker
    """Where a chain check recomputes the event hashes (in the public's turn)."""
    scan_base_url: str
    """Where the batches' scan pages are (a batch is shown with its own)."""
    clock: Clock

    async def batch(self, batch_id: str) -> Batch:
        return await batches.get(self.store, batch_id)

    async def batches_of(self, product_id: str, limit: int, after: str | None
                         ) -> tuple[list[Batch], str | None]:
        page = await self.store.find(batches.collection, {"product_id": product_id},
                                     order_by="-id", limit=limit, after=after)
        return [batches.load(doc) for doc in page.items], page.next_cursor

    async def batch_by_lot(self, product_id: str, lot: str) -> Batch | None:
        claim = await self.store.get(LOTS.name, lot_key(product_id, lot))
        return await batches.get_or_none(self.store, claim.data["batch_id"]) if claim else None

    async def history(self, batch: Batch) -> list[OriginRecord]:
        """The batch's records in the order they were recorded."""
        chain, held = await self._chain(batch.id)
        return [held[link.record_id] for link in chain if link.record_id in held]

    async def _chain(self, batch_id: str) -> tuple[list[ChainLink], dict[str, OriginRecord]]:
        """The batch's links in order, and the records they hold."""
        chain = [links.load(doc) async for doc in
                 find_all(self.store, LINKS.name, {"batch_id": batch_id})]
        return chain, await self._records([link.record_id for link in chain])

    async def _records(self, ids: list[str]) -> dict[str, OriginRecord]:
        found = await records.find(self.store, {"id": {"$in": ids}}) if ids else []
        return {r.id: r for r in found}

    async def verify(self, batch_id: str) -> ChainReport:
        batch = await batches.get(self.store, batch_id)
        chain, held = await self._chain(batch_id)
        recomputed = await event_hashes_in(self.worker,
                                           [(r.context, r.event) for r in held.values()],
                                           share=PUBLIC_SHARE)
        return verify(batch, chain, held, dict(zip(held, recomputed, strict=True)))

    async def _where(self, query: EventQuery) -> dict[str, Any] | None:
        """The query on the events' index: each multi-valued parameter narrows the events
        to those its terms index (every one of them: AND), the scalar ones as they are;
        None when no event can match."""
        where = dict(query.where)
        ids: set[str] | None = None
        for name, term_where in query.terms:
            found: set[str] = set()
            async for doc in find_all(self.store, EPCIS_TERMS.name, term_where):
                if ids is None or doc.data["record_id"] in ids:
                    found.add(doc.data["record_id"])
                if len(found) > MAX_MATCHED:
                    raise too_large(name)
            ids = found
            if not ids:
                return None
        if ids is not None:
            where["id"] = {"$in": sorted(ids)}
        return where

    def _document(self, found: list[OriginRecord], query_name: str) -> dict[str, Any]:
        return epcis.query_document(
            [answered(r.event, r.context, r.recorded_at) for r in found],
            [r.context for r in found], self.clock.now(), query_name)

    async def _page_records(self, page_items: list[Document]) -> list[OriginRecord]:
        held = await self.store.get_many(RECORDS.name, [d.id for d in page_items])
        return [records.load(held[d.id]) for d in page_items if d.id in held]

    async def select(self, query: EventQuery, query_name: str = "SimpleEventQuery"
                     ) -> tuple[dict[str, Any], Page | None]:
        """The events ``query`` asks, as an EPCIS query document, and where the next page
        starts, if there is one."""
        where = await self._where(query)
        size = query.page_size()
        found: list[OriginRecord] = []
        following = None
        if query.max_count is not None and where is not None and \
                (count := await self.store.count(EPCIS_EVENTS.name, where)) > query.max_count:
            raise more_than_asked(count, query.max_count)
        if size and where is not None:
            page = await self.store.find(EPCIS_EVENTS.name, where, order_by=query.order,
                                         limit=size, after=query.page.after)
            found = await self._page_records(page.items)
            following = query.next_page(page.next_cursor, len(page.items))
        return self._document(found, query_name), following

    async def recorded_since(self, query: EventQuery, since: str, after: str | None,
                             limit: int, query_name: str
                             ) -> tuple[dict[str, Any], str | None, list[str]]:
        """A subscription's next page: the events ``query`` finds among those recorded
        from ``since`` (a stored stamp), after ``after``, in the order they were recorded;
        where it ends (a cursor) and the events' record ids (none: nothing waits)."""
        where = await self._where(query)
        if where is None:
            return self._document([], query_name), after, []
        recorded = dict(where.get("record_time", {}))
        recorded["$gte"] = max(recorded.get("$gte", since), since)
        page = await self.store.find(EPCIS_EVENTS.name, where | {"record_time": recorded},
                                     order_by="record_time", limit=limit, after=after)
        found = await self._page_records(page.items)
        end = encode_cursor(page.items[-1], "record_time") if page.items else after
        return self._document(found, query_name), end, [d.id for d in page.items]

    async def members(self, kind: str, per_page: int, page: Page
                      ) -> tuple[dict[str, Any], Page | None]:
        """A top-level resource's members (``bizSteps``, ``bizLocations``), in order, a
        page at a time."""
        found = await self.store.find(EPCIS_VOCABULARY.name, {"kind": kind}, order_by="value",
                                      limit=per_page, after=page.after)
        following = Page(found.next_cursor) if found.next_cursor else None
        return collection([doc.data["value"] for doc in found.items]), following
