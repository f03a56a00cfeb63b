"""The traceability service's API as the pages call it: batches, origin records, labels, scans."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from pydantic import TypeAdapter

from services.web.clients import Answer, Client, Created, Operation, Page, Unread


class BatchDates(Answer):
    produced_on: date


class Area(Answer):
    name: str


class Step(Answer):
    """A step of a batch's journey, as the service words it for people."""

    step: str
    when: str
    place: str
    quantity: str
    note: str
    photos: list[str]
    report_url: str


class ListedBatch(Answer):
    id: str
    lot: str
    dates: BatchDates


class Batch(ListedBatch):
    product_id: str
    quantity: float
    unit: str
    areas: list[Area]
    journey: list[Step]


class Progress(Answer):
    drawn: int
    total: int


class Sheet(Answer):
    id: str
    status: str
    count: int
    requested_at: str
    progress: Progress
    pdf_url: str | None = None


class Counts(Answer):
    scans: int
    units_scanned: int


class Scans(Answer):
    total: Counts
    units_printed: int


class Anomaly(Answer):
    kind: str
    day: date
    batch_id: str | None
    lot: str | None
    codes: list[str]
    scans: int
    devices: int
    networks: int
    confidence: str


class Filed(Answer):
    url: str


BATCHES = Operation("traceability", "GET", "/products/{product_id}/batches",
                    Page[ListedBatch])
OPEN_BATCH = Operation("traceability", "POST", "/products/{product_id}/batches", Created)
BATCH = Operation("traceability", "GET", "/batches/{batch_id}", Batch)
EVENTS = Operation("traceability", "POST", "/batches/{batch_id}/events", Created)
FILE = Operation("traceability", "POST", "/products/{product_id}/origin-documents", Filed)
SHEETS = Operation("traceability", "GET", "/batches/{batch_id}/label-sheets", Page[Sheet])
PRINT = Operation("traceability", "POST", "/batches/{batch_id}/label-sheets", Unread)
LABELS_PDF = Operation("traceability", "GET", "/label-sheets/{sheet_id}/labels.pdf", Unread)
SCANS = Operation("traceability", "GET", "/batches/{batch_id}/scans", Scans)
ANOMALIES = Operation("traceability", "GET", "/anomalies", Page[Anomaly])


class Traceability(Client):
    async def batches(self, product_id: str) -> Page[ListedBatch]:
        return await self.read(BATCHES, product_id)

    # -- the office's counterfeit dashboard (models and operations at the end of the module)

    async def province_anomalies(self, *, province: str | None, kind: str | None,
                                 since: date, cursor: str | None = None) -> SignalsPage:
        """Counterfeit signals since a day, newest first (one page of ``SIGNALS_PAGE``)."""
        asked = {"province": province, "kind": kind, "since": since.isoformat(),
                 "limit": SIGNALS_PAGE, "cursor": cursor}
        return await self.read(SIGNALS, params={k: v for k, v in asked.items() if v})

    async def anomalies_by_province(self, since: date) -> list[ProvinceSignals]:
        response = await self.send(SIGNALS_BY_PROVINCE, params={"since": since.isoformat()})
        return PROVINCES_READ.validate_json(response.content)

    async def open_batch(self, product_id: str, batch: dict[str, Any]) -> Created:
        return await self.read(OPEN_BATCH, product_id, json=batch)

    async def batch(self, batch_id: str) -> Batch:
        return await self.read(BATCH, batch_id)

    async def record_event(self, batch_id: str, event: dict[str, Any]) -> Created:
        """``event``: what ``services.web.producer.origin_form.event_body`` makes."""
        return await self.read(EVENTS, batch_id, json=event)

    async def file_origin_document(self, product_id: str, kind: str, title: str, data: bytes,
                                   content_type: str) -> Filed:
        return await self.read(FILE, product_id, params={"kind": kind, "title": title},
                               content=data, headers={"Content-Type": content_type})

    async def label_sheets(self, batch_id: str) -> Page[Sheet]:
        return await self.read(SHEETS, batch_id)

    async def print_labels(self, batch_id: str, count: float | None, kind: str) -> None:
        await self.send(PRINT, batch_id, json={"count": count, "kind": kind})

    async def labels_pdf(self, sheet_id: str) -> httpx.Response:
        """The sheet's PDF as the service sent it (its headers name the file)."""
        return await self.send(LABELS_PDF, sheet_id)

    async def scans(self, batch_id: str) -> Scans:
        return await self.read(SCANS, batch_id)

    async def anomalies(self, *, batch_id: str | None = None,
                        limit: int | None = None) -> Page[Anomaly]:
        asked = {"batch_id": batch_id, "limit": limit}
        return await self.read(ANOMALIES,
                               params={k: v for k, v in asked.items() if v is not None})

    # -- a batch's records and their corrections (models and operations at the module's end)

    async def records(self, batch_id: str) -> Page[OriginRecord]:
        return await self.read(RECORDS, batch_id)

    async def correct_event(self, batch_id: str, record_id: str,
                            corrected: dict[str, Any]) -> None:
        """``corrected``: what ``origin_form.event_body`` makes of the corrected form."""
        await self.send(CORRECT, batch_id, record_id,
                        json={"reason": "incorrect_data", "corrected": corrected})


# -- the office's counterfeit dashboard (services/web/office/counterfeits.py) --------------

SIGNALS_PAGE = 200


class SignalSeen(Answer):
    """A counterfeit signal as the office's dashboard reads it."""

    id: str
    kind: str
    product_id: str
    province: str
    commune: str
    batch_id: str | None
    lot: str | None
    day: date
    last_seen_at: str
    codes: list[str]
    scans: int
    devices: int
    networks: int
    confidence: str


class ProvinceSignals(Answer):
    province: str
    total: int


class SignalsPage(Page[SignalSeen]):
    next_cursor: str | None = None


SIGNALS = Operation("traceability", "GET", "/anomalies", SignalsPage)
SIGNALS_BY_PROVINCE = Operation("traceability", "GET", "/anomalies/provinces", Unread)
PROVINCES_READ = TypeAdapter(list[ProvinceSignals])


# -- a batch's records and their corrections (services/web/producer/pages.py, batch routes) -

class Filled(Answer):
    """The origin form as it would be filled to record an event again."""

    happened_at: str
    place: str
    latitude: float | None
    longitude: float | None
    quantity: float | None
    note: str
    lab: str
    passed: bool | None
    party: str
    photo_urls: list[str]
    report_url: str
    input_lots: list[str]


class OriginRecord(Answer):
    """A record of a batch's chain, as the batch page lists it."""

    id: str
    sequence: int
    recorded_at: str
    step: Step | None
    filled: Filled | None
    declares: str | None
    reason: str | None
    corrected_by: str | None
    corrected_at: str | None
    corrects: str | None
    correctable: bool


RECORDS = Operation("traceability", "GET", "/batches/{batch_id}/records", Page[OriginRecord])
CORRECT = Operation("traceability", "POST",
                    "/batches/{batch_id}/events/{record_id}/corrections", Unread)
