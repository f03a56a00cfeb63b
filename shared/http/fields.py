"""Field types of the HTTP edge shared by every service: text people type, dates of the
programme's era, and partial updates that cannot blank a required field.

Text is normalised to NFC before it is measured, so a Vietnamese name typed on a keyboard
that sends decomposed accents (NFD) is stored, compared and counted like the same name
typed as precomposed characters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, ClassVar

from annotated_types import GroupedMetadata, Len, MaxLen
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from shared.i18n import N_, words
from shared.refusals import FieldError

ERA_START = date(2018, 1, 1)
"""No OCOP record is older than the programme (Decision 490/QĐ-TTg, May 2018)."""
ERA_END = date(2100, 12, 31)
"""A bound far beyond any real decision, so date arithmetic never overflows."""

# Bidirectional overrides and isolates reorder what a reader sees (a name could display
# as something other than what is stored); zero-width characters hide differences.
_INVISIBLE = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                       "\u200b\u200e\u200f\u2060\ufeff")


REFUSED = "refused"
"""The pydantic error type of a field refused here, in the catalog's words."""


def refused(message: str, **params: object) -> PydanticCustomError:
    """A validator's refusal whose reason ``field_error`` gives in each language (a plain
    ValueError's is shown as pydantic wrote it, in English)."""
    return PydanticCustomError(REFUSED, words("en").gettext(message, **params),
                               {"message": message, "params": params})


def field_error(field: str, error: ErrorDetails) -> FieldError:
    """A pydantic validation error of ``field`` as a refused field."""
    ctx = error.get("ctx") or {}
    if error["type"] == REFUSED:
        return FieldError(field, ctx["message"], ctx["params"])
    return FieldError(field, error["msg"], from_elsewhere=True)


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _refuse_hidden(value: str, *, multiline: bool) -> str:
    for ch in value:
        allowed_break = multiline and ch in "\n\r\t"
        if (unicodedata.category(ch) == "Cc" and not allowed_break) or ch in _INVISIBLE:
            raise refused(N_("contains an invisible or control character (U+%(code)s); "
                             "retype it without it"), code=f"{ord(ch):04X}")
    return value


def _one_line(value: str) -> str:
    value = _refuse_hidden(value, multiline=False).strip()
    if not value:
        raise refused(N_("must not be blank"))
    return value


def _free_text(value: str) -> str:
    return _refuse_hidden(value, multiline=True)


@dataclass(frozen=True)
class Line(GroupedMetadata):
    """One line of text (a name, a place): NFC, no control or bidi characters, trimmed,
    not blank, ``min_length``–``max_length`` characters. Metadata, not a function returning
    a type, so a type checker reads ``Annotated[str, Line(2, 200)]`` as ``str``."""

    min_length: int
    max_length: int

    def __iter__(self) -> Iterator[object]:
        yield BeforeValidator(_nfc)
        yield AfterValidator(_one_line)
        yield Len(self.min_length, self.max_length)


@dataclass(frozen=True)
class FreeText(GroupedMetadata):
    """Free text (a description, a note): NFC, line breaks allowed, no other control or
    bidi characters, at most ``max_length`` characters; may be empty."""

    max_length: int

    def __iter__(self) -> Iterator[object]:
        yield BeforeValidator(_nfc)
        yield AfterValidator(_free_text)
        yield MaxLen(self.max_length)


Name = Annotated[str, Line(2, 200)]
Place = Annotated[str, Line(2, 100)]
EraDate = Annotated[date, Field(ge=ERA_START, le=ERA_END,
                                description=f"A date from {ERA_START} to {ERA_END}")]


class PatchIn(BaseModel):
    """A partial update: omitted fields stay as they are; ``null`` is accepted only for
    the fields named in ``clearable`` (it removes the value), never for a required one."""

    clearable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_for_required(self) -> PatchIn:
        nulled = [name for name in self.model_fields_set
                  if getattr(self, name) is None and name not in self.clearable]
        if nulled:
            raise refused(N_("%(fields)s: may be changed but not removed (omit the field to "
                             "keep it)"), fields=", ".join(sorted(nulled)))
        return self
