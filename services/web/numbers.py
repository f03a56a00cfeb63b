"""Numbers as people type them on the workspace's pages. A Vietnamese writes one and a half
as 1,5 and fifteen hundred as 1.500; an English reader, as 1.5 and 1,500. The services take
JSON numbers: the workspace reads what was typed in the page's language first."""

from __future__ import annotations

import re

from services.web.backend import Refused
from services.web.plain import FIX_FIELDS
from shared.i18n import in_every_language

MARKS = {"vi": (",", "."), "en": (".", ",")}
"""The page's language → its decimal mark and its thousands mark."""
_PLAIN = re.compile(r"-?\d+(?:[.,]\d+)?")


def typed_number(typed: str, lang: str, field: str) -> float | None:
    """What ``typed`` in ``field`` means (None if blank). Thousands grouped in threes by the
    page's mark (1.500 on a Vietnamese page) are thousands; any other single mark, comma or
    point, is the decimal mark (a phone's keypad may offer only one of them). Anything else
    is refused beside ``field`` before a service is asked."""
    text = "".join(typed.split())
    if not text:
        return None
    decimal, thousands = MARKS.get(lang, MARKS["vi"])
    grouped = re.fullmatch(rf"(-?\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+)"
                           rf"({re.escape(decimal)}\d+)?", text)
    if grouped:
        return float(grouped[1].replace(thousands, "") + (grouped[2] or "").replace(decimal, "."))
    if _PLAIN.fullmatch(text):
        return float(text.replace(",", "."))
    # No words of its own for the field: the page says what that field asks for.
    told = in_every_language(FIX_FIELDS)
    raise Refused(400, told["en"], told["vi"], fields={field: ("not a number", None)},
                  code="not-a-number")
