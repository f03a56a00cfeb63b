"""The catalog's collections and the fields each is queried on."""

from shared.store import Collection

LISTINGS = Collection("listings", indexes=(
    "status", "stars", "group", "province_key", "valid_until", "search_text", "name_key",
    "certified_at"))
"""One per product: a read model of the rating and traceability events."""

COLLECTIONS = (LISTINGS,)
