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
from services.web.words import WORDS, translator

FORM_FIELDS = {"place.name": "place", "place.commune": "place", "place": "place",
               "areas.0.name": "area", "areas.0.commune": "commune", "areas": "area",
               "inputs": "input_batch", "photo_urls": "photo", "report_url": "photo"}
"""A service's field → the workspace's form field that fills it, where they differ."""
FOR_PROGRAMS = {"invalid-input": "fix_fields", "invalid-field": "fix_fields",
                "unsupported-document": "document_kind"}
"""Problem codes whose message speaks to a program or only points at the fields' notes →
what the page says instead."""
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
    t = translator(lang)
    notes: dict[str, str] = {}
    elsewhere: list[str] = []
    for path, (en, vi) in refusal.fields.items():
        name = form_field(path)
        people = (vi if lang == "vi" else en) if vi else None
        if name in form:
            asked = f"ask_{name}" if f"ask_{name}" in WORDS else "ask"
            notes.setdefault(name, people or t(asked))
        elif people:
            elsewhere.append(people)
    if refusal.code in FOR_PROGRAMS:
        message = " ".join([t(FOR_PROGRAMS[refusal.code]), *elsewhere])
    else:
        message = refusal.message_vi if lang == "vi" else refusal.message
    return Plain(message, notes)
