"""The catalog's HTTP interface: the public website, listings and their changes, feeds,
channels and their webhooks, the description of the listings stream, and the repairs
reconciliation made."""

from services.catalog.api import channels, events, feeds, listings, site, webhooks
from services.catalog.api.deps import may
from shared.http.operations import repairs_router

ROUTERS = (site.router, listings.router, feeds.router, channels.router, webhooks.router,
           events.router, repairs_router(may))

__all__ = ["ROUTERS"]
