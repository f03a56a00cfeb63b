"""Product feeds for marketplaces and the sitemap: whole files, regenerated only when the
catalog changed (ETag and Last-Modified from the change log and the day, since a
certificate's last day also ends its listing)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime
from typing import Literal

from fastapi import APIRouter, Request, Response

from services.catalog.api.caching import cache_headers, still_fresh
from services.catalog.api.deps import CatalogPart, OptionalChannel, PublisherPart, may, scope_of
from services.catalog.channels.model import Channel
from services.catalog.listings.publishing import Publisher
from services.catalog.listings.queries import Catalog
from services.catalog.site import feeds
from shared.i18n import N_
from shared.messaging.contracts.catalog import ListingState
from shared.platform.runtime import part
from shared.refusals.openapi import files

router = APIRouter(tags=["feeds"])
SPREADSHEETS = {"csv": (",", "text/csv; charset=utf-8"),
                "tsv": ("\t", "text/tab-separated-values; charset=utf-8")}


async def _version(catalog: Catalog, channel: Channel | None, kind: str
                   ) -> tuple[str, dict[str, str]]:
    """The feed's ETag and its validators' headers."""
    number, at = await catalog.last_change()
    # a channel's feed carries its own offers: its id, not only its scope, names the file
    scope = f"{channel.id}|{channel.scope!r}" if channel else "all"
    tag = hashlib.sha256(f"{kind}|{number}|{catalog.clock.today()}|{scope}".encode())
    headers = {}
    if at:
        headers["Last-Modified"] = format_datetime(datetime.fromisoformat(at), usegmt=True)
    return tag.hexdigest()[:32], headers


Render = Callable[[list[ListingState]], bytes]


class FeedCache:
    """The last file made of each feed, by its ETag: a marketplace that fetches without
    ``If-None-Match`` gets the same bytes without a second generation. A few feeds per
    channel scope; the oldest goes first."""

    def __init__(self, entries: int = 32) -> None:
        self.entries = entries
        self._files: dict[str, bytes] = {}

    def get(self, etag: str) -> bytes | None:
        return self._files.get(etag)

    def keep(self, etag: str, body: bytes) -> bytes:
        self._files[etag] = body
        while len(self._files) > self.entries:
            del self._files[next(iter(self._files))]
        return body


async def _feed(request: Request, catalog: Catalog, publisher: Publisher,
                channel: Channel | None, kind: str, media_type: str, render: Render
                ) -> Response:
    etag, validators = await _version(catalog, channel, kind)
    headers = cache_headers(channel, etag) | validators
    if still_fresh(request, etag):
        return Response(status_code=304, headers=headers)
    cache: FeedCache = part(FeedCache)(request)
    body = cache.get(etag)
    if body is None:
        states = [publisher.state(listing) async for listing in
                  catalog.every_listing(scope_of(channel))]
        body = cache.keep(etag, render(states))
    return Response(body, media_type=media_type, headers=headers)


@router.get("/feeds/google.xml", summary=(
    "Google Merchant Center product feed, RSS 2.0 (public; with a channel's key, narrowed to "
    "what it may carry and with its own offers' links, prices and availability)"),
            response_class=Response, responses=files("application/rss+xml"),
            **may("listing.read"))
async def google_feed(request: Request, catalog: CatalogPart, publisher: PublisherPart,
                      channel: OptionalChannel) -> Response:
    return await _feed(request, catalog, publisher, channel, "rss",
                       "application/rss+xml; charset=utf-8", lambda states: feeds.google_rss(
                           states, title=feeds.in_both(N_("OCOP products")),
                           link=publisher.public_url, channel_id=channel.id if channel else None))


@router.get("/feeds/products.{extension}", summary=(
    "The same feed as a spreadsheet: CSV or TSV, Merchant Center's column names (public)"),
            response_class=Response,
            responses=files("text/csv", "text/tab-separated-values"), **may("listing.read"))
async def spreadsheet_feed(extension: Literal["csv", "tsv"], request: Request,
                           catalog: CatalogPart, publisher: PublisherPart,
                           channel: OptionalChannel) -> Response:
    delimiter, media_type = SPREADSHEETS[extension]
    return await _feed(request, catalog, publisher, channel, extension, media_type,
                       lambda states: feeds.spreadsheet(states, delimiter=delimiter,
                                                        channel_id=channel.id if channel else None))


@router.get("/sitemap.xml", summary="The public catalog pages, for search engines",
            response_class=Response, responses=files("application/xml"),
            **may("listing.read"))
async def sitemap(request: Request, catalog: CatalogPart, publisher: PublisherPart
                  ) -> Response:
    return await _feed(request, catalog, publisher, None, "sitemap", "application/xml",
                       lambda states: feeds.sitemap(
                           [(publisher.public_url.rstrip("/") + "/", None)]
                           + [(s.page_url, s.listed_at.date().isoformat() if s.listed_at
                               else None) for s in states]))
