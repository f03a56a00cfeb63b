"""How long the catalog takes to generate its product feeds for a national catalog: N
listings (20,000 by default) stored in a fresh embedded catalog, then each feed fetched
over HTTP (in-process ASGI, so the figure is the service's work, not the network's), and
again (made once per catalog version and kept: served from memory), and with its ETag (the
304 a marketplace's regular fetch costs when nothing changed).

    python bench/feeds.py [--listings 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from services.catalog.api.feeds import FeedCache
from services.catalog.app import build
from services.catalog.domain import ListingStatus, search_text
from services.catalog.model import ListedCertificate, Listing, Producer
from services.catalog.store import listings
from shared.config import load_settings
from shared.text import fold
from shared.vocabulary import SubjectType

PROVINCES = ("Thái Nguyên", "Lâm Đồng", "Khánh Hòa", "Hà Tĩnh", "Quảng Ninh", "Cần Thơ")


def listing(n: int, today: date) -> Listing:
    province = PROVINCES[n % len(PROVINCES)]
    name = f"Sản phẩm OCOP số {n:05d}"
    producer = Producer(f"subject-{n % 5000}", f"HTX số {n % 5000}", SubjectType.COOPERATIVE)
    return Listing(
        id=f"product-{n:06d}", status=ListingStatus.LISTED, name=name, name_key=fold(name),
        search_text=search_text(name, producer.name), description="Mô tả sản phẩm " * 8,
        group="food", subgroup="processed_produce", gtin=None,
        image_urls=[f"https://img.ocop.example/{n}.webp"], stars=3 + n % 3, producer=producer,
        province=province, province_key=fold(province), commune="Xã Một",
        certificate=ListedCertificate(f"cert-{n}", f"{n}/GCN", "province", f"{n}/QĐ-UBND",
                                      today - timedelta(days=30), today - timedelta(days=30),
                                      today + timedelta(days=1000)),
        valid_until=today + timedelta(days=1000), listed_at=f"{today.isoformat()}T08:00:00+00:00",
        scan_url=f"https://scan.ocop.example/01/{n:014d}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        runtime = build(load_settings(data_dir=Path(data), public_url="https://catalog.example"))
        await runtime.store.open()
        today = runtime.clock.today()
        started = time.perf_counter()
        for first in range(0, args.listings, 1000):
            async with runtime.store.transaction() as tx:
                for n in range(first, min(first + 1000, args.listings)):
                    await listings.add(tx, listing(n, today))
        print(f"stored {args.listings} listings in {time.perf_counter() - started:.1f} s")
        transport = httpx.ASGITransport(app=runtime.fastapi_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as client:
            for path in ("/feeds/google.xml", "/feeds/products.csv", "/sitemap.xml"):
                seconds, size, etag = [], 0, ""
                for n in range(args.repeat + 1):
                    runtime.parts[FeedCache] = FeedCache() if n < args.repeat else \
                        runtime.parts[FeedCache]
                    began = time.perf_counter()
                    response = await client.get(path)
                    seconds.append(time.perf_counter() - began)
                    assert response.status_code == 200, response.text[:300]
                    size, etag = len(response.content), response.headers["etag"]
                kept = seconds.pop() * 1000
                began = time.perf_counter()
                unchanged = await client.get(path, headers={"If-None-Match": etag})
                revalidated = (time.perf_counter() - began) * 1000
                assert unchanged.status_code == 304
                print(f"{path:22} {size / 1e6:6.1f} MB  generated in median "
                      f"{statistics.median(seconds):.2f} s (min {min(seconds):.2f}, max "
                      f"{max(seconds):.2f}); again: {kept:.0f} ms; unchanged: 304 in "
                      f"{revalidated:.1f} ms")
        await runtime.store.close()


if __name__ == "__main__":
    asyncio.run(main())
