"""S3 adapter of the object store, through the ``minio`` client.

The client is blocking, so every call runs in a worker thread. Links are presigned GET
URLs. Credentials come from the URL and never appear in errors or logs.
"""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import urllib3
from minio import Minio
from minio.error import S3Error
from minio.helpers import DictType

from shared.platform.config import redact_url
from shared.ports.objects.keys import check_content_type, check_key
from shared.ports.objects.port import ObjectContent, ObjectNotFound, ObjectTooLarge, StoredObject

_MISSING = ("NoSuchKey", "NoSuchObject", "NoSuchBucket")


class S3ObjectStore:
    """``s3://ACCESS:SECRET@host:port/bucket[?region=…]`` (``s3s://`` for HTTPS)."""

    def __init__(self, url: str, *, max_bytes: int) -> None:
        parts = urlsplit(url)
        bucket = parts.path.strip("/")
        if not parts.hostname or not bucket or "/" in bucket:
            raise ValueError(f"an S3 URL needs a host and one bucket: {redact_url(url)}")
        self.bucket = bucket
        self.max_bytes = max_bytes
        self.where = redact_url(url)
        endpoint = parts.hostname + (f":{parts.port}" if parts.port else "")
        region = parse_qs(parts.query).get("region", [None])[0]
        # Short timeouts and few retries: a dead S3 must fail a readiness probe quickly.
        http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=3, read=30),
                                   retries=urllib3.Retry(total=2, backoff_factor=0.2,
                                                         status_forcelist=(500, 502, 503, 504)))
        self._client = Minio(endpoint, access_key=unquote(parts.username or ""),
                             secret_key=unquote(parts.password or ""),
                             secure=parts.scheme == "s3s", region=region, http_client=http)

    async def start(self) -> None:
        def ensure_bucket() -> None:
            if self._client.bucket_exists(self.bucket):
                return
            try:
                self._client.make_bucket(self.bucket)
            except S3Error as exc:
                # Services starting together race to create it; one bucket is all we want.
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

        await asyncio.to_thread(ensure_bucket)

    async def close(self) -> None:
        return None

    async def check(self) -> None:
        if not await asyncio.to_thread(self._client.bucket_exists, self.bucket):
            raise OSError(f"bucket '{self.bucket}' does not exist at {self.where}")

    async def put(self, key: str, data: bytes, content_type: str, *,
                  disposition: str | None = None) -> StoredObject:
        check_key(key)
        check_content_type(content_type)
        if len(data) > self.max_bytes:
            raise ObjectTooLarge(len(data), self.max_bytes)
        # Kept as the object's own header, so presigned and public links serve it too.
        headers: DictType | None = ({"Content-Disposition": disposition} if disposition
                                    else None)
        await asyncio.to_thread(self._client.put_object, self.bucket, key, io.BytesIO(data),
                                len(data), content_type=content_type, metadata=headers)
        return StoredObject(key, len(data), content_type)

    async def get(self, key: str) -> ObjectContent:
        check_key(key)

        def read() -> ObjectContent:
            try:
                response = self._client.get_object(self.bucket, key)
            except S3Error as exc:
                if exc.code in _MISSING:
                    raise ObjectNotFound(key) from None
                raise
            try:
                return ObjectContent(key, response.read(),
                                     response.headers.get("Content-Type",
                                                          "application/octet-stream"),
                                     response.headers.get("Content-Disposition"))
            finally:
                response.close()
                response.release_conn()

        return await asyncio.to_thread(read)

    async def stat(self, key: str) -> StoredObject | None:
        check_key(key)

        def info() -> StoredObject | None:
            try:
                st = self._client.stat_object(self.bucket, key)
            except S3Error as exc:
                if exc.code in _MISSING:
                    return None
                raise
            return StoredObject(key, int(st.size or 0),
                                st.content_type or "application/octet-stream")

        return await asyncio.to_thread(info)

    async def delete(self, key: str) -> None:
        check_key(key)
        await asyncio.to_thread(self._client.remove_object, self.bucket, key)

    async def url(self, key: str, expires: timedelta = timedelta(hours=1)) -> str:
        check_key(key)
        return await asyncio.to_thread(self._client.presigned_get_object, self.bucket, key,
                                       expires)
