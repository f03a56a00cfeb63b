"""Object store port and the factory that picks its adapter from a URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from shared.platform.keyfiles import kept_secret
from shared.ports.objects.port import (
    InvalidObject,
    ObjectContent,
    ObjectNotFound,
    ObjectStore,
    ObjectTooLarge,
    StoredObject,
)

__all__ = ["InvalidObject", "ObjectContent", "ObjectNotFound", "ObjectStore", "ObjectTooLarge",
           "StoredObject", "open_object_store"]

SIGNING_KEY_FILE = ".objects-signing-key"


def _signing_key(data_dir: Path) -> bytes:
    """The directory store's link-signing key: made once, kept in the data dir."""
    return kept_secret(data_dir / SIGNING_KEY_FILE)


def open_object_store(url: str, *, max_bytes: int, public_url: str, signing_key: str | None,
                      data_dir: Path) -> ObjectStore:
    """``file:///abs/dir`` (embedded) or ``s3://key:secret@host:port/bucket``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        from shared.ports.objects.files import FileObjectStore

        if not parts.path or parts.path == "/":
            raise ValueError("a file object store URL needs a directory: file:///data/objects")
        key = signing_key.encode() if signing_key else _signing_key(data_dir)
        return FileObjectStore(Path(parts.path), max_bytes=max_bytes, public_url=public_url,
                               signing_key=key)
    if parts.scheme in ("s3", "s3s"):
        from shared.ports.objects.s3 import S3ObjectStore

        return S3ObjectStore(url, max_bytes=max_bytes)
    raise ValueError(f"unsupported object store URL scheme '{parts.scheme}'")
