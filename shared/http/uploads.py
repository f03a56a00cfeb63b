"""Reading an uploaded file sent as the request body, with a size limit; answering it:
``201`` kept, ``200`` the same file sent again (``shared.files.content``)."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

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


def answer_upload(response: Response, new: bool) -> None:
    """``201 Created`` for an upload that kept a new file, ``200 OK`` for the same bytes
    sent again for the same owner, answered with what the first upload kept
    (``shared.files.content``)."""
    response.status_code = 201 if new else 200


def upload_answers(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses=`` for an upload: ``201`` kept, ``200`` the same file again."""
    return {201: {"model": model, "description": "Kept: the file was new for its owner"},
            200: {"model": model, "description": (
                "The same file (the same SHA-256) was kept already for this owner, by an "
                "earlier request or a retry of this one: its record, unchanged; nothing is "
                "stored again")}}
