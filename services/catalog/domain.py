"""Catalog rules: how names are matched regardless of Vietnamese diacritics and case, and
which listings the public sees. Pure functions, no I/O."""

from __future__ import annotations

import re

from unidecode import unidecode

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """'Sầu riêng Khánh Sơn' -> 'sau rieng khanh son' (đ -> d as well): the form in which
    listings are stored for search and queries are compared."""
    return _NOT_WORD.sub(" ", unidecode(text).lower()).strip()


def search_terms(query: str) -> list[str]:
    """The folded words of a query; a listing matches when its text contains each."""
    return fold(query).split()


def search_text(*parts: str) -> str:
    return fold(" ".join(parts))
