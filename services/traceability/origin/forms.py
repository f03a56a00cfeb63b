"""What a producer fills in, and the EPCIS 2.0 event each origin form becomes.

The producer-facing API takes plain fields (what happened, when, where, how much) instead
of JSON-LD; ``epcis_event`` writes the standard event, so both interfaces store the same
records, hash them the same way and answer the same queries."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, HttpUrl, model_validator

from services.traceability.origin.epcis import OCOP_PREFIX
from services.traceability.origin.model import (
    AreaCertificate,
    AreaCertificateKind,
    BatchDates,
    RawMaterialArea,
    Unit,
)
from services.traceability.origin.shown import MAX_PHOTOS, MAX_READINGS, MAX_RESULTS, Note, Short
from shared.http.fields import EraDate, Line, Place
from shared.i18n.text import fold
from shared.refusals import N_, BadRequest, FieldError


class AreaCertificateIn(BaseModel):
    kind: AreaCertificateKind = Field(description="vietgap, organic, globalgap or other")
    number: Annotated[str, Line(1, 100)]
    issued_by: Short | None = None
    valid_until: EraDate | None = None
    document_url: HttpUrl | None = Field(None, description=(
        "The certificate itself: the URL of a filed document "
        "(POST /products/{id}/origin-documents), or the certifier's page"))

    def held(self) -> AreaCertificate:
        return AreaCertificate(self.kind, self.number, self.issued_by or "", self.valid_until,
                               str(self.document_url or ""))


class AreaIn(BaseModel):
    """A raw-material area (vùng nguyên liệu)."""

    name: Short
    commune: Place
    province: Place | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    hectares: float | None = Field(None, gt=0, le=1_000_000)
    certificates: list[AreaCertificateIn] = Field(default_factory=list, max_length=20)

    def area(self) -> RawMaterialArea:
        return RawMaterialArea(self.name, self.commune, self.province or "", self.latitude,
                               self.longitude, self.hectares,
                               [c.held() for c in self.certificates])


class BatchIn(BaseModel):
    """Opening a batch (lô)."""

    lot: str = Field(min_length=1, max_length=20,
                     description="Lot code (GS1 AI 10): up to 20 characters of the GS1 set")
    produced_on: EraDate
    packed_on: EraDate | None = None
    best_before: EraDate | None = None
    expires_on: EraDate | None = None
    quantity: float = Field(gt=0, le=1e9)
    unit: Unit = Field(description="KGM (kg), LTR (litre), TNE (tonne) or H87 (pieces)")
    areas: list[AreaIn] = Field(default_factory=list, max_length=50)

    def dates(self) -> BatchDates:
        return BatchDates(self.produced_on, self.packed_on, self.best_before, self.expires_on)


class Step(StrEnum):
    """What happened to a batch, in the words a producer uses."""

    HARVEST = "harvest"
    PROCESSING = "processing"
    LAB_TEST = "lab_test"
    PACKING = "packing"
    SHIPPING = "shipping"
    RECEIVING = "receiving"
    SENSOR_READING = "sensor_reading"


class PlaceIn(BaseModel):
    name: Short
    commune: Place | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)

    def uri(self) -> str:
        """A geo URI where the phone gave a position, else a name-based URN."""
        if self.latitude is not None and self.longitude is not None:
            return f"geo:{self.latitude:.6f},{self.longitude:.6f}"
        words = fold(f"{self.commune or ''} {self.name}").replace(" ", "-")
        return f"urn:vn:ocop:place:{words or 'unnamed'}"


class InputIn(BaseModel):
    batch_id: str = Field(min_length=1, max_length=64)
    quantity: float = Field(gt=0, le=1e9)
    unit: Unit


class LabResultIn(BaseModel):
    name: Short
    value: Short


class ReadingIn(BaseModel):
    kind: Literal["temperature", "relative_humidity", "salinity"]
    value: float = Field(ge=-1000, le=100_000)
    at: AwareDatetime | None = None


SENSOR_TYPES = {"temperature": ("Temperature", "CEL"),
                "relative_humidity": ("RelativeHumidity", "P1"),
                "salinity": ("MassConcentration", "GL")}
"""Reading → CBV measurement type and UN/ECE unit (°C, %, g/l: fish-sauce salinity)."""

STEP_FIELDS: dict[Step, dict[str, str]] = {
    Step.PROCESSING: {"inputs": N_("choose the batches it was made from")},
    Step.LAB_TEST: {"lab": N_("give the laboratory that tested it"),
                    "passed": N_("say whether it passed")},
    Step.SHIPPING: {"party": N_("give to whom it was sent")},
    Step.RECEIVING: {"party": N_("give from whom it came")},
    Step.SENSOR_READING: {"readings": N_("give at least one reading")}}
"""What each step must tell besides when and where, and how a producer is asked for it."""


class OriginEventIn(BaseModel):
    """One thing that happened to a batch, as a producer tells it."""

    step: Step
    happened_at: AwareDatetime = Field(description="When, with its UTC offset (+07:00)")
    place: PlaceIn
    event_id: UUID | None = Field(None, description="Made by the sender (the phone): a "
                                                    "retry with the same id records nothing "
                                                    "twice")
    quantity: float | None = Field(None, gt=0, le=1e9)
    unit: Unit | None = None
    note: Note = ""
    inputs: list[InputIn] = Field(default_factory=list, max_length=50,
                                  description="processing: the batches it was made from")
    lab: Short | None = Field(None, description="lab_test: the laboratory")
    passed: bool | None = Field(None, description="lab_test: whether it met the standard")
    results: list[LabResultIn] = Field(default_factory=list, max_length=MAX_RESULTS)
    report_url: HttpUrl | None = Field(None, description=(
        "lab_test: the lab's report — the URL of a filed document "
        "(POST /products/{id}/origin-documents), or the lab's own"))
    party: Short | None = Field(None, description="shipping: to whom; receiving: "
                                                  "from whom")
    readings: list[ReadingIn] = Field(default_factory=list, max_length=MAX_READINGS)
    photo_urls: list[HttpUrl] = Field(default_factory=list, max_length=MAX_PHOTOS, description=(
        "Photos of what happened: URLs of filed documents of kind photo "
        "(POST /products/{id}/origin-documents)"))

    @model_validator(mode="after")
    def _step_needs(self) -> OriginEventIn:
        # A refusal rather than a ValueError: it names each missing field, in both
        # languages, where the form shows it (a ValueError here names only the body).
        missing = [FieldError(name, asked) for name, asked in
                   STEP_FIELDS.get(self.step, {}).items()
                   if getattr(self, name) in (None, [], "")]
        if missing:
            raise BadRequest(N_("Some details of this step are missing."), code="step-details",
                             errors=missing)
        return self


def _quantity(identifier: str, quantity: float, unit: Unit) -> dict[str, Any]:
    element: dict[str, Any] = {"epcClass": identifier, "quantity": quantity}
    if unit is not Unit.PIECE:  # counted pieces carry no unit of measure in EPCIS
        element["uom"] = unit.value
    return element


def _offset(form: OriginEventIn) -> str:
    delta = form.happened_at.utcoffset()
    assert delta is not None  # AwareDatetime
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def epcis_event(form: OriginEventIn, identifier: str, default_quantity: float, unit: Unit,
                inputs: list[str]) -> dict[str, Any]:
    """The EPCIS 2.0 event ``form`` tells of the batch named ``identifier`` (``inputs``:
    the identifiers of the processed batches, in the order of ``form.inputs``)."""
    ns = OCOP_PREFIX
    event: dict[str, Any] = {
        "type": "ObjectEvent", "action": "OBSERVE",
        # to the millisecond: the hash generator reads no finer, and skips a time it rounds up
        "eventTime": form.happened_at.replace(
            microsecond=form.happened_at.microsecond // 1000 * 1000).isoformat(),
        "eventTimeZoneOffset": _offset(form),
        "readPoint": {"id": form.place.uri()}, f"{ns}:placeName": form.place.name}
    if form.event_id:
        event["eventID"] = f"urn:uuid:{form.event_id}"
    if form.place.commune:
        event[f"{ns}:commune"] = form.place.commune
    if form.note:
        event[f"{ns}:note"] = form.note
    if form.photo_urls:
        event[f"{ns}:photos"] = [str(url) for url in form.photo_urls]
    amount = [_quantity(identifier, form.quantity or default_quantity, form.unit or unit)]
    match form.step:
        case Step.HARVEST:
            event |= {"action": "ADD", "bizStep": "commissioning", "disposition": "active",
                      "quantityList": amount}
        case Step.PROCESSING:
            del event["action"]
            event |= {"type": "TransformationEvent", "bizStep": "commissioning",
                      "disposition": "active",
                      "inputQuantityList": [_quantity(uri, i.quantity, i.unit)
                                            for uri, i in zip(inputs, form.inputs, strict=True)],
                      "outputQuantityList": amount}
        case Step.LAB_TEST:
            event |= {"bizStep": "inspecting", "quantityList": amount,
                      "disposition": "conformant" if form.passed else "non_conformant",
                      f"{ns}:lab": form.lab,
                      f"{ns}:results": [{f"{ns}:name": r.name, f"{ns}:value": r.value}
                                        for r in form.results]}
            if form.report_url:
                event["certificationInfo"] = str(form.report_url)
        case Step.PACKING:
            event |= {"bizStep": "packing", "disposition": "active", "quantityList": amount}
        case Step.SHIPPING:
            event |= {"bizStep": "shipping", "disposition": "in_transit",
                      "quantityList": amount, f"{ns}:party": form.party}
        case Step.RECEIVING:
            event |= {"bizStep": "receiving", "disposition": "in_progress",
                      "quantityList": amount, f"{ns}:party": form.party}
        case Step.SENSOR_READING:
            event |= {"bizStep": "sensor_reporting", "quantityList": amount,
                      "sensorElementList": [_sensor_element(r, form) for r in form.readings]}
    return event


def _sensor_element(reading: ReadingIn, form: OriginEventIn) -> dict[str, Any]:
    kind, uom = SENSOR_TYPES[reading.kind]
    return {"sensorMetadata": {"time": (reading.at or form.happened_at).isoformat()},
            "sensorReport": [{"type": kind, "value": reading.value, "uom": uom}]}


class CorrectionIn(BaseModel):
    """A correction: the event as it should have been, and why the first was wrong."""

    reason: Literal["incorrect_data", "did_not_occur"] = "incorrect_data"
    corrected: OriginEventIn | None = Field(
        None, description="The right version (none if it did not happen at all)")

    @model_validator(mode="after")
    def _needs_corrected(self) -> CorrectionIn:
        # A refusal rather than a ValueError, as OriginEventIn's: said in the reader's
        # language, where a ValueError's reason is the library's, in English only.
        if self.reason == "incorrect_data" and self.corrected is None:
            raise BadRequest(N_("A correction of incorrect data gives the corrected event."),
                             code="correction-without-event",
                             errors=[FieldError("corrected", N_("give the corrected event"))])
        return self

