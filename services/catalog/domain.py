"""Catalog rules: which listings the public sees, and how names are matched regardless of
Vietnamese diacritics and case. Pure functions, no I/O."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from shared.text import fold
from shared.validity import in_force_on, in_force_where

__all__ = ["ListingStatus", "fold", "is_public", "public_where", "search_terms",
           "search_text"]


class ListingStatus(StrEnum):
    LISTED = "listed"
    DELISTED = "delisted"
    """Its certificate was revoked or expired (the event said so)."""


def is_public(listing: dict[str, Any], day: date) -> bool:
    """Listed, and its certificate still in force on ``day`` — even before the expiry event
    arrives."""
    return (listing.get("status") == ListingStatus.LISTED
            and in_force_on(date.fromisoformat(listing["valid_until"]), day))


def public_where(day: date) -> dict[str, Any]:
    """``is_public`` as a store filter."""
    return {"status": ListingStatus.LISTED.value} | in_force_where(day)


def search_terms(query: str) -> list[str]:
    """The folded words of a query; a listing matches when its text contains each."""
    return fold(query).split()


def search_text(*parts: str) -> str:
    return fold(" ".join(parts))
