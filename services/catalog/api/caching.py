"""Cache headers a CDN and a channel's browser can honour.

Public answers may be kept by shared caches for a minute and revalidated by their ETag,
which changes with every event that changes what they show; an answer narrowed by a
channel's key is private to that channel. A minute bounds how long a revoked product can
linger in a cache; the stream, the webhooks and the change log tell channels at once.
"""

from __future__ import annotations

from fastapi import Request, Response

from services.catalog.channels.model import Channel

MAX_AGE_SECONDS = 60


def cache_headers(channel: Channel | None, etag: str | None = None) -> dict[str, str]:
    audience = "private" if channel else "public"
    headers = {"Cache-Control": f"{audience}, max-age={MAX_AGE_SECONDS}, "
                                "stale-while-revalidate=30", "Vary": "X-API-Key"}
    if etag:
        headers["ETag"] = f'"{etag}"'
    return headers


def cache_for(response: Response, channel: Channel | None, *, etag: str | None = None) -> None:
    response.headers.update(cache_headers(channel, etag))


def still_fresh(request: Request, etag: str) -> bool:
    """Whether the client's copy (``If-None-Match``) is the current one."""
    held = request.headers.get("if-none-match", "")
    return any(tag.strip().removeprefix("W/") in (f'"{etag}"', "*") for tag in held.split(","))
