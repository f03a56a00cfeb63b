"""Batch and origin endpoints: the producer's forms (open a batch, record what happened,
correct it) and a batch's chain check; the EPCIS 2.0 interfaces are ``epcis``'s."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.traceability.api.deps import may
from services.traceability.api.models import PublicBatchOut, StepOut
from services.traceability.api.scan import chain_page
from services.traceability.origin.commands import Origin
from services.traceability.origin.epcis import EpcisEvent, JsonLdContext
from services.traceability.origin.forms import BatchIn, CorrectionIn, OriginEventIn
from services.traceability.origin.journey import Entry, Filled, entries, journey
from services.traceability.origin.model import Batch, ChainProblem, ChainReport, OriginRecord
from services.traceability.origin.queries import Histories
from services.traceability.profiles import rules
from shared.http.paging import Cursor, Limit, PageOut
from shared.identity.access import Scope
from shared.identity.auth import CurrentCaller
from shared.platform.runtime import part


class EpcisResponse(JSONResponse):
    """An EPCIS 2.0 document in its JSON-LD binding."""

    media_type = "application/ld+json"


class _EpcisNames(BaseModel):
    """The standard's camelCase names on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ResultsBody(_EpcisNames):
    event_list: list[EpcisEvent]


class QueryResults(_EpcisNames):
    query_name: str
    results_body: ResultsBody


class QueryBody(_EpcisNames):
    query_results: QueryResults


class EpcisQueryDocument(_EpcisNames):
    """An EPCIS 2.0 query answer (EPCISQueryDocument), as the standard's schema defines it."""

    context: JsonLdContext = Field(alias="@context")
    type: Literal["EPCISQueryDocument"]
    schema_version: str
    creation_date: str
    epcis_body: QueryBody


OriginPart = Annotated[Origin, Depends(part(Origin))]
HistoriesPart = Annotated[Histories, Depends(part(Histories))]
router = APIRouter(tags=["batches"])


class BatchOut(PublicBatchOut):
    scan_url: str
    """The batch's own scan page (the code on every package of it)."""

    @classmethod
    def at(cls, batch: Batch, scan_base_url: str, **more: Any) -> Self:
        return cls.of(batch, scan_url=rules.batch_scan_url(scan_base_url, batch.product_id,
                                                            batch.gtin, batch.lot), **more)


class OpenedBatchOut(BatchOut):
    """The batch just opened, told to whoever opened it."""

    opened_by: str


class BatchJourneyOut(BatchOut):
    journey: list[StepOut]
    """Its records as steps, corrections applied, in the order they happened."""


class RecordOut(BaseModel):
    """An origin record: the EPCIS event as stored, its hash and the batches it joined."""

    id: str
    event_id: str
    hash: str
    batch_ids: list[str]
    recorded_at: str
    corrects: str | None
    """The eventID this record declares erroneous (an error declaration)."""
    event: EpcisEvent

    @classmethod
    def of(cls, record: OriginRecord) -> RecordOut:
        return cls(id=record.id, event_id=record.event_id, hash=record.hash,
                   batch_ids=record.batch_ids, recorded_at=record.recorded_at,
                   corrects=record.corrects, event=record.event)


class FilledOut(BaseModel):
    """The producer's form as it would be filled to record the event again: where a
    correction starts from."""

    happened_at: str
    place: str
    commune: str
    latitude: float | None
    longitude: float | None
    quantity: float | None
    unit: str | None
    note: str
    lab: str
    passed: bool | None
    party: str
    photo_urls: list[str]
    report_url: str
    input_lots: list[str]
    """A processing: the lots of the platform's batches it was made from."""

    @classmethod
    def of(cls, filled: Filled) -> FilledOut:
        return cls.model_validate(filled, from_attributes=True)


class BatchRecordOut(BaseModel):
    """One record of a batch's chain, with its id (what a correction names) and how the
    corrections recorded since leave it."""

    id: str
    event_id: str
    hash: str
    sequence: int
    """Its place in the batch's chain, from 1."""
    recorded_at: str
    step: StepOut | None
    """What it tells; none for an error declaration."""
    filled: FilledOut | None
    declares: str | None
    """An error declaration: the id of the record it declares wrong."""
    reason: str | None
    """An error declaration's reason: incorrect_data or did_not_occur."""
    corrected_by: str | None
    """Declared wrong: the id of the record correcting it (none if it did not happen)."""
    corrected_at: str | None
    """Declared wrong: when (the declaration's recording)."""
    declared_in: str | None
    """Declared wrong: the id of the declaration."""
    corrects: str | None
    """A corrective record: the id of the record it replaces."""
    correctable: bool
    """Whether a correction may name it: not a declaration, not declared wrong already."""

    @classmethod
    def of(cls, entry: Entry) -> BatchRecordOut:
        r = entry.record
        return cls(id=r.id, event_id=r.event_id, hash=r.hash, sequence=entry.sequence,
                   recorded_at=r.recorded_at,
                   step=StepOut.of(entry.step) if entry.step else None,
                   filled=FilledOut.of(entry.filled) if entry.filled else None,
                   declares=entry.declares, reason=entry.reason,
                   corrected_by=entry.corrected_by, corrected_at=entry.corrected_at,
                   declared_in=entry.declared_in, corrects=entry.corrects,
                   correctable=entry.correctable)


class BatchRecordsOut(BaseModel):
    items: list[BatchRecordOut]
    """In the chain's order."""


class CapturedOut(BaseModel):
    recorded: list[RecordOut]
    """One record per captured event, in the document's order."""


class ChainReportOut(BaseModel):
    """What recomputing a batch's hash chain found."""

    batch_id: str
    records: int
    head: str
    intact: bool
    problems: list[ChainProblem]

    @classmethod
    def of(cls, report: ChainReport) -> ChainReportOut:
        return cls(batch_id=report.batch_id, records=report.records, head=report.head,
                   intact=report.intact, problems=report.problems)


@router.post("/products/{product_id}/batches", status_code=status.HTTP_201_CREATED,
             summary="Open a batch (lô) of a certified product: its producer or the office",
             **may("batch.open", Scope.PATH))
async def open_batch(origin: OriginPart, caller: CurrentCaller, product_id: str,
                     body: BatchIn) -> OpenedBatchOut:
    batch = await origin.open_batch(caller, product_id, body)
    return OpenedBatchOut.at(batch, origin.scan_base_url, opened_by=batch.opened_by)


@router.get("/products/{product_id}/batches", summary="A product's batches, newest first",
            **may("batch.read"))
async def product_batches(histories: HistoriesPart, product_id: str, limit: Limit = 50,
                          cursor: Cursor = None) -> PageOut[BatchOut]:
    found, next_cursor = await histories.batches_of(product_id, limit, cursor)
    return PageOut(items=[BatchOut.at(b, histories.scan_base_url) for b in found],
                   next_cursor=next_cursor)


@router.get("/batches/{batch_id}", summary="A batch and its journey (corrections applied)",
            **may("batch.read"))
async def get_batch(histories: HistoriesPart, batch_id: str) -> BatchJourneyOut:
    batch = await histories.batch(batch_id)
    steps = journey(await histories.history(batch))
    return BatchJourneyOut.at(batch, histories.scan_base_url,
                              journey=[StepOut.of(step) for step in steps])


@router.get("/batches/{batch_id}/records",
            summary="A batch's origin records in its chain's order, each with its id and "
                    "its corrections", **may("origin.read"))
async def batch_records(histories: HistoriesPart, batch_id: str) -> BatchRecordsOut:
    batch = await histories.batch(batch_id)
    return BatchRecordsOut(items=[BatchRecordOut.of(entry)
                                  for entry in entries(await histories.history(batch))])


@router.post("/batches/{batch_id}/events", status_code=status.HTTP_201_CREATED,
             summary="Record what happened to a batch (form fields; stored as EPCIS 2.0)",
             **may("origin.record", Scope.PATH))
async def record_event(origin: OriginPart, caller: CurrentCaller, batch_id: str,
                       body: OriginEventIn) -> RecordOut:
    return RecordOut.of(await origin.record(caller, batch_id, body))


@router.post("/batches/{batch_id}/events/{record_id}/corrections",
             status_code=status.HTTP_201_CREATED,
             summary="Correct a recorded event: an EPCIS error declaration, with the "
                     "corrective event", **may("origin.record", Scope.PATH))
async def correct_event(origin: OriginPart, caller: CurrentCaller, batch_id: str,
                        record_id: str, body: CorrectionIn) -> list[RecordOut]:
    return [RecordOut.of(r) for r in await origin.correct(caller, batch_id, record_id, body)]


@router.get("/batches/{batch_id}/verify",
            summary="Recompute the batch's hash chain: was anything altered? (JSON; a page "
                    "in plain words for a browser)",
            response_model=ChainReportOut,
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
            **may("origin.read"))
async def verify_batch(histories: HistoriesPart, request: Request, batch_id: str,
                       accept: Annotated[str | None, Header()] = None,
                       lang: Annotated[str | None, Query(description="vi or en (a page)")] = None
                       ) -> Response:
    report = await histories.verify(batch_id)
    # The scan page links here: a shopper's browser gets a page, a program the JSON.
    if "text/html" in (accept or ""):
        batch = await histories.batch(batch_id)
        return chain_page(request, report, batch.lot, lang)
    return JSONResponse(ChainReportOut.of(report).model_dump(mode="json"),
                        headers={"Vary": "Accept"})
