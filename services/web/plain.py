"""How a refusal reads in the workspace: in the page's language, each note beside the form
field it is about, in words a producer can act on.

A service writes its refusals for every client. Where its words are for people (it wrote
them in Vietnamese too) the page shows them as they are; where they are not — a validation
library's own ("Input should be a valid number"), or words meant for programs (a
Content-Type) — the page says what its own field asks for instead."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.web.backend import Refused
from shared.i18n import N_, words

FORM_FIELDS = {"place.name": "place", "place.commune": "place", "place": "place",
               "areas.0.name": "area", "areas.0.commune": "commune", "areas": "area",
               "inputs": "input_batch", "photo_urls": "photo", "report_url": "photo"}
"""A service's field → the workspace's form field that fills it, where they differ."""
FIX_FIELDS = N_("Some entries are invalid; correct them as noted and send again.")
FOR_PROGRAMS = {"invalid-input": FIX_FIELDS, "invalid-field": FIX_FIELDS,
                "invalid-date": FIX_FIELDS,
                "unsupported-document": N_("Take a photo of the document, or choose a JPEG or "
                                           "PNG photo or a PDF file.")}
"""Problem codes whose message speaks to a program or only points at the fields' notes →
what the page says instead."""
ASKS = {
    "lot": N_("Enter the lot code: up to 20 characters, letters without accents, digits and "
              "signs such as - . /"),
    "produced_on": N_("Choose the production date."),
    "quantity": N_("Enter an amount above 0, e.g. 12 or 1.5."),
    "unit": N_("Choose the unit."),
    "area": N_("Enter the raw-material area (orchard, pond, farm…)."),
    "commune": N_("Enter the commune of the raw-material area."),
    "happened_at": N_("Choose the day and time it happened."),
    "place": N_("Enter the place, at most 200 characters."),
    "lab": N_("Enter the laboratory."),
    "party": N_("Enter who sent or received it."),
    "input_batch": N_("Choose the batch it was made from."),
    "note": N_("The note is too long; shorten it."),
    "count": N_("Enter how many labels: a whole number from 1 to 10,000."),
    "name": N_("Enter the product's name, 2 to 200 characters."),
    "description": N_("The description is too long; shorten it."),
    "decision_number": N_("Enter the decision number, e.g. 123/QĐ-UBND."),
    "decision_date": N_("Choose the decision date."),
    "reason": N_("Write why the certificate is revoked, at least 5 characters.")}
"""A form field → what the page says it asks for, where the service's own words are not
for people."""
ASKS |= {
    "group": N_("Choose the product group."),
    "subgroup": N_("Choose a sub-group of the product group chosen: the list shows each "
                   "group's sub-groups under its name."),
}
CODED = frozenset({"group", "subgroup"})
"""Form fields whose service notes name the programme's codes (a product group's), not
words a producer reads: the page says what the field asks for instead."""
ASK = N_("This entry is not right; check it again.")
_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Plain:
    message: str
    fields: dict[str, str]
    """Form field → the note beside it."""


def form_field(path: str) -> str:
    """The form field a service's field path (``inputs[0].batch_id``) is filled from."""
    parts = _INDEX.sub(r".\1", path).split(".")
    for end in range(len(parts), 0, -1):
        if (found := FORM_FIELDS.get(".".join(parts[:end]))) is not None:
            return found
    return parts[0]


def plain(refusal: Refused, lang: str, form: tuple[str, ...] = ()) -> Plain:
    """``refusal`` as the page in ``lang`` shows it: notes beside the fields of ``form``,
    the rest in its message."""
    said = words(lang)
    notes: dict[str, str] = {}
    elsewhere: list[str] = []
    for path, (en, vi) in refusal.fields.items():
        name = form_field(path)
        people = (vi if lang == "vi" else en) if vi and name not in CODED else None
        if name in form:
            notes.setdefault(name, people or said.gettext(ASKS.get(name, ASK)))
        elif people:
            elsewhere.append(people)
    if refusal.code in FOR_PROGRAMS:
        message = " ".join([said.gettext(FOR_PROGRAMS[refusal.code]), *elsewhere])
    else:
        message = refusal.text(lang)
    return Plain(message, notes)
