"""The object store contract, run unchanged against the directory adapter and against a
real S3 server (SeaweedFS started by the suite)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from shared.ports.objects import (
    InvalidObject,
    ObjectNotFound,
    ObjectStore,
    ObjectTooLarge,
    open_object_store,
)
from shared.ports.objects.files import FileObjectStore
from shared.ports.objects.links import object_links_router
from shared.refusals.http import install_error_handlers
from tests.support.ports import free_port
from tests.support.seaweed import SeaweedS3

PUBLIC_URL = "http://files.test"
LIMIT = 64 * 1024


@pytest.fixture(params=["file", "s3"])
async def objects(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ObjectStore]:
    url = (f"file://{tmp_path}/objects" if request.param == "file"
           else request.getfixturevalue("s3_bucket_url"))
    store = open_object_store(url, max_bytes=LIMIT, public_url=PUBLIC_URL, signing_key=None,
                              data_dir=tmp_path)
    await store.start()
    yield store
    await store.close()


async def fetch(store: ObjectStore, url: str) -> httpx.Response:
    """Fetch a link as a browser would: over HTTP, with no credentials."""
    if isinstance(store, FileObjectStore):
        app = FastAPI()
        install_error_handlers(app)
        app.include_router(object_links_router(store))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url=PUBLIC_URL) as client:
            return await client.get(url)
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(url)


async def test_put_get_round_trip_keeps_bytes_and_content_type(objects: ObjectStore) -> None:
    data = bytes(range(256)) * 4
    stored = await objects.put("labels/p-1/qr.png", data, "image/png")
    assert (stored.size, stored.content_type) == (1024, "image/png")
    got = await objects.get("labels/p-1/qr.png")
    assert (got.data, got.content_type) == (data, "image/png")
    info = await objects.stat("labels/p-1/qr.png")
    assert info is not None and (info.size, info.content_type) == (1024, "image/png")


async def test_overwrite_replaces_content(objects: ObjectStore) -> None:
    await objects.put("a.txt", b"first", "text/plain")
    await objects.put("a.txt", b"second!", "text/plain; charset=utf-8")
    got = await objects.get("a.txt")
    assert got.data == b"second!" and got.content_type.startswith("text/plain")


async def test_missing_objects(objects: ObjectStore) -> None:
    assert await objects.stat("nope.png") is None
    with pytest.raises(ObjectNotFound):
        await objects.get("nope.png")
    await objects.delete("nope.png")  # deleting what is not there is fine


async def test_delete_removes(objects: ObjectStore) -> None:
    await objects.put("d/x.bin", b"x", "application/octet-stream")
    await objects.delete("d/x.bin")
    assert await objects.stat("d/x.bin") is None


async def test_size_limit_refuses_and_stores_nothing(objects: ObjectStore) -> None:
    with pytest.raises(ObjectTooLarge) as err:
        await objects.put("big.bin", b"0" * (LIMIT + 1), "application/octet-stream")
    assert err.value.status == 413 and "65,536" in err.value.message
    assert await objects.stat("big.bin") is None
    await objects.put("exact.bin", b"0" * LIMIT, "application/octet-stream")


@pytest.mark.parametrize("key", ["", "/abs.png", "../up.png", "a/../b.png", "a//b.png",
                                 ".hidden", "a\\b.png", "tab\there", "x" * 600,
                                 "name with space.png"])
async def test_invalid_keys_are_refused(objects: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidObject):
        await objects.put(key, b"x", "image/png")


@pytest.mark.parametrize("content_type", ["", "png", "image/", "image/png; evil", "../x"])
async def test_invalid_content_types_are_refused(objects: ObjectStore, content_type: str) -> None:
    with pytest.raises(InvalidObject):
        await objects.put("ok.png", b"x", content_type)
    assert await objects.stat("ok.png") is None


async def test_links_are_fetchable_by_a_browser(objects: ObjectStore) -> None:
    await objects.put("certs/c-1.pdf", b"%PDF-1.7 fake", "application/pdf")
    response = await fetch(objects, await objects.url("certs/c-1.pdf"))
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 fake"
    assert response.headers["content-type"] == "application/pdf"


async def test_tampered_or_expired_links_are_refused(objects: ObjectStore) -> None:
    await objects.put("secret/doc.pdf", b"private", "application/pdf")
    good = await objects.url("secret/doc.pdf")
    other = good.replace("secret/doc.pdf", "secret/other.pdf")
    await objects.put("secret/other.pdf", b"other", "application/pdf")
    assert (await fetch(objects, other)).status_code == 403
    if isinstance(objects, FileObjectStore):
        expired = await objects.url("secret/doc.pdf", expires=timedelta(seconds=-5))
        response = await fetch(objects, expired)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail_vi"]
        query = parse_qs(urlsplit(good).query)
        forged = good.replace(query["signature"][0], "0" * 64)
        assert (await fetch(objects, forged)).status_code == 403
        assert int(query["expires"][0]) > time.time()


async def test_check_passes_on_a_healthy_store(objects: ObjectStore) -> None:
    await objects.check()


async def test_s3_check_fails_where_nothing_listens(tmp_path: Path) -> None:
    store = open_object_store(f"s3://k:s@127.0.0.1:{free_port()}/bucket", max_bytes=LIMIT,
                              public_url=PUBLIC_URL, signing_key=None, data_dir=tmp_path)
    with pytest.raises(Exception) as err:
        await store.check()
    assert ":s@" not in str(err.value)  # the secret never shows


async def test_s3_wrong_secret_is_refused(s3_server: SeaweedS3, tmp_path: Path) -> None:
    bad = s3_server.url("anybucket").replace(s3_server.secret_key, "wrong" * 4)
    store = open_object_store(bad, max_bytes=LIMIT, public_url=PUBLIC_URL, signing_key=None,
                              data_dir=tmp_path)
    with pytest.raises(Exception, match=r"(?i)signature|denied|forbidden|access"):
        await store.start()


async def test_services_starting_together_share_one_new_bucket(s3_bucket_url: str,
                                                               tmp_path: Path) -> None:
    """Four services start at once on a fresh bucket: all start, none trips over another's
    creating it."""
    import asyncio

    stores = [open_object_store(s3_bucket_url, max_bytes=LIMIT, public_url=PUBLIC_URL,
                                signing_key=None, data_dir=tmp_path) for _ in range(8)]
    await asyncio.gather(*(s.start() for s in stores))
    await stores[0].put("shared/one.txt", b"1", "text/plain")
    assert (await stores[-1].get("shared/one.txt")).data == b"1"
