"""Benchmark of the event plumbing: outbox -> relay -> bus -> inbox -> handler.

For the embedded bus and for Kafka (a Tansu broker started here, on loopback) it prints:
- publish-to-handled latency (from the start of the state change's transaction to the
  commit of the consumer's effect) p50/p95/p99, one change at a time;
- throughput: a burst of changes from concurrent writers, until all are handled (writers,
  relay and consumer in one process); and a backlog already on the bus (an import) handled
  by one consuming service: handled events/s;
and, on the same broker in the same run, the raw aiokafka produce-to-consume round trip,
so the overhead of our plumbing is a ratio.

    python bench/bus.py [--events 5000] [--bus local|kafka|all]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from shared.messaging.events.codec import encode
from shared.messaging.events.envelope import Envelope
from shared.platform.config import load_settings
from shared.platform.runtime import ServiceRuntime
from shared.ports.bus import open_bus
from shared.ports.store import Transaction
from tests.support.clocks import SYSTEM_CLOCK
from tests.support.demo import (
    APPLICATIONS,
    PROJECTION,
    TOPIC,
    CounterChanged,
    Projector,
    build_consumer,
    build_producer,
    change_counter,
)
from tests.support.tansu import TansuBroker

console = Console()


def percentiles(samples_s: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples_s)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94], "p99": q[98], "max": ms[-1], "n": len(ms)}


class TimedProjector(Projector):
    """Records when each event's effect has committed."""

    def __init__(self) -> None:
        super().__init__()
        self.done: dict[str, float] = {}
        self.arrived = asyncio.Event()

    async def __call__(self, envelope: Envelope, tx: Transaction) -> None:
        await super().__call__(envelope, tx)

        def committed() -> None:
            self.done[f"{envelope.aggregate_id}@{envelope.sequence}"] = time.perf_counter()
            self.arrived.set()

        tx.on_commit(committed)


async def plumbing(bus_url: str, events: int, progress: Progress) -> dict[str, dict[str, float]]:
    data = Path(tempfile.mkdtemp(prefix="ocop-bench-"))
    settings = load_settings(data_dir=data, bus_url=bus_url, log_level="WARNING")
    bus = open_bus(bus_url)
    projector = TimedProjector()
    producer = build_producer(settings, bus)
    consumer = build_consumer(settings, projector, bus)
    await consumer.start()
    await producer.start()
    try:
        # Warm up: connections, consumer group join, SQLite caches.
        for i in range(50):
            await change_counter(producer, "warm", i)
        while "warm@50" not in projector.done:
            await asyncio.wait_for(projector.arrived.wait(), 30)
            projector.arrived.clear()

        latencies: list[float] = []
        task = progress.add_task(f"latency {bus_url.split(':')[0]}", total=events)
        for i in range(events):
            key = f"lat{i % 100}"
            started = time.perf_counter()
            version = await change_counter(producer, key, i)
            name = f"{key}@{version}"
            while name not in projector.done:
                projector.arrived.clear()
                if name in projector.done:
                    break
                await asyncio.wait_for(projector.arrived.wait(), 30)
            latencies.append(projector.done[name] - started)
            progress.advance(task)

        task = progress.add_task(f"burst {bus_url.split(':')[0]}", total=events)
        writers = 8
        handled_before = len(projector.done)
        started = time.perf_counter()

        async def writer(w: int) -> None:
            for i in range(w, events, writers):
                await change_counter(producer, f"burst{i}", i)

        await asyncio.gather(*(writer(w) for w in range(writers)))
        committed = time.perf_counter()
        while len(projector.done) - handled_before < events:
            progress.update(task, completed=len(projector.done) - handled_before)
            projector.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(projector.arrived.wait(), 1)
        finished = time.perf_counter()
        progress.update(task, completed=events)
    finally:
        await producer.stop()
        await consumer.stop()
        await bus.stop()
    # Alone in the process, on a bus client of its own: the demo consumer would take the
    # backlog's events too.
    return {"latency": percentiles(latencies),
            "throughput": {"events": events, "writes_per_s": events / (committed - started),
                           "handled_per_s": events / (finished - started),
                           "backlog_per_s": await backlog(bus_url, data, events, progress)}}


async def backlog(bus_url: str, data: Path, events: int, progress: Progress) -> float:
    """Handled events/s of a consuming service (a group of its own) that starts with
    ``events`` changes of 1,000 counters waiting on the bus: from its first handled event
    to its last (joining a Kafka consumer group takes seconds of its own)."""
    settings = load_settings(data_dir=data / "backlog", log_level="WARNING")
    bus = open_bus(bus_url)
    await bus.start([TOPIC])
    waiting = [encode(Envelope(type=CounterChanged.event_type, source="/ocop/bench",
                               aggregate_id=f"import{i % 1000}", sequence=i // 1000 + 1,
                               data={"counter_id": f"import{i % 1000}", "value": i},
                               time=SYSTEM_CLOCK.now()), TOPIC) for i in range(events)]
    for start in range(0, events, 500):
        await bus.publish(waiting[start:start + 500])
    projector = TimedProjector()
    consumer = ServiceRuntime("bench_backlog", settings, bus=bus,
                              collections=[PROJECTION, APPLICATIONS])
    consumer.handle(CounterChanged, projector)
    task = progress.add_task("backlog", total=events)
    await consumer.start()
    try:
        while len(projector.done) < events:
            progress.update(task, completed=len(projector.done))
            projector.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(projector.arrived.wait(), 1)
        return (events - 1) / (max(projector.done.values()) - min(projector.done.values()))
    finally:
        await consumer.stop()
        await bus.stop()


async def raw_round_trip(bootstrap: str, count: int, fetch_max_wait_ms: int,
                         progress: Progress) -> dict[str, float]:
    """aiokafka alone, consuming as the platform does: a consumer polls in the background
    (same fetch wait) and the producer sends one message (acks=all) at a time."""
    topic = "bench.raw"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    await producer.start()
    await producer.send_and_wait(topic, b"create")
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id="bench-raw",
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                fetch_max_wait_ms=fetch_max_wait_ms)
    await consumer.start()
    received: asyncio.Queue[float] = asyncio.Queue()

    async def poll() -> None:
        while True:
            await consumer.getone()
            received.put_nowait(time.perf_counter())

    poller = asyncio.create_task(poll())
    await received.get()
    samples: list[float] = []
    task = progress.add_task("raw aiokafka", total=count)
    try:
        for i in range(count):
            started = time.perf_counter()
            await producer.send_and_wait(topic, str(i).encode(), key=b"k")
            samples.append(await received.get() - started)
            progress.advance(task)
    finally:
        poller.cancel()
        await consumer.stop()
        await producer.stop()
    return percentiles(samples)


def report(results: dict[str, dict[str, dict[str, float]]], raw: dict[str, float] | None) -> None:
    table = Table(title="publish-to-handled latency, one change at a time (ms)")
    for col in ("path", "n", "p50", "p95", "p99", "max"):
        table.add_column(col, justify="right")
    for name, r in results.items():
        lat = r["latency"]
        table.add_row(name, str(int(lat["n"])), *(f"{lat[k]:.2f}" for k in ("p50", "p95", "p99",
                                                                            "max")))
    if raw:
        table.add_row("raw aiokafka round trip", str(int(raw["n"])),
                      *(f"{raw[k]:.2f}" for k in ("p50", "p95", "p99", "max")))
    console.print(table)
    tput = Table(title="throughput: burst from 8 concurrent writers; a backlog on the bus")
    for col in ("path", "events", "state changes/s", "handled/s", "backlog handled/s"):
        tput.add_column(col, justify="right")
    for name, r in results.items():
        t = r["throughput"]
        tput.add_row(name, str(int(t["events"])), f"{t['writes_per_s']:.0f}",
                     f"{t['handled_per_s']:.0f}", f"{t['backlog_per_s']:.0f}")
    console.print(tput)
    if raw and "kafka" in results:
        ratio = results["kafka"]["latency"]["p50"] / raw["p50"]
        console.print(f"Kafka path p50 / raw round trip p50 = {ratio:.2f}× (aim: ≤ 2×)")
    if "embedded" in results:
        console.print(f"Embedded path p99 = {results['embedded']['latency']['p99']:.2f} ms "
                      "(aim: < 10 ms)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--bus", choices=("local", "kafka", "all"), default="all")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    results: dict[str, dict[str, dict[str, float]]] = {}
    raw = None
    with Progress(console=console, transient=True) as progress:
        if args.bus in ("local", "all"):
            url = f"local://{tempfile.mkdtemp(prefix='ocop-bench-bus-')}/bus.db"
            results["embedded"] = await plumbing(url, args.events, progress)
        if args.bus in ("kafka", "all"):
            broker = TansuBroker()
            broker.start()
            try:
                results["kafka"] = await plumbing(broker.url, args.events, progress)
                bus = open_bus(broker.url)
                fetch_wait = bus.fetch_max_wait_ms  # type: ignore[attr-defined]
                raw = await raw_round_trip(broker.bootstrap, min(args.events, 2000), fetch_wait,
                                           progress)
            finally:
                broker.stop()
    report(results, raw)


if __name__ == "__main__":
    asyncio.run(main())
