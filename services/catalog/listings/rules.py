"""Catalog rules: a listing's statuses, how names are matched regardless of Vietnamese
diacritics and case (which listings the public sees: ``model.Listing.is_public``), the
refusal of a product not listed, and where a producer may say its product is sold. Pure
functions, no I/O."""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import urlsplit

from services.catalog.channels.model import Channel
from shared.i18n.text import fold
from shared.ports.store import TextMatch
from shared.refusals import N_, NotFound, invalid

__all__ = ["ListingStatus", "check_sold_at", "fold", "not_listed", "ranked_matches",
           "search_terms", "search_text"]


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


def not_listed() -> NotFound:
    return NotFound(N_("This product is not listed as an OCOP product (it may never have "
                       "been certified, or its certificate was revoked or has expired)."),
                    code="not-listed")


def check_sold_at(channel: Channel, url: str) -> None:
    """A product's page on a channel is on the channel's own site (or a subdomain)."""
    site = (urlsplit(channel.website).hostname or "").removeprefix("www.")
    host = urlsplit(url).hostname or ""
    if urlsplit(url).scheme != "https" or not (host == site or host.endswith(f".{site}")):
        raise invalid("url", N_("give the product's https page on %(channel)s (%(site)s)"),
                      channel=channel.name, site=site)
