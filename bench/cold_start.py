"""How fast a restarted catalog answers its first searches: the store of bench/catalog.py
(N listings, a million by default) opened by a new process, as a restart opens it, then the
first K queries of every public kind (bench/catalog.py's), asked in turns (one of each
kind, then the next of each…) over in-process HTTP; p50/max per kind and over all, for:

- the OS page cache warm (the file's pages still in memory: a process restarted on its
  machine) or dropped (``posix_fadvise(DONTNEED)`` on the store's files, which drops their
  pages and no one else's: a new machine; with ``--drop-everything``, every file's, the
  Python libraries' too, as after a reboot);
- the catalog's warm-up (``OCOP_CATALOG_WARM_UP``) off or on; on, it is run to its end
  before the first query (it runs in the background at a real start) and its own seconds
  are shown.

Each case is a new process, ``--repeat`` times; the figures are the medians of its runs.

    python bench/cold_start.py [--listings 1000000] [--data-dir DIR] [--first 5] [--repeat 3]

With --data-dir the filled store is kept there and reused (filling a million listings takes
minutes; bench/catalog.py fills the same store).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TypedDict, cast

import httpx
from catalog import ask, catalog, data_dir, deep_cursors, kinds, open_filled

from services.catalog.app import WARM_UP
from shared.ports.store.sqlite import SqliteDocumentStore


class Restart(TypedDict):
    """One restart's figures."""

    opened: float
    warming: float | None
    cached: float
    took: dict[str, list[float]]
    """Milliseconds of each kind's first queries, in the order asked."""


CASES = (("warm", False), ("dropped", False), ("warm", True), ("dropped", True))
"""(OS page cache, warm-up) of each case."""


def drop_page_cache(store: Path, everything: bool = False) -> None:
    """Drop the OS page cache's pages of the store's files (written out first); with
    ``everything``, every file's (``/proc/sys/vm/drop_caches``: root, and the whole
    machine's, the Python libraries' too, as after a reboot)."""
    for path in (store, store.with_name(store.name + "-wal"),
                 store.with_name(store.name + "-shm")):
        if not path.exists():
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    if everything:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")


def cached_share(store: Path) -> float:
    """The share of the store's file in the OS page cache (util-linux's ``fincore``)."""
    found = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES,SIZE",
                            str(store)], capture_output=True, text=True, check=False)
    try:
        res, size = (int(v) for v in found.stdout.split())
    except ValueError:
        return float("nan")
    return res / size if size else 0.0


async def restarted(data: Path, count: int, first: int, warm_up: bool, deep: list[str]
                    ) -> Restart:
    """One case, in this (new) process: the store opened, the warm-up run if on, then the
    first ``first`` queries of each kind in turns; the figures."""
    asked = kinds(first, deep)
    took: dict[str, list[float]] = {kind: [] for kind in asked}
    warming = None
    runtime = catalog(data, catalog_warm_up_seconds=600 if warm_up else 0)
    store = runtime.store
    assert isinstance(store, SqliteDocumentStore)
    opened = await open_filled(runtime, count)
    try:
        transport = httpx.ASGITransport(app=runtime.fastapi_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as client:
            # The orchestrator's liveness probe comes first, after any start (and builds the
            # app's layers, which the warm-up asks its requests through).
            await client.get("/healthz")
            if warm_up:
                began = time.perf_counter()
                await runtime.job(WARM_UP)()
                warming = time.perf_counter() - began
            cached = cached_share(store.path)
            for turn in range(first):
                for kind, queries in asked.items():
                    took[kind].append((await ask(client, kind, queries[turn]))[0])
    finally:
        await runtime.store.close()
    return Restart(opened=opened, warming=warming, cached=cached, took=took)


def case_runs(args: argparse.Namespace, cache: str, warm_up: bool, deep: list[str]
              ) -> list[Restart]:
    """The case's ``--repeat`` runs, each a new process."""
    runs = []
    for _ in range(args.repeat):
        store = Path(args.data_dir) / "catalog.db"
        if cache == "dropped":
            drop_page_cache(store, args.drop_everything)
        else:
            _read_through(store)
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--listings", str(args.listings),
             "--data-dir", args.data_dir, "--first", str(args.first),
             "--deep", json.dumps(deep), *(["--warm-up"] if warm_up else [])],
            capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"the restarted catalog failed:\n{done.stderr[-3000:]}")
        runs.append(cast(Restart, json.loads(done.stdout.splitlines()[-1])))
    return runs


def _read_through(store: Path) -> None:
    """The whole file read once, so that the OS page cache holds it ("warm")."""
    with store.open("rb") as file:
        while file.read(1 << 24):
            pass


def report(cache: str, warm_up: bool, runs: list[Restart]) -> None:
    med = statistics.median
    warming = [r["warming"] for r in runs if r["warming"] is not None]
    print(f"\nOS page cache {cache}, warm-up {'on' if warm_up else 'off'}: "
          f"{len(runs)} restarts; store opened in {med(r['opened'] for r in runs):.1f} s"
          + (f", warm-up {med(warming):.1f} s" if warming else "")
          + f"; {med(r['cached'] for r in runs):.0%} of the file cached before the "
          "first query")
    print(f"{'query (first K, ms)':28} {'p50':>7} {'max':>7}")
    every: list[list[float]] = [[] for _ in runs]
    for kind in runs[0]["took"]:
        p50s, maxes = [], []
        for n, run in enumerate(runs):
            values = run["took"][kind]
            every[n].extend(values)
            p50s.append(med(values))
            maxes.append(max(values))
        print(f"{kind:28} {med(p50s):7.1f} {med(maxes):7.1f}")
    print(f"{'every kind':28} {med(med(v) for v in every):7.1f} "
          f"{med(max(v) for v in every):7.1f}")
    first = next(iter(runs[0]["took"]))
    print(f"{'the very first request':28} {med(r['took'][first][0] for r in runs):7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=1_000_000)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--first", type=int, default=5, help="queries of each kind timed")
    parser.add_argument("--repeat", type=int, default=3, help="restarts per case")
    parser.add_argument("--cases", default="all",
                        help="'all', or e.g. 'dropped:on,warm:off'")
    parser.add_argument("--drop-everything", action="store_true",
                        help="'dropped' drops every file's pages, not the store's only "
                             "(root; slows the machine's other work for a while)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--warm-up", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--deep", default="[]", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        figures = asyncio.run(restarted(Path(args.data_dir), args.listings, args.first,
                                        args.warm_up, json.loads(args.deep)))
        print(json.dumps(figures))
        return
    cases = CASES if args.cases == "all" else tuple(
        (cache, on == "on") for cache, on in (c.split(":") for c in args.cases.split(",")))
    with data_dir(args.data_dir) as data:
        args.data_dir = str(data)

        async def prepare() -> list[str]:
            runtime = catalog(data)
            opened = await open_filled(runtime, args.listings)
            print(f"{args.listings:,} listings; store opened in {opened:.1f} s")
            try:
                return await deep_cursors(runtime.store, args.listings)
            finally:
                await runtime.store.close()

        deep = asyncio.run(prepare())
        print(f"first {args.first} queries of each of {len(kinds(1, deep))} kinds, in "
              f"turns, after each restart (medians of {args.repeat} restarts)")
        for cache, warm_up in cases:
            report(cache, warm_up, case_runs(args, cache, warm_up, deep))


if __name__ == "__main__":
    main()
