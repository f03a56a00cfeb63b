"""The catalog's collections and the fields each is queried on."""

from services.catalog.channels.model import Channel
from services.catalog.listings.changes import CHANGES, COUNTERS
from services.catalog.listings.model import Listing
from services.catalog.webhooks.model import Delivery, Endpoint
from shared.i18n import N_
from shared.ports.store import Collection
from shared.ports.store.repository import Repository

LISTINGS = Collection(
    "listings",
    indexes=("status", "stars", "group", "province_key", "valid_until", "name_key",
             "certified_at"),
    compound=tuple((by, sort) for by in ("province_key", "group")
                   for sort in ("name_key", "stars", "certified_at")),
    text=("name_key", "search_text"))
"""One per product: a read model of the rating and traceability events. A province or a
group is filtered and sorted in one index walk; the name and the name with the producer's
are searched by words (``listings/rules.ranked_matches``)."""
CHANNELS = Collection("channels", indexes=("name",))
CHANNEL_KEYS = Collection("channel_keys")
"""API key id → its channel's id: how a presented key finds its channel."""
WEBHOOK_ENDPOINTS = Collection("webhook_endpoints", indexes=("channel_id", "enabled"))
DELIVERIES = Collection("webhook_deliveries", indexes=("endpoint_id", "channel_id", "state"))
"""One per change and endpoint; ids sort in change order."""
COLLECTIONS = (LISTINGS, CHANNELS, CHANNEL_KEYS, CHANGES, COUNTERS, WEBHOOK_ENDPOINTS,
               DELIVERIES)

listings = Repository(LISTINGS.name, Listing, N_("listing"))
channels = Repository(CHANNELS.name, Channel, N_("sales channel"))
endpoints = Repository(WEBHOOK_ENDPOINTS.name, Endpoint,
                       N_("webhook endpoint"))
deliveries = Repository(DELIVERIES.name, Delivery, N_("webhook delivery"))
