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
from pathlib import Path

import httpx
from national import fill

from services.catalog.api.feeds import FeedCache
from services.catalog.app import build
from shared.platform.config import load_settings


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        runtime = build(load_settings(data_dir=Path(data), public_url="https://catalog.example"))
        await runtime.store.open()
        seconds = await fill(runtime.store, args.listings, runtime.clock.today())
        print(f"stored {args.listings} listings in {seconds:.1f} s")
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
