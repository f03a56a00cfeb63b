"""What of an origin event a page shows (the scan page's journey, the workspace), and the
one set of limits it is held to, whichever way it came in: a producer's form writes these
fields, and EPCIS capture takes them from other systems as they are sent.

A link shown to a shopper is an http(s) URL and nothing else (no ``javascript:`` or
``data:``); text is short enough for a phone's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError

from services.traceability.origin.epcis import field_path
from shared.http.fields import FreeText, Line, Place, field_error
from shared.refusals import N_, BadRequest, FieldError

Short = Annotated[str, Line(1, 200)]
Note = Annotated[str, FreeText(1000)]
MAX_RESULTS = 50
"""A lab test's results."""
MAX_READINGS = 500
"""Sensor readings in one event."""
MAX_PHOTOS = 10
MAX_STRING = 2000
"""Any text anywhere in a captured event (an identifier, a place's URI, a field of another
standard's extension): no page needs more."""


# Aliases: the extension fields' names (prefix ``epcis.OCOP_PREFIX``) written out, as a
# type checker reads only literal ones.
class ShownResult(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: Short = Field(alias="ocop:name")
    value: Short = Field(alias="ocop:value")


class ShownEvent(BaseModel):
    """The fields of a captured event that a page shows, as its forms would write them."""

    model_config = ConfigDict(extra="allow")

    place_name: Short | None = Field(None, alias="ocop:placeName")
    commune: Place | None = Field(None, alias="ocop:commune")
    note: Note | None = Field(None, alias="ocop:note")
    lab: Short | None = Field(None, alias="ocop:lab")
    party: Short | None = Field(None, alias="ocop:party")
    results: list[ShownResult] = Field(default_factory=list, alias="ocop:results",
                                       max_length=MAX_RESULTS)
    photos: list[HttpUrl] = Field(default_factory=list, alias="ocop:photos",
                                  max_length=MAX_PHOTOS)
    report: HttpUrl | None = Field(None, alias="certificationInfo")


def check_shown(event: dict[str, Any], name: Callable[[str], str]) -> None:
    """BadRequest naming each field of ``event`` a page could not show as it is (``name``
    turns a field of the event into what its sender calls it)."""
    errors = [FieldError(name(where), N_("longer than %(most)s characters"),
                         {"most": MAX_STRING})
              for where in _long_strings(event)]
    try:
        ShownEvent.model_validate(event)
    except ValidationError as invalid:
        errors += [field_error(name(field_path(error["loc"])), error)
                   for error in invalid.errors()]
    readings = sum(len(element.get("sensorReport") or [])
                   for element in event.get("sensorElementList") or []
                   if isinstance(element, dict))
    if readings > MAX_READINGS:
        errors.append(FieldError(name("sensorElementList"),
                                 N_("%(readings)s readings; at most %(most)s"),
                                 {"readings": readings, "most": MAX_READINGS}))
    if errors:
        raise BadRequest(N_("The event holds what a page cannot show: a link that is not an "
                            "http(s) URL, or text or lists longer than the platform takes."),
                         code="event-too-large-or-unsafe", errors=errors[:20])


def _long_strings(value: Any, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path] if len(value) > MAX_STRING else []
    if isinstance(value, dict):
        return [found for key, item in value.items()
                for found in _long_strings(item, f"{path}.{key}" if path else str(key))]
    if isinstance(value, list):
        return [found for i, item in enumerate(value)
                for found in _long_strings(item, f"{path}[{i}]")]
    return []


def web_link(value: Any) -> str:
    """``value`` if it is an http(s) URL a page may link to, else nothing (records kept
    before links were checked)."""
    if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
        return value
    return ""
