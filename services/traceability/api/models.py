"""The JSON answers several of traceability's routers give: a batch as anyone may read it
(its scan page, the batch routes) and the steps of its journey."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel

from services.traceability.origin.journey import JourneyStep
from services.traceability.origin.model import Batch, BatchDates, RawMaterialArea, Unit


class PublicBatchOut(BaseModel):
    """A batch as anyone may read it: without who opened it, a producer's username, which is
    theirs and the office's to know."""

    id: str
    product_id: str
    subject_id: str
    province: str
    commune: str
    gtin: str | None
    lot: str
    identifier: str
    dates: BatchDates
    quantity: float
    unit: Unit
    opened_at: str
    areas: list[RawMaterialArea]
    head: str
    length: int

    @classmethod
    def of(cls, batch: Batch, **more: Any) -> Self:
        """``more``: the fields a subclass adds."""
        return cls(id=batch.id, product_id=batch.product_id, subject_id=batch.subject_id,
                   province=batch.province, commune=batch.commune, gtin=batch.gtin,
                   lot=batch.lot, identifier=batch.identifier, dates=batch.dates,
                   quantity=batch.quantity, unit=batch.unit, opened_at=batch.opened_at,
                   areas=batch.areas, head=batch.head, length=batch.length, **more)


class StepOut(BaseModel):
    """A step of a batch's journey, as a shopper reads it (corrections applied)."""

    step: str
    when: str
    """As written where it happened, with its UTC offset (ISO 8601)."""
    place: str
    event_id: str
    corrected: bool
    quantity: str
    lab: str
    passed: bool | None
    results: list[tuple[str, str]]
    report_url: str
    party: str
    readings: list[tuple[str, str]]
    inputs: int
    note: str
    photos: list[str]

    @classmethod
    def of(cls, step: JourneyStep) -> StepOut:
        return cls(step=step.step, when=step.when.isoformat(), place=step.place,
                   event_id=step.event_id, corrected=step.corrected, quantity=step.quantity,
                   lab=step.lab, passed=step.passed, results=step.results,
                   report_url=step.report_url, party=step.party, readings=step.readings,
                   inputs=step.inputs, note=step.note, photos=step.photos)
