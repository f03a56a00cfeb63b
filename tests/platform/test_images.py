"""Product photos: only re-drawn pixels are served, at web widths, and the scan page lets
a phone take the small one. Over HTTP on the embedded platform; the page in Chromium."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image

from shared.platform.config import Settings
from tests.support.platform import (
    User,
    certified_product,
    cooperative_with_council,
    office_signed_in,
)

PASSWORD = "images-pass-1"
GTIN = "08934563138165"
GPS_IFD = 0x8825


def camera_photo(width: int = 3000, height: int = 2000, orientation: int = 1) -> bytes:
    """A JPEG as a phone makes it: large, with the camera's make and a GPS position."""
    image = Image.new("RGB", (width, height), (40, 120, 60))
    for x in range(0, width, 200):  # some detail, so the file is not trivially small
        image.paste((230, 200, 60), (x, 0, x + 100, height // 2))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (21.0, 35.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92, exif=exif)
    return out.getvalue()


@dataclass
class Shop:
    office: User
    producer: User
    upload: bytes
    records: dict[str, Any]


@pytest.fixture
async def shop(make_settings: Callable[..., Settings]) -> AsyncIterator[Shop]:
    async with office_signed_in(make_settings(), PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        upload = camera_photo()
        records = await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                          coop.registered_on, GTIN, image=upload)
        yield Shop(office, coop.producer, upload, records)


def decoded(response: Any) -> Image.Image:
    assert response.headers["content-type"] == "image/webp"
    assert "immutable" in response.headers["cache-control"]
    return Image.open(io.BytesIO(response.content))


async def test_photos_are_served_redrawn_at_web_widths_without_metadata(shop: Shop) -> None:
    anyone, url = shop.office.anonymous(), shop.records["image_url"]
    sizes = {}
    for query, width in (("?w=480", 480), ("?w=1200", 1200), ("", 1200)):
        response = await anyone.client.get(url + query)
        assert response.status_code == 200, response.text
        image = decoded(response)
        assert (image.format, image.size) == ("WEBP", (width, width * 2 // 3))
        assert not image.getexif() and "exif" not in image.info and "xmp" not in image.info
        sizes[width] = len(response.content)
    # the phone's image is a small part of what was uploaded (a 3000×2000 photo)
    assert sizes[480] * 10 < len(shop.upload)
    refused = await anyone.client.get(url + "?w=3000")
    assert refused.status_code == 422 and "w" in refused.text


async def test_a_photo_turned_by_the_camera_is_served_upright(shop: Shop) -> None:
    path = f"/products/{shop.records['product_id']}/images"
    added = await shop.producer.call("POST", "registry", path, expect=201,
                                     content=camera_photo(1600, 1200, orientation=6),
                                     headers={"Content-Type": "image/jpeg"})
    response = await shop.producer.client.get(added["url"] + "?w=480")
    assert decoded(response).size == (480, 640)


async def test_what_only_looks_like_an_image_is_refused_and_nothing_is_kept(shop: Shop) -> None:
    product_path = f"/products/{shop.records['product_id']}"
    before = await shop.producer.call("GET", "registry", product_path)
    disguised = b"\x89PNG\r\n\x1a\n<html><script>alert(document.cookie)</script></html>"
    truncated = camera_photo()[:5000]
    for content, kind in ((disguised, "image/png"), (truncated, "image/jpeg")):
        response = await shop.producer.client.post(
            shop.producer.urls["registry"] + f"{product_path}/images", content=content,
            headers=shop.producer.headers | {"Content-Type": kind})
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["type"].endswith("/unreadable-image") and body["detail_vi"], body
    after = await shop.producer.call("GET", "registry", product_path)
    assert (after["version"], after["image_urls"]) == (before["version"], before["image_urls"])


def flat_png(width: int, height: int) -> bytes:
    """A picture of one colour: a few kB that decode to width × height pixels."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 160, 40)).save(out, format="PNG")
    return out.getvalue()


async def test_pictures_too_large_to_decode_are_refused_and_cameras_photos_taken(
        shop: Shop) -> None:
    path = f"/products/{shop.records['product_id']}/images"
    bomb = flat_png(7000, 7000)  # 49 million pixels in 160 kB

    async def upload(content: bytes, kind: str) -> Any:
        return await shop.producer.client.post(
            shop.producer.urls["registry"] + path, content=content,
            headers=shop.producer.headers | {"Content-Type": kind})

    refused = await asyncio.gather(*(upload(bomb, "image/png") for _ in range(4)))
    for response in refused:
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["type"].endswith("/image-too-large")
        assert "7000×7000" in body["detail"] and "25 triệu" in body["detail_vi"]
    # A 50-megapixel camera's JPEG is read at a quarter of its size, never whole.
    taken = await upload(camera_photo(8160, 6120), "image/jpeg")
    assert taken.status_code == 201, taken.text
    response = await shop.producer.client.get(taken.json()["url"] + "?w=1200")
    assert decoded(response).size == (1200, 900)


