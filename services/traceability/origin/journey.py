"""A batch's journey as a shopper reads it: its origin records in order, each told as a step
(harvest → processing → lab test → packing → shipping), with corrections applied — a record
declared wrong is left out, the one that corrects it is marked corrected. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.traceability.origin import epcis
from services.traceability.origin.epcis import EpcisEvent
from services.traceability.origin.forms import SENSOR_TYPES, Step
from services.traceability.origin.model import OriginRecord
from services.traceability.origin.shown import web_link

NS = f"{epcis.OCOP_PREFIX}:"
_BY_BIZ_STEP = {"commissioning": Step.HARVEST, "inspecting": Step.LAB_TEST,
                "sampling": Step.LAB_TEST, "packing": Step.PACKING, "shipping": Step.SHIPPING,
                "receiving": Step.RECEIVING, "sensor_reporting": Step.SENSOR_READING}
_SENSOR_NAMES = {kind: name for name, (kind, _) in SENSOR_TYPES.items()}


@dataclass(frozen=True)
class JourneyStep:
    step: str
    """A ``forms.Step`` value, or the event's own business step for others."""
    when: datetime
    """As written where it happened (its own UTC offset)."""
    place: str
    event_id: str
    corrected: bool = False
    quantity: str = ""
    lab: str = ""
    passed: bool | None = None
    results: list[tuple[str, str]] = field(default_factory=list)
    report_url: str = ""
    party: str = ""
    readings: list[tuple[str, str]] = field(default_factory=list)
    """(measurement, value with unit) pairs."""
    inputs: int = 0
    note: str = ""
    photos: list[str] = field(default_factory=list)


def step_of(event: EpcisEvent) -> str:
    if event.get("type") == "TransformationEvent":
        return Step.PROCESSING.value
    bare = epcis.biz_step(event) or "other"
    return _BY_BIZ_STEP[bare].value if bare in _BY_BIZ_STEP else bare


def journey(records: list[OriginRecord]) -> list[JourneyStep]:
    """The steps of ``records`` (in recorded order), sorted by when they happened."""
    declared = {r.corrects for r in records if r.corrects}
    corrective = {eid for r in records if r.corrects
                  for eid in r.event["errorDeclaration"].get("correctiveEventIDs", [])}
    steps = [_step(r.event, r.event_id in corrective) for r in records
             if not r.corrects and r.event_id not in declared]
    return sorted(steps, key=lambda s: s.when)


def _amount(event: EpcisEvent) -> str:
    for key in ("outputQuantityList", "quantityList"):
        for element in event.get(key) or []:
            uom = {"KGM": "kg", "LTR": "l", "TNE": "t"}.get(element.get("uom", ""), "")
            return f"{element['quantity']:g} {uom}".strip()
    return ""


def _step(event: EpcisEvent, corrected: bool) -> JourneyStep:
    readings = [(_SENSOR_NAMES.get(report["type"], report["type"]),
                 f"{report.get('value', '')} {report.get('uom', '')}".strip())
                for element in event.get("sensorElementList") or []
                for report in element.get("sensorReport") or []]
    disposition = event.get("disposition")
    info = event.get("certificationInfo")
    return JourneyStep(
        step=step_of(event), when=epcis.event_time(event),
        place=str(event.get(f"{NS}placeName") or epcis.place_of(event) or ""),
        event_id=str(event.get("eventID", "")), corrected=corrected, quantity=_amount(event),
        lab=str(event.get(f"{NS}lab") or ""),
        passed={"conformant": True, "non_conformant": False}.get(str(disposition)),
        results=[(str(r.get(f"{NS}name", "")), str(r.get(f"{NS}value", "")))
                 for r in event.get(f"{NS}results") or [] if isinstance(r, dict)],
        report_url=web_link(info),
        party=str(event.get(f"{NS}party") or ""), readings=readings,
        inputs=len(event.get("inputQuantityList") or []) + len(
            event.get("inputEPCList") or []),
        note=str(event.get(f"{NS}note") or ""),
        photos=[url for url in map(web_link, event.get(f"{NS}photos") or []) if url])


@dataclass(frozen=True)
class Filled:
    """What a producer's form would be filled with to record an event again: where a
    correction starts from."""

    happened_at: str
    """As written where it happened, with its UTC offset (ISO 8601)."""
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
    """A processing: the lots it was made from (as their identifiers name them)."""


@dataclass(frozen=True)
class Entry:
    """One record of a batch's chain as its producer's workspace lists it: with its id (what
    a correction names), and how it stands after the corrections recorded since."""

    record: OriginRecord
    sequence: int
    """Its place in the batch's chain, from 1."""
    step: JourneyStep | None
    """What it tells (none for an error declaration: it tells only that another is wrong)."""
    filled: Filled | None
    declares: str | None = None
    """An error declaration: the id of the record it declares wrong."""
    reason: str | None = None
    corrected_by: str | None = None
    """A record declared wrong: the id of the record that corrects it (none if it did not
    happen at all)."""
    corrected_at: str | None = None
    """When it was declared wrong (the declaration's recording)."""
    declared_in: str | None = None
    corrects: str | None = None
    """A corrective record: the id of the record it replaces."""

    @property
    def correctable(self) -> bool:
        """Neither a declaration nor a record already declared wrong: the corrected version
        is the one to correct again."""
        return self.declares is None and self.declared_in is None


def entries(records: list[OriginRecord]) -> list[Entry]:
    """``records`` of one batch, in the chain's order, each with how corrections left it."""
    by_event = {r.event_id: r for r in records if not r.corrects}
    marks: dict[str, dict[str, str | None]] = {r.id: {} for r in records}
    for r in records:
        if not r.corrects:
            continue
        declared = r.event.get("errorDeclaration") or {}
        wrong = by_event.get(r.corrects)
        fixes = [by_event[e] for e in declared.get("correctiveEventIDs") or []
                 if e in by_event]
        marks[r.id] |= {"declares": wrong.id if wrong else None,
                        "reason": str(declared.get("reason") or "")}
        if wrong is not None:
            marks[wrong.id] |= {"corrected_by": fixes[0].id if fixes else None,
                                "corrected_at": r.recorded_at, "declared_in": r.id}
            for fix in fixes:
                marks[fix.id]["corrects"] = wrong.id
    return [Entry(r, i, None if r.corrects else _step(r.event, "corrects" in marks[r.id]),
                  None if r.corrects else filled(r.event), **marks[r.id])
            for i, r in enumerate(records, start=1)]


def filled(event: EpcisEvent) -> Filled:
    """The form's fields that make ``event`` (``forms.epcis_event`` read backwards)."""
    point = str((event.get("readPoint") or {}).get("id") or "")
    latitude = longitude = None
    if point.startswith("geo:"):
        try:
            latitude, longitude = (float(x) for x in point[4:].split(";")[0].split(","))
        except ValueError:
            latitude = longitude = None
    amount: dict[str, object] = next((element for key in ("outputQuantityList", "quantityList")
                   for element in event.get(key) or []), {})
    quantity = amount.get("quantity")
    step = _step(event, False)
    return Filled(
        happened_at=epcis.local_time(event).isoformat(), place=step.place,
        commune=str(event.get(f"{NS}commune") or ""), latitude=latitude, longitude=longitude,
        quantity=float(quantity) if isinstance(quantity, int | float) else None,
        unit=str(amount.get("uom") or "H87") if amount else None, note=step.note,
        lab=step.lab, passed=step.passed, party=step.party, photo_urls=step.photos,
        report_url=step.report_url,
        input_lots=[ref.lot for element in event.get("inputQuantityList") or []
                    if (ref := epcis.lot_ref(str(element.get("epcClass", "")))) is not None])
