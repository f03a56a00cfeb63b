"""Object store port and the factory that picks its adapter from a URL."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from shared.objects.port import (
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
    """The directory store's link-signing key: made once, kept (0600) in the data dir."""
    path = data_dir / SIGNING_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first; use theirs
            return path.read_text().strip().encode()
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def open_object_store(url: str, *, max_bytes: int, public_url: str, signing_key: str | None,
                      data_dir: Path) -> ObjectStore:
    """``file:///abs/dir`` (embedded) or ``s3://key:secret@host:port/bucket``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        from shared.objects.files import FileObjectStore

        if not parts.path or parts.path == "/":
            raise ValueError("a file object store URL needs a directory: file:///data/objects")
        key = signing_key.encode() if signing_key else _signing_key(data_dir)
        return FileObjectStore(Path(parts.path), max_bytes=max_bytes, public_url=public_url,
                               signing_key=key)
    if parts.scheme in ("s3", "s3s"):
        from shared.objects.s3 import S3ObjectStore

        return S3ObjectStore(url, max_bytes=max_bytes)
    raise ValueError(f"unsupported object store URL scheme '{parts.scheme}'")
