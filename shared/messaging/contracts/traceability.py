"""Events the traceability service publishes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from shared.messaging.events.contracts import EventContract, contract

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


@contract("vn.ocop.traceability.labels.issued.v1", topic=LABELS_TOPIC)
class LabelsIssued(EventContract):
    """A batch's label sheet is drawn and ready to print: how many labels of which kind.
    The serials themselves stay with the producer (they are what tells a genuine unit from
    a copy); every printed code resolves at ``scan_url`` (a unit's with ``/21/{serial}``)."""

    sheet_id: str
    batch_id: str
    product_id: str
    gtin: str | None
    lot: str
    kind: str
    """serial (one unguessable serial per unit) or batch (the batch's own code)."""
    count: int
    scan_url: str
    """The batch's GS1 Digital Link."""
    issued_at: datetime


ANOMALIES_TOPIC = "ocop.traceability.anomalies"


@contract("vn.ocop.traceability.scan.anomaly_detected.v1", topic=ANOMALIES_TOPIC)
class ScanAnomalyDetected(EventContract):
    """Scans that suggest counterfeit goods (dấu hiệu hàng giả): a unit's code scanned from
    far more devices than one unit can be (``copied_serial``), or codes under a real
    product's GTIN that the platform never printed (``unknown_serial``, ``unknown_lot``;
    one anomaly per product and day gathers them). Published when detected, and again, with
    the same ``anomaly_id``, each time its ``confidence`` rises."""

    anomaly_id: str
    kind: str
    product_id: str
    subject_id: str
    province: str
    commune: str
    gtin: str | None
    code: str
    """The code seen: the serial or the lot."""
    batch_id: str | None = None
    """The batch of a copied unit's code."""
    scans: int
    devices: int
    """Distinct coarse client fingerprints among those scans."""
    networks: int | None = None
    """Distinct client networks among those scans (None: published before they were
    counted)."""
    confidence: Literal["low", "medium", "high"] | None = None
    """How sure the signal is, by its distinct networks: one (``low``: one client, household
    or shop), a few (``medium``), as many as a copy needs devices (``high``). None:
    published before it was weighed."""
    day: date
    """The day (Việt Nam time) it was detected on."""
    detected_at: datetime
