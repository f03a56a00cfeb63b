"""Events the traceability service publishes."""

from __future__ import annotations

from datetime import date, datetime

from shared.events.contracts import EventContract, contract

LABELS_TOPIC = "ocop.traceability.labels"


@contract("vn.ocop.traceability.label.issued.v1", topic=LABELS_TOPIC)
class LabelIssued(EventContract):
    """A product's QR label exists: its scan URL and where to download the artwork."""

    product_id: str
    label_id: str
    scan_url: str
    png_url: str
    svg_url: str


BATCHES_TOPIC = "ocop.traceability.batches"
ORIGIN_TOPIC = "ocop.traceability.origin"


@contract("vn.ocop.traceability.batch.opened.v1", topic=BATCHES_TOPIC)
class BatchOpened(EventContract):
    """A producer opened a batch (lô) of a certified product: what a channel needs to show
    it, and the identifier its origin events name it by."""

    batch_id: str
    product_id: str
    subject_id: str
    gtin: str | None
    lot: str
    """GS1 AI 10 lot code, unique per product."""
    identifier: str
    """The batch's EPC class URI in EPCIS events (GS1 Digital Link with the lot)."""
    scan_url: str
    produced_on: date
    packed_on: date | None = None
    best_before: date | None = None
    expires_on: date | None = None
    quantity: float
    unit: str
    """UN/ECE Recommendation 20 code (KGM, LTR, TNE) or H87 for pieces."""


class ChainHead(EventContract):
    """Where a record sits in one batch's hash chain, and the chain's head after it."""

    batch_id: str
    sequence: int
    head: str


@contract("vn.ocop.traceability.origin.recorded.v1", topic=ORIGIN_TOPIC)
class OriginEventRecorded(EventContract):
    """An EPCIS event about one or more batches was recorded (append-only)."""

    record_id: str
    event_id: str
    """The event's EPCIS eventID (the hash-based ID unless its sender gave one)."""
    event_hash: str
    """Its CBV 2.0 hash-based ID, computed here."""
    kind: str
    """The EPCIS event type: ObjectEvent, TransformationEvent…"""
    biz_step: str | None
    event_time: datetime
    product_ids: list[str]
    chains: list[ChainHead]
    """Each batch's chain head after this event: publishing it makes a later rewrite of
    the stored history detectable by anyone who kept the events."""
    corrects: str | None = None
    """The eventID this record declares erroneous (an EPCIS error declaration)."""
