"""The catalog's HTTP interface: the public website, listings and their changes, feeds,
channels and their webhooks, and the description of the listings stream."""

from services.catalog.api import channels, events, feeds, listings, site, webhooks

ROUTERS = (site.router, listings.router, feeds.router, channels.router, webhooks.router,
           events.router)

__all__ = ["ROUTERS"]
