"""Uploads kept by their content (``shared.files.content.keep``) on both object stores,
the directory and a real S3 server (SeaweedFS started by the suite): the same bytes kept
four times at once, as a client's retries race its first request, are one object, whole;
other bytes are a second."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.files.content import content_key, digest_of, keep
from shared.ports.objects import ObjectStore, open_object_store
from shared.ports.objects.files import FileObjectStore
from shared.ports.objects.s3 import S3ObjectStore

REPORT = b"%PDF-1.7\n% Phieu ket qua thu nghiem so 118\n%%EOF\n" + bytes(range(256)) * 64
SCOPE = "origin-documents/p1"


@pytest.fixture(params=["file", "s3"])
async def objects(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ObjectStore]:
    url = (f"file://{tmp_path}/objects" if request.param == "file"
           else request.getfixturevalue("s3_bucket_url"))
    store = open_object_store(url, max_bytes=1 << 20, public_url="http://files.test",
                              signing_key=None, data_dir=tmp_path)
    await store.start()
    yield store
    await store.close()


def listed(objects: ObjectStore, prefix: str) -> list[str]:
    """Every object under ``prefix``, as the store itself lists them."""
    if isinstance(objects, FileObjectStore):
        return sorted(str(p.relative_to(objects.root)) for p in (objects.root / prefix).rglob("*")
                      if p.is_file() and not p.name.endswith(".meta.json"))
    assert isinstance(objects, S3ObjectStore)
    return sorted(o.object_name for o in objects._client.list_objects(
        objects.bucket, prefix=f"{prefix}/", recursive=True))


async def test_the_same_bytes_kept_four_times_at_once_are_one_object(
        objects: ObjectStore) -> None:
    key = content_key(SCOPE, digest_of(REPORT), "pdf")
    kept = await asyncio.gather(*(keep(objects, key, REPORT, "application/pdf")
                                  for _ in range(4)))
    assert {(k.key, k.sha256, k.size) for k in kept} == {(key, digest_of(REPORT), len(REPORT))}
    assert listed(objects, SCOPE) == [key]
    assert (await objects.get(key)).data == REPORT
    # Kept again later: found there, not written again.
    assert (await keep(objects, key, REPORT, "application/pdf")).key == key

    other = REPORT + b"\n"
    other_key = content_key(SCOPE, digest_of(other), "pdf")
    await keep(objects, other_key, other, "application/pdf")
    assert listed(objects, SCOPE) == sorted([key, other_key])
