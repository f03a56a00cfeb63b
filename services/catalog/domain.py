"""Catalog rules: a listing's statuses, and how names are matched regardless of Vietnamese
diacritics and case (which listings the public sees: ``model.Listing.is_public``). Pure
functions, no I/O."""

from __future__ import annotations

from enum import StrEnum

from shared.text import fold

__all__ = ["ListingStatus", "fold", "search_terms", "search_text"]


class ListingStatus(StrEnum):
    LISTED = "listed"
    DELISTED = "delisted"
    """Its certificate was revoked or expired (the event said so)."""


def search_terms(query: str) -> list[str]:
    """The folded words of a query; a listing matches when its text contains each."""
    return fold(query).split()


def search_text(*parts: str) -> str:
    return fold(" ".join(parts))
