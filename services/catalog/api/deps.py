"""What the catalog's routes share: its parts, its gate, and who a sales channel is."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from services.catalog.access import RULES
from services.catalog.channels.commands import Channels
from services.catalog.channels.model import Channel, Scope
from services.catalog.listings import rules
from services.catalog.listings.commands import Listings
from services.catalog.listings.publishing import Publisher
from services.catalog.listings.queries import EVERYTHING, Catalog
from services.catalog.store import listings
from shared.identity.access import Gate, SubjectRef
from shared.identity.auth import Caller
from shared.platform.runtime import part

CatalogPart = Annotated[Catalog, Depends(part(Catalog))]
ListingsPart = Annotated[Listings, Depends(part(Listings))]
ChannelsPart = Annotated[Channels, Depends(part(Channels))]
PublisherPart = Annotated[Publisher, Depends(part(Publisher))]

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, scheme_name="channel_api_key",
    description="A sales channel's API key (from the OCOP office). On public reads it narrows "
                "the answer to the listings the channel may carry.")
CHANNEL_STATE = "channel"


async def _identify(request: Request) -> Caller | None:
    """The caller of the request's API key, if it has one (the gate's ``identify``)."""
    presented = request.headers.get("x-api-key")
    if presented is None:
        return None
    channel, caller = await part(Channels)(request).identify(presented)
    setattr(request.state, CHANNEL_STATE, channel)
    return caller


async def _locate(request: Request) -> SubjectRef:
    """Whose the listing named in the path is: its producer, and where that is."""
    listing = await listings.get_or_none(part(Catalog)(request).store,
                                         request.path_params["product_id"])
    if listing is None or listing.producer is None:
        raise rules.not_listed()
    return SubjectRef(listing.producer.id, listing.province, listing.commune)


gate = Gate(RULES, _locate, _identify)
may = gate.rule


async def optional_channel(request: Request,
                           _: Annotated[str | None, Depends(api_key_header)]) -> Channel | None:
    """The channel whose key the request carries (None without one; 401 for a bad one)."""
    held: Channel | None = getattr(request.state, CHANNEL_STATE, None)
    if held is None and await _identify(request) is not None:
        held = getattr(request.state, CHANNEL_STATE)
    return held


async def current_channel(request: Request,
                          _: Annotated[str | None, Depends(api_key_header)]) -> Channel:
    """The channel the gate identified (routes whose rule is ``channel.self``)."""
    channel: Channel = getattr(request.state, CHANNEL_STATE)
    return channel


OptionalChannel = Annotated[Channel | None, Depends(optional_channel)]
CurrentChannel = Annotated[Channel, Depends(current_channel)]


def scope_of(channel: Channel | None) -> Scope:
    return channel.scope if channel else EVERYTHING
