"""The catalog's collections and the fields each is queried on."""

from services.catalog.model import Listing
from shared.store import Collection
from shared.store.repository import Repository

LISTINGS = Collection("listings", indexes=(
    "status", "stars", "group", "province_key", "valid_until", "search_text", "name_key",
    "certified_at"))
"""One per product: a read model of the rating and traceability events."""

COLLECTIONS = (LISTINGS,)

listings = Repository(LISTINGS.name, Listing, ("listing", "sản phẩm trong danh mục"))
