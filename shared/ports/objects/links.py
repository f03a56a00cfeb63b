"""Serves the directory store's signed links: what presigned URLs are for S3."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from shared.identity.access import PLATFORM_RULES, published
from shared.ports.objects.files import FileObjectStore
from shared.refusals import N_, Forbidden
from shared.refusals.openapi import files


def object_links_router(store: FileObjectStore) -> APIRouter:
    router = APIRouter(tags=["files"])

    @router.get("/objects/{key:path}", summary="A stored file, through a signed link",
                response_class=Response,
                responses=files("*/*", description="The file, in the type it was stored as"),
                openapi_extra=published("file.link", PLATFORM_RULES["file.link"]))
    async def get_object(key: str, expires: Annotated[int, Query()],
                         signature: Annotated[str, Query(max_length=128)]) -> Response:
        if not store.verify(key, expires, signature):
            raise Forbidden(N_("This file link is invalid or has expired; ask for a new one."),
                            code="link-invalid")
        content = await store.get(key)
        disposition = {"Content-Disposition": content.disposition} if content.disposition else {}
        return Response(content.data, media_type=content.content_type,
                        headers={"Cache-Control": "private, max-age=300", **disposition})

    return router
