"""How fast the public catalog answers at national scale: N listings (100,000 by default)
stored in a catalog's store as its event handlers keep them, then every kind of public
query asked over HTTP (in-process ASGI: the service's work, not the network's), each kind
with varied words, provinces and pages; prints p50/p95/max per kind.

    python bench/catalog.py [--listings 100000] [--rounds 40] [--data-dir DIR]
                            [--store sqlite|postgres] [--postgres-url URL]

``--store sqlite`` (the default): the embedded store's file, the rows first, then the store
builds its indexes over them as it opens. With --data-dir the filled file is kept there and
reused by the next run of the same size (filling a million listings takes minutes).

``--store postgres``: the PostgreSQL store, opened first (its tables and indexes made), the
listings put through the store port a thousand per transaction, then ``VACUUM ANALYZE`` (the
planner's statistics and visibility map, which autovacuum would gather in time). On
``--postgres-url`` (its schema ``ocop_catalog``, kept and reused by a run of the same size);
without, on a throwaway server started for the run with the tests' own helper
(``tests/support/postgres.py``'s ``PostgresServer``: Debian's ``postgresql`` package, run
as the ``ocop-test`` user under root; fsync off, as in the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

import httpx
from national import PLACES, PROVINCES, fill, fill_then_index
from pydantic import SecretStr

from services.catalog.app import build
from services.catalog.store import LISTINGS
from shared.platform.config import load_settings
from shared.platform.runtime import ServiceRuntime
from shared.ports.store import DocumentStore
from shared.ports.store.postgres import PostgresDocumentStore
from shared.ports.store.sqlite import SqliteDocumentStore

WORDS = ("mat ong", "sầu riêng", "nuoc mam", "chè", "ca phe", "mien dong", "gao thom",
         "non la", "thổ cẩm", "ruou")
"""Search words a shopper types (with or without diacritics)."""
T = TypeVar("T")
ROOT = str(Path(__file__).resolve().parents[1])
FILLING = 3
"""PostgreSQL's transactions in flight as the listings are stored (on 2 cores loaded by
others, 2 to 4 took a half to two thirds of one's time)."""
PHRASES = tuple(f"{kind} {place}" for kind, place in
                zip(("mat ong", "sau rieng", "nuoc mam", "che bup", "ca phe"), PLACES,
                    strict=False))


def kinds(rounds: int, deep: list[str]) -> dict[str, list[dict[str, object]]]:
    """Each query kind, ``rounds`` times, with its parameters varied."""
    def cycle(values: Sequence[T]) -> Iterator[T]:
        for n in range(rounds):
            yield values[n % len(values)]
    provinces = PROVINCES[::3]
    return {
        "first page": [{} for _ in range(rounds)],
        "deep page (cursor)": [{"cursor": c} for c in cycle(deep)],
        "search one word": [{"q": w.split()[0] if " " not in w else w} for w in cycle(WORDS)],
        "search two words + place": [{"q": p} for p in cycle(PHRASES)],
        "search, rare producer": [{"q": f"htx {n * 997}"} for n in range(rounds)],
        "search prefix (typing)": [{"q": w[:-2]} for w in cycle(("sau rieng", "mat ong",
                                                               "nuoc mam", "tra hoa"))],
        "search + stars=5": [{"q": w, "stars": 5} for w in cycle(WORDS)],
        "search + sort=-stars": [{"q": w, "sort": "-stars"} for w in cycle(WORDS)],
        "sort=-stars": [{"sort": "-stars"} for _ in range(rounds)],
        "sort=stars": [{"sort": "stars"} for _ in range(rounds)],
        "sort=-certified": [{"sort": "-certified"} for _ in range(rounds)],
        "stars=5": [{"stars": 5} for _ in range(rounds)],
        "group": [{"group": g} for g in cycle(("handicrafts", "herbal", "food", "tourism"))],
        "province": [{"province": p} for p in cycle(provinces)],
        "province + group + stars": [{"province": p, "group": "food", "stars": 4}
                                     for p in cycle(provinces)],
        "province, sort=-stars": [{"province": p, "sort": "-stars"} for p in cycle(provinces)],
    }


@contextmanager
def data_dir(kept: str | None) -> Iterator[Path]:
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        yield Path(kept)
        return
    with tempfile.TemporaryDirectory() as made:
        yield Path(made)


@asynccontextmanager
async def postgres(url: str | None) -> AsyncIterator[str]:
    """``url``, or a throwaway server's for the bench's length (the tests' helper)."""
    if url:
        yield url
        return
    # Only this store needs the tests' helper, importable from the repository's root.
    sys.path.insert(0, ROOT)
    from tests.support.postgres import PostgresServer
    server = PostgresServer()
    await asyncio.to_thread(server.start)
    try:
        yield server.url
    finally:
        await asyncio.to_thread(server.stop)


def catalog(data: Path, store_url: str | None = None, **settings: object) -> ServiceRuntime:
    """The catalog as the benches build it: on ``data``, its store the embedded SQLite, or
    the PostgreSQL store at ``store_url``."""
    if store_url:
        settings["store_url"] = SecretStr(store_url)
    # One client asks everything here: the per-address rate limit would measure itself.
    runtime = build(load_settings(data_dir=data, public_url="https://catalog.example",
                                  rate_limit="100000/second", **settings))
    measured = PostgresDocumentStore if store_url else SqliteDocumentStore
    assert isinstance(runtime.store, measured), f"{measured.__name__} is measured"
    return runtime


async def open_filled(runtime: ServiceRuntime, count: int) -> float:
    """The runtime's store filled with ``count`` listings if it is empty, and opened (an
    SQLite file filled before it opens, as after any restart: opening builds what is
    missing and gathers the planner's statistics; PostgreSQL's opened first, then filled
    and analysed); the seconds the opening took."""
    store, today = runtime.store, runtime.clock.today()
    assert isinstance(store, SqliteDocumentStore | PostgresDocumentStore)
    if isinstance(store, SqliteDocumentStore) and not store.path.exists():
        await stored(count, fill_then_index(store.path, count, today))
    began = time.perf_counter()
    await store.open()
    opened = time.perf_counter() - began
    if isinstance(store, PostgresDocumentStore) and not await store.count(LISTINGS.name):
        await stored(count, fill(store, count, today, at_once=FILLING))
        began = time.perf_counter()
        async with store.pool.connection() as conn:
            await conn.execute(f"VACUUM ANALYZE {store.table(LISTINGS.name)}")
        print(f"vacuumed and analysed in {time.perf_counter() - began:.1f} s")
    held = await store.count(LISTINGS.name)
    if held != count:
        where = store.path.parent if isinstance(store, SqliteDocumentStore) else store.where
        raise SystemExit(f"{where} holds {held} listings, not {count}: "
                         "name another --data-dir or --postgres-url")
    return opened


async def stored(count: int, filling: Awaitable[float]) -> None:
    """``filling``'s seconds, printed."""
    print(f"storing {count:,} listings…", flush=True)
    seconds = await filling
    print(f"stored {count:,} listings in {seconds:.0f} s")


async def deep_cursors(store: DocumentStore, count: int) -> list[str]:
    """Cursors of pages a quarter, half and three quarters into the listings by name."""
    deep = []
    for start in (count // 4, count // 2, count * 3 // 4):
        after = None
        for _ in range(max(1, start // 1000)):
            page = await store.find(LISTINGS.name, {"status": "listed"},
                                    order_by="name_key", limit=1000, after=after)
            after = page.next_cursor
        if after:
            deep.append(after)
    return deep


async def ask(client: httpx.AsyncClient, kind: str, params: dict[str, object]
              ) -> tuple[float, int]:
    """One public query: its milliseconds and the items on its page."""
    began = time.perf_counter()
    response = await client.get(f"/listings?{urlencode(params)}")
    took = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{kind} {params}: {response.status_code} {response.text[:300]}")
    return took, len(response.json()["items"])


def percentile(values: list[float], share: float) -> float:
    ranked = sorted(values)
    return ranked[max(0, round(len(ranked) * share) - 1)]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default=None,
                        help="with --store postgres: its server (default: a throwaway one)")
    args = parser.parse_args()
    if args.postgres_url and args.store != "postgres":
        parser.error("--postgres-url needs --store postgres")
    async with AsyncExitStack() as stack:
        data = stack.enter_context(data_dir(args.data_dir))
        url = (await stack.enter_async_context(postgres(args.postgres_url))
               if args.store == "postgres" else None)
        runtime = catalog(data, url)
        opened = await open_filled(runtime, args.listings)
        print(f"store opened in {opened:.1f} s")
        deep = await deep_cursors(runtime.store, args.listings)
        transport = httpx.ASGITransport(app=runtime.fastapi_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as client:
            await client.get("/listings")  # warm: templates, first connection
            print(f"\n{args.listings:,} listings on {args.store}, {args.rounds} requests per kind "
                  "(ms; 'found' = items on the page)")
            print(f"{'query':28} {'p50':>7} {'p95':>7} {'max':>7}  found")
            for kind, queries in kinds(args.rounds, deep).items():
                seconds, found = [], 0
                for params in queries:
                    took, items = await ask(client, kind, params)
                    seconds.append(took)
                    found += items
                print(f"{kind:28} {statistics.median(seconds):7.1f} "
                      f"{percentile(seconds, 0.95):7.1f} {max(seconds):7.1f}  "
                      f"{found / len(queries):.0f}")
        await runtime.store.close()


if __name__ == "__main__":
    asyncio.run(main())
