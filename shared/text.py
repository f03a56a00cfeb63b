"""Text folding for matching Vietnamese without its diacritics."""

from __future__ import annotations

import re

from unidecode import unidecode

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """'Sầu riêng Khánh Sơn' -> 'sau rieng khanh son' (đ -> d as well): how names are
    stored for search and compared, whatever the case, accents or punctuation."""
    return _NOT_WORD.sub(" ", unidecode(text).lower()).strip()


def locality(province: str, commune: str) -> str:
    """A commune's key, the same however its names are written: 'thai nguyen/xa tan cuong'."""
    return f"{fold(province)}/{fold(commune)}"
