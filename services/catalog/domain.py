"""Catalog rules: how names are matched regardless of Vietnamese diacritics and case.
Pure functions, no I/O."""

from __future__ import annotations

from shared.text import fold

__all__ = ["fold", "search_terms", "search_text"]


def search_terms(query: str) -> list[str]:
    """The folded words of a query; a listing matches when its text contains each."""
    return fold(query).split()


def search_text(*parts: str) -> str:
    return fold(" ".join(parts))
