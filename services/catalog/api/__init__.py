"""The catalog's HTTP interface: listings and their changes, feeds, channels and their
webhooks, and the description of the listings stream."""

from services.catalog.api import channels, events, feeds, listings, webhooks

ROUTERS = (listings.router, feeds.router, channels.router, webhooks.router, events.router)

__all__ = ["ROUTERS"]
