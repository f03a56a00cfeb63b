"""Documents behind what a batch's records claim — a lab's report (phiếu kết quả thử
nghiệm), a raw-material area's VietGAP or organic certificate — kept in the object store.
They are public, as the scan page that cites them is: a lab-test event or an area
certificate names one by its URL."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DocumentKind(StrEnum):
    LAB_REPORT = "lab_report"
    """A laboratory's test report (phiếu kết quả thử nghiệm)."""
    AREA_CERTIFICATE = "area_certificate"
    """A raw-material area's VietGAP, organic or other certificate."""
    PHOTO = "photo"
    """A photograph taken where something happened to a batch (ảnh hiện trường)."""
    OTHER = "other"


@dataclass
class OriginDocument:
    id: str
    product_id: str
    subject_id: str
    kind: DocumentKind
    title: str
    key: str
    content_type: str
    size: int
    sha256: str
    """Of the file's bytes: whoever downloads it can tell it is the one uploaded."""
    uploaded_at: str
    uploaded_by: str
    version: int = 0
