"""The catalog's HTTP interface: the public website, listings and their changes, feeds,
channels and their webhooks, the description of the listings stream, and the repairs
reconciliation made."""

from services.catalog.api import channels, events, feeds, listings, operations, site, webhooks

ROUTERS = (site.router, listings.router, feeds.router, channels.router, webhooks.router,
           events.router, operations.router)

__all__ = ["ROUTERS"]
