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
