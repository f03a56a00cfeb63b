"""Text folding for matching Vietnamese without its diacritics, and dates and numbers as
Vietnamese readers write them."""

from __future__ import annotations

import re
from datetime import date, datetime

from unidecode import unidecode

from shared.platform.clock import VIETNAM

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """'Sầu riêng Khánh Sơn' -> 'sau rieng khanh son' (đ -> d as well): how names are
    stored for search and compared, whatever the case, accents or punctuation."""
    return _NOT_WORD.sub(" ", unidecode(text).lower()).strip()


def day_shown(day: str | date | None) -> str:
    """A stored date (ISO) as people in Việt Nam write it: '2027-03-14' -> '14/03/2027';
    nothing for none."""
    if not day:
        return ""
    return (date.fromisoformat(day) if isinstance(day, str) else day).strftime("%d/%m/%Y")


def moment_shown(stamp: str) -> str:
    """A stored instant (ISO 8601 with its offset) as a person in Việt Nam reads it:
    '2026-11-24T02:05:00+00:00' -> '24/11/2026 09:05'."""
    return datetime.fromisoformat(stamp).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


NUMBER_MARKS = {"vi": (",", "."), "en": (".", ",")}
"""A page's language → its decimal mark and its thousands mark."""


def number_shown(value: float, lang: str, digits: int = 2) -> str:
    """A quantity as the page's readers write it: 1200 -> '1.200' and 3.2 -> '3,2' in
    Vietnamese, '1,200' and '3.2' in English; at most ``digits`` decimals, none trailing."""
    decimal, thousands = NUMBER_MARKS.get(lang, NUMBER_MARKS["vi"])
    whole, _, fraction = f"{value:,.{digits}f}".partition(".")
    fraction = fraction.rstrip("0")
    return whole.replace(",", thousands) + (decimal + fraction if fraction else "")
