"""The origin-event form a producer fills on the phone (often offline, sent later from its
queue), and the traceability API's body it becomes."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData, UploadFile

from services.web.backend import Refused
from services.web.clients.traceability import Batch, ListedBatch, OriginRecord
from services.web.typed import typed_number
from shared.i18n import N_, words
from shared.i18n.text import number_shown
from shared.platform.clock import VIETNAM

LOCAL_MINUTE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
FORM_STEPS = ("harvest", "processing", "lab_test", "packing", "shipping")
"""The steps the form records (and so corrects); others come in by EPCIS capture."""
FIELDS = ("event_id", "step", "happened_at", "place", "commune", "quantity", "note", "lab",
          "passed", "party", "input_batch", "latitude", "longitude")


@dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str


@dataclass(frozen=True)
class EventForm:
    fields: dict[str, str]
    photo: Photo | None

    @classmethod
    async def read(cls, form: FormData) -> EventForm:
        fields = {name: str(form.get(name) or "").strip() for name in FIELDS}
        upload = form.get("photo")
        photo = None
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read()
            if data:
                photo = Photo(data, upload.content_type or "")
        return cls(fields, photo)

    @property
    def photo_kind(self) -> str:
        return "lab_report" if self.fields["step"] == "lab_test" else "photo"

    def photo_title(self, lang: str) -> str:
        """The filed document's title, in the producer's language."""
        said = words(lang)
        if self.photo_kind == "lab_report":
            return said.gettext("Lab report")
        # As a document's title, a photo of the place ("Ảnh hiện trường"), not a link's "Ảnh".
        return said.pgettext("document title", "Photo")

    @property
    def happened_at(self) -> str:
        """The phone's datetime field has no zone: the producer writes Việt Nam time."""
        value = self.fields["happened_at"]
        return f"{value}:00+07:00" if LOCAL_MINUTE.match(value) else value


def amount_shown(text: str, lang: str) -> str:
    """A step's quantity as the service words it ('1.5 kg', '1200') written the page's
    way ('1,5 kg', '1.200' in Vietnamese)."""
    shown = []
    for word in text.split():
        try:
            shown.append(number_shown(float(word), lang, 3))
        except ValueError:
            shown.append(word)
    return " ".join(shown)


def _coordinate(value: str) -> float | None:
    """The phone's own position, written by the page's script (a point, six decimals)."""
    try:
        return float(value) if value else None
    except ValueError:
        return None  # not the script's: no position rather than a refusal


def event_body(form: EventForm, batch: Batch, lang: str) -> dict[str, Any]:
    """What ``POST /batches/{id}/events`` takes (its photo added by ``photographed``); every
    check but the reading of the numbers typed (in ``lang``'s way) is the service's."""
    f = form.fields
    quantity = typed_number(f["quantity"], lang, "quantity")
    body: dict[str, Any] = {
        "event_id": f["event_id"] or None, "step": f["step"],
        "happened_at": form.happened_at, "note": f["note"],
        "place": {"name": f["place"], "commune": f["commune"] or None,
                  "latitude": _coordinate(f["latitude"]),
                  "longitude": _coordinate(f["longitude"])},
        "quantity": quantity}
    match f["step"]:
        case "lab_test":
            body |= {"lab": f["lab"] or None, "passed": f["passed"] == "on"}
        case "shipping" | "receiving":
            body["party"] = f["party"] or None
        case "processing" if f["input_batch"]:
            body["inputs"] = [{"batch_id": f["input_batch"],
                               "quantity": quantity or batch.quantity,
                               "unit": batch.unit}]
    return body


def photographed(body: dict[str, Any], form: EventForm, photo_url: str) -> dict[str, Any]:
    """The event with its filed photo: a lab test's is its report."""
    if form.photo_kind == "lab_report":
        return body | {"report_url": photo_url}
    return body | {"photo_urls": [photo_url]}


# -- a correction: the same form, filled with the record it corrects ------------------------

CORRECTED = "corrected."
"""Where a correction's refusal names the corrected event's fields."""


def one_record(records: list[OriginRecord], record_id: str) -> OriginRecord:
    """The batch's record ``record_id``, one the producer may correct (a link kept from
    before another correction, or a made-up one, is refused as not found)."""
    found = next((r for r in records if r.id == record_id), None)
    if found is None or not found.correctable or found.filled is None:
        raise Refused.said(404, N_("This record cannot be corrected: it is not one of the "
                                   "batch's records, or it was corrected already."))
    return found


def prefilled(record: OriginRecord, lang: str, inputs: list[ListedBatch]) -> dict[str, str]:
    """The form's fields as they were for ``record`` (the time in Việt Nam's, as the phone's
    field takes it; the quantity as ``lang`` writes it; of ``inputs``, the batch it was made
    from)."""
    filled, step = record.filled, record.step
    if filled is None or step is None:
        return {}
    when = datetime.fromisoformat(filled.happened_at).astimezone(VIETNAM)
    return {"step": step.step, "happened_at": when.strftime("%Y-%m-%dT%H:%M"),
            "place": filled.place, "note": filled.note, "lab": filled.lab,
            "passed": "on" if filled.passed else "", "party": filled.party,
            "input_batch": next((b.id for b in inputs if b.lot in filled.input_lots), ""),
            "quantity": number_shown(filled.quantity, lang, 3) if filled.quantity else "",
            "latitude": "" if filled.latitude is None else f"{filled.latitude:.6f}",
            "longitude": "" if filled.longitude is None else f"{filled.longitude:.6f}"}


def kept_photos(body: dict[str, Any], record: OriginRecord) -> dict[str, Any]:
    """The corrected event keeps the photos (or lab report) of the one it corrects unless
    a new one was taken."""
    filled = record.filled
    if filled is None:
        return body
    kept: dict[str, Any] = {}
    if filled.photo_urls and "photo_urls" not in body:
        kept["photo_urls"] = filled.photo_urls
    if filled.report_url and "report_url" not in body and body.get("step") == "lab_test":
        kept["report_url"] = filled.report_url
    return body | kept


def uncorrected(refusal: Refused) -> Refused:
    """A correction's refusal naming the form's own fields (``corrected.place.name`` is the
    form's place)."""
    return replace(refusal, fields={path.removeprefix(CORRECTED): said
                                    for path, said in refusal.fields.items()})
