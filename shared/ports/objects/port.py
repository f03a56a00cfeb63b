"""Object store port: files such as product images, labels and certificates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from shared.refusals import N_, AppError, BadRequest, NotFound


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    content_type: str


@dataclass(frozen=True)
class ObjectContent:
    key: str
    data: bytes
    content_type: str
    disposition: str | None = None
    """The ``Content-Disposition`` it was stored with (``put``), if any."""


class ObjectTooLarge(AppError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            N_("The file is %(size)s bytes; the limit is %(limit)s bytes."),
            code="object-too-large", status=413, size=f"{size:,}", limit=f"{limit:,}")


class InvalidObject(BadRequest):
    CODE = "invalid-object"


class ObjectNotFound(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(N_("No stored file '%(key)s'."), code="object-not-found", key=key)


class ObjectStore(Protocol):
    """Keys are relative paths of '/'-separated safe segments ('labels/p1/qr.png')."""

    max_bytes: int

    async def start(self) -> None:
        """Create the bucket or directory if missing."""

    async def close(self) -> None: ...

    async def check(self) -> None:
        """Raise if the store cannot be reached (used by /readyz)."""

    async def put(self, key: str, data: bytes, content_type: str, *,
                  disposition: str | None = None) -> StoredObject:
        """Store ``data``; raises ObjectTooLarge over ``max_bytes``, InvalidObject on a bad
        key or content type. Overwrites an existing object with the same key.
        ``disposition``: the ``Content-Disposition`` its links are served with (an uploaded
        document is an attachment: ``shared.files.documents.attachment``)."""

    async def get(self, key: str) -> ObjectContent:
        """Raises ObjectNotFound."""

    async def stat(self, key: str) -> StoredObject | None: ...

    async def delete(self, key: str) -> None:
        """Deleting a missing key is not an error."""

    async def url(self, key: str, expires: timedelta = timedelta(hours=1)) -> str:
        """A link a browser can fetch without credentials until ``expires``."""
