"""Reading an uploaded file sent as the request body, with a size limit."""

from __future__ import annotations

from fastapi import Request

from shared.ports.objects import ObjectTooLarge


def media_type(content_type: str) -> str:
    """``application/pdf; charset=…`` → ``application/pdf``."""
    return content_type.split(";")[0].strip().lower()


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused as soon as it passes ``limit`` bytes."""
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit:
        raise ObjectTooLarge(declared, limit)
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise ObjectTooLarge(len(data), limit)
    return bytes(data)
