"""The catalog's access table: listings are public — sales channels and shoppers read them
without an account."""

from __future__ import annotations

from shared.access import ANYONE, Party

RULES: dict[str, frozenset[Party]] = {
    "listing.read": ANYONE,
}
