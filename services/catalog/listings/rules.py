"""Catalog rules: a listing's statuses, and how names are matched regardless of Vietnamese
diacritics and case (which listings the public sees: ``model.Listing.is_public``). Pure
functions, no I/O."""

from __future__ import annotations

from enum import StrEnum

from shared.i18n.text import fold
from shared.ports.store import TextMatch

__all__ = ["ListingStatus", "fold", "ranked_matches", "search_terms", "search_text"]


class ListingStatus(StrEnum):
    LISTED = "listed"
    DELISTED = "delisted"
    """Its certificate was revoked or expired (the event said so)."""


def search_terms(query: str) -> list[str]:
    """The folded words of a query: a listing matches when each begins a word of its name
    or its producer's ('sau rie' finds 'Sầu riêng Khánh Sơn')."""
    return fold(query).split()


def ranked_matches(terms: list[str]) -> tuple[TextMatch, TextMatch]:
    """How search results are ranked: the listings with every word in their name first,
    then those that need the producer's name (each tier in the order the shopper chose)."""
    words = tuple(terms)
    return (TextMatch(words, within=("name_key",)),
            TextMatch(words, within=("search_text",), unless_within=("name_key",)))


def search_text(*parts: str) -> str:
    return fold(" ".join(parts))
