"""The read side of origin: a product's batches, a batch and its history, the check of its
hash chain, and events as an EPCIS query answers them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.traceability.origin import epcis
from services.traceability.origin.commands import event_hashes_in
from services.traceability.origin.model import (
    Batch,
    ChainLink,
    ChainReport,
    OriginRecord,
    utc_stamp,
    verify,
)
from services.traceability.store import LINKS, LOTS, RECORDS, batches, links, lot_key, records
from shared.platform.clock import Clock
from shared.platform.workers import PUBLIC_SHARE, Worker
from shared.ports.store import DocumentStore, Filter, Page, find_all
from shared.refusals import N_, BadRequest, FieldError


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

    async def query(self, where: Filter, *, product_id: str | None, batch_id: str | None,
                    limit: int, after: str | None) -> tuple[dict[str, Any], str | None]:
        """Events as an EPCIS query document: those of a batch or a product (through their
        chains), else all the platform holds."""
        page: Page
        if batch_id or product_id:
            chain_where = dict(where) | ({"batch_id": batch_id} if batch_id else {}) | (
                {"product_id": product_id} if product_id else {})
            page = await self.store.find(LINKS.name, chain_where, limit=limit, after=after)
            ids = list(dict.fromkeys(links.load(doc).record_id for doc in page.items))
            held = await self._records(ids)
            found = [held[i] for i in ids if i in held]
        else:
            page = await self.store.find(RECORDS.name, where, order_by="event_time",
                                         limit=limit, after=after)
            found = [records.load(doc) for doc in page.items]
        document = epcis.query_document([r.event for r in found], [r.context for r in found],
                                        self.clock.now())
        return document, page.next_cursor


def event_filter(from_time: str | None, before_time: str | None, biz_step: str | None,
                 place: str | None) -> Filter:
    """The EPCIS query's parameters as a store filter; BadRequest naming a time that is not
    RFC 3339."""
    where: dict[str, Any] = {}
    times = {}
    for name, op, value in (("GE_eventTime", "$gte", from_time),
                            ("LT_eventTime", "$lt", before_time)):
        if value is None:
            continue
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            when = None
        if when is None or when.tzinfo is None:
            raise BadRequest(N_("%(parameter)s must be a time with its offset "
                                "(2026-05-01T08:00:00+07:00)."), code="invalid-query",
                             parameter=name,
                             errors=[FieldError(name, N_("not an RFC 3339 time"))])
        times[op] = utc_stamp(when)
    if times:
        where["event_time"] = times
    if biz_step:
        where["biz_step"] = epcis.biz_step({"bizStep": biz_step})
    if place:
        where["place"] = place
    return where
