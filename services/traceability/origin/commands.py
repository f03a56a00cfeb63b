"""Traceability's commands on batches and their origin records: open a batch, capture EPCIS
events (from a document or a producer's form), correct one. Each command loads the
aggregates, lets them check their rules, stores what they return in one transaction and
emits the contract events; bad input stores nothing. The reads are in ``queries``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services.traceability.origin import epcis
from services.traceability.origin.epcis import LotRef, Role
from services.traceability.origin.forms import BatchIn, CorrectionIn, OriginEventIn, epcis_event
from services.traceability.origin.model import (
    Batch,
    ChainLink,
    OriginRecord,
    check_certified,
    content_digest,
    utc_stamp,
)
from services.traceability.origin.shown import check_shown
from services.traceability.profiles.model import TraceProfile
from services.traceability.store import (
    LOTS,
    batches,
    index_record,
    links,
    lot_key,
    profile_carrying,
    profiles,
    records,
)
from shared.identity.auth import Caller
from shared.identity.auth import Role as CallerRole
from shared.messaging import Outbox
from shared.messaging.contracts.traceability import OriginEventRecorded
from shared.platform.clock import Clock
from shared.platform.ids import new_id
from shared.platform.workers import Worker, WorkFailed, share_of
from shared.ports.store import DocumentStore, Transaction
from shared.refusals import N_, BadRequest, Conflict, FieldError, Forbidden, NotFound

FORM_CONTEXT = [epcis.STANDARD_CONTEXT, {epcis.OCOP_PREFIX: epcis.OCOP_NAMESPACE}]
HASHES_PER_TURN = 20
"""Events hashed per piece of work handed to the worker process: one share's turn."""

Naming = Callable[[str], str]
"""How a refusal names an event's field to its sender (EPCIS path, or the form's field)."""


def _listed(i: int) -> Naming:
    """How a captured document's ``i``-th event names its fields."""
    return lambda name: f"epcisBody.eventList[{i}].{name}"


def _form_field(name: str) -> str:
    if name == "eventTime":
        return "happened_at"
    if name.startswith("inputQuantityList"):
        return name.replace("inputQuantityList", "inputs").replace(".epcClass", ".batch_id")
    return "batch"


async def event_hashes_in(worker: Worker, items: list[tuple[Any, dict[str, Any]]],
                          share: str) -> list[str]:
    """Each event's hash, computed in ``worker`` ``HASHES_PER_TURN`` at a time in ``share``'s
    turns (a producer's 500-event capture does not hold up another producer's one event). An
    event the JSON-LD processor cannot read is refused, and fails only this request."""
    parts = [items[i:i + HASHES_PER_TURN] for i in range(0, len(items), HASHES_PER_TURN)]
    try:
        hashed = await asyncio.gather(*(worker.run(epcis.hashes_of, part, share=share)
                                        for part in parts))
    except WorkFailed as failure:
        raise BadRequest(N_("An event cannot be read as JSON-LD, so its hash cannot be "
                            "computed: %(failure)s"), code="epcis-jsonld",
                         failure=str(failure)) from None
    return [event_hash for part in hashed for event_hash in part]


@dataclass
class _Recording:
    """One capture's transaction, the batches it has read, and those whose chain grew
    (saved once, at the end)."""

    tx: Transaction
    caller: Caller
    touched: dict[str, Batch] = field(default_factory=dict)
    grown: set[str] = field(default_factory=set)
    products: dict[str, TraceProfile | None] = field(default_factory=dict)


@dataclass
class Origin:
    store: DocumentStore
    outbox: Outbox
    worker: Worker
    """Where event hashes are computed (CPU-bound JSON-LD expansion)."""
    scan_base_url: str
    clock: Clock
    shown_changed: Callable[[], None]
    """Called once a change to what a scan shows has committed (``ScanPages.changed``)."""

    # --- batches --------------------------------------------------------------------------

    async def open_batch(self, caller: Caller, product_id: str, form: BatchIn) -> Batch:
        async with self.store.transaction() as tx:
            profile = await profiles.get(tx, product_id)
            batch = Batch.open(new_id(), profile, lot=form.lot, dates=form.dates(),
                               quantity=form.quantity, unit=form.unit,
                               areas=[a.area() for a in form.areas],
                               now=self.clock.now(), at=self.clock.stamp(),
                               by=caller.user_id, scan_base_url=self.scan_base_url)
            key = lot_key(product_id, form.lot)
            if await tx.get(LOTS.name, key) is not None:
                raise Conflict(N_("This product already has a batch with lot %(lot)s."),
                               code="lot-taken", lot=form.lot,
                               errors=[FieldError("lot", N_("already used for this product"))])
            await tx.insert(LOTS.name, key, {"batch_id": batch.id})
            await batches.add(tx, batch)
            await self.outbox.emit(tx, batch.opened(self.scan_base_url), aggregate_id=batch.id,
                                   sequence=batch.version)
        return batch

    # --- recording ------------------------------------------------------------------------

    async def capture(self, caller: Caller, document: Any) -> list[OriginRecord]:
        """An EPCIS document (or one event), checked against the standard's schema."""
        context, events = epcis.check_document(document)
        for i, event in enumerate(events):
            check_shown(event, _listed(i))
        return await self._record(caller, [(context, e) for e in events], _listed)

    async def record(self, caller: Caller, batch_id: str, form: OriginEventIn
                     ) -> OriginRecord:
        """What a producer's form tells of a batch, as an EPCIS event."""
        event = await self._form_event(batch_id, form)
        (recorded,) = await self._record(caller, [(FORM_CONTEXT, event)],
                                         lambda _: _form_field)
        return recorded

    async def correct(self, caller: Caller, batch_id: str, record_id: str,
                      form: CorrectionIn) -> list[OriginRecord]:
        """An error declaration for a recorded event (EPCIS: the event again, with
        ``errorDeclaration``), with the corrective event if the form gives one. The wrong
        record stays; the history shows the corrected one."""
        original = await records.get(self.store, record_id)
        if batch_id not in original.batch_ids or original.corrects:
            raise NotFound(N_("Batch %(batch)s has no event %(record)s to correct."),
                           batch=batch_id, record=record_id)
        items: list[tuple[Any, dict[str, Any]]] = []
        declared: dict[str, Any] = {"declarationTime": self.clock.now().isoformat(),
                                    "reason": form.reason}
        if form.corrected is not None:
            corrective = await self._form_event(batch_id, form.corrected)
            if "eventID" not in corrective:
                (corrective["eventID"],) = await event_hashes_in(
                    self.worker, [(FORM_CONTEXT, corrective)], share_of(caller))
            declared["correctiveEventIDs"] = [corrective["eventID"]]
            items.append((FORM_CONTEXT, corrective))
        for earlier in await records.find(self.store, {"event_id": original.event_id}):
            said = earlier.event.get("errorDeclaration") or {}
            if earlier.corrects and any(said.get(k) != declared.get(k)
                                        for k in ("reason", "correctiveEventIDs")):
                raise Conflict(N_("This event was corrected already: correct its corrected "
                                  "version instead."), code="corrected-already",
                               errors=[FieldError("record_id", N_("corrected already"))])
        items.append((original.context, original.event | {"errorDeclaration": declared}))
        return await self._record(caller, items, lambda _: _form_field)

    async def _form_event(self, batch_id: str, form: OriginEventIn) -> dict[str, Any]:
        batch = await batches.get(self.store, batch_id)
        inputs = []
        for i, given in enumerate(form.inputs):
            found = await batches.get_or_none(self.store, given.batch_id)
            if found is None:
                raise BadRequest(N_("No batch '%(batch)s'."), code="no-such-batch",
                                 batch=given.batch_id,
                                 errors=[FieldError(f"inputs[{i}].batch_id",
                                                    N_("no such batch"))])
            inputs.append(found.identifier)
        event = epcis_event(form, batch.identifier, batch.quantity, batch.unit, inputs)
        epcis.check_document({"@context": FORM_CONTEXT, **event})  # what we write conforms
        return event

    async def _record(self, caller: Caller, items: list[tuple[Any, dict[str, Any]]],
                      naming: Callable[[int], Naming]) -> list[OriginRecord]:
        hashes = await event_hashes_in(self.worker, items, share_of(caller))
        out = []
        async with self.store.transaction() as tx:
            tx.on_commit(self.shown_changed)
            session = _Recording(tx, caller)
            for i, ((context, event), event_hash) in enumerate(zip(items, hashes, strict=True)):
                out.append(await self._one(session, context, event, event_hash, naming(i)))
            for batch_id in session.grown:
                await batches.save(tx, session.touched[batch_id])
        return out

    async def _one(self, s: _Recording, context: Any, event: dict[str, Any], event_hash: str,
                   name: Naming) -> OriginRecord:
        event = {"eventID": event_hash} | event  # the sender's own eventID, if any, wins
        event_id = event["eventID"]
        declaration = event.get("errorDeclaration")
        same_id = await records.find(s.tx, {"event_id": event_id})
        named = await self._batches_named(s, event, name)
        if declaration is not None:
            for original in same_id:
                for batch_id in original.batch_ids:
                    named.setdefault(batch_id, (await self._touch(s, batch_id), "eventID"))
        self._check_may_record(s.caller, named, name)
        if again := _already(same_id, event):
            return again  # a retry: recorded once
        if declaration is None and same_id:
            raise Conflict(N_("Another event was recorded with eventID %(event_id)s."),
                           code="event-id-taken", event_id=event_id,
                           errors=[FieldError(name("eventID"),
                                              N_("already names another event"))])
        when = epcis.event_time(event)
        for batch, _ in named.values():
            check_certified(await self._profile(s, batch), self.clock.today())
            if declaration is None:
                batch.check_event_time(epcis.local_time(event), name("eventTime"),
                                       self.clock.now())
        record = OriginRecord(
            new_id(), event, context, event_hash, event_id, utc_stamp(when),
            epcis.biz_step(event), epcis.place_of(event), list(named),
            sorted({b.product_id for b, _ in named.values()}), self.clock.stamp(),
            s.caller.user_id, corrects=event_id if declaration is not None else None)
        await records.add(s.tx, record)
        await index_record(s.tx, record)
        chain = [batch.append(record) for batch, _ in named.values()]
        s.grown.update(named)
        for link in chain:
            await links.add(s.tx, link)
        await self._announce(s.tx, record, chain)
        return record

    async def _announce(self, tx: Transaction, record: OriginRecord, chain: list[ChainLink]
                        ) -> None:
        first = chain[0] if chain else None
        await self.outbox.emit(tx, OriginEventRecorded(
            record_id=record.id, event_id=record.event_id, event_hash=record.hash,
            kind=record.kind, biz_step=record.biz_step, event_time=epcis.event_time(record.event),
            product_ids=record.product_ids, chains=[link.head_event() for link in chain],
            corrects=record.corrects),
            aggregate_id=first.batch_id if first else record.id,
            sequence=first.sequence if first else 1)

    async def _batches_named(self, s: _Recording, event: dict[str, Any], name: Naming
                             ) -> dict[str, tuple[Batch, str]]:
        """The platform's batches ``event`` names (the batch's own first, inputs after),
        each with the field naming it; identifiers of products not on the platform are
        kept in the event but belong to no chain."""
        found: dict[str, tuple[Batch, str]] = {}
        ordered = sorted(epcis.named_lots(event), key=lambda n: n.role is Role.INPUT)
        for named in ordered:
            product = await self._product(s, named.ref)
            if product is None:
                continue
            claim = await s.tx.get(LOTS.name, lot_key(product.id, named.ref.lot))
            if claim is None:
                raise BadRequest(
                    N_("Product %(product)s has no batch with lot %(lot)s: open the batch "
                       "before recording its events."), code="no-such-batch",
                    product=product.id, lot=named.ref.lot,
                    errors=[FieldError(name(named.field),
                                       N_("names no batch on the platform"))])
            batch = await self._touch(s, claim.data["batch_id"])
            found.setdefault(batch.id, (batch, named.field))
        return found

    async def _touch(self, s: _Recording, batch_id: str) -> Batch:
        if batch_id not in s.touched:
            s.touched[batch_id] = await batches.get(s.tx, batch_id)
        return s.touched[batch_id]

    async def _product(self, s: _Recording, ref: LotRef) -> TraceProfile | None:
        """The platform's product an identifier names (by GTIN or id), if it is one."""
        key = ref.gtin or ref.product_id or ""
        if key not in s.products:
            s.products[key] = await (profile_carrying(s.tx, ref.gtin) if ref.gtin
                                     else profiles.get_or_none(s.tx, key))
        return s.products[key]

    async def _profile(self, s: _Recording, batch: Batch) -> TraceProfile:
        """The product of a batch (it has one: batches are opened for known products)."""
        found = await self._product(s, LotRef(batch.lot, product_id=batch.product_id))
        assert found is not None
        return found

    @staticmethod
    def _check_may_record(caller: Caller, named: dict[str, tuple[Batch, str]],
                          name: Naming) -> None:
        """A producer records events of its own batches only; the office, of any."""
        if caller.role is CallerRole.ADMIN:
            return
        for batch, field_name in named.values():
            if not caller.owns_subject(batch.subject_id):
                raise Forbidden(
                    N_("Batch %(lot)s belongs to another producer."), code="not-your-batch",
                    lot=batch.lot,
                    errors=[FieldError(name(field_name), N_("another producer's batch"))])
        if not named:
            raise BadRequest(N_("The event names none of your batches."),
                             code="no-batch-named",
                             errors=[FieldError(name("epcList"),
                                                N_("names none of your batches"))])


def _already(same_id: list[OriginRecord], event: dict[str, Any]) -> OriginRecord | None:
    """The record ``event`` repeats, if it was recorded already (a retried request): the
    same content, or, for an error declaration, one declaring the same correction."""
    digest = content_digest(event)
    declared = event.get("errorDeclaration")
    for held in same_id:
        if content_digest(held.event) == digest:
            return held
        earlier = held.event.get("errorDeclaration")
        if declared and earlier and all(earlier.get(k) == declared.get(k)
                                        for k in ("reason", "correctiveEventIDs")):
            return held
    return None
