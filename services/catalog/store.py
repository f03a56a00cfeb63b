"""The catalog's collections and the fields each is queried on."""

from services.catalog.changes import CHANGES, COUNTERS
from services.catalog.channels import Channel
from services.catalog.model import Listing
from shared.store import Collection
from shared.store.repository import Repository

LISTINGS = Collection("listings", indexes=(
    "status", "stars", "group", "province_key", "valid_until", "search_text", "name_key",
    "certified_at"))
"""One per product: a read model of the rating and traceability events."""
CHANNELS = Collection("channels", indexes=("name",))
CHANNEL_KEYS = Collection("channel_keys")
"""API key id → its channel's id: how a presented key finds its channel."""
COLLECTIONS = (LISTINGS, CHANNELS, CHANNEL_KEYS, CHANGES, COUNTERS)

listings = Repository(LISTINGS.name, Listing, ("listing", "sản phẩm trong danh mục"))
channels = Repository(CHANNELS.name, Channel, ("sales channel", "kênh bán hàng"))
