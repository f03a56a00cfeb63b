"""The catalog's HTTP interface: listings and their changes, feeds, channels, and the
description of the listings stream."""

from services.catalog.api import channels, events, feeds, listings

ROUTERS = (listings.router, feeds.router, channels.router, events.router)

__all__ = ["ROUTERS"]
