"""Directory adapter of the object store, for the embedded platform.

Files are written atomically (temporary file, then rename) with their content type in a
sidecar, and served to browsers through links signed with HMAC-SHA256 that expire
(``links.py``), so the directory store offers what presigned S3 URLs offer.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

from shared.platform.keyfiles import private_dir
from shared.ports.objects.keys import check_content_type, check_key
from shared.ports.objects.port import (
    InvalidObject,
    ObjectContent,
    ObjectNotFound,
    ObjectTooLarge,
    StoredObject,
)
from shared.refusals import N_

_META = ".meta.json"


class FileObjectStore:
    def __init__(self, root: Path, *, max_bytes: int, public_url: str, signing_key: bytes) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.public_url = public_url.rstrip("/")
        self._signing_key = signing_key

    def _paths(self, key: str) -> tuple[Path, Path]:
        if key.endswith(_META):
            raise InvalidObject(N_("File keys may not end in '%(suffix)s'."), suffix=_META)
        path = self.root / check_key(key)
        return path, path.with_name(path.name + _META)

    async def start(self) -> None:
        await asyncio.to_thread(private_dir, self.root)

    async def close(self) -> None:
        return None

    async def check(self) -> None:
        def probe() -> None:
            if not self.root.is_dir() or not os.access(self.root, os.W_OK):
                raise OSError(f"{self.root} is not a writable directory")

        await asyncio.to_thread(probe)

    async def put(self, key: str, data: bytes, content_type: str, *,
                  disposition: str | None = None) -> StoredObject:
        path, meta = self._paths(key)
        check_content_type(content_type)
        if len(data) > self.max_bytes:
            raise ObjectTooLarge(len(data), self.max_bytes)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            about = {"content_type": content_type} | (
                {"disposition": disposition} if disposition else {})
            for target, body in ((meta, json.dumps(about).encode()), (path, data)):
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
                try:
                    with os.fdopen(fd, "wb") as out:
                        out.write(body)
                    os.replace(tmp, target)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise

        await asyncio.to_thread(write)
        return StoredObject(key, len(data), content_type)

    def _read_meta(self, meta: Path) -> tuple[str, str | None]:
        """The content type and the disposition the file was stored with."""
        try:
            about = json.loads(meta.read_text())
            return str(about["content_type"]), about.get("disposition")
        except (OSError, ValueError, KeyError):
            return "application/octet-stream", None

    async def get(self, key: str) -> ObjectContent:
        path, meta = self._paths(key)

        def read() -> ObjectContent:
            try:
                data = path.read_bytes()
            except (FileNotFoundError, IsADirectoryError):
                raise ObjectNotFound(key) from None
            return ObjectContent(key, data, *self._read_meta(meta))

        return await asyncio.to_thread(read)

    async def stat(self, key: str) -> StoredObject | None:
        path, meta = self._paths(key)

        def info() -> StoredObject | None:
            if not path.is_file():
                return None
            return StoredObject(key, path.stat().st_size, self._read_meta(meta)[0])

        return await asyncio.to_thread(info)

    async def delete(self, key: str) -> None:
        path, meta = self._paths(key)

        def remove() -> None:
            path.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)

        await asyncio.to_thread(remove)

    def signature(self, key: str, expires: int) -> str:
        return hmac.new(self._signing_key, f"{key}\n{expires}".encode(),
                        hashlib.sha256).hexdigest()

    def verify(self, key: str, expires: int, signature: str) -> bool:
        # Compared as bytes: compare_digest refuses non-ASCII text with a TypeError.
        return expires >= time.time() and hmac.compare_digest(
            self.signature(key, expires).encode(), signature.encode())

    async def url(self, key: str, expires: timedelta = timedelta(hours=1)) -> str:
        check_key(key)
        until = int(time.time() + expires.total_seconds())
        query = urlencode({"expires": until, "signature": self.signature(key, until)})
        return f"{self.public_url}/objects/{quote(key)}?{query}"
