"""Request budgets counted across processes through a service's store
(``shared.http.rate_counts``): two counters, as two processes of one service would hold, on
two connections to one SQLite file or one PostgreSQL schema, on a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from limits import parse

from shared.http.rate_counts import RATE_COUNTS, RateCounts
from shared.ports.store import DocumentStore, open_store

START = 1_800_000_000.0
"""A minute's start (divisible by 60 and by 3600)."""


class Moved:
    """The wall clock as the counters read it, moved by the test."""

    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> float:
        return self.at


@pytest.fixture(params=["sqlite", "postgres"])
async def stores(request: pytest.FixtureRequest, tmp_path: Path
                 ) -> AsyncIterator[tuple[DocumentStore, DocumentStore]]:
    if request.param == "sqlite":
        url, service = f"sqlite://{tmp_path}/registry.db", "registry"
    else:
        url = request.getfixturevalue("postgres_server").url
        service = request.getfixturevalue("postgres_service")
    opened = [open_store(url, [RATE_COUNTS], service=service) for _ in range(2)]
    for store in opened:
        await store.open()
    yield opened[0], opened[1]
    for store in opened:
        await store.close()


async def test_a_budget_holds_across_two_processes_and_refusals_say_when(
        stores: tuple[DocumentStore, DocumentStore]) -> None:
    clock = Moved()
    one, two = (RateCounts(store, process=name, now=clock)
                for store, name in zip(stores, ("one", "two"), strict=True))
    rate = parse("10/minute")
    for i in range(10):
        clock.at = START + i
        assert await (one if i % 2 else two).hit(rate, "203.0.113.7") is None, i
    clock.at = START + 20
    # Both spent it, both know: each refuses, and says when the sliding window frees one.
    assert await one.hit(rate, "203.0.113.7") == 40 + 6
    assert await two.hit(rate, "203.0.113.7") == 46
    assert await one.hit(rate, "198.51.100.20") is None  # another address: its own budget
    # The refused were not counted: 6 s into the next minute the previous weighs 9 of 10.
    clock.at = START + 60 + 6
    assert await two.hit(rate, "203.0.113.7") is None
    assert await one.hit(rate, "203.0.113.7") == 6


async def test_far_from_its_budget_a_process_counts_alone_then_shares_its_counts(
        stores: tuple[DocumentStore, DocumentStore]) -> None:
    clock = Moved()
    one, two = (RateCounts(store, process=name, now=clock)
                for store, name in zip(stores, ("one", "two"), strict=True))
    rate = parse("100/minute")
    for _ in range(9):  # under a tenth of the budget: not a single store access
        assert await one.hit(rate, "203.0.113.7") is None
    assert await stores[0].count(RATE_COUNTS.name) == 0
    assert await one.hit(rate, "203.0.113.7") is None  # the tenth is written at once
    assert [d.data["count"] for d in (await stores[0].find(RATE_COUNTS.name)).items] == [10]

    for _ in range(5):
        await two.hit(rate, "203.0.113.7")
    await two.flush()  # each second: its counts written, the others' read
    await one.flush()
    counted = {d.data["process"]: d.data["count"]
               for d in (await stores[1].find(RATE_COUNTS.name)).items}
    assert counted == {"one": 10, "two": 5}
    for _ in range(85):  # 100 in all: near the budget, each is written at once
        assert await one.hit(rate, "203.0.113.7") is None
    assert await one.hit(rate, "203.0.113.7") is not None
    assert await two.hit(rate, "203.0.113.7") is None  # within its tenth, unannounced
    await two.flush()  # a second later it knows
    assert await two.hit(rate, "203.0.113.7") is not None


async def test_windows_that_no_longer_count_are_pruned(
        stores: tuple[DocumentStore, DocumentStore]) -> None:
    clock = Moved()
    one, two = (RateCounts(store, process=name, now=clock)
                for store, name in zip(stores, ("one", "two"), strict=True))
    for address in ("203.0.113.7", "198.51.100.20"):
        assert await one.hit(parse("1/second"), address) is None
        assert await two.hit(parse("2/minute"), address) is None
    assert await stores[0].count(RATE_COUNTS.name) == 4
    clock.at = START + 1.5  # the second's window still weighs on the next second
    assert await one.prune() == 0
    clock.at = START + 2
    assert await one.prune() == 2  # the second's windows went, the minute's stay
    clock.at = START + 119
    assert await two.prune() == 0
    await two.flush()
    assert await two.hit(parse("2/minute"), "203.0.113.7") is None  # 1 × 1/60 + 1 ≤ 2
    clock.at = START + 180
    await one.flush()  # forgotten in memory too
    assert one.windows == 0
    assert await two.prune() == 3
    assert await stores[0].count(RATE_COUNTS.name) == 0
