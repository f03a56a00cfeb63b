"""Label sheets (tờ nhãn): what a producer prints for a batch — the batch's own label, or
one label per unit with an unguessable serial (GS1 AI 21) — laid out on A4 sheets.

Pure: the layout's rules, the sheet's life (drawing → ready, or failed), serials and the
rule that a label may only encode a public address. Drawing is ``sheet_pdf``'s; storing and
scheduling is ``printing``'s."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from shared.http.addresses import is_private_host
from shared.i18n import Given
from shared.i18n.language import LANGUAGES
from shared.i18n.text import number_shown
from shared.messaging.contracts.traceability import LabelsIssued
from shared.refusals import N_, BadRequest, Conflict, FieldError, TooManyRequests

A4_MM = (210.0, 297.0)
MARGIN_MM = 8.0
"""Unprinted border of the sheet: office printers cannot print to the edge."""
GAP_MM = 2.0
"""Space between labels, for cutting."""
MIN_LABEL_MM = (40.0, 20.0)
"""Smallest label that holds a QR code a phone reads (≥ 16 mm with its quiet zone) and
five lines of text beside it."""
MAX_UNITS = 10_000
"""Serial labels per request: a day's packing for the largest producers."""
LABELS_DRAWING_PER_PRODUCER = 2 * MAX_UNITS
"""Labels one producer may have waiting to be drawn at once: more is refused until some are
drawn, so that one producer cannot keep the printing worker busy for hours."""
RETRY_DRAWING_SECONDS = 60

SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""32 symbols without look-alikes (no I, O, 0, 1): a serial read aloud or typed is right."""
SERIAL_LENGTH = 16
"""16 × 5 = 80 random bits: guessing a serial that exists is hopeless even among millions."""


def new_serial() -> str:
    """An unguessable serial number (GS1 AI 21 allows up to 20 characters)."""
    return "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_LENGTH))


class SheetKind(StrEnum):
    BATCH = "batch"
    """Every label the batch's own code (``/10/{lot}``)."""
    SERIAL = "serial"
    """One label per unit, each with its own serial (``/10/{lot}/21/{serial}``)."""


class SheetStatus(StrEnum):
    DRAWING = "drawing"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class SheetLayout:
    """Labels of ``label_width`` × ``label_height`` mm in a grid on A4 portrait, at most
    ``per_page`` on each page."""

    label_width: float
    label_height: float
    per_page: int

    @staticmethod
    def capacity(label_width: float, label_height: float) -> tuple[int, int]:
        """Columns and rows of such labels that fit on A4 inside the margins."""
        usable_w, usable_h = (side - 2 * MARGIN_MM for side in A4_MM)
        return (max(0, math.floor((usable_w + GAP_MM) / (label_width + GAP_MM))),
                max(0, math.floor((usable_h + GAP_MM) / (label_height + GAP_MM))))

    @classmethod
    def chosen(cls, label_width: float, label_height: float,
               per_page: int | None) -> SheetLayout:
        """The producer's choice, checked: large enough to scan, small enough to fit, and
        no more per page than fit (all that fit by default)."""
        min_w, min_h = MIN_LABEL_MM
        errors = []
        if label_width < min_w:
            errors.append(FieldError("label_width_mm", N_("must be at least %(least)s mm"),
                                     {"least": f"{min_w:g}"}))
        if label_height < min_h:
            errors.append(FieldError("label_height_mm", N_("must be at least %(least)s mm"),
                                     {"least": f"{min_h:g}"}))
        columns, rows = cls.capacity(label_width, label_height)
        if not errors and columns * rows == 0:
            errors.append(FieldError("label_width_mm", N_("the label does not fit on A4")))
        if errors:
            raise BadRequest(N_("The label size cannot be printed."), code="label-size",
                             errors=errors)
        fits = columns * rows
        if per_page is not None and per_page > fits:
            raise BadRequest(
                N_("At most %(fits)s labels of %(width)s × %(height)s mm fit on an A4 page "
                   "(%(columns)s × %(rows)s)."), code="labels-per-page", fits=fits,
                width=f"{label_width:g}", height=f"{label_height:g}", columns=columns,
                rows=rows, errors=[FieldError("per_page", N_("at most %(most)s"),
                                              {"most": fits})])
        return cls(label_width, label_height, per_page or fits)

    def slot(self, index: int) -> tuple[float, float]:
        """Bottom-left corner (mm from the page's bottom-left) of the ``index``-th label
        of a page, filled row by row from the top left, the grid centred on the page."""
        columns, rows = self.capacity(self.label_width, self.label_height)
        row, column = divmod(index, columns)
        left = (A4_MM[0] - columns * self.label_width - (columns - 1) * GAP_MM) / 2
        top = (A4_MM[1] + rows * self.label_height + (rows - 1) * GAP_MM) / 2
        return (left + column * (self.label_width + GAP_MM),
                top - (row + 1) * self.label_height - row * GAP_MM)

    def pages(self, labels: int) -> int:
        return math.ceil(labels / self.per_page)


DEVICES_PER_UNIT = 5
"""Distinct devices (coarse fingerprints) scanning one unit's code before it is reported as
copied: a unit is bought by one household; the seller, a relative or two may scan it too.
One device scanning again and again never makes it copied, however often."""


def check_public(scan_base_url: str, *, allow_private: bool) -> None:
    """Labels go on packages that leave for shoppers' phones: an address only this machine
    or this network can reach would make every printed code look fake."""
    host = urlsplit(scan_base_url).hostname or ""
    if allow_private or not is_private_host(host):
        return
    raise Conflict(
        N_("Labels would encode %(address)s, which shoppers' phones cannot reach. Set the "
           "public scan address (OCOP_SCAN_BASE_URL) before printing."),
        code="scan-address-not-public", address=scan_base_url)


@dataclass
class LabelSheet:
    """A print run of labels for one batch: drawn in the background, then downloaded."""

    id: str
    batch_id: str
    product_id: str
    kind: SheetKind
    count: int
    layout: SheetLayout
    requested_at: str
    requested_by: str
    status: SheetStatus = SheetStatus.DRAWING
    drawn: int = 0
    """Labels drawn so far (the progress bar)."""
    pdf_key: str = ""
    finished_at: str = ""
    failure: str = ""
    version: int = 0
    serials: list[str] = field(default_factory=list)
    """The units' serials, in print order (empty for a batch sheet)."""
    subject_id: str = ""
    """The producer whose batch it is (sheets requested before it was kept have none)."""

    @classmethod
    def request(cls, sheet_id: str, batch_id: str, product_id: str, subject_id: str, *,
                kind: SheetKind, count: int, layout: SheetLayout, at: str, by: str,
                drawing: int) -> LabelSheet:
        """``drawing``: the labels of the producer's sheets not yet drawn."""
        if not 1 <= count <= MAX_UNITS:
            raise BadRequest(N_("Print between 1 and %(most)s labels at a time."),
                             code="label-count", most=_number(MAX_UNITS),
                             errors=[FieldError("count", N_("between 1 and %(most)s"),
                                                {"most": MAX_UNITS})])
        if drawing + count > LABELS_DRAWING_PER_PRODUCER:
            raise _too_many_drawing(drawing)
        serials = [new_serial() for _ in range(count)] if kind is SheetKind.SERIAL else []
        return cls(sheet_id, batch_id, product_id, kind, count, layout, at, by,
                   serials=serials, subject_id=subject_id)

    @property
    def left_to_draw(self) -> int:
        return self.count - self.drawn if self.status is SheetStatus.DRAWING else 0

    @property
    def pdf_name(self) -> str:
        return f"nhan-{self.kind.value}-{self.id}.pdf"

    def advance(self, drawn: int) -> None:
        self.drawn = min(self.count, drawn)

    def finish(self, pdf_key: str, at: str, *, gtin: str | None, lot: str, scan_url: str
               ) -> LabelsIssued:
        """Drawn and stored at ``pdf_key``: ready to download, announced to others."""
        self.status, self.drawn, self.pdf_key, self.finished_at = (SheetStatus.READY,
                                                                   self.count, pdf_key, at)
        return LabelsIssued(sheet_id=self.id, batch_id=self.batch_id,
                            product_id=self.product_id, gtin=gtin, lot=lot,
                            kind=self.kind.value, count=self.count, scan_url=scan_url,
                            issued_at=datetime.fromisoformat(at))

    def fail(self, reason: str, at: str) -> None:
        self.status, self.failure, self.finished_at = SheetStatus.FAILED, reason, at

    def check_ready(self) -> None:
        if self.status is not SheetStatus.READY:
            raise Conflict(NOT_READY[self.status], code="sheet-not-ready", drawn=self.drawn,
                           count=self.count)


NOT_READY = {
    SheetStatus.DRAWING: N_("The sheet is drawing, not ready to download (%(drawn)s of "
                            "%(count)s labels drawn)."),
    SheetStatus.FAILED: N_("The sheet is failed, not ready to download (%(drawn)s of "
                           "%(count)s labels drawn).")}


def _number(value: int) -> Given:
    """A count as each language writes it (10,000; 10.000)."""
    return Given({lang: number_shown(value, lang, 0) for lang in LANGUAGES})


def _too_many_drawing(drawing: int) -> TooManyRequests:
    refusal = TooManyRequests(
        N_("Your label sheets still being drawn hold %(drawing)s labels; at most %(most)s "
           "wait at once. Ask for more once they are ready (their progress shows on each "
           "sheet)."), code="labels-drawing", drawing=_number(drawing),
        most=_number(LABELS_DRAWING_PER_PRODUCER))
    refusal.retry_after = RETRY_DRAWING_SECONDS
    return refusal


@dataclass
class UnitCode:
    """A printed unit's serial (số sê-ri) and how often shoppers have scanned it: a copied
    code shows up as one scanned from far more devices, and networks, than one unit can
    be."""

    id: str
    """``{product_id}/{serial}``: a GS1 serial is unique per GTIN (SGTIN)."""
    batch_id: str
    lot: str
    """Its batch's lot: a scan naming another lot is not of this code."""
    sheet_id: str
    scans: int = 0
    first_scanned_at: str = ""
    last_scanned_at: str = ""
    devices: list[str] = field(default_factory=list)
    """Distinct coarse client fingerprints that scanned it (at most ``DEVICES_PER_UNIT``
    kept: past that the code is reported as copied anyway)."""
    networks: list[str] = field(default_factory=list)
    """Distinct networks (salted, ``scans.rules.salted_network``) its scans came from, at most
    ``DEVICES_PER_UNIT``: how far apart its devices are, and so how sure a copy is."""
    looks_copied: bool = False
    version: int = 0

    @staticmethod
    def key(product_id: str, serial: str) -> str:
        return f"{product_id}/{serial}"

    def under(self, lot: str | None) -> bool:
        """Whether a scan naming ``lot`` (or none) is of this code."""
        return lot in (None, self.lot)

    def scanned(self, at: str, device: str, network: str) -> None:
        """Count a shopper's scan (``network``: its device's, salted); from
        ``DEVICES_PER_UNIT`` devices the code looks copied, and stays so."""
        self.scans += 1
        self.first_scanned_at = self.first_scanned_at or at
        self.last_scanned_at = at
        if device not in self.devices and len(self.devices) < DEVICES_PER_UNIT:
            self.devices.append(device)
        if network not in self.networks and len(self.networks) < DEVICES_PER_UNIT:
            self.networks.append(network)
        self.looks_copied = self.looks_copied or len(self.devices) >= DEVICES_PER_UNIT
