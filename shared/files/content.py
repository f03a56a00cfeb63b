"""Uploads kept by their content, so a client's retry stores nothing twice (issue 34).

A phone on a weak signal, or a client whose first request is stuck behind a slow object
store, sends the same file again. Every upload endpoint (a product's images and dossier
documents in the registry, origin documents in traceability) therefore keeps a file under a
key named by the SHA-256 of its bytes within its owner's scope (``content_key``: the
product's folder), and its record says that digest, so the same bytes sent again for the
same owner find the record already kept (``same_file``) and are answered with it: ``200``
and the same resource, where the first upload answered ``201``
(``shared.http.uploads.answer_upload``). No ``Idempotency-Key`` header is needed: the bytes
themselves are the key, which works for clients that send no header, and a producer who
sends the same photo twice for one product means the one photo.

Why a retry racing the first request is harmless (the object store hangs, the client gives
up and sends again while the first request is still running):

- the object: both requests write the same bytes under the same key (``keep``). An S3 PUT
  replaces an object whole and the directory store writes a temporary file and renames it,
  so whichever write lands last leaves the one object, identical; no second copy exists to
  clean up, and a write that fails after the other succeeded loses nothing;
- the record: each service adds it in a transaction that first reads the owner's records
  again and returns the one of the same digest if another request kept it meanwhile. Where
  the records are fields of one aggregate (a product's images, a dossier's documents) the
  aggregate's version makes a concurrent second save a ``StaleVersion``, and the command
  runs again (``shared.ports.store.retried``), finding the first; where each record is a
  document of its own (origin documents) a claim named by owner and digest is inserted in
  the same transaction, so the second insert is a ``DocumentExists`` and is retried the same
  way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared.ports.objects import ObjectStore

T = TypeVar("T")
E = TypeVar("E", bound=Mapping[str, object])


def digest_of(data: bytes) -> str:
    """The hex SHA-256 of ``data``: what names the file and what its record says."""
    return hashlib.sha256(data).hexdigest()


def content_key(scope: str, digest: str, extension: str) -> str:
    """``{scope}/{digest}.{extension}``: where the bytes of ``digest`` are kept for the owner
    whose folder ``scope`` is (``products/{product_id}/dossier``)."""
    return f"{scope}/{digest}.{extension}"


@dataclass(frozen=True)
class KeptFile:
    key: str
    sha256: str
    size: int
    content_type: str


async def keep(objects: ObjectStore, key: str, data: bytes, content_type: str, *,
               disposition: str | None = None) -> KeptFile:
    """``data`` stored under its content-addressed ``key`` unless an object of its size is
    there already (the same bytes: the key names their digest). Writing it again while
    another request writes it is harmless (the module's docstring)."""
    there = await objects.stat(key)
    if there is None or there.size != len(data):
        there = await objects.put(key, data, content_type, disposition=disposition)
    return KeptFile(key, digest_of(data), there.size, there.content_type)


def same_file(entries: Iterable[E], digest: str, **same: Any) -> E | None:
    """The entry among an owner's records whose file has ``digest`` (and whose other fields
    equal ``same``, e.g. the dossier document's type), if one is kept. Records kept before
    digests were written have none and match nothing."""
    return next((e for e in entries
                 if e.get("sha256") == digest and all(e.get(k) == v for k, v in same.items())),
                None)


@dataclass(frozen=True)
class Upload(Generic[T]):
    """What an upload answers: the record, and whether this request made it (``201``) or
    found it kept by an earlier one of the same bytes (``200``)."""

    kept: T
    new: bool
