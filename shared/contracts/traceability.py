"""Events the traceability service publishes."""

from __future__ import annotations

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
