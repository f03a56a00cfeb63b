"""Numbers and days as people type them on the workspace's pages. A Vietnamese writes one and
a half as 1,5 and fifteen hundred as 1.500, an English reader 1.5 and 1,500; a day is
dd/mm/yyyy (or yyyy-mm-dd, as a date input sends it). The services take JSON numbers and
ISO days: the workspace reads what was typed first, and refuses beside its field what is
neither, before a service is asked."""

from __future__ import annotations

import re
from datetime import date

from services.web.backend import Refused
from services.web.plain import FIX_FIELDS
from shared.i18n import in_every_language
from shared.i18n.text import NUMBER_MARKS as MARKS

_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
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
    raise _not_a(field, "number")


def typed_day(typed: str, field: str) -> date | None:
    """What ``typed`` in ``field`` means: dd/mm/yyyy (or dd.mm.yyyy, dd-mm-yyyy) or
    yyyy-mm-dd; None if blank; anything else, or a day that does not exist, refused beside
    ``field``."""
    text = typed.strip()
    if not text:
        return None
    try:
        if found := _DAY.fullmatch(text):
            return date(int(found[3]), int(found[2]), int(found[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise _not_a(field, "date") from None


def _not_a(field: str, kind: str) -> Refused:
    # No words of its own for the field: the page says what that field asks for.
    told = in_every_language(FIX_FIELDS)
    return Refused(400, told["en"], told["vi"], fields={field: (f"not a {kind}", None)},
                   code=f"not-a-{kind}")
